#include "scripts.h"

#include <fstream>
#include <iterator>
#include <map>

#include "lamin/instance.h"

namespace lamin::cli {

namespace fs = std::filesystem;

// Larger "scripts" are data, not code.
constexpr uintmax_t kMaxSourceBytes = 10u << 20;

std::optional<std::string> SourceText(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > kMaxSourceBytes) {
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return std::nullopt;
  if (text.find('\0') != std::string::npos) return std::nullopt;
  return text;
}

std::optional<std::string> TransformKindOfFile(const fs::path& path) {
  static const std::map<std::string, std::string> kinds{
      {".py", "script"},       {".R", "script"},   {".sh", "script"},
      {".ipynb", "notebook"},  {".qmd", "notebook"}, {".Rmd", "notebook"}};
  auto it = kinds.find(path.extension().string());
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

fs::path CurrentShellRunFile() {
  return Environment::FromProcess().SettingsDir() / "current_shell_run.txt";
}

}  // namespace lamin::cli
