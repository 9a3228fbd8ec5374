// Writers of one instance in one process, each with its own session, and the settings files.
// The classes: a second writer of a key must wait for the first (on S3 it would overwrite the
// first one's object; locally it would copy for nothing and lose the race later), which only
// the S3 tests observed; the settings files hold a database URL and must be private, which only
// the PostgreSQL tests observed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "instance/holding_store.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::TestInstance;

// Records the keys it is asked to stage.
class RecordingStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    {
      std::lock_guard lock(mu_);
      keys_.push_back(key);
    }
    return ObjectStoreWrapper::StageFile(source, key, token, observe);
  }
  std::vector<std::string> keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> keys_;
};

TEST(Writers, ASecondWriterOfAKeyWaitsAndNeverStagesTheFirstOnesVersion) {
  TestInstance t;
  auto first = t.inst->artifacts().Save({{t.Write("v0.csv", "v0"), "k.csv", std::nullopt}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string stem = first->saved[0].artifact.stem();

  std::shared_ptr<testing::HoldingStore> holding;
  OpenOptions a_options = t.options;
  a_options.wrap_store = [&](std::shared_ptr<ObjectStore> s) {
    holding = std::make_shared<testing::HoldingStore>(s);
    return holding;
  };
  std::shared_ptr<RecordingStore> recording;
  OpenOptions b_options = t.options;
  b_options.wrap_store = [&](std::shared_ptr<ObjectStore> s) {
    recording = std::make_shared<RecordingStore>(s);
    return recording;
  };
  auto a = Instance::OpenCurrent(a_options);
  auto b = Instance::OpenCurrent(b_options);
  ASSERT_TRUE(a.ok() && b.ok());
  Result<SaveReport> a_saved = Status::Internal("not run"), b_saved = Status::Internal("not run");
  fs::path v1 = t.Write("v1.csv", "v1"), v2 = t.Write("v2.csv", "v2");
  std::thread a_thread([&] { a_saved = (*a)->artifacts().Save({{v1, "k.csv", std::nullopt}}); });
  holding->WaitEntered();  // A holds the intent for version 0001 and is about to copy
  std::thread b_thread([&] { b_saved = (*b)->artifacts().Save({{v2, "k.csv", std::nullopt}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(recording->keys().empty())
      << "the second writer staged " << recording->keys().front()
      << " while the first one held the key";
  holding->Release();
  a_thread.join();
  b_thread.join();
  ASSERT_TRUE(a_saved.ok()) << a_saved.status().ToString();
  ASSERT_TRUE(b_saved.ok()) << b_saved.status().ToString();
  EXPECT_EQ(a_saved->saved[0].artifact.uid, stem + "0001");
  EXPECT_EQ(b_saved->saved[0].artifact.uid, stem + "0002") << "B waited, then planned anew";
  testing::ExpectConsistent(t);
}

TEST(Settings, EveryFileHoldingAnInstanceIsPrivate) {
  TestInstance t;
  ASSERT_TRUE(Instance::Connect("test", t.options).ok());
  int files = 0;
  for (const auto& e : fs::directory_iterator(t.options.env.SettingsDir())) {
    if (!e.is_regular_file()) continue;
    struct stat st {};
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
    ++files;
  }
  EXPECT_GE(files, 3) << "instance--…, current_instance.env, current_user.env";
}

}  // namespace
}  // namespace lamin
