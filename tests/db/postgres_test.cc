// PostgreSQL-only behaviour (label pg; run through scripts/with_postgres.sh): errors a user meets
// get clear messages and change nothing, and the password never shows.
#include <gtest/gtest.h>

#include <functional>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crash/process.h"
#include "instance/settings.h"
#include "registry/artifacts.h"
#include "registry/query.h"
#include "storage/fault_injecting_store.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ExpectConsistent;
using testing::TestInstance;

std::string Password() {
  std::smatch m;
  std::string url = testing::PostgresBaseUrl();
  std::regex_search(url, m, std::regex(R"(://[^:]+:([^@]+)@)"));
  return m[1];
}

class Postgres : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::OnPostgres()) GTEST_SKIP() << "needs LAMIN_TEST_BACKEND=postgres";
  }
};

TEST_F(Postgres, ConnectionLostInTheMiddleOfABatchChangesNothing) {
  std::shared_ptr<storage::FaultInjectingStore> faulty;
  TestInstance t([&](OpenOptions& o) {
    o.wrap_store = [&](std::shared_ptr<ObjectStore> real) {
      faulty = std::make_shared<storage::FaultInjectingStore>(real);
      return faulty;
    };
  });
  // While the batch copies its files, another session ends the instance's connection.
  std::string url = t.db_url;
  faulty->FailWhen([url](const std::string& op, const std::string&) {
    if (op != "Publish") return false;
    auto admin = testing::MustOpen(db::OpenPostgres(url));
    (void)admin->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND pid <> pg_backend_pid()");
    return false;  // the store itself does not fail
  });
  auto r = t.inst->artifacts().Save({{t.Write("a", "one"), "a", std::nullopt},
                         {t.Write("b", "two"), "b", std::nullopt}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("connection"), std::string::npos) << r.status().ToString();
  faulty->FailWhen(nullptr);
  // The failed batch could not even remove its intents: the next session's recovery does.
  t.Reopen();
  ASSERT_TRUE(t.inst->Recover().ok());
  EXPECT_TRUE(t.inst->artifacts().List({})->empty());
  ExpectConsistent(t);
}

TEST_F(Postgres, PermissionDeniedOnATableChangesNothing) {
  TestInstance t;
  auto admin = t.RawDb();
  ASSERT_TRUE(admin
                  ->ExecuteScript(
                      "CREATE ROLE limited_writer LOGIN PASSWORD 'limited-secret'; "
                      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "
                      "limited_writer; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "
                      "limited_writer; REVOKE INSERT ON lamindb_artifact FROM limited_writer")
                  .ok());
  // The same instance, reached as the limited user.
  auto settings = instance::CurrentInstance(t.options.env);
  ASSERT_TRUE(settings.ok());
  settings->db = std::regex_replace(t.db_url, std::regex(R"(://[^@]+@)"),
                                    "://limited_writer:limited-secret@");
  ASSERT_TRUE(instance::WriteInstanceSettings(t.options.env, *settings, true).ok());
  t.Reopen();
  auto r = t.inst->artifacts().Save({{t.Write("a", "content"), "a", std::nullopt}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find("lamindb_artifact"), std::string::npos);
  EXPECT_TRUE(t.inst->artifacts().List({})->empty());
  ExpectConsistent(t);
  (void)admin->ExecuteScript("DROP OWNED BY limited_writer; DROP ROLE limited_writer");
}

TEST_F(Postgres, ClearErrorsAndThePasswordNeverShows) {
  testing::ScratchDir dir;
  setenv("LAMIN_SETTINGS_DIR", (dir.path() / "settings").c_str(), 1);
  std::string base = testing::PostgresBaseUrl();
  std::string db = testing::NewPostgresDatabase();
  auto lamin = [&](std::vector<std::string> args) {
    args.insert(args.begin(), LAMIN_CLI);
    return testing::Run(args, dir.path());
  };
  std::vector<testing::ProcessResult> outputs;
  outputs.push_back(lamin({"init", "--storage", (dir.path() / "s").string(), "--db", db}));
  EXPECT_EQ(outputs.back().exit_code, 0) << outputs.back().err;
  outputs.push_back(lamin({"info", "--json"}));
  EXPECT_NE(outputs.back().out.find(":***@"), std::string::npos) << outputs.back().out;

  std::string wrong = std::regex_replace(db, std::regex(":" + Password() + "@"), ":not-it@");
  outputs.push_back(lamin({"init", "--storage", (dir.path() / "w").string(), "--db", wrong}));
  EXPECT_EQ(outputs.back().exit_code, 6);
  EXPECT_NE(outputs.back().err.find("password authentication failed"), std::string::npos);

  outputs.push_back(
      lamin({"init", "--storage", (dir.path() / "m").string(), "--db", base + "/no_such_db"}));
  EXPECT_EQ(outputs.back().exit_code, 3);
  EXPECT_NE(outputs.back().err.find("does not exist"), std::string::npos);

  // A server that is not running: a free port on loopback.
  std::string down = std::regex_replace(base, std::regex(R"(@127\.0\.0\.1:\d+)"), "@127.0.0.1:1");
  outputs.push_back(lamin({"init", "--storage", (dir.path() / "d").string(), "--db", down + "/x"}));
  EXPECT_EQ(outputs.back().exit_code, 6);
  EXPECT_NE(outputs.back().err.find("is the server running"), std::string::npos);

  for (const auto& o : outputs) {
    EXPECT_EQ(o.out.find(Password()), std::string::npos) << o.out;
    EXPECT_EQ(o.err.find(Password()), std::string::npos) << o.err;
  }
  // The settings file that holds the URL is readable by its owner only.
  for (auto& e : fs::directory_iterator(dir.path() / "settings" / ".lamin")) {
    EXPECT_EQ(fs::status(e.path()).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << e.path();
  }
  unsetenv("LAMIN_SETTINGS_DIR");
}

// Artifact i of a numbered batch: uid {i:016}0000, key batch/file_{i}.txt, hash h{i:021}.
registry::NewArtifact NumberedArtifact(int i, const testing::HomeIds& ids) {
  return {fmt::format("{:016}0000", i), fmt::format("batch/file_{}.txt", i), std::nullopt, ".txt",
          7, fmt::format("h{:021}", i), "md5", std::nullopt, ids.storage_id, ids.user_id};
}

// Inserts numbered artifacts [from, to), `chunk` of them a statement (one timestamp each).
Status InsertNumbered(db::Database& db, const testing::HomeIds& ids, int from, int to, int chunk) {
  std::vector<registry::NewArtifact> rows;
  for (int i = from; i < to; ++i) {
    rows.push_back(NumberedArtifact(i, ids));
    if (static_cast<int>(rows.size()) == chunk || i + 1 == to) {
      LAMIN_RETURN_IF_ERROR(registry::InsertArtifacts(db, rows).status());
      rows.clear();
    }
  }
  return Status::OK();
}

// The rows of the artifact registry that this transaction's statements read so far.
int64_t ArtifactRowsRead(db::Database& db) {
  auto r = db.Query(
      "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM "
      "pg_stat_xact_user_tables WHERE relname = 'lamindb_artifact'");
  if (!r.ok() || r->rows.empty()) throw std::runtime_error("no statistics for lamindb_artifact");
  return db::AsInt(r->rows[0][0]);
}

// A large batch looks up each chunk's hashes and keys inside the transaction that inserted the
// chunks before it, whose rows no ANALYZE has seen: the lookups must still go by the hash and key
// indexes, reading what they find (here nothing), not every row of the batch again per chunk
// (which made a 20,000-file save on a new instance take 40 s instead of 3.5 s).
TEST_F(Postgres, ABatchsLookupsReadOnlyWhatTheyFindInsideItsOwnTransaction) {
  TestInstance t;
  auto db = t.RawDb();
  const testing::HomeIds ids = testing::HomeIdsOf(*db);
  const int64_t storage_id = ids.storage_id;
  constexpr int kChunks = 32, kChunk = 250;
  ASSERT_OK(db->Begin());
  int64_t read_by_lookups = 0;
  for (int c = 0; c < kChunks; ++c) {
    std::vector<std::string> hashes, keys;
    for (int i = c * kChunk; i < (c + 1) * kChunk; ++i) {
      registry::NewArtifact row = NumberedArtifact(i, ids);
      hashes.push_back(row.hash);
      keys.push_back(*row.key);
    }
    // As InsertNewContent: has another writer saved this content or a version of these keys?
    int64_t before = ArtifactRowsRead(*db);
    auto raced = registry::FindByHashes(*db, storage_id, hashes);
    ASSERT_OK(raced);
    EXPECT_TRUE(raced->empty());
    auto families = registry::FindKeyFamilies(*db, storage_id, keys);
    ASSERT_OK(families);
    EXPECT_TRUE(families->empty());
    // While the table is small, a scan of it is a fair plan; past that, only the indexes are.
    if (c >= kChunks / 2) read_by_lookups += ArtifactRowsRead(*db) - before;
    ASSERT_OK(InsertNumbered(*db, ids, c * kChunk, (c + 1) * kChunk, kChunk));
  }
  // The later chunks saw 4,000 to 7,750 rows of the batch: both lookups reading them is 188,000.
  EXPECT_LT(read_by_lookups, kChunk) << "rows read by the lookups of the last " << kChunks / 2
                                     << " chunks";
  // And what they find, they find: a chunk of keys already inserted.
  std::vector<std::string> saved;
  for (int i = 0; i < kChunk; ++i) saved.push_back(fmt::format("batch/file_{}.txt", i));
  auto found = registry::FindKeyFamilies(*db, storage_id, saved);
  ASSERT_OK(found);
  EXPECT_EQ(found->size(), static_cast<size_t>(kChunk));
  ASSERT_OK(db->Rollback());
}

// Recovery of a killed batch asks which of its keys a committed row owns. In a young instance
// the table has no statistics yet (autovacuum has not analyzed a first large batch): the lookup
// must still go by the uid and key indexes, not read the table (an OR of 200 keys' terms a
// statement was planned as a scan there: 3.3 s for 1,000 intents at 100,000 artifacts).
TEST_F(Postgres, OwnershipOfABatchsKeysReadsOnlyWhatItFindsWithoutStatistics) {
  TestInstance t;
  auto db = t.RawDb();
  const testing::HomeIds ids = testing::HomeIdsOf(*db);
  const int64_t storage_id = ids.storage_id;
  constexpr int kRows = 20000, kAsked = 1000;
  ASSERT_OK(db->Begin());  // rows no ANALYZE has seen
  ASSERT_OK(InsertNumbered(*db, ids, 0, kRows, 500));
  // A killed batch's keys: half of them committed rows' objects, half not.
  std::vector<std::string> keys;
  for (int i = 0; i < kAsked; ++i) {
    int n = i % 2 == 0 ? i : kRows + i;
    keys.push_back(fmt::format(".lamindb/{:016}0000.txt", n));
  }
  int64_t before = ArtifactRowsRead(*db);
  auto owned = registry::OwnedObjects(*db, storage_id, keys);
  ASSERT_OK(owned);
  int64_t read = ArtifactRowsRead(*db) - before;
  EXPECT_EQ(owned->size(), static_cast<size_t>(kAsked / 2));
  EXPECT_LT(read, 2 * kAsked) << "rows read to find " << kAsked << " keys' owners among " << kRows;
  ASSERT_OK(db->Rollback());
}

// A page of the newest artifacts joins only its own rows with their storage and user. A batch's
// rows share one created_at, and PostgreSQL joined every row of the newest batch before it
// sorted them for the page (the join of 10,012 rows was 37 of 40 ms at 100,000 artifacts).
TEST_F(Postgres, APageOfTheNewestJoinsOnlyItsOwnRows) {
  TestInstance t;
  auto db = t.RawDb();
  const testing::HomeIds ids = testing::HomeIdsOf(*db);
  constexpr int kBatch = 2000, kPage = 50;
  ASSERT_OK(InsertNumbered(*db, ids, 0, kBatch, kBatch));  // one timestamp for the batch
  ASSERT_OK(db->ExecuteScript("ANALYZE lamindb_artifact"));
  Query newest;
  newest.order_by = {"-created_at"};
  newest.limit = kPage;
  std::vector<db::Value> params;
  auto q = registry::CompileQuery(*registry::FindRegistry("artifact"), newest, db->dialect(),
                                  &params);
  ASSERT_OK(q);
  const std::string sql = registry::ArtifactQuerySql(*q, db->dialect());
  auto plan = db->Query("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params);
  ASSERT_OK(plan);
  auto json = nlohmann::json::parse(db::AsText(plan->rows.at(0).at(0)));
  int joins = 0;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& node) {
    const std::string type = node.value("Node Type", "");
    if (type == "Nested Loop" || type == "Hash Join" || type == "Merge Join") {
      ++joins;
      EXPECT_LE(node.value("Actual Rows", 0.0) * node.value("Actual Loops", 1.0), kPage)
          << type << " of " << sql << "\n" << json.dump(1);
    }
    for (const auto& child : node.value("Plans", nlohmann::json::array())) walk(child);
  };
  walk(json.at(0).at("Plan"));
  EXPECT_EQ(joins, 2) << json.dump(1);
  // Nor does the page read the rest of the batch: lamin's index on (created_at, id) gives the
  // order, where LaminDB's on created_at alone had PostgreSQL read and sort all 2,000 rows.
  int artifact_scans = 0;
  std::function<void(const nlohmann::json&)> scans = [&](const nlohmann::json& node) {
    if (node.value("Relation Name", "") == "lamindb_artifact") {
      ++artifact_scans;
      double read = node.value("Actual Rows", 0.0) + node.value("Rows Removed by Filter", 0.0);
      EXPECT_LE(read * node.value("Actual Loops", 1.0), kPage) << json.dump(1);
    }
    EXPECT_EQ(node.value("Node Type", "").find("Sort"), std::string::npos) << json.dump(1);
    for (const auto& child : node.value("Plans", nlohmann::json::array())) scans(child);
  };
  scans(json.at(0).at("Plan"));
  EXPECT_EQ(artifact_scans, 1) << json.dump(1);
  // And the page is the newest, in id order within the batch's one timestamp.
  auto page = registry::QueryArtifacts(*db, newest);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), static_cast<size_t>(kPage));
  for (int i = 0; i < kPage; ++i) EXPECT_EQ((*page)[i].uid, fmt::format("{:016}0000", kBatch - 1 - i));
  EXPECT_FALSE((*page)[0].storage_root.empty());
  EXPECT_FALSE((*page)[0].created_by_handle.empty());
}

bool IndexExists(db::Database& db, const std::string& name) {
  auto r = db.Query("SELECT to_regclass(?) IS NOT NULL", {name});
  return r.ok() && !r->rows.empty() && db::AsInt(r->rows[0][0]) != 0;
}

// An instance made by Python LaminDB, or written by a lamin from before its indexes, lacks them:
// a read leaves it so (reads change nothing), the first write adds them.
TEST_F(Postgres, LaminsIndexesComeWithTheFirstWrite) {
  TestInstance t;
  const std::string index = "lamin_artifact_created_at_id";
  ASSERT_TRUE(IndexExists(*t.RawDb(), index));  // init makes it
  ASSERT_OK(t.RawDb()->ExecuteScript("DROP INDEX " + index));
  t.Reopen();
  Query all;
  all.order_by = {"-created_at"};
  ASSERT_OK(t.inst->artifacts().List(all));
  EXPECT_FALSE(IndexExists(*t.RawDb(), index));
  ASSERT_OK(t.inst->artifacts().Save({{t.Write("a.txt", "one"), "a.txt", std::nullopt}}));
  EXPECT_TRUE(IndexExists(*t.RawDb(), index));
}

// Only a table's owner may index it. A teammate whose role may write rows, on an instance that
// lacks lamin's index, still saves (the index is left to the owner).
TEST_F(Postgres, ATeammateWhoMayNotIndexTheTableStillSaves) {
  TestInstance t;
  auto admin = t.RawDb();
  const std::string index = "lamin_artifact_created_at_id";
  ASSERT_OK(admin->ExecuteScript(
      "DROP INDEX " + index + "; CREATE ROLE teammate_writer LOGIN PASSWORD 'teammate-secret'; "
      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO teammate_writer; "
      "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO teammate_writer"));
  auto settings = instance::CurrentInstance(t.options.env);
  ASSERT_OK(settings);
  settings->db = std::regex_replace(t.db_url, std::regex(R"(://[^@]+@)"),
                                    "://teammate_writer:teammate-secret@");
  ASSERT_OK(instance::WriteInstanceSettings(t.options.env, *settings, true));
  t.Reopen();
  ASSERT_OK(t.inst->artifacts().Save({{t.Write("a.txt", "one"), "a.txt", std::nullopt}}));
  ASSERT_OK(t.inst->artifacts().Save({{t.Write("b.txt", "two"), "b.txt", std::nullopt}}));
  EXPECT_FALSE(IndexExists(*admin, index));
  Query newest;
  newest.order_by = {"-created_at"};
  auto page = t.inst->artifacts().List(newest);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].key, "b.txt");
  t.inst.reset();
  (void)admin->ExecuteScript("DROP OWNED BY teammate_writer; DROP ROLE teammate_writer");
}

