// Search: the rank of a field's value as Python's regexes give it (the expected numbers were
// computed with Python's `re` on the patterns of lamindb/models/query_manager.py), and the
// ranked order, limit and visibility of a search over an instance, on both backends.
#include <gtest/gtest.h>

#include "registry/search.h"
#include "test_util.h"

namespace lamin {
namespace {

TEST(SearchRank, IsPythonsSumOfWeights) {
  struct Case {
    const char* value;
    const char* query;
    int rank;
  };
  const Case cases[] = {
      {"T cell", "t cell", 423},
      {"T cell", "cell", 15},
      {"CD8-positive T cell|CTL", "CTL", 223},
      {"CD8-positive T cell|CTL", "cd8", 3},
      {"alpha|beta gamma|delta", "beta", 15},
      {"alpha|betagamma|delta", "beta", 11},
      {"sample.fastq.gz", "fastq", 13},
      {"sample_fastq", "fastq", 3},
      {"raw/reads.fasta", "reads", 3},
      {"raw/reads.fasta", "reads.fasta", 3},
      {"x|reads y", "reads", 15},
      {"abc", "b", 1},
      {"a.b,c;d:e", "c", 13},
      {"project42/sample_4242/reads", "4242", 1},
      {"cellular", "cell", 11},
      {"cell|", "cell", 223},
      {"|cell", "cell", 223},
      {"reads reads", "reads", 15},
      {"sequencing run 42 of donor 42", "donor 42", 15},
      {"A|B|C", "b", 223},
      {"foo bar|baz", "foo", 15},
      {"foo|bar baz", "bar", 15},
      {"x.y", "x.y", 423},
      {"50% done", "50%", 15},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(registry::FieldRank(c.value, c.query), c.rank) << c.value << " / " << c.query;
  }
}

class SearchTest : public ::testing::Test {
 protected:
  void Save(const std::string& name, const std::string& key, std::optional<std::string> desc) {
    auto saved = t_.inst->artifacts().Save({{t_.Write(name, name + " data"), key, desc}});
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  }
  std::vector<std::string> Keys(const std::string& registry, const std::string& q,
                                SearchOptions options = {}) {
    auto hits = t_.inst->records().Search(registry, q, options);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::vector<std::string> out;
    if (hits.ok()) {
      for (const auto& h : *hits) {
        out.push_back(h.record.Text(registry == "artifact" ? "key" : "name").value_or("-"));
      }
    }
    return out;
  }
  testing::TestInstance t_;
};

TEST_F(SearchTest, RanksLikePythonHidesTheTrashAndBindsTheQuery) {
  Save("a.txt", "raw/cells_plate1.txt", "T cell counts");
  Save("b.txt", "raw/other.txt", "B cell|T cell");
  Save("c.txt", "raw/cell.txt", std::nullopt);
  Save("d.txt", "raw/unrelated.txt", "nothing here");
  // "t cell": b's synonym (200 + 10 + 8 + 2 + 2 + 1), then a's word at the start (10 + 2 + 1 +
  // the key's nothing).
  EXPECT_EQ(Keys("artifact", "t cell"),
            (std::vector<std::string>{"raw/other.txt", "raw/cells_plate1.txt"}));
  auto hits = t_.inst->records().Search("artifact", "T CELL");
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].rank, 223);
  EXPECT_EQ((*hits)[1].rank, 15);
  // Ties keep id order (as SQLite's stable sort gives Python); the limit cuts.
  EXPECT_EQ(Keys("artifact", "raw/", {.limit = 2}),
            (std::vector<std::string>{"raw/cells_plate1.txt", "raw/other.txt"}));
  EXPECT_EQ(Keys("artifact", "  cell  ").size(), 3u);  // stripped, as Python strips it
  ASSERT_TRUE(t_.inst->artifacts().Delete(ArtifactRef::ByKey("raw/other.txt"), false).ok());
  EXPECT_EQ(Keys("artifact", "t cell"), (std::vector<std::string>{"raw/cells_plate1.txt"}));
  EXPECT_EQ(Keys("artifact", "t cell", {.include_hidden = true}).size(), 2u);
  // LIKE wildcards in the query are text; quotes are bound.
  EXPECT_TRUE(Keys("artifact", "%").empty());
  EXPECT_TRUE(Keys("artifact", "x' OR '1'='1").empty());
  EXPECT_EQ(t_.inst->records().Search("artifact", "   ").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(t_.inst->records().Search("nonesuch", "x").status().code(),
            StatusCode::kInvalidArgument);
  // Any registry: labels by name.
  ASSERT_TRUE(t_.inst->annotations().CreateLabel({.name = "T cell"}).ok());
  ASSERT_TRUE(t_.inst->annotations().CreateLabel({.name = "cell cycle"}).ok());
  EXPECT_EQ(Keys("ulabel", "cell"), (std::vector<std::string>{"T cell", "cell cycle"}));
}

}  // namespace
}  // namespace lamin
