// File-system helpers with durable semantics and errno translated to Status once, here.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "lamin/status.h"

namespace lamin::util {

namespace fs = std::filesystem;

// Status for a failed system call: the code follows errno (ENOENT -> NotFound, EACCES/EPERM ->
// PermissionDenied, ENOSPC/EDQUOT -> IOError "no space left", others IOError); the message reads
// "<what> '<path>': <strerror>".
Status ErrnoStatus(int err, std::string_view what, const fs::path& path);

// fsync of a file or directory by path. Result: IOError on failure.
Status SyncPath(const fs::path& path);

// Writes `content` to `path` atomically and durably: temp file in the same folder, fsync,
// rename, fsync of the folder. `mode` applies to the new file (e.g. 0600 for secrets).
Status WriteFileAtomic(const fs::path& path, std::string_view content, unsigned mode = 0644);

// The whole content of a (small) file. Result: NotFound, IOError.
Result<std::string> ReadFile(const fs::path& path);

// `path` made absolute and lexically normal, without a trailing separator.
fs::path NormalizeAbsolute(const fs::path& path);

// True when `child` lies inside `parent` (both absolute and normal), or equals it.
bool IsWithin(const fs::path& child, const fs::path& parent);

struct PathSize {
  uint64_t bytes = 0;
  uint64_t files = 0;  // a file: 1; a folder: its regular files, recursively
  bool is_folder = false;
};
// The size of a file, or of a folder's regular files. Result: NotFound, IOError.
Result<PathSize> SizeOf(const fs::path& path);

}  // namespace lamin::util
