// Collections: the calls of ../shared/reference/lamindb-2.6/collections.md replayed through the
// C++ API, rows compared with those Python LaminDB 2.6 wrote (skipped where the reference
// database is absent, and on PostgreSQL); versions, order, loading, deletes.
#include <gtest/gtest.h>

#include <fstream>

#include "db/database.h"
#include "registry/reference_rows.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::Cells;
using testing::TestInstance;

class CollectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    have_ref_ = !testing::OnPostgres() &&
                testing::ReferenceDatabase("collections", scratch_.path() / "ref.db");
  }
  fs::path ref() const { return scratch_.path() / "ref.db"; }
  fs::path ours() const { return t_.managed() / "lamin.db"; }
  Collections& cs() { return t_.inst->collections(); }

  void SaveParts() {
    for (auto [name, content] : std::vector<std::pair<std::string, std::string>>{
             {"parts/p1.csv", "x,y\n1,a\n"},
             {"parts/p2.csv", "x,y\n2,b\n"},
             {"parts/p3.csv", "x,y\n3,c\n"},
             {"meta/meta.txt", "collection metadata\n"}}) {
      auto saved = t_.inst->artifacts().Save(
          {{t_.Write(fs::path(name).filename().string(), content), name, std::nullopt}});
      ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    }
  }
  CollectionOutcome Make(const std::string& key, std::vector<std::string> members,
                         std::optional<std::string> description = {},
                         std::optional<std::string> meta = {},
                         std::optional<int64_t> run = {}) {
    CollectionSpec spec;
    spec.key = key;
    for (const auto& m : members) spec.members.push_back(ArtifactRef::ByKey(m));
    spec.description = description;
    if (meta) spec.meta_artifact = ArtifactRef::ByKey(*meta);
    spec.run_id = run;
    auto made = cs().Create(spec);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : CollectionOutcome{};
  }

  testing::ScratchDir scratch_;
  TestInstance t_;
  bool have_ref_ = false;
};

TEST_F(CollectionsTest, RowsAreThoseOfPythonForTheSameCalls) {
  SaveParts();
  if (HasFatalFailure()) return;
  // Phase 1, untracked.
  auto v1 = Make("my-collection", {"parts/p1.csv", "parts/p2.csv"}, "two parts");
  EXPECT_EQ(v1.collection.hash.value_or(""), "2y69FzVoQ8riwh1w0DayIg");
  EXPECT_EQ(v1.collection.uid.size(), 20u);
  auto v2 = cs().Append(CollectionRef::ByKey("my-collection"),
                        {ArtifactRef::ByKey("parts/p3.csv")});
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_TRUE(v2->new_version);
  EXPECT_EQ(v2->collection.uid, v1.collection.stem() + "0001");
  EXPECT_EQ(v2->collection.hash.value_or(""), "quqLyY3KUuFSBThRsTyaPg");
  EXPECT_EQ(v2->collection.description.value_or(""), "two parts");
  EXPECT_EQ(Make("with-meta", {"parts/p1.csv"}, {}, "meta/meta.txt").collection.hash.value_or(""),
            "UEKBbBdYCOBAF2nloF4MIQ");
  EXPECT_EQ(Make("single", {"parts/p2.csv"}).collection.hash.value_or(""),
            "bVlrhEakQxjPz37gZOWRAA");
  // Phase 2, in a run.
  auto t = t_.inst->lineage().SaveTransform({"use_collection.py", "script", "x\n", {}});
  ASSERT_TRUE(t.ok());
  auto run = t_.inst->lineage().StartRun(*t, {});
  ASSERT_TRUE(run.ok());
  auto latest = cs().Get(CollectionRef::ByKey("my-collection"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->uid, v2->collection.uid);
  ASSERT_TRUE(cs().Load(*latest, std::nullopt, run->id).ok());
  auto with_meta = cs().Get(CollectionRef::ByKey("with-meta"));
  ASSERT_TRUE(with_meta.ok());
  ASSERT_TRUE(cs().Load(*with_meta, std::nullopt, run->id).ok());
  auto again = Make("my-collection", {"parts/p1.csv", "parts/p2.csv"}, {}, {}, run->id);
  EXPECT_TRUE(again.existed);
  EXPECT_EQ(again.collection.uid, v1.collection.uid);  // v1, though not the latest
  EXPECT_EQ(again.collection.run_id.value_or(0), run->id);
  auto in_run = Make("run-collection", {"parts/p1.csv", "parts/p3.csv"}, {}, {}, run->id);
  EXPECT_EQ(in_run.collection.hash.value_or(""), "RxoaIQnnbSdkhUbrJuPt8g");
  ASSERT_TRUE(t_.inst->lineage().FinishRun(*run, RunStatus::kCompleted, std::nullopt).ok());
  if (!have_ref_) GTEST_SKIP() << "no reference databases in " << LAMIN_REFERENCE_DIR;
  t_.inst.reset();
  const std::set<std::string> own = {"uid", "created_at", "updated_at"};
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_collection ORDER BY id", own),
            Cells(ref(), "SELECT * FROM lamindb_collection ORDER BY id", own));
  // Link rows by content: Python's INSERT OR IGNORE, issued twice, leaves gaps in the ids.
  for (const char* sql :
       {"SELECT collection_id, artifact_id, run_id, created_by_id FROM lamindb_collectionartifact "
        "ORDER BY id",
        "SELECT collection_id, run_id FROM lamindb_collection_input_of_runs ORDER BY id",
        "SELECT artifact_id, run_id FROM lamindb_artifact_input_of_runs ORDER BY id",
        "SELECT count(*) FROM lamindb_collection_recreating_runs"}) {
    EXPECT_EQ(Cells(ours(), sql), Cells(ref(), sql)) << sql;
  }
}

