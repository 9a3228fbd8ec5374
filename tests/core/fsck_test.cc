// lamin fsck finds planted damage, names it, and repairs what recovery can repair; a changed or
// missing object of a committed row is reported, never deleted.
#include <gtest/gtest.h>

#include <unistd.h>

#include <map>

#include "crash/process.h"
#include "test_util.h"
#include "util/clock.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ExpectConsistent;
using testing::TestInstance;

std::map<std::string, int> Kinds(const FsckReport& r, bool only_unrepaired = false) {
  std::map<std::string, int> kinds;
  for (const auto& p : r.problems) {
    if (!only_unrepaired || (!p.repaired && !p.warning)) ++kinds[p.kind];
  }
  return kinds;
}

// Runs `sql` behind the API's back, with foreign keys not enforced, so that damage can be planted.
void Sql(const TestInstance& t, const std::string& sql) {
  std::string off = testing::OnPostgres() ? "SET session_replication_role = replica; "
                                          : "PRAGMA foreign_keys = OFF; ";
  Status s = t.RawDb()->ExecuteScript(off + sql);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// A "put" intent for .lamindb/<name>, as a writer on another host records it; `stale` dates it
// far beyond the lease (a dead writer), else now (a live one).
void PlantIntent(const TestInstance& t, const std::string& name, const std::string& token,
                 const std::string& owner, bool stale) {
  auto db = t.RawDb();
  auto r = db->Execute(
      "INSERT INTO lamin_intent (op, storage_id, key, token, owner, created_at) VALUES "
      "('put', 1, ?, ?, ?, ?)",
      {".lamindb/" + name, token, owner, stale ? "2000-01-01 00:00:00" : util::NowUtcText()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

class FsckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<SaveRequest> batch;
    for (int i = 0; i < 4; ++i) {
      batch.push_back({t_.Write("f" + std::to_string(i), "content " + std::to_string(i)),
                       "k" + std::to_string(i), std::nullopt});
    }
    t_.Write("dir/a", "a");
    batch.push_back({t_.input("dir"), "dir", std::nullopt});
    auto r = t_.inst->artifacts().Save(batch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& s : r->saved) saved_.push_back(s.artifact);
  }
  fs::path ObjectOf(int i) { return t_.storage() / saved_[i].StorageKey(); }

  TestInstance t_;
  std::vector<Artifact> saved_;
};

TEST_F(FsckTest, CleanInstanceIsClean) {
  auto r = t_.inst->Fsck({.repair = false, .deep = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->problems.empty());
  EXPECT_EQ(r->artifacts_checked, 5);
  EXPECT_EQ(r->objects_seen, 5);
}

TEST_F(FsckTest, FindsAndNamesPlantedDamage) {
  fs::remove(ObjectOf(0));                                   // deleted
  fs::resize_file(ObjectOf(1), 2);                           // truncated
  testing::WriteFile(ObjectOf(2), "CONTENT 2");              // changed, same size
  testing::WriteFile(t_.managed() / "QQQQQQQQQQQQQQQQ0000.bin", "orphan");  // orphan
  testing::WriteFile(ObjectOf(4) / "extra", "x");  // a file added to a folder
  // Not lamin's names: a user's backup, a folder of notes. Reported, never removed.
  testing::WriteFile(t_.managed() / "lamin.db.bak", "backup");
  testing::WriteFile(t_.managed() / "_notes" / "todo.txt", "notes");
  auto shallow = t_.inst->Fsck({});
  ASSERT_TRUE(shallow.ok());
  auto kinds = Kinds(*shallow);
  EXPECT_EQ(kinds["missing_object"], 1);
  EXPECT_EQ(kinds["size_mismatch"], 2);  // the truncated file and the folder
  EXPECT_EQ(kinds["hash_mismatch"], 0);  // only --deep reads content
  EXPECT_EQ(kinds["orphan_object"], 1);
  EXPECT_EQ(kinds["foreign_entry"], 2);
  for (const auto& p : shallow->problems) {
    if (p.kind == "foreign_entry") {
      EXPECT_TRUE(p.warning) << p.path;
    }
    if (p.kind == "missing_object") {
      EXPECT_EQ(p.uid, saved_[0].uid);
      EXPECT_EQ(p.path, ObjectOf(0).string());
    }
  }
  auto deep = t_.inst->Fsck({.repair = false, .deep = true});
  EXPECT_EQ(Kinds(*deep)["hash_mismatch"], 1);
  EXPECT_GT(deep->unrepaired(), 0);

  auto repaired = t_.inst->Fsck({.repair = true, .deep = true});
  ASSERT_TRUE(repaired.ok());
  auto left = Kinds(*repaired, true);
  EXPECT_EQ(left["orphan_object"], 0);
  EXPECT_EQ(left["missing_object"], 1);
  EXPECT_EQ(left["size_mismatch"], 2);
  EXPECT_EQ(left["hash_mismatch"], 1);
  EXPECT_FALSE(fs::exists(t_.managed() / "QQQQQQQQQQQQQQQQ0000.bin"));
  EXPECT_TRUE(fs::exists(t_.managed() / "lamin.db.bak")) << "repair removed a file not lamin's";
  EXPECT_TRUE(fs::exists(t_.managed() / "_notes" / "todo.txt"));
  EXPECT_TRUE(fs::exists(ObjectOf(1))) << "damaged objects of committed rows are never deleted";
  EXPECT_TRUE(fs::exists(ObjectOf(2)));
}

TEST_F(FsckTest, RepairsInterruptedWritesOfDeadWriters) {
  // What a writer killed mid-save leaves: its intent, a staged copy and a published object.
  testing::WriteFile(t_.managed() / "ZZZZZZZZZZZZZZZZ0000.csv.tmp-tok1", "half");
  testing::WriteFile(t_.managed() / "YYYYYYYYYYYYYYYY0000.csv", "whole");
  PlantIntent(t_, "ZZZZZZZZZZZZZZZZ0000.csv", "tok1", "otherhost:1:1", /*stale=*/true);
  PlantIntent(t_, "YYYYYYYYYYYYYYYY0000.csv", "tok1", "otherhost:1:1", /*stale=*/true);
  auto found = t_.inst->Fsck({});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(Kinds(*found)["interrupted_write"], 2);
  EXPECT_GT(found->unrepaired(), 0);
  auto repaired = t_.inst->Fsck({.repair = true});
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->unrepaired(), 0);
  EXPECT_FALSE(fs::exists(t_.managed() / "ZZZZZZZZZZZZZZZZ0000.csv.tmp-tok1"));
  EXPECT_FALSE(fs::exists(t_.managed() / "YYYYYYYYYYYYYYYY0000.csv"));
  EXPECT_TRUE(t_.inst->Fsck({})->problems.empty());
  ExpectConsistent(t_);
}

TEST_F(FsckTest, RecoveryLeavesAnObjectALiveWriterMayOwn) {
  // A dead writer and a live one both planned the same key (the same next version uid); the live
  // one has published but not committed. Recovering the dead writer must not take its object.
  testing::WriteFile(t_.managed() / "WWWWWWWWWWWWWWWW0001.csv", "the live writer's");
  testing::WriteFile(t_.managed() / "WWWWWWWWWWWWWWWW0001.csv.tmp-dead", "the dead writer's copy");
  PlantIntent(t_, "WWWWWWWWWWWWWWWW0001.csv", "dead", "otherhost:1:1", /*stale=*/true);
  PlantIntent(t_, "WWWWWWWWWWWWWWWW0001.csv", "live", "otherhost:2:2", /*stale=*/false);
  auto r = t_.inst->Recover();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(fs::exists(t_.managed() / "WWWWWWWWWWWWWWWW0001.csv"));
  EXPECT_FALSE(fs::exists(t_.managed() / "WWWWWWWWWWWWWWWW0001.csv.tmp-dead"));
  EXPECT_EQ(r->skipped_alive, 2);
}

TEST_F(FsckTest, LiveWritersIntentsProtectTheirObjects) {
  // A writer on another host, recently: its staged copy is not an orphan.
  testing::WriteFile(t_.managed() / "XXXXXXXXXXXXXXXX0000.csv.tmp-tok2", "in flight");
  PlantIntent(t_, "XXXXXXXXXXXXXXXX0000.csv", "tok2", "otherhost:1:1", /*stale=*/false);
  auto r = t_.inst->Fsck({.repair = true});
  ASSERT_TRUE(r.ok());
  // What waits on the writer is said, as a warning: it is not damage.
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0].kind, "pending_write");
  EXPECT_TRUE(r->problems[0].warning);
  EXPECT_NE(r->problems[0].message.find("host otherhost"), std::string::npos)
      << r->problems[0].message;
  EXPECT_EQ(r->unrepaired(), 0);
  EXPECT_EQ(r->open_intents, 1);
  EXPECT_TRUE(fs::exists(t_.managed() / "XXXXXXXXXXXXXXXX0000.csv.tmp-tok2"));
}

