// The local ObjectStore's contract: staging is invisible until Publish, Discard removes what was
// written, a replaced folder comes back on Discard or on recovery of a dead writer's leftovers.
#include <gtest/gtest.h>

#include "lamin/object_store.h"
#include "storage/fault_injecting_store.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::WriteFile;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenLocalStore(dir_.path() / "root");
    ASSERT_TRUE(s.ok());
    store_ = *s;
  }
  fs::path Root() const { return dir_.path() / "root"; }
  ScratchDir dir_;
  std::shared_ptr<ObjectStore> store_;
};

TEST_F(LocalStoreTest, StageIsInvisibleUntilPublish) {
  auto src = WriteFile(dir_.path() / "in.txt", "hello world");
  std::string seen;
  auto staged = store_->StageFile(src, ".lamindb/abc.txt", "tok1", [&](const void* d, size_t n) {
    seen.append(static_cast<const char*>(d), n);
  });
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_EQ(seen, "hello world");
  EXPECT_FALSE(fs::exists(Root() / ".lamindb/abc.txt"));
  EXPECT_FALSE(store_->Stat(".lamindb/abc.txt").value().has_value());
  std::vector<StagedObject> batch{*staged};
  ASSERT_TRUE(store_->Publish(batch).ok());
  EXPECT_TRUE(batch[0].published);
  auto info = store_->Stat(".lamindb/abc.txt").value();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 11u);
  ASSERT_TRUE(store_->Discard(batch[0]).ok());
  EXPECT_FALSE(fs::exists(Root() / ".lamindb/abc.txt"));
  EXPECT_TRUE(fs::is_empty(Root() / ".lamindb"));
}

TEST_F(LocalStoreTest, ManyObjectsPublishWithOneFileSystemSync) {
  std::vector<StagedObject> batch;
  for (int i = 0; i < 40; ++i) {
    auto src = WriteFile(dir_.path() / ("in" + std::to_string(i)), std::to_string(i));
    auto staged = store_->StageFile(src, ".lamindb/o" + std::to_string(i), "t", nullptr);
    ASSERT_TRUE(staged.ok());
    batch.push_back(*staged);
  }
  ASSERT_TRUE(store_->Publish(batch).ok());
  for (int i = 0; i < 40; ++i) {
    EXPECT_TRUE(fs::exists(Root() / (".lamindb/o" + std::to_string(i))));
  }
}

TEST_F(LocalStoreTest, FolderReplaceIsUndoneByDiscardAndByLeftoverRecovery) {
  WriteFile(dir_.path() / "v1/a", "one");
  WriteFile(dir_.path() / "v2/a", "two");
  auto first = store_->StageFolder(dir_.path() / "v1", ".lamindb/stem", "t1", nullptr);
  ASSERT_TRUE(first.ok());
  std::vector<StagedObject> b1{*first};
  ASSERT_TRUE(store_->Publish(b1).ok());

  for (bool crash : {false, true}) {
    auto second = store_->StageFolder(dir_.path() / "v2", ".lamindb/stem", "t2", nullptr);
    ASSERT_TRUE(second.ok());
    std::vector<StagedObject> b2{*second};
    ASSERT_TRUE(store_->Publish(b2).ok());
    EXPECT_TRUE(b2[0].replaced);
    std::ifstream now(Root() / ".lamindb/stem/a");
    std::string content((std::istreambuf_iterator<char>(now)), {});
    EXPECT_EQ(content, "two");
    // Undo: by the writer itself, or by recovery after the writer died.
    Status undone = crash ? store_->DiscardLeftovers(".lamindb/stem", "t2") : store_->Discard(b2[0]);
    ASSERT_TRUE(undone.ok()) << undone.ToString();
    std::ifstream back(Root() / ".lamindb/stem/a");
    std::string old((std::istreambuf_iterator<char>(back)), {});
    EXPECT_EQ(old, "one") << (crash ? "after recovery" : "after discard");
    EXPECT_FALSE(fs::exists(Root() / ".lamindb/stem.old-t2"));
  }
}

TEST_F(LocalStoreTest, KeysCannotLeaveTheRoot) {
  auto src = WriteFile(dir_.path() / "in", "x");
  for (const char* bad : {"../escape", "/abs", "a/../../b", "", "a//b", "./a"}) {
    auto staged = store_->StageFile(src, bad, "t", nullptr);
    EXPECT_EQ(staged.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "escape"));
}

TEST_F(LocalStoreTest, MissingSourceIsNotFoundAndLeavesNothing) {
  auto staged = store_->StageFile(dir_.path() / "nope", ".lamindb/k", "t", nullptr);
  EXPECT_TRUE(staged.status().IsNotFound()) << staged.status().ToString();
  EXPECT_TRUE(fs::is_empty(Root() / ".lamindb"));
}

TEST_F(LocalStoreTest, FaultInjectorFailsTheNthCall) {
  auto faulty = std::make_shared<storage::FaultInjectingStore>(store_);
  faulty->FailAt(2, false);
  auto src = WriteFile(dir_.path() / "in", "x");
  EXPECT_TRUE(faulty->StageFile(src, ".lamindb/a", "t", nullptr).ok());
  EXPECT_EQ(faulty->StageFile(src, ".lamindb/b", "t", nullptr).status().code(),
            StatusCode::kIOError);
  EXPECT_TRUE(faulty->StageFile(src, ".lamindb/c", "t", nullptr).ok());
  EXPECT_EQ(faulty->calls(), 3);
  EXPECT_EQ(faulty->faults(), 1);
}

}  // namespace
}  // namespace lamin
