// The string-only path helpers give what std::filesystem gives (they replace it on hot paths).
#include <gtest/gtest.h>

#include <filesystem>

#include "util/fs.h"

namespace lamin::util {
namespace {
namespace fs = std::filesystem;

// What NormalizeAbsolute stands in for: std::filesystem's answer, trailing separators removed.
std::string Reference(const fs::path& path, const fs::path& cwd) {
  std::string s = (path.is_absolute() ? path : cwd / path).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

TEST(PathHelpers, NormalizeAbsoluteAgreesWithStdFilesystem) {
  const fs::path cwd = "/home/u/work";
  for (const char* p :
       {"a", "a/b", "./a", "a/./b", "a//b", "a/b/", "a/b/.", "a/..", "a/../..", "../x", "../../../../x",
        "..", ".", "/", "//", "/a", "/a/", "/a/..", "/..", "/../a", "/a/./b/../c", "/a//b///c/",
        "a/b/../../c", ".hidden", "a/.b/..c", "a/.../b", "/x/y/z/../../..", "/x/y/z/../../../..",
        "dir with spaces/f.txt", "ünï/cödé"}) {
    EXPECT_EQ(NormalizeAbsolute(p, cwd).string(), Reference(p, cwd)) << p;
    EXPECT_EQ(NormalizeAbsoluteText(p, cwd.native()), Reference(p, cwd)) << p;
  }
  EXPECT_EQ(NormalizeAbsoluteText("a/../b"), Reference("b", fs::current_path()));
  // Without a cwd, the working directory.
  EXPECT_EQ(NormalizeAbsolute("a/../b").string(), Reference("b", fs::current_path()));
  EXPECT_EQ(NormalizeAbsolute("").string(), Reference("", fs::current_path()));
}

TEST(PathHelpers, IsWithinComparesWholeParts) {
  EXPECT_TRUE(IsWithin("/a/b", "/a"));
  EXPECT_TRUE(IsWithin("/a/b/c", "/a/b"));
  EXPECT_TRUE(IsWithin("/a", "/a"));
  EXPECT_TRUE(IsWithin("/a/b", "/a/"));
  EXPECT_TRUE(IsWithin("/a", "/"));
  EXPECT_TRUE(IsWithin("/", "/"));
  EXPECT_FALSE(IsWithin("/ab", "/a"));
  EXPECT_FALSE(IsWithin("/a", "/a/b"));
  EXPECT_FALSE(IsWithin("/b/a", "/a"));
  EXPECT_FALSE(IsWithin("/store/.lamindbx", "/store/.lamindb"));
}

}  // namespace
}  // namespace lamin::util
