// Saving into a file system that fills up: a small tmpfs mounted by the test (skipped where
// mounting is not allowed; an empty instance database takes 5.3 MB of it). The save fails with a message that says the disk is full, leaves no
// partial object, and the next save works.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstring>

#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::OnPostgres()) GTEST_SKIP() << "a full disk under the storage is backend-neutral";
    mount_point_ = dir_.path() / "small";
    fs::create_directories(mount_point_);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=12m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    }
    mounted_ = true;
    options_.env.settings_parent = dir_.path() / "settings";
    auto inst = Instance::Init({mount_point_ / "storage", "full"}, options_);
    ASSERT_TRUE(inst.ok()) << inst.status().ToString();
    inst_ = std::move(*inst);
  }
  void TearDown() override {
    inst_.reset();
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
  }
  fs::path Input(const std::string& name, size_t bytes) {
    return testing::WriteFile(dir_.path() / "inputs" / name, std::string(bytes, 'q') + name);
  }
  std::vector<std::string> Leftovers() {
    std::vector<std::string> out;
    for (auto& e : fs::directory_iterator(mount_point_ / "storage" / ".lamindb")) {
      std::string n = e.path().filename().string();
      if (n.rfind("lamin.db", 0) != 0 && n != "storage_uid.txt") out.push_back(n);
    }
    return out;
  }

  testing::ScratchDir dir_;
  fs::path mount_point_;
  bool mounted_ = false;
  OpenOptions options_;
  std::unique_ptr<Instance> inst_;
};

TEST_F(FullDisk, FailsClearlyLeavesNothingAndTheNextSaveWorks) {
  auto r = inst_->artifacts().Save({{Input("small.txt", 1000), "small.txt", std::nullopt},
                        {Input("huge.bin", 8 << 20), "huge.bin", std::nullopt}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find("full"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("huge.bin"), std::string::npos) << r.status().ToString();
  EXPECT_TRUE(Leftovers().empty());
  EXPECT_TRUE(inst_->artifacts().List({})->empty());

  auto next = inst_->artifacts().Save({{Input("next.txt", 1000), "next.txt", std::nullopt}});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  auto fsck = inst_->Fsck({.repair = false, .deep = true});
  ASSERT_TRUE(fsck.ok());
  EXPECT_TRUE(fsck->problems.empty());
}

}  // namespace
}  // namespace lamin
