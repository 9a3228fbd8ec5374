// Every lookup on a small instance, the hidden branches, ordering, limits, and hostile values.
#include <gtest/gtest.h>

#include <regex>

#include "registry/artifacts.h"
#include "registry/query.h"
#include "registry/sql.h"
#include "test_util.h"

namespace lamin {
namespace {

using testing::TestInstance;

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<SaveRequest> batch = {
        {t_.Write("a.fasta", ">a\nACGT\n"), "raw/Reads_A.fasta", "first run"},
        {t_.Write("b.fasta", ">b\nGGGGCCCC\n"), "raw/reads_b.fasta", std::nullopt},
        {t_.Write("c.csv", "x,y\n1,2\n3,4\n"), "tables/counts.csv", "100% done_ok"},
        {t_.Write("d.txt", "no key here"), std::nullopt, std::nullopt},
    };
    auto r = t_.inst->artifacts().Save(batch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& s : r->saved) uids_.push_back(s.artifact.uid);
  }

  std::vector<std::string> Keys(std::vector<std::string> filters, std::vector<std::string> order = {"key"}) {
    Query q;
    for (const auto& f : filters) q.filters.push_back(Filter::Parse(f).value());
    q.order_by = order;
    auto rows = t_.inst->artifacts().List(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    if (rows.ok()) {
      for (const auto& a : *rows) out.push_back(a.key.value_or("<none>"));
    }
    return out;
  }

  TestInstance t_;
  std::vector<std::string> uids_;
};

using V = std::vector<std::string>;

TEST_F(QueryTest, TextLookups) {
  EXPECT_EQ(Keys({"key=raw/reads_b.fasta"}), V({"raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"key__exact=raw/READS_B.fasta"}), V());
  EXPECT_EQ(Keys({"key__iexact=raw/READS_B.fasta"}), V({"raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"key__contains=reads"}), V({"raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"key__icontains=reads"}), V({"raw/Reads_A.fasta", "raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"key__startswith=raw/"}), V({"raw/Reads_A.fasta", "raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"key__startswith=RAW/"}), V());
  EXPECT_EQ(Keys({"key__istartswith=RAW/"}), V({"raw/Reads_A.fasta", "raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"key__endswith=.csv"}), V({"tables/counts.csv"}));
  EXPECT_EQ(Keys({"key__iendswith=.CSV"}), V({"tables/counts.csv"}));
  EXPECT_EQ(Keys({"key__in=tables/counts.csv,raw/reads_b.fasta,nope"}),
            V({"raw/reads_b.fasta", "tables/counts.csv"}));
}

// A prefix is matched by the key's order too (so its index answers it), exactly: keys with the
// prefix's last byte incremented, and multi-byte text, stay out or in as they should.
TEST_F(QueryTest, StartswithIsExactAtTheEdgesOfItsRange) {
  auto r = t_.inst->artifacts().Save({{t_.Write("e.fasta", "e"), "raw0.fasta", std::nullopt},
                                      {t_.Write("f.fasta", "f"), "raw/ü.fasta", std::nullopt},
                                      {t_.Write("g.fasta", "g"), "raw.fasta", std::nullopt}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Keys({"key__startswith=raw/"}),
            V({"raw/Reads_A.fasta", "raw/reads_b.fasta", "raw/ü.fasta"}));
  EXPECT_EQ(Keys({"key__startswith=raw/ü"}), V({"raw/ü.fasta"}));
  EXPECT_EQ(Keys({"key__startswith=raw"}),
            V({"raw.fasta", "raw/Reads_A.fasta", "raw/reads_b.fasta", "raw/ü.fasta", "raw0.fasta"}));
}

// The hot lookups of a large instance are index searches on SQLite, never a scan of every
// artifact (SQLite has no statistics here: a term on branch_id, in nearly every row the same,
// must not be the index it picks).
TEST_F(QueryTest, HotLookupsSearchAnIndex) {
  if (testing::OnPostgres()) GTEST_SKIP() << "SQLite's planner";
  auto db = t_.RawDb();
  // The plan of the statement that runs, whole (registry::ArtifactQuerySql).
  auto plan = [&](const std::string& sql, const std::vector<db::Value>& params) {
    auto rows = db->Query("EXPLAIN QUERY PLAN " + sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::string text;
    if (rows.ok()) {
      for (const auto& row : rows->rows) text += db::AsText(row.back()) + "\n";
    }
    return text;
  };
  auto by_key = registry::VersionedRef(ArtifactRef::ByKey("raw/reads_b.fasta"), "an artifact");
  ASSERT_TRUE(by_key.ok());
  std::string get = plan("SELECT a.id FROM lamindb_artifact a " + by_key->first, by_key->second);
  EXPECT_NE(get.find("USING INDEX lamindb_artifact_key"), std::string::npos) << get;
  for (const char* filter : {"key__startswith=raw/", "key=raw/reads_b.fasta"}) {
    Query q;
    q.filters.push_back(Filter::Parse(filter).value());
    q.limit = 10;
    std::vector<db::Value> params;
    auto tail = registry::CompileQuery(*registry::FindRegistry("artifact"), q, db->dialect(),
                                       &params);
    ASSERT_TRUE(tail.ok()) << tail.status().ToString();
    std::string text = plan(registry::ArtifactQuerySql(*tail, db->dialect()), params);
    EXPECT_NE(text.find("USING INDEX lamindb_artifact_key"), std::string::npos)
        << filter << "\n" << text;
  }
  Query latest;
  latest.order_by = {"-created_at"};
  latest.limit = 50;
  std::vector<db::Value> params;
  auto tail = registry::CompileQuery(*registry::FindRegistry("artifact"), latest, db->dialect(),
                                     &params);
  ASSERT_TRUE(tail.ok());
  std::string text = plan(registry::ArtifactQuerySql(*tail, db->dialect()), params);
  EXPECT_NE(text.find("created_at"), std::string::npos) << text;
  EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos) << "sorted without its index\n" << text;
}

TEST_F(QueryTest, WildcardsInValuesMatchLiterally) {
  EXPECT_EQ(Keys({"description__contains=100%"}), V({"tables/counts.csv"}));
  EXPECT_EQ(Keys({"description__icontains=0%_d"}), V());
  EXPECT_EQ(Keys({"description__icontains=done_ok"}), V({"tables/counts.csv"}));
  EXPECT_EQ(Keys({"description__icontains=done%ok"}), V());
}

TEST_F(QueryTest, NumericLookupsAndIsNull) {
  EXPECT_EQ(Keys({"size__gt=11"}), V({"raw/reads_b.fasta", "tables/counts.csv"}));
  EXPECT_EQ(Keys({"size=11"}), V({"<none>"}));
  EXPECT_EQ(Keys({"size__gte=12", "size__lt=14"}), V({"raw/reads_b.fasta", "tables/counts.csv"}));
  EXPECT_EQ(Keys({"size__lte=9"}), V({"raw/Reads_A.fasta"}));
  EXPECT_EQ(Keys({"key__isnull=true"}), V({"<none>"}));
  EXPECT_EQ(Keys({"description__isnull=false"}), V({"raw/Reads_A.fasta", "tables/counts.csv"}));
  EXPECT_EQ(Keys({"id__in=1,3"}), V({"raw/Reads_A.fasta", "tables/counts.csv"}));
}

TEST_F(QueryTest, OrderAndLimit) {
  Query q;
  q.order_by = {"-size"};
  q.limit = 2;
  auto rows = t_.inst->artifacts().List(q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_GE(rows->at(0).size.value(), rows->at(1).size.value());
}

TEST_F(QueryTest, TrashIsHiddenUnlessIdentityIsNamed) {
  ASSERT_TRUE(t_.inst->artifacts().Delete(ArtifactRef::ByKey("tables/counts.csv"), false).ok());
  EXPECT_EQ(Keys({"key__endswith=.csv"}), V());
  EXPECT_EQ(Keys({"uid=" + uids_[2]}), V({"tables/counts.csv"}));
  EXPECT_EQ(Keys({"branch_id=-1"}), V({"tables/counts.csv"}));
}

TEST_F(QueryTest, TheArchiveIsHiddenToo) {
  // Branch 0: LaminDB's archive, hidden from default queries like the trash.
  ASSERT_TRUE(t_.RawDb()
                  ->Execute("UPDATE lamindb_artifact SET branch_id = 0 WHERE uid = ?", {uids_[0]})
                  .ok());
  EXPECT_EQ(Keys({"key__startswith=raw/"}), V({"raw/reads_b.fasta"}));
  EXPECT_EQ(Keys({"branch_id=0"}), V({"raw/Reads_A.fasta"}));
  EXPECT_EQ(Keys({"uid=" + uids_[0]}), V({"raw/Reads_A.fasta"}));
  auto info = t_.inst->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->n_artifacts, 3);
}

TEST_F(QueryTest, DatesAreComparedAsDatesAndCheckedAndReadInOneForm) {
  EXPECT_EQ(Keys({"created_at__gt=2000-01-01", "key__isnull=false"}).size(), 3u);
  EXPECT_EQ(Keys({"created_at__lt=2000-01-01T00:00Z"}), V());
  EXPECT_EQ(Keys({"created_at__gte=2999-01-01 00:00:00"}), V());
  auto garbage = t_.inst->artifacts().List({{{"created_at", "gt", "garbage"}}, {}, std::nullopt});
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument) << garbage.status().ToString();
  EXPECT_NE(garbage.status().message().find("not a date or time"), std::string::npos);
  // The same form on SQLite and PostgreSQL: UTC, six fractional digits, no zone suffix.
  auto rows = t_.inst->artifacts().List({});
  ASSERT_TRUE(rows.ok());
  const std::regex kForm(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})");
  for (const auto& a : *rows) {
    EXPECT_TRUE(std::regex_match(a.created_at, kForm)) << a.created_at;
    EXPECT_TRUE(std::regex_match(a.updated_at, kForm)) << a.updated_at;
  }
}

TEST_F(QueryTest, HostileValuesAreJustValues) {
  EXPECT_EQ(Keys({"key=x' OR '1'='1"}), V());
  EXPECT_EQ(Keys({"key__in=a'),(SELECT 1"}), V());
  EXPECT_EQ(Keys({"description__contains=\"; DROP TABLE lamindb_artifact; --"}), V());
  EXPECT_EQ(Keys({"key__startswith=raw"}).size(), 2u);  // the table is still there
}

TEST_F(QueryTest, BadFiltersAreClearErrors) {
  auto unknown = t_.inst->artifacts().List({{{"bogus", "exact", "1"}}, {}, std::nullopt});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("valid fields:"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("suffix"), std::string::npos);

  // "near" is no lookup, so it reads as a path; after a field, that is an unknown lookup.
  auto lookup = t_.inst->artifacts().List({{Filter::Parse("key__near=x").value()}, {}, std::nullopt});
  EXPECT_EQ(lookup.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(lookup.status().message().find("valid lookups:"), std::string::npos)
      << lookup.status().ToString();
  auto relation = t_.inst->artifacts().List({{{"run__bogus", "exact", "x"}}, {}, std::nullopt});
  EXPECT_EQ(relation.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(relation.status().message().find("of run"), std::string::npos);
  EXPECT_NE(relation.status().message().find("relations:"), std::string::npos);
  EXPECT_FALSE(Filter::Parse("no-equals-sign").ok());

  auto type = t_.inst->artifacts().List({{{"size", "gt", "big"}}, {}, std::nullopt});
  EXPECT_EQ(type.status().code(), StatusCode::kInvalidArgument);
  auto order = t_.inst->artifacts().List({{}, {"-nope"}, std::nullopt});
  EXPECT_EQ(order.status().code(), StatusCode::kInvalidArgument);
  // A field name with SQL in it is rejected, never spliced.
  auto inj = t_.inst->artifacts().List({{{"key\" OR 1=1 --", "exact", "x"}}, {}, std::nullopt});
  EXPECT_EQ(inj.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lamin
