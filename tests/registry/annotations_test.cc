// Labels, features, values and schemas: the calls of ../shared/reference/lamindb-2.6/annotations.md
// replayed through the C++ API, the rows compared column by column with those Python LaminDB 2.6
// wrote (skipped where the reference database is absent, and on PostgreSQL); queries by label and
// by value, failures that change nothing, deletes as Python's collector allows them.
#include <gtest/gtest.h>

#include "db/database.h"
#include "registry/labels.h"
#include "registry/reference_rows.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::Cells;
using testing::TestInstance;

int64_t Count(TestInstance& t, const std::string& sql) {
  auto db = t.RawDb();
  auto rows = db->Query(sql);
  if (!rows.ok() || rows->empty()) return -1;
  return db::AsInt(rows->rows[0][0]);
}

class AnnotationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    have_ref_ = !testing::OnPostgres() &&
                testing::ReferenceDatabase("annotations", scratch_.path() / "ref.db");
  }
  fs::path ref() const { return scratch_.path() / "ref.db"; }
  fs::path ours() const { return t_.managed() / "lamin.db"; }
  Annotations& an() { return t_.inst->annotations(); }

  Artifact Save(const std::string& name, const std::string& content, const std::string& key,
                Annotation annotation = {}) {
    SaveRequest r{t_.Write(name, content), key, std::nullopt};
    r.annotation = std::move(annotation);
    auto saved = t_.inst->artifacts().Save({r});
    EXPECT_TRUE(saved.ok()) << saved.status().ToString();
    return saved.ok() ? saved->saved.at(0).artifact : Artifact{};
  }
  void Label(const std::string& name, std::optional<std::string> type = {}, bool is_type = false,
             std::vector<std::string> parents = {}, std::optional<std::string> description = {},
             const std::string& registry = "ulabel") {
    LabelSpec spec;
    spec.registry = registry;
    spec.name = name;
    spec.type = type;
    spec.is_type = is_type;
    spec.parents = parents;
    spec.description = description;
    auto made = an().CreateLabel(spec);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }
  void Feature(const std::string& name, const std::string& dtype) {
    auto made = an().CreateFeature({name, dtype});
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }
  void Values(const std::string& key, std::vector<FeatureValue> values) {
    Annotation a;
    a.features = std::move(values);
    ASSERT_OK(an().Annotate(ArtifactRef::ByKey(key), a));
  }
  std::vector<std::string> Keys(const std::string& filter) {
    auto f = Filter::Parse(filter);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    auto found = t_.inst->artifacts().List({{*f}, {"key"}, std::nullopt});
    EXPECT_TRUE(found.ok()) << filter << ": " << found.status().ToString();
    std::vector<std::string> keys;
    if (found.ok()) {
      for (const auto& a : *found) keys.push_back(a.key.value_or(""));
    }
    return keys;
  }

  // The calls of annotations.md, steps 1.1 to 1.48, in order (references and a record's own
  // values are left out: lamin does not write them).
  void ReplayReferenceSteps() {
    Save("a1.txt", "artifact one\n", "data/a1.txt");
    Save("a2.txt", "artifact two\n", "data/a2.txt");
    Label("plain-label");
    Label("CellKind", std::nullopt, true);
    Label("T cell", "CellKind");
    Label("B cell", "CellKind");
    Label("lymphocyte", std::nullopt, false, {}, "parent label");
    Label("T cell", "CellKind", false, {"lymphocyte"});  // t_cell.parents.add(lymphocyte)
    for (auto [name, dtype] :
         std::vector<std::pair<std::string, std::string>>{{"score", "num"},
                                                          {"n_cells", "int"},
                                                          {"temperature", "float"},
                                                          {"donor", "str"},
                                                          {"is_control", "bool"},
                                                          {"collection_date", "date"},
                                                          {"measured_at", "datetime"},
                                                          {"config", "dict"},
                                                          {"cell_kind", "cat[ULabel[CellKind]]"},
                                                          {"any_label", "cat[ULabel]"},
                                                          {"tags", "list[str]"},
                                                          {"cell_kinds", "list[cat[ULabel]]"}}) {
      Feature(name, dtype);
    }
    ASSERT_OK(an().Annotate(ArtifactRef::ByKey("data/a1.txt"), {.ulabels = {"plain-label"}}));
    Values("data/a1.txt", {FeatureValue::Text("cell_kind", "T cell")});
    Values("data/a1.txt", {FeatureValue::Json("score", "37.5")});
    Values("data/a1.txt", {FeatureValue::Json("n_cells", "1000")});
    Values("data/a1.txt", {FeatureValue::Json("temperature", "37.0")});
    Values("data/a1.txt", {FeatureValue::Json("donor", "\"D-01\"")});
    Values("data/a1.txt", {FeatureValue::Json("is_control", "false")});
    Values("data/a1.txt", {FeatureValue::Text("collection_date", "2024-01-15")});
    Values("data/a1.txt", {FeatureValue::Text("measured_at", "2024-01-15 10:30:05")});
    Values("data/a1.txt", {FeatureValue::Json("config", R"({"b":[1,2],"a":1})")});
    Values("data/a1.txt", {FeatureValue::Text("cell_kind", "B cell")});
    Values("data/a1.txt", {FeatureValue::Text("any_label", "plain-label")});
    Values("data/a1.txt", {FeatureValue::Json("tags", R"(["x","y"])")});
    Values("data/a1.txt", {FeatureValue::Json("cell_kinds", R"(["T cell","B cell"])")});
    Values("data/a2.txt",
           {FeatureValue::Json("score", "37.5"), FeatureValue::Json("donor", "\"D-01\""),
            FeatureValue::Json("n_cells", "7"), FeatureValue::Json("is_control", "true")});
    ASSERT_OK(an().RemoveAnnotation(ArtifactRef::ByKey("data/a1.txt"), {.features = {"donor"}}));
    ASSERT_OK(
        an().RemoveAnnotation(ArtifactRef::ByKey("data/a1.txt"),
                              {.feature_values = {FeatureValue::Text("cell_kinds", "B cell")}}));
    ASSERT_OK(
        an().RemoveAnnotation(ArtifactRef::ByKey("data/a1.txt"), {.ulabels = {"plain-label"}}));
    Label("Project X", std::nullopt, false, {}, std::nullopt, "project");
    ASSERT_OK(an().Annotate(ArtifactRef::ByKey("data/a1.txt"), {.projects = {"Project X"}}));
    Label("Samples", std::nullopt, true, {}, std::nullopt, "record");
    Label("sample-1", "Samples", false, {}, std::nullopt, "record");
    ASSERT_OK(an().Annotate(ArtifactRef::ByKey("data/a1.txt"), {.records = {"sample-1"}}));
    auto schema = an().CreateSchema({"two-cols", {"n_cells", "donor"}});
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    Save("table.csv", "n_cells,donor\n3,D-01\n4,D-02\n", "data/table.csv", {.schema = "two-cols"});
  }

  testing::ScratchDir scratch_;
  TestInstance t_;
  bool have_ref_ = false;
};