TEST_F(CollectionsTest, MembersKeepTheirOrderAndLoadAsAFolderOfLinks) {
  SaveParts();
  if (HasFatalFailure()) return;
  auto c = Make("ordered", {"parts/p3.csv", "parts/p1.csv", "parts/p3.csv", "parts/p2.csv"});
  auto members = cs().Members(c.collection);
  ASSERT_TRUE(members.ok());
  std::vector<std::string> keys;
  for (const auto& a : *members) keys.push_back(*a.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"parts/p3.csv", "parts/p1.csv", "parts/p2.csv"}));
  // The same members in another order are the same collection (a set's hash).
  EXPECT_TRUE(Make("other-key", {"parts/p1.csv", "parts/p2.csv", "parts/p3.csv"}).existed);
  fs::path into = scratch_.path() / "loaded";
  auto paths = cs().Load(c.collection, into);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  ASSERT_EQ(paths->size(), 3u);
  std::ifstream loaded(into / "parts" / "p1.csv");
  std::string text((std::istreambuf_iterator<char>(loaded)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "x,y\n1,a\n");
  EXPECT_TRUE(fs::is_symlink(into / "parts" / "p1.csv"));
  EXPECT_EQ(cs().Load(c.collection, into).status().code(), StatusCode::kAlreadyExists);
  // A hostile key cannot leave the folder: such a member is named by its uid.
  auto hostile = t_.inst->artifacts().Save({{t_.Write("h.txt", "h\n"), "../../escape.txt", {}}});
  if (hostile.ok()) {
    auto h = Make("hostile", {"../../escape.txt"});
    fs::path into2 = scratch_.path() / "loaded2";
    ASSERT_TRUE(cs().Load(h.collection, into2).ok());
    EXPECT_FALSE(fs::exists(scratch_.path() / "escape.txt"));
  }
}

TEST_F(CollectionsTest, AMemberCannotBeDeletedForGoodAndDeletingACollectionKeepsItsArtifacts) {
  SaveParts();
  if (HasFatalFailure()) return;
  auto v1 = Make("atlas", {"parts/p1.csv", "parts/p2.csv"});
  auto v2 = Make("atlas", {"parts/p1.csv", "parts/p2.csv", "parts/p3.csv"});
  EXPECT_TRUE(v2.new_version);
  auto refused = t_.inst->artifacts().Delete(ArtifactRef::ByKey("parts/p3.csv"), true);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("collection " + v2.collection.uid),
            std::string::npos)
      << refused.status().ToString();
  // To the trash: the previous version is the latest again.
  ASSERT_OK(cs().Delete(v2.collection, false));
  auto latest = cs().Get(CollectionRef::ByKey("atlas"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->uid, v1.collection.uid);
  EXPECT_TRUE(latest->is_latest);
  ASSERT_OK(cs().Delete(v2.collection, true));
  EXPECT_TRUE(t_.inst->artifacts().Get(ArtifactRef::ByKey("parts/p3.csv")).ok());
  ASSERT_TRUE(t_.inst->artifacts().Delete(ArtifactRef::ByKey("parts/p3.csv"), true).ok());
  // Bad input changes nothing.
  CollectionSpec bad;
  bad.key = "bad";
  bad.members = {ArtifactRef::ByKey("parts/p1.csv"), ArtifactRef::ByKey("nonesuch")};
  EXPECT_EQ(cs().Create(bad).status().code(), StatusCode::kNotFound);
  bad.members.clear();
  EXPECT_EQ(cs().Create(bad).status().code(), StatusCode::kInvalidArgument);
  auto list = cs().List({{{"key", "exact", "bad"}}, {}, std::nullopt});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  // Found by a member.
  auto holding = cs().List({{{"artifacts__key", "exact", "parts/p2.csv"}}, {}, std::nullopt});
  ASSERT_TRUE(holding.ok()) << holding.status().ToString();
  EXPECT_EQ(holding->size(), 1u);
}

}  // namespace
}  // namespace lamin
