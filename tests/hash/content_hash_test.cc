// The hash vectors of the LaminDB format reference, computed through the same streaming hasher
// the save protocol uses, fed in awkward chunk sizes.
#include "hash/content_hash.h"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "test_util.h"

namespace lamin::hash {
namespace {

ContentHash HashInChunks(const std::string& data, size_t chunk) {
  ContentHasher h(data.size());
  for (size_t i = 0; i < data.size(); i += chunk) {
    h.Update(data.data() + i, std::min(chunk, data.size() - i));
  }
  return h.Finish().value();
}

TEST(ContentHash, SmallFileVectors) {
  EXPECT_EQ(HashInChunks(">seq1\nACGT\n", 3).hash, "83rEPcAoBHmYiIuyBYrFKg");
  EXPECT_EQ(HashInChunks("", 1).hash, "1B2M2Y8AsgTpgAmY7PhCfg");
  auto hw = HashInChunks("hello world", 4);
  EXPECT_EQ(hw.hash, "XrY7u-Ae7tCTyyK7j1rNww");
  EXPECT_EQ(hw.hash_type, "md5");
}

TEST(ContentHash, FolderVector) {
  std::vector<std::string> files = {HashInChunks("b", 1).hash, HashInChunks("a", 1).hash};
  auto h = CombineFolderHash(files);
  EXPECT_EQ(h.hash, "YNCwyFw7rBegqZLBVEckCg");
  EXPECT_EQ(h.hash_type, "md5-d");
}

TEST(ContentHash, LargeFileFirstLastVector) {
  std::string data(60ull * 1024 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i & 0xff);
  // An odd chunk size makes chunks straddle both window boundaries.
  auto h = HashInChunks(data, 1000003);
  EXPECT_EQ(h.hash, "r5IcMpkMQUtbBbV5EmccK8");
  EXPECT_EQ(h.hash_type, "sha1-fl");
  EXPECT_EQ(HashInChunks(data, 1 << 20).hash, h.hash);
}

TEST(ContentHash, ExactlyFiftyMiBIsStillMd5) {
  std::string data(kFirstLastChunk, 'x');
  EXPECT_EQ(HashInChunks(data, 1 << 20).hash_type, "md5");
}

TEST(ContentHash, SizeMismatchIsCorruption) {
  ContentHasher h(10);
  h.Update("abc", 3);
  auto r = h.Finish();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

TEST(ContentHash, HashFileReadsFromDisk) {
  testing::ScratchDir dir;
  auto p = testing::WriteFile(dir.path() / "f", "hello world");
  EXPECT_EQ(HashFile(p)->hash, "XrY7u-Ae7tCTyyK7j1rNww");
  EXPECT_TRUE(HashFile(dir.path() / "missing").status().IsNotFound());
}

}  // namespace
// LaminDB's rule for S3 objects registered in place: the ETag's hex as b64, "md5"; a multipart
// ETag "<hex>-N" as b64 of the hex, "md5-N".
TEST(HashFromEtag, SinglePartAndMultipart) {
  auto single = HashFromEtag("5eb63bbbe01eeed093cb22bb8f5acdc3");  // md5("hello world")
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->hash, "XrY7u-Ae7tCTyyK7j1rNww");
  EXPECT_EQ(single->hash_type, "md5");
  auto multi = HashFromEtag("5EB63BBBE01EEED093CB22BB8F5ACDC3-12");
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi->hash, "XrY7u-Ae7tCTyyK7j1rNww");
  EXPECT_EQ(multi->hash_type, "md5-12");
  for (const char* bad :
       {"", "xyz", "5eb63bbbe01eeed093cb22bb8f5acdc", "5eb63bbbe01eeed093cb22bb8f5acdc3-",
        "5eb63bbbe01eeed093cb22bb8f5acdc3-x"}) {
    EXPECT_EQ(HashFromEtag(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace lamin::hash
