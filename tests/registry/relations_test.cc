// Queries across relations (Django paths) on every registry: on rows planted in an instance of
// the backend under test, and on copies of the databases the real Python LaminDB 2.6 wrote
// (skipped where absent), where the answers are known from the calls that made them.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "instance/settings.h"
#include "test_util.h"
#include "util/encoding.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::TestInstance;
using V = std::vector<std::string>;

V Keys(Instance& inst, const std::vector<std::string>& filters) {
  Query q;
  for (const auto& f : filters) q.filters.push_back(Filter::Parse(f).value());
  q.order_by = {"key", "uid"};
  auto rows = inst.artifacts().List(q);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  V out;
  if (rows.ok()) {
    for (const auto& a : *rows) out.push_back(a.key.value_or("-"));
  }
  return out;
}

V Field(Instance& inst, const std::string& registry, const std::vector<std::string>& filters,
        const std::string& field) {
  Query q;
  for (const auto& f : filters) q.filters.push_back(Filter::Parse(f).value());
  q.order_by = {field, "id"};
  auto rows = inst.records().List(registry, q);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  V out;
  if (rows.ok()) {
    for (const auto& r : *rows) out.push_back(r.Text(field).value_or("-"));
  }
  return out;
}

TEST(Relations, PathsAcrossForeignKeysLinksAndReverseRelations) {
  TestInstance t;
  auto saved = t.inst->artifacts().Save({{t.Write("a.txt", "a"), "a.txt", std::nullopt},
                                         {t.Write("b.txt", "b"), "b.txt", std::nullopt},
                                         {t.Write("c.txt", "c"), "c.txt", std::nullopt}});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  auto db = t.RawDb();
  auto exec = [&](const std::string& sql) {
    Status s = db->ExecuteScript(sql);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << sql;
  };
  // Two labels on a.txt (one twice, under two features), one on b.txt; a transform and a run
  // that made c.txt and read a.txt.
  exec(
      "INSERT INTO lamindb_ulabel (uid, name, is_type, is_locked, branch_id, created_on_id, "
      "space_id, created_by_id) VALUES ('lbl00001', 'T cell', FALSE, FALSE, 1, 1, 1, 1), "
      "('lbl00002', 'B cell', FALSE, FALSE, 1, 1, 1, 1);"
      "INSERT INTO lamindb_feature (uid, name, _dtype_str, is_type, is_locked, branch_id, "
      "created_on_id, space_id, created_by_id, nullable, coerce, array_rank, array_size) VALUES "
      "('feat00000001', 'cell_type', 'cat[ULabel]', FALSE, FALSE, 1, 1, 1, 1, TRUE, FALSE, 0, 0), "
      "('feat00000002', 'other', 'cat[ULabel]', FALSE, FALSE, 1, 1, 1, 1, TRUE, FALSE, 0, 0);"
      "INSERT INTO lamindb_artifactulabel (artifact_id, ulabel_id, feature_id, created_by_id) "
      "VALUES (1, 1, 1, 1), (1, 1, 2, 1), (1, 2, NULL, 1), (2, 2, NULL, 1);"
      "INSERT INTO lamindb_transform (uid, key, kind, is_latest, is_locked, branch_id, "
      "created_on_id, space_id, created_by_id) VALUES ('trnsfrm000000000', 'pipe.py', "
      "'script', TRUE, FALSE, 1, 1, 1, 1);"
      "INSERT INTO lamindb_run (uid, transform_id, is_locked, branch_id, created_on_id, "
      "space_id, created_by_id, _status_code, _is_consecutive) VALUES ('run0000000000000', 1, "
      "FALSE, 1, 1, 1, 1, 0, TRUE);"
      "UPDATE lamindb_artifact SET run_id = 1 WHERE key = 'c.txt';"
      "INSERT INTO lamindb_artifact_input_of_runs (artifact_id, run_id) VALUES (1, 1);");
  Instance& inst = *t.inst;
  EXPECT_EQ(Keys(inst, {"ulabels__name=T cell"}), V({"a.txt"})) << "once, although linked twice";
  EXPECT_EQ(Keys(inst, {"ulabels__name=B cell"}), V({"a.txt", "b.txt"}));
  EXPECT_EQ(Keys(inst, {"ulabels__name__startswith=T", "ulabels__name=B cell"}), V({"a.txt"}));
  EXPECT_EQ(Keys(inst, {"ulabels__isnull=true"}), V({"c.txt"}));
  EXPECT_EQ(Keys(inst, {"run__transform__key=pipe.py"}), V({"c.txt"}));
  EXPECT_EQ(Keys(inst, {"run__isnull=true"}), V({"a.txt", "b.txt"}));
  EXPECT_EQ(Keys(inst, {"run__transform__key__isnull=true"}), V({"a.txt", "b.txt"}))
      << "isnull across a relation also holds without a related row, as in Django";
  EXPECT_EQ(Keys(inst, {"input_of_runs__uid=run0000000000000"}), V({"a.txt"}));
  EXPECT_EQ(Keys(inst, {"created_by__handle=anonymous"}), V({"a.txt", "b.txt", "c.txt"}));
  EXPECT_EQ(Keys(inst, {"storage__root=" + t.storage().string()}).size(),
            t.s3_root.empty() ? 3u : 0u);
  EXPECT_EQ(Keys(inst, {"ulabels=2"}), V({"a.txt", "b.txt"})) << "a relation compares ids";
  // The other directions, on other registries.
  EXPECT_EQ(Field(inst, "ulabel", {"artifacts__key=a.txt"}, "name"), V({"B cell", "T cell"}));
  EXPECT_EQ(Field(inst, "run", {"input_artifacts__key=a.txt"}, "uid"), V({"run0000000000000"}));
  EXPECT_EQ(Field(inst, "run", {"output_artifacts__key=c.txt"}, "uid"), V({"run0000000000000"}));
  EXPECT_EQ(Field(inst, "transform", {"runs__output_artifacts__key=c.txt"}, "key"), V({"pipe.py"}));
  EXPECT_EQ(Field(inst, "user", {"created_artifacts__key=b.txt"}, "handle"), V({"anonymous"}));
  EXPECT_EQ(Field(inst, "feature", {"_dtype_str=cat[ULabel]"}, "name"), V({"cell_type", "other"}));
  // Hostile values stay values across relations too.
  EXPECT_EQ(Keys(inst, {"ulabels__name=x' OR '1'='1"}), V());
}