TEST_F(AnnotationsTest, RowsAreThoseOfPythonForTheSameCalls) {
  ReplayReferenceSteps();
  if (HasFatalFailure()) return;
  if (!have_ref_) GTEST_SKIP() << "no reference databases in " << LAMIN_REFERENCE_DIR;
  t_.inst.reset();
  const std::set<std::string> own = {"uid", "created_at", "updated_at"};
  for (const char* table : {"lamindb_ulabel", "lamindb_ulabel_parents", "lamindb_project",
                            "lamindb_record", "lamindb_schemafeature"}) {
    const std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY id";
    EXPECT_EQ(Cells(ours(), sql, own), Cells(ref(), sql, own)) << table;
  }
  // Values: the exact JSON text and hash Python writes, the same rows shared.
  const std::set<std::string> when = {"created_at"};
  for (const char* table :
       {"lamindb_jsonvalue", "lamindb_artifactjsonvalue", "lamindb_artifactulabel",
        "lamindb_artifactproject", "lamindb_artifactrecord"}) {
    const std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY id";
    EXPECT_EQ(Cells(ours(), sql, when), Cells(ref(), sql, when)) << table;
  }
  // Features: every column; a categorical dtype names its type by the type's uid.
  const std::string features =
      "SELECT f.*, replace(f._dtype_str, (SELECT uid FROM lamindb_ulabel WHERE name = "
      "'CellKind'), '<CellKind>') AS dtype FROM lamindb_feature f ORDER BY id";
  const std::set<std::string> own_dtype = {"uid", "created_at", "updated_at", "_dtype_str"};
  EXPECT_EQ(Cells(ours(), features, own_dtype), Cells(ref(), features, own_dtype));
  // The schema (its hash depends on the features' uids: checked below with Python's uids) and
  // the table saved with it: schema_id and otype DataFrame, nothing else.
  const std::set<std::string> own_schema = {"uid", "created_at", "updated_at", "hash"};
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_schema", own_schema),
            Cells(ref(), "SELECT * FROM lamindb_schema", own_schema));
  const std::set<std::string> own_artifact = {"uid", "created_at", "updated_at"};
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_artifact ORDER BY id", own_artifact),
            Cells(ref(), "SELECT * FROM lamindb_artifact ORDER BY id", own_artifact));
}

