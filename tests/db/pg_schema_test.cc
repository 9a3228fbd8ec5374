// The whole PostgreSQL schema lamin creates, compared with the one Python LaminDB 2.6 creates
// (../shared/reference/lamindb-2.6/postgres-schema.sql.gz, a pg_dump; skipped where absent):
// tables, columns with types, nullability and defaults, constraints, indexes, functions,
// triggers and their comments. A test that runs Python's migrations cannot exist here; this
// comparison is the proof that they find what they expect (a unique index where Django expects
// a constraint made migration 0191 fail on instances lamin had made).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "schema/ddl.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;

std::set<std::string> Set(db::Database& db, const std::string& sql) {
  auto rows = db.Query(sql);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString() << "\n" << sql;
  std::set<std::string> out;
  if (!rows.ok()) return out;
  for (const auto& r : rows->rows) {
    std::string line;
    for (const auto& v : r) line += (line.empty() ? "" : " | ") + db::AsText(v);
    // lamin's own table and indexes (schema/ddl.h), which Python's schema has not.
    bool own = line.find(schema::IntentTable().name) != std::string::npos;
    for (const auto& index : schema::LaminIndexes(db::Dialect::kPostgres)) {
      own |= line.find(index.name) != std::string::npos;
    }
    if (!own) out.insert(line);
  }
  return out;
}

void ExpectSame(const std::set<std::string>& ours, const std::set<std::string>& python,
                const std::string& what) {
  std::vector<std::string> missing, extra;
  for (const auto& p : python) {
    if (!ours.count(p)) missing.push_back(p);
  }
  for (const auto& o : ours) {
    if (!python.count(o)) extra.push_back(o);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " " << what << " only Python's, e.g. "
                               << (missing.empty() ? "" : missing.front());
  EXPECT_TRUE(extra.empty()) << extra.size() << " " << what << " only lamin's, e.g. "
                             << (extra.empty() ? "" : extra.front());
  EXPECT_FALSE(python.empty()) << what;
}

TEST(PostgresSchema, IsTheSchemaPythonLaminDbCreates) {
  if (!testing::OnPostgres()) GTEST_SKIP() << "needs LAMIN_TEST_BACKEND=postgres";
  fs::path gz = fs::path(LAMIN_REFERENCE_DIR) / "postgres-schema.sql.gz";
  if (!fs::exists(gz)) GTEST_SKIP() << "no reference schema at " << gz;
  testing::ScratchDir dir;
  ASSERT_TRUE(testing::Gunzip(gz, dir.path() / "schema.sql"));
  std::ifstream in(dir.path() / "schema.sql");
  std::string script, line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '\\') continue;  // psql's meta-commands
    script += line + "\n";
  }
  auto admin = testing::MustOpen(db::OpenPostgres(testing::PostgresBaseUrl() + "/postgres"));
  for (const char* name : {"python_schema", "lamin_schema"}) {
    ASSERT_TRUE(admin->ExecuteScript(std::string("DROP DATABASE IF EXISTS ") + name).ok());
    ASSERT_TRUE(admin->ExecuteScript(std::string("CREATE DATABASE ") + name).ok());
  }
  auto python = testing::MustOpen(db::OpenPostgres(testing::PostgresBaseUrl() + "/python_schema"));
  Status loaded = python->ExecuteScript(script);
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  python = testing::MustOpen(db::OpenPostgres(testing::PostgresBaseUrl() + "/python_schema"));
  auto ours = testing::MustOpen(db::OpenPostgres(testing::PostgresBaseUrl() + "/lamin_schema"));
  ASSERT_TRUE(ours->Begin().ok());
  ASSERT_TRUE(schema::CreateSchema(*ours).ok());
  ASSERT_TRUE(ours->Commit().ok());

  const std::vector<std::pair<std::string, std::string>> kCatalog = {
      {"tables",
       "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"},
      {"columns",
       "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), "
       "coalesce(character_maximum_length, 0), is_identity FROM information_schema.columns "
       "WHERE table_schema = 'public'"},
      {"constraints",
       "SELECT conrelid::regclass::text, conname, contype::text, pg_get_constraintdef(oid), "
       "condeferrable::text, condeferred::text FROM pg_constraint WHERE connamespace = "
       "'public'::regnamespace"},
      {"indexes", "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"},
      {"functions",
       "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = "
       "'public'::regnamespace"},
      {"triggers",
       "SELECT tgname, pg_get_triggerdef(t.oid), coalesce(obj_description(t.oid, 'pg_trigger'), "
       "'') FROM pg_trigger t WHERE NOT tgisinternal"},
  };
  for (const auto& [what, sql] : kCatalog) ExpectSame(Set(*ours, sql), Set(*python, sql), what);
  // The migrations recorded (Python's history of the lamindb app; init adds 0189_squashed).
  auto migrations = Set(*ours, "SELECT app, name FROM django_migrations");
  EXPECT_EQ(migrations.size(), 14u);
  EXPECT_EQ(migrations.count("lamindb | 0189_v2_6"), 1u);
  EXPECT_EQ(Set(*ours, "SELECT 1 FROM django_migrations WHERE app = 'bionty'").size(), 0u);
  python.reset();
  ours.reset();
  for (const char* name : {"python_schema", "lamin_schema"}) {
    (void)admin->ExecuteScript(std::string("DROP DATABASE IF EXISTS ") + name + " WITH (FORCE)");
  }
}

TEST(PostgresSchema, AnInstanceMadeByAnEarlierLaminIsRepaired) {
  if (!testing::OnPostgres()) GTEST_SKIP() << "needs LAMIN_TEST_BACKEND=postgres";
  testing::TestInstance t;
  // What earlier versions made: unique_together as a unique index, no CHECK functions, no
  // triggers, no pattern-ops index on unique text columns.
  const std::string uniq = "lamindb_artifactulabel_artifact_id_ulabel_id_fe_9db3d548_uniq";
  Status old = t.RawDb()->ExecuteScript(
      "ALTER TABLE lamindb_artifactulabel DROP CONSTRAINT " + uniq + "; CREATE UNIQUE INDEX " +
      uniq + " ON lamindb_artifactulabel (artifact_id, ulabel_id, feature_id); "
      "ALTER TABLE lamindb_ulabel DROP CONSTRAINT ulabel_type_is_valid_fk; "
      "DROP TRIGGER pgtrigger_prevent_ulabel_type_cycle_863ae ON lamindb_ulabel; "
      "DROP FUNCTION is_valid_ulabel_type(integer); DROP INDEX lamindb_user_uid_2feec228_like;");
  ASSERT_TRUE(old.ok()) << old.ToString();
  auto found = t.inst->Fsck({});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  int differences = 0;
  for (const auto& p : found->problems) differences += p.kind == "schema_difference";
  EXPECT_EQ(differences, 6) << "the constraint, check, function, trigger, its comment, index";
  EXPECT_GT(found->unrepaired(), 0);
  auto repaired = t.inst->Fsck({.repair = true});
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->unrepaired(), 0);
  auto after = t.inst->Fsck({});
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->problems.empty()) << after->problems.front().path;
  auto converted = t.RawDb()->Query("SELECT contype::text FROM pg_constraint WHERE conname = ?", {uniq});
  ASSERT_TRUE(converted.ok());
  ASSERT_EQ(converted->size(), 1u) << "the unique index became the constraint Django drops";
  EXPECT_EQ(db::AsText(converted->rows[0][0]), "u");
}

}  // namespace
}  // namespace lamin
