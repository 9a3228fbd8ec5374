// Storage locations do not nest (issue: fsck --repair once removed another instance created
// inside this one's .lamindb/, and `storage add` of a parent folder registered the user's files,
// a live lamin.db among them, in place). The class: a location registered inside or around
// another, or inside a .lamindb/ folder.
#include <gtest/gtest.h>

#include "instance/locations.h"
#include "storage/layout.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::TestInstance;

TEST(ManagedLayout, OnlyNamesLaminWritesAreLamins) {
  using storage::ClassifyManagedEntry;
  using storage::ManagedEntry;
  std::string token;
  EXPECT_EQ(ClassifyManagedEntry("AbCdEfGhIjKlMnOp0000.csv"), ManagedEntry::kObject);
  EXPECT_EQ(ClassifyManagedEntry("AbCdEfGhIjKlMnOp0001"), ManagedEntry::kObject);
  EXPECT_EQ(ClassifyManagedEntry("AbCdEfGhIjKlMnOp.zarr"), ManagedEntry::kObject);  // a stem
  EXPECT_EQ(ClassifyManagedEntry("AbCdEfGhIjKlMnOp0000.csv.tmp-Tok12", &token),
            ManagedEntry::kStaging);
  EXPECT_EQ(token, "Tok12");
  EXPECT_EQ(ClassifyManagedEntry("lamin.db.tmp-Ab12Cd34"), ManagedEntry::kInitLeftover);
  EXPECT_EQ(ClassifyManagedEntry("lamin.db.tmp-Ab12Cd34-wal"), ManagedEntry::kInitLeftover);
  for (const char* own : {"lamin.db", "lamin.db-wal", "lamin.db-shm", "lamin.db-journal",
                          "storage_uid.txt"}) {
    EXPECT_EQ(ClassifyManagedEntry(own), ManagedEntry::kInstanceFile) << own;
  }
  for (const char* foreign : {"lamin.db.bak", "_notes", "nested", "stray.bin", "README",
                              "AbCdEfGhIjKlMnO.csv", "AbCdEfGhIjKlMnOp00001.csv",
                              "lamin.db.tmp-"}) {
    EXPECT_EQ(ClassifyManagedEntry(foreign), ManagedEntry::kForeign) << foreign;
  }
}

TEST(Locations, NestedRootsAreRefused) {
  using instance::CheckLocationIsFree;
  EXPECT_EQ(CheckLocationIsFree("/d/a", {"/d/a"}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(CheckLocationIsFree("/d/a/b", {"/d/a"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckLocationIsFree("/d", {"/d/a"}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckLocationIsFree("/d/ab", {"/d/a"}).ok());
  EXPECT_EQ(CheckLocationIsFree("/d/a/.lamindb/nested", {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckLocationIsFree("s3://bkt/p/q", {"s3://bkt/p"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckLocationIsFree("s3://bkt", {"s3://bkt/p"}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckLocationIsFree("s3://bkt/pq", {"s3://bkt/p"}).ok())
      << CheckLocationIsFree("s3://bkt/pq", {"s3://bkt/p"}).ToString();
  EXPECT_TRUE(CheckLocationIsFree("s3://ckt/p", {"s3://bkt/p"}).ok());
  EXPECT_EQ(CheckLocationIsFree("s3://bkt/x/.lamindb/y", {}).code(), StatusCode::kInvalidArgument);
}

TEST(Locations, InitRefusesARootInsideAnotherInstance) {
  TestInstance t;
  OpenOptions options = t.options;
  for (const fs::path& inside :
       {t.managed() / "nested", t.storage() / "sub", fs::path(t.storage())}) {
    auto made = Instance::Init({inside, "nested", ""}, options);
    ASSERT_FALSE(made.ok()) << inside;
    EXPECT_NE(made.status().message().find(t.storage().string()), std::string::npos)
        << made.status().ToString();
  }
  EXPECT_FALSE(fs::exists(t.managed() / "nested"));
  EXPECT_FALSE(fs::exists(t.storage() / "sub"));
  // Around it: a parent folder of the instance's storage.
  auto around = Instance::Init({t.dir.path(), "around", ""}, options);
  EXPECT_EQ(around.status().code(), StatusCode::kInvalidArgument) << around.status().ToString();
  // An instance whose settings are elsewhere is found by its marker.
  ScratchDir other_settings;
  OpenOptions stranger = options;
  stranger.env.settings_parent = other_settings.path();
  auto below = Instance::Init({t.storage() / "deeper" / "x", "x", ""}, stranger);
  EXPECT_EQ(below.status().code(), StatusCode::kInvalidArgument) << below.status().ToString();
}

TEST(Locations, StorageAddRefusesOverlapsAndMissingFolders) {
  TestInstance t;
  auto parent = t.inst->storages().Add(t.dir.path().string());
  EXPECT_EQ(parent.status().code(), StatusCode::kInvalidArgument) << parent.status().ToString();
  fs::create_directories(t.storage() / "sub");
  auto inside = t.inst->storages().Add((t.storage() / "sub").string());
  EXPECT_EQ(inside.status().code(), StatusCode::kInvalidArgument) << inside.status().ToString();
  auto same = t.inst->storages().Add(t.storage().string());
  EXPECT_EQ(same.status().code(), StatusCode::kAlreadyExists) << same.status().ToString();
  auto missing = t.inst->storages().Add((t.dir.path() / "not-there").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_FALSE(fs::exists(t.dir.path() / "not-there")) << "a missing folder was created";
  fs::create_directories(t.dir.path() / "elsewhere");
  auto fine = t.inst->storages().Add((t.dir.path() / "elsewhere").string());
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  auto list = t.inst->storages().List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), t.s3_root.empty() ? 2u : 3u);
}

}  // namespace
}  // namespace lamin