TEST_F(AnnotationsTest, TheSchemaHashIsPythonsForPythonsFeatureUids) {
  // n_cells and donor of annotations.db; its schema row holds this hash.
  std::vector<registry::FeatureRow> members = {{2, "Ql7DFQVTbRem", "n_cells", "int", false},
                                               {4, "Yr53UP5PWzLY", "donor", "str", false}};
  EXPECT_EQ(registry::SchemaHash(members, {}, true, false, false), "UQPiUy6hzT10RuQ-VCpx4w");
  EXPECT_NE(registry::SchemaHash(members, {"Yr53UP5PWzLY"}, true, false, false),
            "UQPiUy6hzT10RuQ-VCpx4w");
  EXPECT_NE(registry::SchemaHash(members, {}, true, true, false),
            registry::SchemaHash({members[1], members[0]}, {}, true, true, false));
  EXPECT_EQ(registry::SchemaHash(members, {}, true, false, false),
            registry::SchemaHash({members[1], members[0]}, {}, true, false, false));
}

TEST_F(AnnotationsTest, ArtifactsAreFoundByLabelAndByValueOnEveryBackend) {
  ReplayReferenceSteps();
  if (HasFatalFailure()) return;
  using Found = std::vector<std::string>;
  EXPECT_EQ(Keys("projects__name=Project X"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("ulabels__name=T cell"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("score=37.5"), Found({"data/a1.txt", "data/a2.txt"}));
  EXPECT_EQ(Keys("score__gt=30"), Found({"data/a1.txt", "data/a2.txt"}));
  EXPECT_EQ(Keys("n_cells__gt=100"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("n_cells__lte=7"), Found({"data/a2.txt"}));
  // Numbers compare as numbers: 37 finds 37.0, 9 < 10 < 1000 (text would order "1000" < "9").
  EXPECT_EQ(Keys("temperature=37"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("n_cells__gt=9"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("n_cells__in=7,1000"), Found({"data/a1.txt", "data/a2.txt"}));
  EXPECT_EQ(Keys("donor=D-01"), Found({"data/a2.txt"}));  // removed from a1
  EXPECT_EQ(Keys("donor__isnull=true"), Found({"data/a1.txt", "data/table.csv"}));
  EXPECT_EQ(Keys("is_control=true"), Found({"data/a2.txt"}));
  EXPECT_EQ(Keys("collection_date__gte=2024-01-01"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("collection_date__gt=2024-01-15"), Found{});
  EXPECT_EQ(Keys("measured_at__lt=2024-01-15T11:00:00"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("measured_at__gt=2024-01-15"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("cell_kind=B cell"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("cell_kinds=B cell"), Found{});  // that value was removed
  EXPECT_EQ(Keys("cell_kind__in=X,T cell"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("tags__contains=x"), Found({"data/a1.txt"}));
  EXPECT_EQ(Keys("schema__name=two-cols"), Found({"data/table.csv"}));
  // A hostile value is a bound parameter like any other.
  EXPECT_EQ(Keys("donor=x' OR '1'='1"), Found{});
  auto bad = t_.inst->artifacts().List({{{"score", "gt", "hot"}}, {}, std::nullopt});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("not a number"), std::string::npos);
  auto unknown = t_.inst->artifacts().List({{{"nonesuch", "exact", "1"}}, {}, std::nullopt});
  EXPECT_NE(unknown.status().message().find("unknown field, relation or feature"),
            std::string::npos);
  // What describe shows.
  auto a1 = t_.inst->artifacts().Get(ArtifactRef::ByKey("data/a1.txt"));
  ASSERT_TRUE(a1.ok());
  auto shown = an().Of(*a1);
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  std::map<std::string, std::vector<std::string>> values;
  for (const auto& f : shown->features) values[f.feature] = f.values;
  EXPECT_EQ(values["cell_kind"], (std::vector<std::string>{"T cell", "B cell"}));
  // PostgreSQL's jsonb keeps keys sorted (equality there is semantic); SQLite keeps Python's text.
  EXPECT_EQ(values["config"],
            (std::vector<std::string>{testing::OnPostgres() ? R"({"a": 1, "b": [1, 2]})"
                                                            : R"({"b": [1, 2], "a": 1})"}));
  EXPECT_EQ(values["measured_at"], (std::vector<std::string>{"2024-01-15T10:30:05"}));
  EXPECT_EQ(values.count("donor"), 0u);
}

TEST_F(AnnotationsTest, ABadAnnotationNamesEveryProblemAndChangesNothing) {
  Save("a1.txt", "artifact one\n", "data/a1.txt");
  Feature("score", "num");
  Feature("kind", "cat[ULabel]");
  Label("known");
  const std::string tables =
      "SELECT (SELECT count(*) FROM lamindb_jsonvalue) + (SELECT count(*) FROM "
      "lamindb_artifactjsonvalue) + (SELECT count(*) FROM lamindb_artifactulabel)";
  Annotation bad;
  bad.ulabels = {"known"};
  bad.features = {FeatureValue::Text("score", "hot"), FeatureValue::Text("kind", "unknown"),
                  FeatureValue::Text("nonesuch", "1"), FeatureValue::Json("score", "\"37\"")};
  Status s = an().Annotate(ArtifactRef::ByKey("data/a1.txt"), bad);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  for (const char* part : {"'score' (num): \"hot\" is not a number", "no ULabel named \"unknown\"",
                           "registered: known", "unknown feature 'nonesuch'",
                           "lamin create feature nonesuch", "4 problems"}) {
    EXPECT_NE(s.message().find(part), std::string::npos) << part << " in " << s.message();
  }
  EXPECT_EQ(Count(t_, tables), 0);
  // A save with a bad annotation writes no row and no object.
  SaveRequest r{t_.Write("b.txt", "b\n"), "data/b.txt", std::nullopt};
  r.annotation.features = {FeatureValue::Text("score", "hot")};
  auto saved = t_.inst->artifacts().Save({r});
  EXPECT_EQ(saved.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(t_, "SELECT count(*) FROM lamindb_artifact"), 1);
  EXPECT_EQ(Count(t_, tables), 0);
  EXPECT_EQ(t_.ObjectNames().size(), 1u);
  // A feature that exists with another dtype is not made again.
  auto again = an().CreateFeature({"score", "int"});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto same = an().CreateFeature({"score", "num"});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->existed);
  EXPECT_EQ(an().CreateFeature({"x", "list[dict]"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(an().CreateFeature({"x", "cat[Gene]"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(an().CreateLabel({.name = "bad\nname"}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AnnotationsTest, ATableIsValidatedColumnByColumnAndItsLabelsLinkedWithTheColumn) {
  Feature("n_cells", "int");
  Feature("cell_type", "cat[ULabel]");
  Feature("temperature", "float");
  Label("T cell");
  Label("B cell");
  ASSERT_TRUE(an().CreateSchema({"cells", {"n_cells", "cell_type"}, {"temperature"}}).ok());
  fs::path bad = t_.Write("bad.csv",
                          "n_cells,cell_type,temperature\n3,T cell,36.6\nmany,NK cell,warm\n"
                          "\"4\",\"B cell\",\n");
  SaveRequest r{bad, "tables/cells.csv", std::nullopt};
  r.annotation.schema = "cells";
  auto refused = t_.inst->artifacts().Save({r});
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = refused.status().message();
  for (const char* part :
       {"column 'n_cells' (int): 1 value is not of the dtype (line 3: \"many\")",
        "no ULabel named \"NK cell\"", "column 'temperature' (float): 1 value"}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " in " << m;
  }
  EXPECT_EQ(Count(t_, "SELECT count(*) FROM lamindb_artifact"), 0);
  EXPECT_EQ(t_.ObjectNames().size(), 0u);
  fs::path missing = t_.Write("missing.tsv", "cell_type\nT cell\n");
  SaveRequest m2{missing, std::nullopt, std::nullopt};
  m2.annotation.schema = "cells";
  auto lacking = t_.inst->artifacts().Save({m2});
  EXPECT_NE(lacking.status().message().find("requires column 'n_cells'"), std::string::npos)
      << lacking.status().ToString();
  fs::path good = t_.Write("good.csv", "n_cells,cell_type\n3,T cell\n4,B cell\n5,T cell\n");
  SaveRequest ok{good, "tables/cells.csv", std::nullopt};
  ok.annotation.schema = "cells";
  auto saved = t_.inst->artifacts().Save({ok});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->saved[0].artifact.otype.value_or(""), "DataFrame");
  EXPECT_EQ(Count(t_,
                  "SELECT count(*) FROM lamindb_artifactulabel WHERE feature_id = (SELECT id "
                  "FROM lamindb_feature WHERE name = 'cell_type')"),
            2);
  EXPECT_EQ(Keys("cell_type=B cell"), std::vector<std::string>{"tables/cells.csv"});
  EXPECT_EQ(Keys("schema__name=cells"), std::vector<std::string>{"tables/cells.csv"});
  // Values given with a schema for a file that is not a table: the schema's required features.
  SaveRequest txt{t_.Write("n.txt", "n\n"), std::nullopt, std::nullopt};
  txt.annotation.schema = "cells";
  txt.annotation.features = {FeatureValue::Text("n_cells", "3")};
  auto partial = t_.inst->artifacts().Save({txt});
  EXPECT_NE(partial.status().message().find("requires feature 'cell_type'"), std::string::npos)
      << partial.status().ToString();
}

TEST_F(AnnotationsTest, LabelsFeaturesAndSchemasInUseAreNotDeletedAndSharedValuesStay) {
  ReplayReferenceSteps();
  if (HasFatalFailure()) return;
  auto refused = an().DeleteForGood("ulabel", {.name = "T cell"});
  ASSERT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("lamindb_artifactulabel (ulabel_id): 2 rows"), std::string::npos)
      << refused.ToString();
  auto type = an().DeleteForGood("ulabel", {.name = "CellKind"});
  EXPECT_NE(type.message().find("lamindb_ulabel (type_id): 2 rows"), std::string::npos)
      << type.ToString();
  auto feature = an().DeleteForGood("feature", {.name = "n_cells"});
  EXPECT_NE(feature.message().find("lamindb_schemafeature"), std::string::npos)
      << feature.ToString();
  EXPECT_NE(feature.message().find("lamindb_artifactjsonvalue (jsonvalue_id)"), std::string::npos)
      << feature.ToString();
  auto schema = an().DeleteForGood("schema", {.name = "two-cols"});
  EXPECT_NE(schema.message().find("lamindb_artifact (schema_id): 1 row"), std::string::npos)
      << schema.ToString();
  // A label nothing uses goes, with its parent links.
  ASSERT_OK(an().DeleteForGood("ulabel", {.name = "lymphocyte"}));
  EXPECT_EQ(Count(t_, "SELECT count(*) FROM lamindb_ulabel_parents"), 0);
  // A permanent artifact delete removes its links and keeps value rows a2 shares.
  const int64_t values = Count(t_, "SELECT count(*) FROM lamindb_jsonvalue");
  ASSERT_TRUE(t_.inst->artifacts().Delete(ArtifactRef::ByKey("data/a1.txt"), true).ok());
  EXPECT_EQ(Count(t_, "SELECT count(*) FROM lamindb_jsonvalue"), values);
  EXPECT_EQ(Count(t_, "SELECT count(*) FROM lamindb_artifactulabel"), 0);
  EXPECT_EQ(Count(t_, "SELECT count(*) FROM lamindb_artifactjsonvalue WHERE artifact_id = 1"), 0);
  EXPECT_EQ(Keys("score=37.5"), std::vector<std::string>{"data/a2.txt"});
  // Now T cell is unused: it goes.
  ASSERT_OK(an().DeleteForGood("ulabel", {.name = "T cell"}));
  // A feature whose values nothing links goes with its values.
  ASSERT_OK(an().DeleteForGood("feature", {.name = "config"}));
  EXPECT_EQ(
      Count(t_, "SELECT count(*) FROM lamindb_jsonvalue WHERE CAST(value AS TEXT) LIKE '%\"b\"%'"),
      0);
}

}  // namespace
}  // namespace lamin
