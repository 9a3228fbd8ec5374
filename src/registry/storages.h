// Storage locations (lamindb_storage): where an instance keeps artifacts. An instance writes
// only to the locations whose instance_uid is its own; it reads from any it can open.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace lamin::registry {

struct StorageRow {
  int64_t id = 0;  // set when read
  std::string uid;
  std::string root;  // LaminDB's form: a local absolute path, or s3://bucket/prefix[?endpoint_url=]
  std::string type;  // "local", "s3"
  std::optional<std::string> region;
  std::string instance_uid;
  std::optional<std::string> description;
};

// Inserts a row (created by `user_id`) and returns its id. Result: AlreadyExists for a root
// that has a row.
Result<int64_t> InsertStorage(db::Database& db, const StorageRow& storage, int64_t user_id);
// Every storage row, by id.
Result<std::vector<StorageRow>> ListStorages(db::Database& db);
// Result: NotFound naming the root.
Result<StorageRow> FindStorage(db::Database& db, const std::string& root);
// The same among rows already read (ListStorages).
Result<StorageRow> FindStorage(const std::vector<StorageRow>& storages, const std::string& root);

}  // namespace lamin::registry
