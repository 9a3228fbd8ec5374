#include "core/verify.h"

#include <fmt/format.h>

#include "hash/content_hash.h"
#include "util/fs.h"

namespace lamin::core {

namespace fs = std::filesystem;

Status VerifyCopy(const fs::path& path, const Artifact& a, std::string* seen_hash) {
  auto size = util::SizeOf(path);
  if (!size.ok()) return size.status().WithContext("cannot read the copy");
  bool is_folder = size->is_folder;
  if (a.size && static_cast<uint64_t>(*a.size) != size->bytes) {
    return Status::Corruption(
        fmt::format("the copy has {} bytes, artifact {} has {}", size->bytes, a.uid, *a.size));
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
