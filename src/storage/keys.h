// Storage keys, shared by every ObjectStore.
#pragma once

#include <filesystem>
#include <string>

#include "lamin/status.h"

namespace lamin::storage {

// Keys are relative, '/'-separated, without "." or ".." parts: a key can never leave the root.
inline Status ValidateKey(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.back() == '/' ||
      key.find("//") != std::string::npos) {
    return Status::InvalidArgument("invalid storage key '" + key + "'");
  }
  for (const auto& part : std::filesystem::path(key)) {
    if (part == ".." || part == "." || part.empty()) {
      return Status::InvalidArgument("invalid storage key '" + key + "': no '.' or '..' parts");
    }
  }
  return Status::OK();
}

// Checks a key a user gives an artifact (or that a file registered in place gets from its
// path): relative, normal ('/'-separated parts, none empty, ".", ".." or with blanks around it),
// no control characters, not inside .lamindb/, at most 1024 characters. Messages show the key
// with control characters escaped and, where there is one, its normal form.
// Result: InvalidArgument naming the rule broken.
Status ValidateArtifactKey(const std::string& key);

}  // namespace lamin::storage
