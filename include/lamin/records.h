// Records: every registry of an instance read through one interface (Instance::records()):
// the same queries as for artifacts (query.h), on artifact, collection, transform, run, ulabel,
// feature, schema, record, project, reference, storage, user, branch, space and jsonvalue.
// Thread-safety: as its Instance.
#pragma once

#include <string>
#include <vector>

#include "lamin/query.h"
#include "lamin/record.h"
#include "lamin/status.h"

namespace lamin {

class Records {
 public:
  virtual ~Records() = default;
  // Records of `registry` matching `query`. Result: InvalidArgument for an unknown registry
  // (listing them), field, relation or lookup.
  virtual Result<std::vector<Record>> List(const std::string& registry, const Query& query) = 0;
  // The record `ref` names. Result: NotFound, InvalidArgument (a reference this registry has no
  // field for).
  virtual Result<Record> Get(const std::string& registry, const RecordRef& ref) = 0;
};

// The registries Records reads, in a fixed order.
std::vector<std::string> RegistryNames();

}  // namespace lamin
