// Deleting an instance while it is written to (issue: `delete instance` printed "deleted", then a
// running save printed "saved as ..." into a database that was gone, leaving its object an
// orphan). The class: an instance removed under a live writer. A delete refuses while a writer
// holds an intent, and a writer that begins after the delete saves nothing.
#include <gtest/gtest.h>

#include <thread>

#include "instance/holding_store.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::TestInstance;

TEST(DeleteInstance, IsRefusedWhileAWriterHoldsAnIntent) {
  std::shared_ptr<testing::HoldingStore> holding;
  TestInstance t([&](OpenOptions& o) {
    o.wrap_store = [&](std::shared_ptr<ObjectStore> s) {
      holding = std::make_shared<testing::HoldingStore>(s);
      return holding;
    };
  });
  fs::path input = t.Write("big.csv", "a,b\n1,2\n");
  Result<SaveReport> saved = Status::Internal("not run");
  std::thread writer([&] { saved = t.inst->artifacts().Save({{input, "data/big.csv", std::nullopt}}); });
  holding->WaitEntered();
  auto deleted = Instance::DeleteInstance("anonymous/test", {}, t.options.env);
  EXPECT_EQ(deleted.status().code(), StatusCode::kUnavailable) << deleted.status().ToString();
  EXPECT_NE(deleted.status().message().find("being written to"), std::string::npos);
  holding->Release();
  writer.join();
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  // The instance is whole: settings, database and the saved artifact.
  t.Reopen();
  auto got = t.inst->artifacts().Get(ArtifactRef::ByKey("data/big.csv"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  testing::ExpectConsistent(t);
}

TEST(DeleteInstance, AWriterThatBeginsAfterwardSavesNothing) {
  TestInstance t;  // opened before the delete, as a process that has not written yet
  fs::path input = t.Write("late.csv", "x\n");
  auto deleted = Instance::DeleteInstance("anonymous/test", {}, t.options.env);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_TRUE(deleted->left.empty());
  auto saved = t.inst->artifacts().Save({{input, "late.csv", std::nullopt}});
  EXPECT_FALSE(saved.ok()) << "a save after the delete reported success";
  // Nothing of the late writer is left in storage.
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(t.storage(), ec)) {
    if (!e.is_directory()) ADD_FAILURE() << "left behind: " << e.path();
  }
  EXPECT_FALSE(fs::exists(t.options.env.SettingsDir() / "instance--anonymous--test.env"));
}

TEST(DeleteInstance, ForgetsAnInstanceWhoseDatabaseIsGoneOnlyWhenAsked) {
  if (testing::OnPostgres()) GTEST_SKIP() << "removes the SQLite file";
  TestInstance t;
  t.inst.reset();
  fs::remove(t.managed() / "lamin.db");
  auto refused = Instance::DeleteInstance("anonymous/test", {}, t.options.env);
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound) << refused.status().ToString();
  auto forgotten =
      Instance::DeleteInstance("anonymous/test", {.forget_unreachable = true}, t.options.env);
  ASSERT_TRUE(forgotten.ok()) << forgotten.status().ToString();
  ASSERT_EQ(forgotten->left.size(), 1u);
  EXPECT_NE(forgotten->left[0].find("lamin.db"), std::string::npos) << forgotten->left[0];
  EXPECT_FALSE(fs::exists(t.options.env.SettingsDir() / "instance--anonymous--test.env"));
  EXPECT_TRUE(fs::exists(t.managed() / "storage_uid.txt")) << "data of an unreachable instance";
}

}  // namespace
}  // namespace lamin
