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

// A journaled file goes straight to its key (one directory entry, no rename), never over an
// object that is there, and Discard takes back only what this writer created.
TEST_F(LocalStoreTest, AJournaledFileIsWrittenAtItsKeyAndNeverOverAnother) {
  std::string bytes = "written once";
  FileSource source(dir_.path() / "in.txt", &bytes);
  source.journaled = true;
  auto staged = store_->StageFile(source, ".lamindb/k.txt", "tok1", nullptr);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_TRUE(staged->at_key);
  EXPECT_TRUE(fs::exists(Root() / ".lamindb/k.txt"));
  EXPECT_FALSE(fs::exists(Root() / ".lamindb/k.txt.tmp-tok1"));
  std::vector<StagedObject> batch{*staged};
  ASSERT_TRUE(store_->Publish(batch).ok());
  EXPECT_TRUE(batch[0].published);
  EXPECT_EQ(testing::ReadFile(Root() / ".lamindb/k.txt"), "written once");

  // A second writer on the same key is refused when it stages, and the object stays.
  std::string other = "another writer";
  FileSource rival(dir_.path() / "other.txt", &other);
  rival.journaled = true;
  auto refused = store_->StageFile(rival, ".lamindb/k.txt", "tok2", nullptr);
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists) << refused.status().ToString();
  EXPECT_EQ(testing::ReadFile(Root() / ".lamindb/k.txt"), "written once");

  // Discarded before its publish, a file staged at its key is gone.
  FileSource third(dir_.path() / "in.txt", &bytes);
  third.journaled = true;
  auto unpublished = store_->StageFile(third, ".lamindb/k2.txt", "tok3", nullptr);
  ASSERT_TRUE(unpublished.ok());
  ASSERT_TRUE(store_->Discard(*unpublished).ok());
  EXPECT_FALSE(fs::exists(Root() / ".lamindb/k2.txt"));
  EXPECT_TRUE(fs::exists(Root() / ".lamindb/k.txt"));
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

TEST_F(LocalStoreTest, PublishNeverOverwritesAnObject) {
  WriteFile(dir_.path() / "v1/a", "one");
  WriteFile(dir_.path() / "v2/a", "two");
  auto first = store_->StageFolder(testing::FilesOf(dir_.path() / "v1"), ".lamindb/dir", "t1", nullptr);
  ASSERT_TRUE(first.ok());
  std::vector<StagedObject> b1{*first};
  ASSERT_TRUE(store_->Publish(b1).ok());
  auto second = store_->StageFolder(testing::FilesOf(dir_.path() / "v2"), ".lamindb/dir", "t2", nullptr);
  ASSERT_TRUE(second.ok());
  std::vector<StagedObject> b2{*second};
  EXPECT_EQ(store_->Publish(b2).code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(b2[0].published);
  std::ifstream in(Root() / ".lamindb/dir/a");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "one");
  // A dead writer's staging copy goes by its token.
  ASSERT_TRUE(store_->DiscardLeftovers(".lamindb/dir", "t2").ok());
  EXPECT_FALSE(fs::exists(Root() / ".lamindb/dir.tmp-t2"));
  EXPECT_TRUE(fs::exists(Root() / ".lamindb/dir/a"));
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
  // Not even the folder: it is created by the first object written into it.
  EXPECT_FALSE(fs::exists(Root() / ".lamindb"));
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