// Deferred foreign-key checks run at COMMIT, one cached query per row and key: they must run
// with generic plans allowed, not under the session's force_custom_plan, which planned every
// check anew (2.4 s of a 10,000-row batch's commit against 0.3 s). A deferred constraint
// trigger records the setting it runs under.
TEST_F(Postgres, DeferredChecksAtCommitMayUseGenericPlans) {
  TestInstance t;
  auto db = t.RawDb();
  ASSERT_OK(db->ExecuteScript(
      "CREATE TABLE seen (mode text); CREATE TABLE watched (id int);"
      "CREATE FUNCTION note_mode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "INSERT INTO seen VALUES (current_setting('plan_cache_mode')); RETURN NULL; END $$;"
      "CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON watched DEFERRABLE INITIALLY "
      "DEFERRED FOR EACH ROW EXECUTE FUNCTION note_mode()"));
  auto mode = [&]() {
    auto r = db->Query("SELECT current_setting('plan_cache_mode')");
    return r.ok() && !r->rows.empty() ? db::AsText(r->rows[0][0]) : std::string("?");
  };
  EXPECT_EQ(mode(), "force_custom_plan");  // lamin's own statements are planned for their values
  ASSERT_OK(db->Begin());
  ASSERT_OK(db->Execute("INSERT INTO watched VALUES (1)"));
  ASSERT_OK(db->Commit());
  auto seen = db->Query("SELECT mode FROM seen");
  ASSERT_OK(seen);
  ASSERT_EQ(seen->rows.size(), 1u);
  EXPECT_EQ(db::AsText(seen->rows[0][0]), "auto");
  EXPECT_EQ(mode(), "force_custom_plan");  // the next transaction's statements, as before
}

