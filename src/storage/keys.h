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

}  // namespace lamin::storage
