// Init and storage add are resumable: each state a crash can leave between their steps (found
// by the kill loop in tests/crash, planted here so that every state is visited) is finished by
// running the same command again, never refused and never left unusable.
#include <gtest/gtest.h>

#include "core/journal.h"
#include "instance/markers.h"
#include "instance/settings.h"
#include "storage/layout.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

struct Scene {
  ScratchDir dir;
  OpenOptions options;
  Scene() { options.env.settings_parent = dir.path() / "settings"; }
  fs::path root() const { return dir.path() / "data"; }
  fs::path settings_file() const {
    return options.env.SettingsDir() / "instance--anonymous--data.env";
  }
};

TEST(Resume, InitCutShortAfterItsDatabaseIsFinished) {
  if (testing::OnPostgres()) GTEST_SKIP() << "the states of a SQLite init";
  for (bool marker_written : {false, true}) {
    Scene s;
    auto made = Instance::Init({s.root(), "", ""}, s.options);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    ASSERT_TRUE((*made)->artifacts().Save({{testing::WriteFile(s.dir.path() / "a.txt", "a"),
                                            "a.txt", std::nullopt}})
                    .ok());
    made->reset();
    // What a crash after the database's rename leaves: no settings, perhaps no marker.
    fs::remove(s.settings_file());
    fs::remove(s.options.env.SettingsDir() / "current_instance.env");
    if (!marker_written) fs::remove(s.root() / storage::kMarkerKey);
    auto again = Instance::Init({s.root(), "", ""}, s.options);
    ASSERT_TRUE(again.ok()) << "marker " << marker_written << ": " << again.status().ToString();
    EXPECT_TRUE(fs::exists(s.root() / storage::kMarkerKey));
    EXPECT_TRUE(fs::exists(s.settings_file()));
    EXPECT_TRUE((*again)->artifacts().Get(ArtifactRef::ByKey("a.txt")).ok())
        << "the resumed instance is the one that was made";
    auto checked = (*again)->Fsck({});
    ASSERT_TRUE(checked.ok());
    EXPECT_EQ(checked->unrepaired(), 0);
  }
}

TEST(Resume, AnotherInstancesDatabaseIsNotTakenOver) {
  if (testing::OnPostgres()) GTEST_SKIP() << "the states of a SQLite init";
  Scene s;
  ASSERT_TRUE(Instance::Init({s.root(), "first", ""}, s.options).ok());
  fs::remove(s.options.env.SettingsDir() / "instance--anonymous--first.env");
  fs::remove(s.options.env.SettingsDir() / "current_instance.env");
  auto other = Instance::Init({s.root(), "second", ""}, s.options);
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists) << other.status().ToString();
}

TEST(Resume, StorageAddCutShortAfterItsMarkerIsFinished) {
  testing::TestInstance t;
  fs::path extra = t.dir.path() / "extra";
  fs::create_directories(extra / storage::kManagedDir);
  auto settings = instance::CurrentInstance(t.options.env);
  ASSERT_TRUE(settings.ok());
  // The registration and the marker of this instance, before a crash kept the row from being
  // inserted.
  ASSERT_TRUE(core::RecordRegistration(*t.RawDb(), extra.string(), "abcdefABCDEF", "gone:1:1").ok());
  testing::WriteFile(extra / storage::kMarkerKey, instance::MarkerText("abcdefABCDEF", *settings));
  auto added = t.inst->storages().Add(extra.string());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->uid, "abcdefABCDEF") << "the marker's storage uid is adopted";
  auto pending = core::PendingRegistrations(*t.RawDb());
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty()) << "the registration is finished";
  // A marker naming this instance's uid but no registration of it here: another instance of
  // the same name (on another machine) made it. It is not taken over.
  fs::path twin = t.dir.path() / "twin";
  fs::create_directories(twin / storage::kManagedDir);
  testing::WriteFile(twin / storage::kMarkerKey, instance::MarkerText("twinTWINtwin", *settings));
  EXPECT_EQ(t.inst->storages().Add(twin.string()).status().code(), StatusCode::kAlreadyExists);
  // Another instance's marker is not.
  fs::path foreign = t.dir.path() / "foreign";
  fs::create_directories(foreign / storage::kManagedDir);
  instance::InstanceSettings other = *settings;
  other.id = "0123456789abcdef0123456789abcdef";
  testing::WriteFile(foreign / storage::kMarkerKey, instance::MarkerText("zzzzzzzzzzzz", other));
  EXPECT_EQ(t.inst->storages().Add(foreign.string()).status().code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace lamin