// A transaction a statement failed in cannot be committed: PostgreSQL would answer COMMIT with a
// silent ROLLBACK, and a caller that went on would report what was not saved as saved.
TEST_F(Postgres, CommitAfterAFailedStatementIsAnErrorAndSavesNothing) {
  TestInstance t;
  auto db = t.RawDb();
  ASSERT_OK(db->ExecuteScript("CREATE TABLE kept (id int PRIMARY KEY)"));
  ASSERT_OK(db->Begin());
  ASSERT_OK(db->Execute("INSERT INTO kept VALUES (1)"));
  EXPECT_FALSE(db->Execute("INSERT INTO kept VALUES (1)").ok());  // duplicate key
  Status committed = db->Commit();
  EXPECT_FALSE(committed.ok());
  EXPECT_NE(committed.message().find("rolled back"), std::string::npos) << committed.ToString();
  // The connection goes on: the next transaction commits.
  ASSERT_OK(db->Begin());
  ASSERT_OK(db->Execute("INSERT INTO kept VALUES (2)"));
  ASSERT_OK(db->Commit());
  auto rows = db->Query("SELECT id FROM kept ORDER BY id");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(db::AsInt(rows->rows[0][0]), 2);
}

// The entries read from the is_latest index since the statistics were last flushed (PostgreSQL
// keeps no per-transaction view of index reads; these are flushed first).
int64_t IsLatestIndexEntriesRead(db::Database& db) {
  if (!db.Query("SELECT pg_stat_force_next_flush()").ok()) throw std::runtime_error("no flush");
  auto r = db.Query(
      "SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = "
      "'lamindb_artifact' AND indexrelname LIKE 'lamindb_artifact_is_latest%'");
  if (!r.ok() || r->rows.empty()) throw std::runtime_error("no statistics for is_latest");
  return db::AsInt(r->rows[0][0]);
}

// A save asks for the latest version of each of its keys. In a young instance (no ANALYZE yet)
// PostgreSQL took the is_latest index, true in nearly every row, into a BitmapAnd with the key's
// and read all of its entries: the flag must be no index condition.
TEST_F(Postgres, VersionLookupsReadNoEntryOfTheLatestFlagsIndex) {
  TestInstance t;
  auto db = t.RawDb();
  const testing::HomeIds ids = testing::HomeIdsOf(*db);
  const int64_t storage_id = ids.storage_id;
  constexpr int kRows = 5000;
  ASSERT_OK(InsertNumbered(*db, ids, 0, kRows, 500));
  const int64_t before = IsLatestIndexEntriesRead(*db);
  auto families = registry::FindKeyFamilies(
      *db, storage_id, {"batch/file_7.txt", "batch/file_4321.txt", "batch/none.txt"});
  ASSERT_OK(families);
  EXPECT_EQ(families->size(), 2u);
  EXPECT_EQ(IsLatestIndexEntriesRead(*db) - before, 0);
}

}  // namespace
}  // namespace lamin
