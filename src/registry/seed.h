// The rows every instance holds from its start: the space "all", the branches trash (-1),
// archive (0) and main (1), the owner's user row and the storage row.
#pragma once

#include <optional>
#include <string>

#include "db/database.h"
#include "registry/storages.h"

namespace lamin::registry {

// REQUIRES: a fresh schema, inside the caller's transaction. Returns the user's id.
Result<int64_t> SeedInstance(db::Database& db, const std::string& user_uid,
                             const std::string& user_handle, const StorageRow& storage);

// The id of the user row with `uid`, inserted (with `handle`) if missing.
Result<int64_t> EnsureUser(db::Database& db, const std::string& uid, const std::string& handle);
}  // namespace lamin::registry
