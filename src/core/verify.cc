#include "core/verify.h"

#include <fmt/format.h>

#include "hash/content_hash.h"

namespace lamin::core {

namespace fs = std::filesystem;

Status VerifyCopy(const fs::path& path, const Artifact& a, std::string* seen_hash) {
  std::error_code ec;
  bool is_folder = fs::is_directory(path, ec);
  uint64_t size = 0;
  if (is_folder) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec)) size += it->file_size(ec);
    }
  } else {
    size = fs::file_size(path, ec);
  }
  if (ec) return Status::NotFound("cannot read the copy at '" + path.string() + "'");
  if (a.size && static_cast<uint64_t>(*a.size) != size) {
    return Status::Corruption(
        fmt::format("the copy has {} bytes, artifact {} has {}", size, a.uid, *a.size));
  }
  if (!a.hash || !a.hash_type) return Status::OK();
  const std::string& type = *a.hash_type;
  bool whole_md5 = type == "md5" && !is_folder;
  if (type != "md5-d" && type != "sha1-fl" && !whole_md5) {
    return Status::OK();  // md5-N and types of other tools: the size is all we can compare
  }
  auto h = whole_md5 ? hash::HashFile(path, /*whole_md5=*/true) : hash::HashPath(path);
  if (!h.ok()) return h.status();
  if (seen_hash) *seen_hash = h->hash;
  if (h->hash != *a.hash) {
    return Status::Corruption(
        fmt::format("the copy's hash is {}, artifact {} has {}", h->hash, a.uid, *a.hash));
  }
  return Status::OK();
}

}  // namespace lamin::core
