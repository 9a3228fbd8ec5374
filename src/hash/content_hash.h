// LaminDB's content hashes, computed in one pass over the bytes.
//
//   file <= 50 MiB : b64(md5(file))                                   type "md5"
//   file  > 50 MiB : b64(sha1(sha1(first 50 MiB) || sha1(last 50 MiB)))  type "sha1-fl"
//   folder         : b64(md5(md5(h1) || md5(h2) || ...)) over the sorted file hashes, "md5-d"
// b64 is URL-safe base64 without padding, cut to 22 characters.
//
// ContentHasher needs the size up front (from stat) so that one sequential pass can feed the
// first and the last 50 MiB of a large file to their digests without seeking back.
// Thread-safety: a hasher is used by one thread at a time; distinct hashers are independent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lamin/status.h"
#include "util/fs.h"

namespace lamin::hash {

inline constexpr uint64_t kFirstLastChunk = 50ull * 1024 * 1024;  // 52,428,800 bytes

struct ContentHash {
  std::string hash;       // 22 characters
  std::string hash_type;  // "md5", "sha1-fl" or "md5-d"
};

class ContentHasher {
 public:
  // REQUIRES: exactly `size` bytes are passed to Update before Finish.
  // `whole_md5`: md5 over every byte whatever the size (an S3 single-part ETag's hash).
  explicit ContentHasher(uint64_t size, bool whole_md5 = false);
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  void Update(const void* data, size_t n);
  // Passes over `n` bytes that the hash does not depend on (those between the first and the last
  // 50 MiB of a large file). REQUIRES: Skippable() >= n.
  void Skip(uint64_t n) { seen_ += n; }
  // How many bytes from here on the hash does not read (0 for md5, or outside the gap).
  uint64_t Skippable() const;
  // Result: Corruption when the bytes seen differ from the size announced (the file changed
  // while it was read).
  Result<ContentHash> Finish();

 private:
  struct Digests;
  uint64_t size_;
  uint64_t seen_ = 0;
  std::unique_ptr<Digests> d_;
};

// Hash of a whole file by reading it. Result: NotFound, IOError, Corruption.
Result<ContentHash> HashFile(const std::filesystem::path& path, bool whole_md5 = false);
// A file read for its hash: the hash, the file's stamp while it was read, and its bytes when it
// is at most `keep_up_to` bytes long (so that it can be stored without being read again).
struct FileRead {
  ContentHash hash;
  util::FileStamp stamp;
  std::optional<std::string> contents;
};
// Result: NotFound, PermissionDenied, IOError (also when the file changed while it was read).
Result<FileRead> ReadAndHashFile(const std::filesystem::path& path, uint64_t keep_up_to);
// Hash of a file or a folder (md5-d over its regular files, recursively).
Result<ContentHash> HashPath(const std::filesystem::path& path);
// LaminDB's hash of an object registered from S3, from its ETag: "<hex>" -> b64, type "md5";
// a multipart "<hex>-N" -> b64 of the hex, type "md5-N". Result: InvalidArgument.
Result<ContentHash> HashFromEtag(const std::string& etag);

// LaminDB's hash_string: b64(md5(text)) cut to 22 characters (feature values, schemas,
// collections).
std::string HashString(std::string_view text);

// The folder hash from the hashes of its files (any order).
ContentHash CombineFolderHash(std::vector<std::string> file_hashes);

}  // namespace lamin::hash