TEST_F(FsckTest, AReusedPidIsNotTheWriter) {
  // A live process with the intent's pid but another start time is not its writer: the pid was
  // reused after the writer died. (This very process and init, pid 1, are both alive.)
  char host[256] = {0};
  ASSERT_EQ(::gethostname(host, sizeof(host) - 1), 0);
  for (long pid : {static_cast<long>(::getpid()), 1L}) {
    std::string name = (pid == 1 ? "PPPPPPPPPPPPPPPP" : "QQQQQQQQQQQQQQQQ") + std::string("0000.csv");
    testing::WriteFile(t_.managed() / (name + ".tmp-reuse"), "half");
    PlantIntent(t_, name, "reuse", std::string(host) + ":" + std::to_string(pid) + ":1:sess",
                /*stale=*/false);
  }
  auto r = t_.inst->Fsck({.repair = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Kinds(*r)["interrupted_write"], 2);
  EXPECT_EQ(r->open_intents, 0);
  EXPECT_FALSE(fs::exists(t_.managed() / "PPPPPPPPPPPPPPPP0000.csv.tmp-reuse"));
  EXPECT_FALSE(fs::exists(t_.managed() / "QQQQQQQQQQQQQQQQ0000.csv.tmp-reuse"));
  ExpectConsistent(t_);
}

TEST_F(FsckTest, AnEmptyFileAddedToAFolderIsFound) {
  // The size stays the same: only the file count tells.
  testing::WriteFile(ObjectOf(4) / "empty", "");
  auto r = t_.inst->Fsck({});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Kinds(*r)["size_mismatch"], 1);
  for (const auto& p : r->problems) {
    if (p.kind == "size_mismatch") {
      EXPECT_NE(p.message.find("files"), std::string::npos) << p.message;
    }
  }
}

