#include "instance/locations.h"

#include <filesystem>
#include <regex>

#include "storage/layout.h"
#include "storage/s3_client.h"
#include "util/fs.h"

namespace lamin::instance {

namespace fs = std::filesystem;

bool IsS3Url(const std::string& text) { return text.rfind("s3://", 0) == 0; }

Result<std::string> CanonicalRoot(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("empty storage location");
  if (IsS3Url(text)) {
    LAMIN_ASSIGN_OR_RETURN(auto location, storage::S3Location::Parse(text));
    return location.Root();
  }
  // Anything that looks like a URL ("scheme:/...") is one: "s3:/x" must not become a folder.
  static const std::regex kScheme("^[A-Za-z][A-Za-z0-9+.-]*:/.*");
  if (std::regex_match(text, kScheme)) {
    if (text.rfind("s3:", 0) == 0) return storage::S3Location::Parse(text).status();
    return Status::InvalidArgument("storage '" + text +
                                   "': only local folders and s3:// locations are supported");
  }
  return util::NormalizeAbsolute(text).string();
}

bool LocationWithin(const std::string& inner, const std::string& outer) {
  if (IsS3Url(inner) != IsS3Url(outer)) return false;
  if (!IsS3Url(inner)) return inner == outer || util::IsWithin(inner, outer);
  auto a = storage::S3Location::Parse(inner);
  auto b = storage::S3Location::Parse(outer);
  if (!a.ok() || !b.ok() || a->bucket != b->bucket || a->endpoint != b->endpoint) return false;
  return b->prefix.empty() || a->prefix == b->prefix || a->prefix.rfind(b->prefix + "/", 0) == 0;
}

Status CheckLocationIsFree(const std::string& root, const std::vector<std::string>& taken) {
  if (!IsS3Url(root)) {
    for (const auto& part : fs::path(root)) {
      if (part == storage::kManagedDir) {
        return Status::InvalidArgument("storage '" + root +
                                       "' lies inside a .lamindb/ folder, which an instance "
                                       "manages itself: choose a folder outside it");
      }
    }
  } else {
    LAMIN_ASSIGN_OR_RETURN(auto location, storage::S3Location::Parse(root));
    std::string prefix = "/" + location.prefix + "/";
    if (prefix.find(std::string("/") + storage::kManagedDir + "/") != std::string::npos) {
      return Status::InvalidArgument("storage '" + root +
                                     "' lies inside a .lamindb/ prefix, which an instance "
                                     "manages itself: choose a prefix outside it");
    }
  }
  for (const auto& other : taken) {
    if (other == root) return Status::AlreadyExists("storage '" + root + "' is registered already");
    if (LocationWithin(root, other) || LocationWithin(other, root)) {
      return Status::InvalidArgument(
          "storage '" + root + "' overlaps the registered location '" + other + "' (" +
          (LocationWithin(root, other) ? "it lies inside it" : "it contains it") +
          "): locations must not nest, or one would register the other's files as its own");
    }
  }
  if (!IsS3Url(root)) {
    // Another instance whose settings are not known here may own a folder above.
    for (fs::path dir = fs::path(root).parent_path(); !dir.empty(); dir = dir.parent_path()) {
      std::error_code ec;
      if (fs::exists(dir / storage::kMarkerKey, ec)) {
        return Status::InvalidArgument("storage '" + root + "' lies inside '" + dir.string() +
                                       "', the storage location of another instance (" +
                                       (dir / storage::kMarkerKey).string() + ")");
      }
      if (dir == dir.root_path()) break;
    }
  }
  return Status::OK();
}

}  // namespace lamin::instance
