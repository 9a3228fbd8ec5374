// File-system helpers with durable semantics and errno translated to Status once, here.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lamin/object_store.h"
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

// `path` made absolute (against `cwd`, or the working directory when `cwd` is empty) and
// lexically normal ("." and empty parts dropped, ".." taking the part before it away), without a
// trailing separator: what std::filesystem's absolute().lexically_normal() gives, in one pass
// over the string (a batch of many files normalizes each path on its hot path).
fs::path NormalizeAbsolute(const fs::path& path, const fs::path& cwd = {});
// The same as text: a std::filesystem::path made from a string splits it into its parts, which
// was a few percent of saving 10,000 small files where only the text is needed.
std::string NormalizeAbsoluteText(std::string_view path, std::string_view cwd = {});

// True when `child` lies inside `parent` (both absolute and normal), or equals it. (Paths pass
// their native() text.)
bool IsWithin(std::string_view child, std::string_view parent);

// What tells whether a file changed while it was read: its identity, size, and modification and
// change times (a write in place keeps the size; its mtime and ctime move).
struct FileStamp {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
// The stamp of an open file. Result: IOError naming `path`.
Result<FileStamp> StampOf(int fd, const fs::path& path);
// Result: IOError naming `path` when the open file's stamp is no longer `before`, i.e. the file
// was written, truncated or replaced while it was read.
Status CheckUnchanged(int fd, const fs::path& path, const FileStamp& before);
// The same for the file at `path` (stat, following links as open does).
Status CheckUnchangedAt(const fs::path& path, const FileStamp& before);

struct FolderListing {
  std::vector<FolderFile> files;      // sorted by `relative`
  std::vector<std::string> skipped;   // "relative (why)": entries that are neither
};
// The files of a folder, the one rule for saving, hashing and sizing folders: regular files,
// recursively, following symbolic links to files and to folders (as LaminDB does, so a link to
// data elsewhere is saved as that data). Entries that are not files or folders (FIFOs, sockets,
// devices, broken links) are skipped and named in `skipped`.
// Result: NotFound/PermissionDenied/IOError naming the entry; InvalidArgument for a link that
// leads back into a folder above it (a loop).
Result<FolderListing> ListFolder(const fs::path& root);

struct PathSize {
  uint64_t bytes = 0;
  uint64_t files = 0;  // a file: 1; a folder: its regular files, recursively
  bool is_folder = false;
};
// The size of a file, or of a folder's files (ListFolder's rule). Result: NotFound, IOError.
Result<PathSize> SizeOf(const fs::path& path);

}  // namespace lamin::util
