// Registering in place: an object that already lives inside a registered storage location (for
// example s3://bucket/prefix/raw/reads.fastq, or a file or folder below a local storage root)
// becomes an artifact whose key is its real key; nothing is copied. The hash comes from the S3
// ETag as LaminDB computes it ("md5" for a single-part upload, "md5-N" for a multipart one), or
// from the bytes on a local store.
#pragma once

#include <string>
#include <vector>

#include "core/save.h"

namespace lamin::core {

struct RegisterRequest {
  std::string key;  // relative to the storage root
  std::string url;  // as the user gave it, for messages
  std::optional<std::string> description;
};

// Registers the objects as one transaction: all or nothing. Content already registered in the
// storage returns the existing artifact; a key that exists with other content gets a new
// version. With `run_id`, lineage as SaveOptions::run_id says. Result: NotFound (no object at a
// key), InvalidArgument (an S3 prefix, a managed key).
Result<SaveReport> RegisterBatch(db::Database& db, const StorageTarget& target,
                                 const std::vector<RegisterRequest>& requests,
                                 std::optional<int64_t> run_id = std::nullopt);

}  // namespace lamin::core
