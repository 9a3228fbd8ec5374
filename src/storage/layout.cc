#include "storage/layout.h"

#include <algorithm>

namespace lamin::storage {
namespace {

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool AllBase62(const std::string& s) { return std::all_of(s.begin(), s.end(), IsBase62); }

// "<16 or 20 base62><suffix>", the suffix empty or starting with '.'.
bool IsObjectName(const std::string& name) {
  size_t n = 0;
  while (n < name.size() && IsBase62(name[n])) ++n;
  if (n != 16 && n != 20) {
    // A suffix may itself start with base62 characters only after a '.', so a run of another
    // length is not a uid.
    return false;
  }
  return n == name.size() || name[n] == '.';
}

bool IsSqliteFile(const std::string& name) {
  if (name == kSqliteName) return true;
  for (const char* ext : kSqliteSidecars) {
    if (name == std::string(kSqliteName) + ext) return true;
  }
  return false;
}

}  // namespace

std::string ManagedObjectKey(const std::string& name, const std::string& suffix) {
  return std::string(kManagedDir) + "/" + name + suffix;
}

bool IsManagedKey(const std::string& key) {
  const std::string dir = kManagedDir;
  return key == dir || key.rfind(dir + "/", 0) == 0;
}

ManagedEntry ClassifyManagedEntry(const std::string& name, std::string* token) {
  if (name == kMarkerName || IsSqliteFile(name)) return ManagedEntry::kInstanceFile;
  // A staging name is an object name plus ".tmp-<token>", so it is told apart first.
  auto pos = name.rfind(kStagingInfix);
  if (pos == std::string::npos) {
    return IsObjectName(name) ? ManagedEntry::kObject : ManagedEntry::kForeign;
  }
  std::string base = name.substr(0, pos);
  std::string tail = name.substr(pos + std::string(kStagingInfix).size());
  if (base == kSqliteName) {
    // lamin.db.tmp-<token>, and SQLite's sidecars of it.
    for (const char* ext : kSqliteSidecars) {
      if (tail.size() > std::string(ext).size() && tail.ends_with(ext)) {
        tail.resize(tail.size() - std::string(ext).size());
        break;
      }
    }
    return !tail.empty() && AllBase62(tail) ? ManagedEntry::kInitLeftover : ManagedEntry::kForeign;
  }
  if (!IsObjectName(base)) return ManagedEntry::kForeign;
  if (tail.empty() || !AllBase62(tail)) {
    // An object whose suffix happens to hold ".tmp-" (a file named "x.tmp-1.2").
    return IsObjectName(name) ? ManagedEntry::kObject : ManagedEntry::kForeign;
  }
  if (token) *token = tail;
  return ManagedEntry::kStaging;
}

}  // namespace lamin::storage
