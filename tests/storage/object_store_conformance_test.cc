// The ObjectStore contract, run on every backend: the local store, and the S3 store against a
// real S3 server that checks signatures (label s3, through scripts/with_s3.sh; skipped
// without one). What the save protocol relies on: staging sees every byte once, published
// objects have the staged bytes, a key is never written twice, Discard removes exactly what it
// wrote, Delete and Stat work for files and folders, keys cannot leave the root, and LocalPath
// serves only copies that pass the caller's check.
#include <gtest/gtest.h>

#include <thread>

#include "crash/process.h"
#include "lamin/object_store.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::WriteFile;

enum class Backend { kLocal, kS3 };

class ObjectStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kLocal) {
      auto s = OpenLocalStore(dir_.path() / "root");
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = *s;
      return;
    }
    if (!testing::HaveS3Server()) GTEST_SKIP() << "needs scripts/with_s3.sh";
    S3StoreOptions options;
    options.cache_dir = dir_.path() / "cache";
    // Small parts so that a 12 MiB file goes up in three parts (S3's minimum part is 5 MiB).
    options.part_size = 5 << 20;
    options.multipart_threshold = 5 << 20;
    options.progress = [this](const std::string&, uint64_t done, uint64_t total) {
      progress_calls_++;
      last_progress_ = {done, total};
    };
    auto s = OpenS3Store(testing::NewS3Root("conf"), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = *s;
  }

  // Stages and publishes a file; returns what the observer saw.
  std::string Put(const std::string& key, const std::string& content) {
    auto src = WriteFile(dir_.path() / "in" / key, content);
    std::string seen;
    auto staged = store_->StageFile(src, key, "tok", [&](const void* d, size_t n) {
      seen.append(static_cast<const char*>(d), n);
    });
    EXPECT_TRUE(staged.ok()) << staged.status().ToString();
    if (!staged.ok()) return seen;
    std::vector<StagedObject> batch{*staged};
    EXPECT_TRUE(store_->Publish(batch).ok());
    EXPECT_TRUE(batch[0].published);
    return seen;
  }

  std::string Read(const std::string& key) {
    auto path = store_->LocalPath(key, {});
    EXPECT_TRUE(path.ok()) << path.status().ToString();
    return path.ok() ? testing::Slurp(*path) : "";
  }

  ScratchDir dir_;
  std::shared_ptr<ObjectStore> store_;
  std::atomic<int> progress_calls_{0};
  std::pair<uint64_t, uint64_t> last_progress_;
};

TEST_P(ObjectStoreConformance, PublishedObjectHoldsTheStagedBytes) {
  EXPECT_EQ(Put(".lamindb/a.txt", "hello world"), "hello world");
  auto info = store_->Stat(".lamindb/a.txt");
  ASSERT_TRUE(info.ok() && info->has_value()) << info.status().ToString();
  EXPECT_EQ((*info)->size, 11u);
  EXPECT_FALSE((*info)->is_folder);
  EXPECT_EQ(Read(".lamindb/a.txt"), "hello world");
  EXPECT_NE(store_->Location(".lamindb/a.txt").find(".lamindb/a.txt"), std::string::npos);
}

TEST_P(ObjectStoreConformance, EmptyFileAndUnicodeKey) {
  EXPECT_EQ(Put(".lamindb/empty", ""), "");
  EXPECT_EQ((*store_->Stat(".lamindb/empty"))->size, 0u);
  std::string key = "raw data/ünïcode + plus & amp.txt";
  Put(key, "unicode");
  EXPECT_EQ(Read(key), "unicode");
}

// Without an observer a local store copies in the kernel; the bytes must be the same, for an
// empty file, a small one and one of several MiB (several copy_file_range calls on some kernels).
TEST_P(ObjectStoreConformance, AnUnobservedCopyHoldsTheSourceBytes) {
  std::string big(7 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) >> 7);
  for (const std::string& content : {std::string(), std::string("small"), big}) {
    std::string key = ".lamindb/u" + std::to_string(content.size());
    auto src = WriteFile(dir_.path() / "in" / key, content);
    auto staged = store_->StageFile(src, key, "tok", nullptr);
    ASSERT_TRUE(staged.ok()) << staged.status().ToString();
    std::vector<StagedObject> batch{*staged};
    ASSERT_TRUE(store_->Publish(batch).ok());
    EXPECT_TRUE(Read(key) == content) << key;
  }
}

