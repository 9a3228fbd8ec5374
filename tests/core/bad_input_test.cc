// Bad input gets a clear error naming what was wrong, and changes nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash/process.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ExpectConsistent;
using testing::TestInstance;

void ExpectUnchanged(TestInstance& t, size_t rows) {
  EXPECT_EQ(t.inst->artifacts().List({})->size(), rows);
  ExpectConsistent(t);
}

TEST(BadInput, MissingPathNamesIt) {
  TestInstance t;
  auto ok = t.Write("ok.txt", "fine");
  auto r = t.inst->artifacts().Save({{ok, std::nullopt, std::nullopt},
                         {t.input("missing.txt"), std::nullopt, std::nullopt}});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find("missing.txt"), std::string::npos);
  ExpectUnchanged(t, 0);
}

TEST(BadInput, UnreadableFileIsPermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads every file";
  TestInstance t;
  auto p = t.Write("secret", "x");
  chmod(p.c_str(), 0);
  auto r = t.inst->artifacts().Save({{p, std::nullopt, std::nullopt}});
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  ExpectUnchanged(t, 0);
}

TEST(BadInput, BadKeysAreRejectedBeforeAnythingIsWritten) {
  TestInstance t;
  auto p = t.Write("f", "x");
  for (const char* key : {"../outside", "a/../../b", ".lamindb/x", ".lamindb", "/abs", ""}) {
    auto r = t.inst->artifacts().Save({{p, std::string(key), std::nullopt}});
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << key;
  }
  ExpectUnchanged(t, 0);
}

TEST(BadInput, SavingTheManagedFolderIsRefused) {
  TestInstance t;
  auto r = t.inst->artifacts().Save({{t.managed(), std::nullopt, std::nullopt}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  auto r2 = t.inst->artifacts().Save({{t.storage(), std::nullopt, std::nullopt}});
  EXPECT_EQ(r2.status().code(), StatusCode::kInvalidArgument);
  ExpectUnchanged(t, 0);
}

TEST(BadInput, EmptyFolderAndDuplicateKeysInOneBatch) {
  TestInstance t;
  fs::create_directories(t.input("empty"));
  auto r = t.inst->artifacts().Save({{t.input("empty"), std::nullopt, std::nullopt}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no files"), std::string::npos);
  auto d = t.inst->artifacts().Save({{t.Write("1", "1"), "k", std::nullopt}, {t.Write("2", "2"), "k", std::nullopt}});
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectUnchanged(t, 0);
}

TEST(BadInput, UidsOfTheWrongLength) {
  TestInstance t;
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByUid("abc")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(t.inst->artifacts().Get(ArtifactRef::ByUid("0123456789abcdef")).status().IsNotFound());
  EXPECT_TRUE(t.inst->artifacts().Get(ArtifactRef::ByKey("nope")).status().IsNotFound());
}

TEST(BadInput, NoInstanceSetUp) {
  testing::ScratchDir dir;
  OpenOptions o;
  o.env.settings_parent = dir.path();
  auto r = Instance::OpenCurrent(o);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("lamin init"), std::string::npos);
}

TEST(BadInput, DatabaseThatIsNotALaminDbInstance) {
  if (testing::OnPostgres()) GTEST_SKIP() << "replaces the SQLite database file";
  TestInstance t;
  t.inst.reset();
  // Garbage in place of the database file.
  auto db = t.managed() / "lamin.db";
  for (const char* ext : {"-wal", "-shm"}) fs::remove(db.string() + ext);
  testing::WriteFile(db, std::string(4096, 'x'));
  auto r = Instance::OpenCurrent(t.options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_NE(r.status().message().find("not a SQLite database"), std::string::npos);
  // A SQLite database without LaminDB's tables, in the rollback-journal mode other tools use.
  fs::remove(db);
  sqlite3* raw = nullptr;
  sqlite3_open(db.c_str(), &raw);
  sqlite3_exec(raw, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  const std::string before = testing::Slurp(db);
  auto r2 = Instance::OpenCurrent(t.options);
  EXPECT_EQ(r2.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r2.status().message().find("not a LaminDB instance"), std::string::npos);
  // Rejected files are left exactly as they were (no switch to WAL, no header written).
  EXPECT_EQ(testing::Slurp(db), before) << "a foreign SQLite file was changed";
  EXPECT_FALSE(fs::exists(db.string() + "-wal"));
  fs::resize_file(db, 0);
  auto r3 = Instance::OpenCurrent(t.options);
  EXPECT_EQ(r3.status().code(), StatusCode::kFailedPrecondition) << r3.status().ToString();
  EXPECT_EQ(fs::file_size(db), 0u) << "an empty file grew";
}

// Opening asks one statement (the migrations, and whether the artifact and journal tables
// exist); each way a database falls short of an instance still gets its own message.
TEST(BadInput, DatabaseWithoutLaminDbMigrationsOrArtifacts) {
  TestInstance t;
  t.inst.reset();
  auto db = t.RawDb();
  auto open_fails_with = [&](const std::string& words) {
    auto r = Instance::OpenCurrent(t.options);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
  };
  ASSERT_OK(db->Execute("DELETE FROM django_migrations WHERE app = 'lamindb'"));
  open_fails_with("has no lamindb migrations");
  ASSERT_OK(db->ExecuteScript(testing::OnPostgres() ? "DROP TABLE lamindb_artifact CASCADE"
                                                    : "PRAGMA foreign_keys = OFF; DROP TABLE "
                                                      "lamindb_artifact"));
  open_fails_with("not a LaminDB instance (no lamindb_artifact");
  ASSERT_OK(db->Execute("INSERT INTO django_migrations (app, name, applied) VALUES ('lamindb', "
                        "'0189_v2_6', CURRENT_TIMESTAMP)"));
  open_fails_with("not a LaminDB instance (no lamindb_artifact");
}

TEST(BadInput, InitRejectsBadNamesAndRemoteStorage) {
  testing::ScratchDir dir;
  OpenOptions o;
  o.env.settings_parent = dir.path();
  EXPECT_EQ(Instance::Init({dir.path() / "s", "bad/name"}, o).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Instance::Init({dir.path() / "s", "a--b"}, o).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Instance::Init({"s3://bucket/x", "x"}, o).status().code(),
            StatusCode::kInvalidArgument);
  testing::WriteFile(dir.path() / "file", "x");
  EXPECT_EQ(Instance::Init({dir.path() / "file", "x"}, o).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lamin
