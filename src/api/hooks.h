// What tests may add to an instance that the public API does not offer: a wrapper around its
// database connection (fault injection). Internal: the public headers name no internal type.
#pragma once

#include <functional>
#include <memory>

#include "db/database.h"
#include "lamin/instance.h"

namespace lamin::api {

struct TestHooks {
  std::function<std::unique_ptr<db::Database>(std::unique_ptr<db::Database>)> wrap_database;
};

// Instance::Init and Instance::OpenCurrent, with hooks.
Result<std::unique_ptr<Instance>> InitWith(const InitOptions& init, const OpenOptions& options,
                                           const TestHooks& hooks);
Result<std::unique_ptr<Instance>> OpenCurrentWith(const OpenOptions& options,
                                                  const TestHooks& hooks);

}  // namespace lamin::api