TEST_F(FsckTest, AnInstanceWithoutBiontyTablesIsCheckedAndDeletedFrom) {
  // Python LaminDB makes a PostgreSQL instance without bionty's tables: only the tables there
  // are may be touched.
  auto db = t_.RawDb();
  auto tables = db->Query(testing::OnPostgres()
                              ? "SELECT table_name FROM information_schema.tables WHERE "
                                "table_schema = current_schema() AND table_name LIKE 'bionty%'"
                              : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE "
                                "'bionty%'");
  ASSERT_TRUE(tables.ok());
  // On PostgreSQL lamin makes none either, as Python does; on SQLite the seed's are dropped.
  EXPECT_EQ(tables->empty(), testing::OnPostgres());
  std::string drop = testing::OnPostgres() ? "" : "PRAGMA foreign_keys = OFF; ";
  for (const auto& r : tables->rows) {
    drop += "DROP TABLE \"" + db::AsText(r[0]) + "\"" + (testing::OnPostgres() ? " CASCADE" : "") + "; ";
  }
  if (!tables->empty()) {
    ASSERT_TRUE(db->ExecuteScript(drop).ok());
  }
  db.reset();
  t_.Reopen();
  auto checked = t_.inst->Fsck({.repair = true});
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->unrepaired(), 0);
  auto deleted = t_.inst->artifacts().Delete(ArtifactRef::ByKey("k0"), true);
  EXPECT_TRUE(deleted.ok()) << deleted.status().ToString();
}

TEST_F(FsckTest, RepairsLatestFlagsAndDanglingReferences) {
  Sql(t_,
      "UPDATE lamindb_artifact SET is_latest = FALSE WHERE uid = '" + saved_[0].uid +
          "'; INSERT INTO lamindb_ulabel (uid, name, is_type, is_locked, branch_id, created_on_id, "
          "space_id, created_by_id) VALUES ('lbl00001', 'x', FALSE, FALSE, 1, 1, 1, 1); INSERT "
          "INTO "
          "lamindb_artifactulabel (artifact_id, ulabel_id, created_by_id) VALUES (999, 1, 1);");
  auto r = t_.inst->Fsck({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Kinds(*r)["latest_count"], 1);
  EXPECT_EQ(Kinds(*r)["dangling_reference"], 1);
  auto fixed = t_.inst->Fsck({.repair = true});
  EXPECT_EQ(fixed->unrepaired(), 0);
  EXPECT_TRUE(t_.inst->artifacts().Get(ArtifactRef::ByUid(saved_[0].uid))->is_latest);
  EXPECT_TRUE(t_.inst->Fsck({})->problems.empty());
}

namespace claims {

// A writer that died while it held the next version of a key (its intent and its published but
// uncommitted object are there) does not block the next save of that key: the claim check
// recovers what it left, and the save takes the version. A live holder is waited for instead
// (S3Instance.ARacingWriterWaitsAndNeverTouchesTheOthersObject).
TEST(KeyClaims, ADeadWritersClaimIsRecoveredNotWaitedFor) {
  TestInstance t;
  auto v1 = t.inst->artifacts().Save({{t.Write("v1.txt", "version 1"), "k.txt", std::nullopt}});
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  std::string next = v1->saved[0].artifact.stem() + "0001.txt";
  PlantIntent(t, next, "deadtok", "otherhost:1:1", /*stale=*/true);
  testing::WriteFile(t.managed() / next, "what the dead writer published");
  auto v2 = t.inst->artifacts().Save({{t.Write("v2.txt", "version 2"), "k.txt", std::nullopt}});
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->saved[0].artifact.uid + ".txt", next);
  EXPECT_EQ(testing::Slurp(t.managed() / next), "version 2");
  ExpectConsistent(t);
}

}  // namespace claims

}  // namespace
}  // namespace lamin