// A copy of a database Python LaminDB 2.6 wrote, opened as an instance of its own.
std::unique_ptr<Instance> OpenReference(const testing::ScratchDir& dir, const std::string& name) {
  fs::path root = dir.path() / name;
  fs::create_directories(root / ".lamindb");
  fs::path db = root / ".lamindb" / "lamin.db";
  if (!testing::ReferenceDatabase(name, db)) return nullptr;
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_exec(h, ("UPDATE lamindb_storage SET root = '" + root.string() + "' WHERE id = 1").c_str(),
               nullptr, nullptr, nullptr);
  sqlite3_close(h);
  instance::InstanceSettings settings;
  settings.owner = "anonymous";
  settings.name = name;
  settings.storage_root = root.string();
  settings.id = util::Uuid5UrlHex(settings.slug());
  OpenOptions options;
  options.env.settings_parent = dir.path() / "settings";
  if (!instance::WriteInstanceSettings(options.env, settings, true).ok()) return nullptr;
  auto inst = Instance::OpenCurrent(options);
  return inst.ok() ? std::move(*inst) : nullptr;
}

class PythonMadeRelations : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::OnPostgres()) GTEST_SKIP() << "the reference databases are SQLite";
    if (!fs::exists(fs::path(LAMIN_REFERENCE_DIR) / "lineage.db.gz")) {
      GTEST_SKIP() << "no reference databases in " << LAMIN_REFERENCE_DIR;
    }
  }
  testing::ScratchDir dir_;
};

TEST_F(PythonMadeRelations, Annotations) {
  auto inst = OpenReference(dir_, "annotations");
  ASSERT_TRUE(inst);
  // data/a1.txt carries "T cell" under two features: it is listed once.
  EXPECT_EQ(Keys(*inst, {"ulabels__name=T cell"}), V({"data/a1.txt"}));
  EXPECT_EQ(Keys(*inst, {"ulabels__type__name=CellKind"}), V({"data/a1.txt"}));
  EXPECT_EQ(Field(*inst, "ulabel", {"artifacts__key=data/a1.txt"}, "name"), V({"B cell", "T cell"}));
  EXPECT_EQ(Field(*inst, "ulabel", {"type__name=CellKind"}, "name"), V({"B cell", "T cell"}));
  EXPECT_EQ(Field(*inst, "ulabel", {"is_type=true"}, "name"), V({"CellKind"}));
}

TEST_F(PythonMadeRelations, Lineage) {
  auto inst = OpenReference(dir_, "lineage");
  ASSERT_TRUE(inst);
  auto runs = Field(*inst, "run", {"input_artifacts__key=inputs/table.csv"}, "uid");
  EXPECT_EQ(runs, V({"whEd0NJfcjRaTKS6"}));
  EXPECT_EQ(Keys(*inst, {"input_of_runs__uid=7aL3HqsRblMVb58P"}), V({"inputs/input.txt"}));
  EXPECT_EQ(Keys(*inst, {"run__transform__key=pipeline.py"}),
            V({"outputs/out1.txt", "outputs/out1.txt", "outputs/out2.txt"}));
  EXPECT_EQ(Field(*inst, "transform", {"runs__uid=whEd0NJfcjRaTKS6"}, "uid"), V({"iEUyKt680Y6l0001"}));
  EXPECT_EQ(Field(*inst, "transform", {"kind=pipeline"}, "key"), V({"my-pipeline"}));
  auto one = inst->records().Get("transform", {.uid = std::string("iEUyKt680Y6l")});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->Text("uid").value(), "iEUyKt680Y6l0001") << "a family's uid names its latest";
  auto by_key = inst->records().Get("transform", {.key = std::string("pipeline.py")});
  ASSERT_TRUE(by_key.ok()) << by_key.status().ToString();
  EXPECT_EQ(by_key->Text("uid").value(), "iEUyKt680Y6l0001");
}

TEST_F(PythonMadeRelations, Collections) {
  auto inst = OpenReference(dir_, "collections");
  ASSERT_TRUE(inst);
  EXPECT_EQ(Keys(*inst, {"collections__key__startswith=my-"}),
            V({"parts/p1.csv", "parts/p2.csv", "parts/p3.csv"}))
      << "each once, though in two versions of the collection";
  EXPECT_EQ(Field(*inst, "collection", {"artifacts__key=parts/p3.csv"}, "key"),
            V({"my-collection", "run-collection"}));
  auto latest = inst->records().Get("collection", {.key = std::string("my-collection")});
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->Text("uid").value(), "4rIniqQXmWhaQauY0001");
}

}  // namespace
}  // namespace lamin
