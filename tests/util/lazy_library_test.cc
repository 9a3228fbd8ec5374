#include "util/lazy_library.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace lamin::util {
namespace {

TEST(LazyLibrary, AMissingLibraryNamesItselfAndThePackageToInstall) {
  auto library = LazyLibrary::Open("libnot-a-lamin-library.so.7", "libnot-a-package1");
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(library.status().message().find("libnot-a-lamin-library.so.7"), std::string::npos);
  EXPECT_NE(library.status().message().find("install the Debian package libnot-a-package1"),
            std::string::npos);
}

// zlib: the tests link it, so it is there under its SONAME.
struct Zlib {
  LAMIN_LAZY_FUNCTION(zlibVersion)
  LAMIN_LAZY_FUNCTION(crc32)
};

Status ResolveZlib(const LazyLibrary& library, Zlib& table) {
  LAMIN_LAZY_RESOLVE(zlibVersion)
  LAMIN_LAZY_RESOLVE(crc32)
  return Status::OK();
}

TEST(LazyLibrary, ResolvedFunctionsAreTheLibrarysOwn) {
  auto library = LazyLibrary::Open("libz.so.1", "zlib1g");
  ASSERT_TRUE(library.ok()) << library.status().ToString();
  Zlib table;
  ASSERT_TRUE(ResolveZlib(*library, table).ok());
  EXPECT_STREQ(table.zlibVersion(), zlibVersion());
  const char text[] = "lamin";
  auto bytes = reinterpret_cast<const Bytef*>(text);
  EXPECT_EQ(table.crc32(0, bytes, 5), crc32(0, bytes, 5));
}

TEST(LazyLibrary, AMissingFunctionIsNamed) {
  auto library = LazyLibrary::Open("libz.so.1", "zlib1g");
  ASSERT_TRUE(library.ok()) << library.status().ToString();
  Status error;
  EXPECT_EQ(library->Symbol("lamin_no_such_function", &error), nullptr);
  EXPECT_EQ(error.code(), StatusCode::kUnavailable);
  EXPECT_NE(error.message().find("libz.so.1 has no function lamin_no_such_function"),
            std::string::npos);
}

}  // namespace
}  // namespace lamin::util
