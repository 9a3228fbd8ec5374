#include "storage/keys.h"

#include <vector>

#include "storage/layout.h"
#include "util/encoding.h"

namespace lamin::storage {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string Trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsBlank(s[b])) ++b;
  while (e > b && IsBlank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

Status ValidateArtifactKey(const std::string& key) {
  // Made only for a message: every file of a batch passes here.
  auto shown = [&key] { return "key '" + util::EscapeControl(key) + "'"; };
  if (key.empty()) return Status::InvalidArgument("the key is empty");
  if (key.size() > 1024) return Status::InvalidArgument("the key is longer than 1024 characters");
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(shown() + " contains a control character");
    }
  }
  if (key.front() == '/') {
    return Status::InvalidArgument(shown() + " must be relative (no leading '/')");
  }
  // Split into parts, and build the normal form for the message.
  std::string normal;
  bool is_normal = true;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string part = key.substr(start, slash == std::string::npos ? std::string::npos
                                                                     : slash - start);
    if (part == "..") return Status::InvalidArgument(shown() + " contains '..'");
    std::string trimmed = Trimmed(part);
    if (trimmed != part || trimmed.empty() || trimmed == ".") is_normal = false;
    if (!trimmed.empty() && trimmed != ".") normal += (normal.empty() ? "" : "/") + trimmed;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (!is_normal) {
    return Status::InvalidArgument(
        shown() + " is not a normal key (no empty or '.' parts, no trailing '/', no blanks around "
                "a part)" +
        (normal.empty() ? std::string() : ": use '" + util::EscapeControl(normal) + "'"));
  }
  if (IsManagedKey(key)) {
    return Status::InvalidArgument(shown() +
                                   " starts with '.lamindb/', which the instance manages itself");
  }
  return Status::OK();
}

}  // namespace lamin::storage
