// One conformance suite for the Database interface, run on SQLite and (with
// LAMIN_TEST_BACKEND=postgres) on PostgreSQL: placeholders, types, transactions, errors.
#include <gtest/gtest.h>

#include "db/database.h"
#include "test_util.h"

namespace lamin::db {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::OnPostgres()) {
      url_ = testing::NewPostgresDatabase();  // holds the LaminDB schema; this suite adds its own
      db_ = testing::MustOpen(OpenPostgres(url_));
    } else {
      db_ = testing::MustOpen(OpenSqlite(dir_.path() / "t.db", {.create = true}));
    }
    Status s = db_->ExecuteScript(
        "CREATE TABLE t (id integer PRIMARY KEY, name varchar(20) UNIQUE, flag boolean, "
        "score real, note text)");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::unique_ptr<Database> Second() {
    return testing::OnPostgres() ? testing::MustOpen(OpenPostgres(url_))
                                 : testing::MustOpen(OpenSqlite(dir_.path() / "t.db", {}));
  }

  testing::ScratchDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, BindsAndReadsEveryType) {
  ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name, flag, score, note) VALUES (?, ?, TRUE, ?, ?)",
                           {int64_t{1}, std::string("a?b"), 2.5, Null()})
                  .ok());
  auto rows = db_->Query("SELECT id, name, flag, score, note FROM t WHERE name = ?", {"a?b"});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const auto& r = rows->rows[0];
  EXPECT_EQ(AsInt(r[0]), 1);
  EXPECT_EQ(AsText(r[1]), "a?b");
  EXPECT_EQ(AsInt(r[2]), 1);  // booleans read as 0/1 on both backends
  EXPECT_DOUBLE_EQ(std::get<double>(r[3]), 2.5);
  EXPECT_TRUE(IsNull(r[4]));
}

TEST_F(DatabaseTest, QuestionMarksInLiteralsAreNotPlaceholders) {
  auto rows = db_->Query("SELECT '?' || ?", {"x"});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(AsText(rows->rows[0][0]), "?x");
}

TEST_F(DatabaseTest, ExecuteCountsChangedRows) {
  for (int64_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (?, ?)", {i, "n" + std::to_string(i)}).ok());
  }
  auto changed = db_->Execute("UPDATE t SET note = 'x' WHERE id >= ?", {int64_t{2}});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 2);
}

TEST_F(DatabaseTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (1, 'same')").ok());
  auto again = db_->Execute("INSERT INTO t (id, name) VALUES (2, 'same')");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
}

TEST_F(DatabaseTest, BadSqlIsInvalidArgument) {
  auto r = db_->Query("SELEC nothing");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  auto missing = db_->Query("SELECT * FROM no_such_table");
  EXPECT_FALSE(missing.ok());
}

TEST_F(DatabaseTest, RollbackUndoesAndCommitPersists) {
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (1, 'gone')").ok());
  }  // rolled back
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (2, 'kept')").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto rows = Second()->Query("SELECT name FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(AsText(rows->rows[0][0]), "kept");
}

TEST_F(DatabaseTest, AFailedStatementLeavesTheTransactionUsableForRollback) {
  Transaction tx(*db_);
  ASSERT_TRUE(tx.Begin().ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (1, 'a')").ok());
  EXPECT_FALSE(db_->Execute("INSERT INTO t (id, name) VALUES (1, 'b')").ok());
  tx.Rollback();
  EXPECT_TRUE(db_->Query("SELECT count(*) FROM t").ok());
  EXPECT_EQ(AsInt(db_->Query("SELECT count(*) FROM t")->rows[0][0]), 0);
}

TEST_F(DatabaseTest, ReadersSeeTheCommittedStateWithoutWaitingForAWriter) {
  auto other = Second();
  Transaction tx(*db_);
  ASSERT_TRUE(tx.Begin().ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (1, 'pending')").ok());
  // A reader sees the committed state without waiting.
  auto read = other->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(AsInt(read->rows[0][0]), 0);
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(AsInt(other->Query("SELECT count(*) FROM t")->rows[0][0]), 1);
}

TEST_F(DatabaseTest, PreparedStatementsAreReusedAcrossCalls) {
  for (int64_t i = 0; i < 200; ++i) {
    ASSERT_TRUE(db_->Execute("INSERT INTO t (id, name) VALUES (?, ?)", {i, "r" + std::to_string(i)}).ok());
  }
  EXPECT_EQ(AsInt(db_->Query("SELECT count(*) FROM t")->rows[0][0]), 200);
}

// On PostgreSQL a statement's first run is unnamed and its later runs are prepared: both paths
// bind and read alike, and a first run that failed leaves the statement usable.
TEST_F(DatabaseTest, AStatementAnswersAlikeOnItsFirstRunAndOnceItIsPrepared) {
  const std::string insert = "INSERT INTO t (id, name) VALUES (?, ?)";
  ASSERT_TRUE(db_->Execute(insert, {int64_t{1}, "one"}).ok());
  ASSERT_TRUE(db_->Execute(insert, {int64_t{2}, "two"}).ok());
  const std::string select = "SELECT name FROM t WHERE id = ?";
  for (int64_t id : {int64_t{1}, int64_t{2}, int64_t{1}}) {
    auto rows = db_->Query(select, {id});
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(AsText(rows->rows[0][0]), id == 1 ? "one" : "two");
  }
  const std::string failing_first = "INSERT INTO t (name, id) VALUES (?, ?)";
  EXPECT_EQ(db_->Execute(failing_first, {"dup", int64_t{1}}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(db_->Execute(failing_first, {"three", int64_t{3}}).ok());
  EXPECT_TRUE(db_->Execute(failing_first, {"four", int64_t{4}}).ok());
  EXPECT_EQ(AsInt(db_->Query("SELECT count(*) FROM t")->rows[0][0]), 4);
}

TEST(SqliteDatabase, ALockedDatabaseSaysSoOnce) {
  testing::ScratchDir dir;
  auto holder = testing::MustOpen(OpenSqlite(dir.path() / "l.db", {.create = true}));
  ASSERT_TRUE(holder->Begin().ok());
  auto waiter = testing::MustOpen(OpenSqlite(dir.path() / "l.db", {.busy_timeout_ms = 0}));
  Status s = waiter->Begin();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  const std::string text = "database is locked";
  auto first = s.message().find(text);
  ASSERT_NE(first, std::string::npos) << s.ToString();
  EXPECT_EQ(s.message().find(text, first + 1), std::string::npos) << s.ToString();
  ASSERT_TRUE(holder->Rollback().ok());
}

TEST(SqliteDatabase, AFileReplacedUnderAConnectionTakesNoWrites) {
  // `lamin delete instance` removes the file while another process holds it open: that process
  // must not go on writing into a file nobody will read again.
  testing::ScratchDir dir;
  auto db = testing::MustOpen(OpenSqlite(dir.path() / "r.db", {.create = true}));
  ASSERT_TRUE(db->ExecuteScript("CREATE TABLE t (x integer)").ok());
  std::filesystem::remove(dir.path() / "r.db");
  Status s = db->Begin();
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  auto other = testing::MustOpen(OpenSqlite(dir.path() / "r.db", {.create = true}));
  Status again = db->Begin();
  EXPECT_EQ(again.code(), StatusCode::kNotFound) << "a new file at the same path is another one";
}

}  // namespace
}  // namespace lamin::db
