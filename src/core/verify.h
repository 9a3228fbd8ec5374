// Whether a local copy (a cached download, or the object itself) holds an artifact's bytes.
#pragma once

#include <filesystem>
#include <string>

#include "lamin/artifact.h"
#include "lamin/status.h"

namespace lamin::core {

// Compares the copy at `path` with the artifact's size and hash, computed as the artifact's
// hash type says ("md5", "sha1-fl", "md5-d"; "md5" of a large object registered from S3 is the
// md5 of every byte). "md5-N", a multipart ETag, depends on part sizes nobody recorded: only the
// size is compared. `seen_hash` receives the hash computed, if any.
// Result: Corruption naming what differs.
Status VerifyCopy(const std::filesystem::path& path, const Artifact& artifact,
                  std::string* seen_hash = nullptr);

}  // namespace lamin::core
