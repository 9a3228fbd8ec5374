// Compares a database created from the table description with LaminDB's reference seed, table by
// table, column by column (name, type, NOT NULL, default, primary key), index by index (name,
// uniqueness, columns, partial condition), and the exact DDL text SQLite stores.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zlib.h>

#include <map>

#include "db/database.h"
#include "schema/ddl.h"
#include "test_util.h"

namespace lamin::schema {
namespace {

namespace fs = std::filesystem;

// Rows of a query as text, one string per row with '|' between columns.
std::vector<std::string> Rows(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return {"<error>"};
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      row += (c ? "|" : "") + std::string(t ? t : "NULL");
    }
    out.push_back(row);
  }
  sqlite3_finalize(stmt);
  return out;
}

class SeedSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(LAMIN_SEED_DB)) GTEST_SKIP() << "no reference seed at " << LAMIN_SEED_DB;
    // Unpack the seed.
    gzFile in = gzopen(LAMIN_SEED_DB, "rb");
    ASSERT_NE(in, nullptr);
    std::ofstream out(dir_.path() / "seed.db", std::ios::binary);
    char buf[1 << 16];
    int n;
    while ((n = gzread(in, buf, sizeof(buf))) > 0) out.write(buf, n);
    gzclose(in);
    out.close();
    // Create ours.
    auto db = db::OpenSqlite(dir_.path() / "ours.db", {.create = true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Begin().ok());
    Status s = CreateSchema(**db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE((*db)->Commit().ok());
    db->reset();
    ASSERT_EQ(sqlite3_open((dir_.path() / "seed.db").c_str(), &seed_), SQLITE_OK);
    ASSERT_EQ(sqlite3_open((dir_.path() / "ours.db").c_str(), &ours_), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close(seed_);
    sqlite3_close(ours_);
  }

  std::vector<std::string> Tables(sqlite3* db) {
    return Rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                    "'sqlite_%' AND name != 'lamin_intent' ORDER BY name");
  }

  testing::ScratchDir dir_;
  sqlite3* seed_ = nullptr;
  sqlite3* ours_ = nullptr;
};

TEST_F(SeedSchema, SameTables) {
  auto seed = Tables(seed_);
  EXPECT_EQ(Tables(ours_), seed);
  int lamindb = 0;
  for (const auto& t : seed) lamindb += t.rfind("lamindb_", 0) == 0;
  EXPECT_EQ(lamindb, 85);
}

TEST_F(SeedSchema, SameColumnsTypesNullabilityDefaults) {
  for (const auto& table : Tables(seed_)) {
    std::string sql = "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo('" +
                      table + "')";
    EXPECT_EQ(Rows(ours_, sql), Rows(seed_, sql)) << "columns of " << table;
  }
}

TEST_F(SeedSchema, SameIndexes) {
  for (const auto& table : Tables(seed_)) {
    std::string list = "SELECT name, \"unique\", origin, partial FROM pragma_index_list('" + table +
                       "') ORDER BY name";
    auto seed_indexes = Rows(seed_, list);
    ASSERT_EQ(Rows(ours_, list), seed_indexes) << "indexes of " << table;
    for (const auto& row : seed_indexes) {
      std::string name = row.substr(0, row.find('|'));
      std::string cols = "SELECT seqno, cid, name FROM pragma_index_info('" + name + "')";
      EXPECT_EQ(Rows(ours_, cols), Rows(seed_, cols)) << "columns of index " << name;
    }
  }
}

TEST_F(SeedSchema, SameDdlText) {
  // SQLite keeps the CREATE statements as written: equal text means Django's exact rendering.
  std::string sql =
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND "
      "tbl_name != 'lamin_intent' ORDER BY type, name";
  auto seed = Rows(seed_, sql);
  auto ours = Rows(ours_, sql);
  ASSERT_EQ(ours.size(), seed.size());
  for (size_t i = 0; i < seed.size(); ++i) EXPECT_EQ(ours[i], seed[i]);
}

TEST_F(SeedSchema, SameMigrations) {
  std::string sql = "SELECT app, name FROM django_migrations ORDER BY id";
  EXPECT_EQ(Rows(ours_, sql), Rows(seed_, sql));
}

TEST(Ddl, DjangoIndexNamesFollowTheBackendLimit) {
  EXPECT_EQ(DjangoIndexName("lamindb_artifact", {"version_tag"}, "", db::Dialect::kSqlite),
            "lamindb_artifact_version_tag_fd70fe89");
  std::string pg = DjangoIndexName("lamindb_collection__actions", {"collection_id", "artifact_id"},
                                   "_uniq", db::Dialect::kPostgres);
  EXPECT_LE(pg.size(), 63u);
  EXPECT_NE(pg.find("_uniq"), std::string::npos);
}

}  // namespace
}  // namespace lamin::schema