// Bytes the caller read already are stored as given: the path is not opened (here it does not
// even exist), and the observer still sees them.
TEST_P(ObjectStoreConformance, GivenContentsAreStoredWithoutReadingThePath) {
  const std::string bytes = "read once, hashed, stored";
  std::string seen;
  auto staged = store_->StageFile(FileSource(dir_.path() / "never-there", &bytes), ".lamindb/c",
                                  "tok", [&](const void* d, size_t n) {
                                    seen.append(static_cast<const char*>(d), n);
                                  });
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_EQ(seen, bytes);
  std::vector<StagedObject> batch{*staged};
  ASSERT_TRUE(store_->Publish(batch).ok());
  EXPECT_EQ(Read(".lamindb/c"), bytes);
}

TEST_P(ObjectStoreConformance, AKeyIsNeverWrittenTwice) {
  Put(".lamindb/k", "first");
  auto src = WriteFile(dir_.path() / "second", "second writer");
  // Refused when staging (S3: the key is taken) or when publishing (local: no-replace rename).
  auto staged = store_->StageFile(src, ".lamindb/k", "tok2", nullptr);
  Status refused = staged.status();
  if (staged.ok()) {
    std::vector<StagedObject> batch{*staged};
    refused = store_->Publish(batch);
    EXPECT_FALSE(batch[0].published);
    EXPECT_TRUE(store_->Discard(batch[0]).ok());  // the loser's staging copy only
  }
  EXPECT_EQ(refused.code(), StatusCode::kAlreadyExists) << refused.ToString();
  EXPECT_EQ(Read(".lamindb/k"), "first");
}

TEST_P(ObjectStoreConformance, DiscardRemovesWhatItWrote) {
  auto src = WriteFile(dir_.path() / "d", "discard me");
  auto staged = store_->StageFile(src, ".lamindb/d", "tok", nullptr);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  std::vector<StagedObject> batch{*staged};
  ASSERT_TRUE(store_->Publish(batch).ok());
  ASSERT_TRUE(store_->Discard(batch[0]).ok());
  EXPECT_FALSE(store_->Stat(".lamindb/d")->has_value());
  EXPECT_TRUE(store_->DiscardLeftovers(".lamindb/d", "tok").ok());
  EXPECT_TRUE(store_->Delete(".lamindb/d").ok()) << "deleting what is gone is not an error";
}

TEST_P(ObjectStoreConformance, FoldersStageListStatDelete) {
  fs::path src = dir_.path() / "folder";
  WriteFile(src / "a.txt", "a");
  WriteFile(src / "sub" / "b.txt", "bb");
  std::map<std::string, std::string> seen;
  std::mutex mu;
  auto staged = store_->StageFolder(testing::FilesOf(src), ".lamindb/F", "tok",
                                    [&](const std::string& rel, uint64_t) -> ByteObserver {
                                      return [&, rel](const void* d, size_t n) {
                                        std::lock_guard lock(mu);
                                        seen[rel].append(static_cast<const char*>(d), n);
                                      };
                                    });
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"a.txt", "a"}, {"sub/b.txt", "bb"}}));
  std::vector<StagedObject> batch{*staged};
  ASSERT_TRUE(store_->Publish(batch).ok());
  auto info = store_->Stat(".lamindb/F");
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_TRUE((*info)->is_folder);
  EXPECT_EQ((*info)->size, 3u);
  EXPECT_EQ((*info)->n_files, 2u);
  Put(".lamindb/G.txt", "g");
  auto entries = store_->List(".lamindb");
  ASSERT_TRUE(entries.ok());
  std::map<std::string, bool> listed;
  for (const auto& e : *entries) listed[e.key] = e.is_folder;
  EXPECT_EQ(listed, (std::map<std::string, bool>{{".lamindb/F", true}, {".lamindb/G.txt", false}}));
  auto local = store_->LocalPath(".lamindb/F", {});
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(testing::Slurp(*local / "sub" / "b.txt"), "bb");
  ASSERT_TRUE(store_->Delete(".lamindb/F").ok());
  EXPECT_FALSE(store_->Stat(".lamindb/F")->has_value());
}

TEST_P(ObjectStoreConformance, KeysCannotLeaveTheRoot) {
  auto src = WriteFile(dir_.path() / "x", "x");
  for (const char* key : {"../escape", "/abs", ".lamindb/../../x", "a//b", ""}) {
    EXPECT_EQ(store_->StageFile(src, key, "t", nullptr).status().code(),
              StatusCode::kInvalidArgument)
        << key;
    EXPECT_EQ(store_->Delete(key).code(), StatusCode::kInvalidArgument) << key;
  }
}

