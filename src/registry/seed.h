// The rows every instance holds from its start: the space "all", the branches trash (-1),
// archive (0) and main (1), the owner's user row and the storage row.
#pragma once

#include <optional>
#include <string>

#include "db/database.h"

namespace lamin::registry {

struct StorageRow {
  std::string uid;
  std::string root;
  std::string type;
  std::optional<std::string> region;
  std::string instance_uid;
};

// REQUIRES: a fresh schema, inside the caller's transaction. Returns the user's id.
Result<int64_t> SeedInstance(db::Database& db, const std::string& user_uid,
                             const std::string& user_handle, const StorageRow& storage);

// The id of the user row with `uid`, inserted (with `handle`) if missing.
Result<int64_t> EnsureUser(db::Database& db, const std::string& uid, const std::string& handle);
// The storage row whose root is `root`. Result: NotFound.
Result<std::pair<int64_t, std::string>> FindStorage(db::Database& db, const std::string& root);

}  // namespace lamin::registry
