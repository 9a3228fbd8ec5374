// Storages: the storage locations of an instance (Instance::storages()), LaminDB's
// lamindb_storage rows. Thread-safety: as its Instance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin {

struct StorageInfo {
  int64_t id = 0;
  std::string uid;
  std::string root;
  std::string type;  // "local", "s3"
  std::string region;
  std::string description;
  bool writable = false;    // the location belongs to this instance (its instance_uid)
  bool is_default = false;  // saves go here unless told otherwise
};

class Storages {
 public:
  virtual ~Storages() = default;
  // Registers another storage location (an existing local folder or s3://bucket/prefix) that
  // this instance writes to: writes its marker .lamindb/storage_uid.txt, then the row.
  // Result: AlreadyExists (registered, or the location belongs to an instance), InvalidArgument
  // (malformed root, or one that nests with a location in use), NotFound (no such folder),
  // PermissionDenied / Unavailable from the store.
  virtual Result<StorageInfo> Add(const std::string& root, const std::string& description = "") = 0;
  virtual Result<std::vector<StorageInfo>> List() = 0;
};

}  // namespace lamin