TEST_P(ObjectStoreConformance, MissingSourceIsNotFoundAndLeavesNothing) {
  auto r = store_->StageFile(dir_.path() / "nope", ".lamindb/n", "t", nullptr);
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_FALSE(store_->Stat(".lamindb/n")->has_value());
}

TEST_P(ObjectStoreConformance, ConcurrentWritersOfDistinctKeys) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 5; ++i) {
        std::string key = ".lamindb/c" + std::to_string(t) + "-" + std::to_string(i);
        Put(key, key);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 8; ++t) {
    std::string key = ".lamindb/c" + std::to_string(t) + "-4";
    EXPECT_EQ(Read(key), key);
  }
}

TEST_P(ObjectStoreConformance, LargeFileIsObservedOnceInOrder) {
  std::string big(12 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 8);
  std::string seen = Put(".lamindb/big.bin", big);
  EXPECT_TRUE(seen == big) << "the observer must see every byte once, in order";
  EXPECT_EQ((*store_->Stat(".lamindb/big.bin"))->size, big.size());
  EXPECT_TRUE(Read(".lamindb/big.bin") == big);
  if (GetParam() == Backend::kS3) {
    EXPECT_GE(progress_calls_.load(), 3) << "a multipart transfer reports its parts";
    EXPECT_EQ(last_progress_.first, last_progress_.second);
  }
}

TEST_P(ObjectStoreConformance, DownloadCopiesFilesAndFolders) {
  Put(".lamindb/d.txt", "downloaded");
  ASSERT_TRUE(store_->Download(".lamindb/d.txt", dir_.path() / "out.txt").ok());
  EXPECT_EQ(testing::Slurp(dir_.path() / "out.txt"), "downloaded");
  fs::path src = dir_.path() / "tree";
  WriteFile(src / "x", "x");
  WriteFile(src / "sub" / "y", "yy");
  auto staged = store_->StageFolder(testing::FilesOf(src), ".lamindb/T", "tok", nullptr);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  std::vector<StagedObject> batch{*staged};
  ASSERT_TRUE(store_->Publish(batch).ok());
  ASSERT_TRUE(store_->Download(".lamindb/T", dir_.path() / "tree-copy").ok());
  EXPECT_EQ(testing::Slurp(dir_.path() / "tree-copy" / "sub" / "y"), "yy");
  EXPECT_TRUE(store_->Download(".lamindb/none", dir_.path() / "none").IsNotFound());
  EXPECT_FALSE(fs::exists(dir_.path() / "none"));
}

TEST_P(ObjectStoreConformance, LocalPathServesOnlyCopiesThatPassTheCheck) {
  Put(".lamindb/v.txt", "verified");
  int checks = 0;
  auto good = [&](const fs::path& p) {
    ++checks;
    return testing::Slurp(p) == "verified" ? Status::OK() : Status::Corruption("differs");
  };
  auto first = store_->LocalPath(".lamindb/v.txt", good);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(testing::Slurp(*first), "verified");
  if (GetParam() == Backend::kLocal) return;  // the object itself: nothing to check
  EXPECT_EQ(checks, 1);
  // A valid cached copy is reused (checked, not downloaded again).
  auto again = store_->LocalPath(".lamindb/v.txt", good);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(checks, 2);
  // A cached copy that no longer matches is never served: downloaded again.
  WriteFile(*first, "tampered");
  auto fresh = store_->LocalPath(".lamindb/v.txt", good);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(testing::Slurp(*fresh), "verified");
  // A download that fails the check is Corruption and leaves no cached copy.
  auto never = store_->LocalPath(
      ".lamindb/v.txt", [](const fs::path&) { return Status::Corruption("the hash differs"); });
  EXPECT_EQ(never.status().code(), StatusCode::kCorruption) << never.status().ToString();
  EXPECT_FALSE(fs::exists(*first));
  EXPECT_TRUE(fs::is_empty(first->parent_path())) << "no temporary file is left in the cache";
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreConformance,
                         ::testing::Values(Backend::kLocal, Backend::kS3), [](const auto& info) {
                           return info.param == Backend::kLocal ? "Local" : "S3";
                         });

}  // namespace
}  // namespace lamin
