// Lineage: transforms versioned by their source, runs, a run's outputs, inputs and report, with
// the rows compared column by column to those Python LaminDB 2.6 wrote for the same calls
// (../shared/reference/lamindb-2.6/lineage.md, phases 2-4; the comparisons skipped where the
// reference databases are absent, and on PostgreSQL).
#include <gtest/gtest.h>

#include "db/database.h"
#include "registry/reference_rows.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::Cells;
using testing::Fraction;
using testing::TestInstance;

// The value of the single column of the single row of `sql`.
std::string Value(const fs::path& db, const std::string& sql) {
  auto rows = Cells(db, sql);
  if (rows.size() != 1 || rows[0].size() != 1) return "<no single value>";
  const std::string& cell = rows[0][0];
  return cell.substr(cell.find(':') + 1);
}

int64_t Count(db::Database& db, const std::string& sql) {
  auto rows = db.Query(sql);
  if (!rows.ok() || rows->empty()) return -1;
  return db::AsInt(rows->rows[0][0]);
}

class LineageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    have_ref_ = !testing::OnPostgres() &&
                testing::ReferenceDatabase("lineage", scratch_.path() / "ref.db");
    if (have_ref_) {
      v1_ = Value(ref(), "SELECT source_code FROM lamindb_transform WHERE id = 1");
      v2_ = Value(ref(), "SELECT source_code FROM lamindb_transform WHERE id = 2");
    } else {
      v1_ = "import lamindb as ln\nln.track()\n";
      v2_ = "import lamindb as ln\nln.track()\nprint(1)\n";
    }
  }
  fs::path ref() const { return scratch_.path() / "ref.db"; }
  fs::path ours() const { return t_.managed() / "lamin.db"; }
  Lineage& lineage() { return t_.inst->lineage(); }

  Transform Script(const std::string& source) {
    auto made = lineage().SaveTransform({"pipeline.py", "script", source, std::nullopt});
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : Transform{};
  }
  lamin::Run Start(const Transform& t, const std::string& params) {
    auto run = lineage().StartRun(t, {params, std::nullopt, std::nullopt, std::nullopt});
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : lamin::Run{};
  }
  Artifact SaveIn(const lamin::Run& run, const std::string& name, const std::string& content,
                  const std::string& key, std::optional<std::string> description = {}) {
    SaveOptions options;
    options.run_id = run.id;
    auto saved = t_.inst->artifacts().Save({{t_.Write(name, content), key, description}}, options);
    EXPECT_TRUE(saved.ok()) << saved.status().ToString();
    return saved.ok() ? saved->saved.at(0).artifact : Artifact{};
  }

  testing::ScratchDir scratch_;
  TestInstance t_;
  bool have_ref_ = false;
  std::string v1_, v2_;
};

TEST_F(LineageTest, AScriptIsOneTransformPerSourceTextAndAnEditIsItsNextVersion) {
  Transform first = Script(v1_);
  EXPECT_EQ(first.uid.size(), 16u);
  EXPECT_EQ(first.uid.substr(12), "0000");
  EXPECT_EQ(Script(v1_).id, first.id);  // the unchanged file: the same transform
  Transform edited = Script(v2_);
  EXPECT_NE(edited.id, first.id);
  EXPECT_EQ(edited.uid, first.uid.substr(0, 12) + "0001");
  EXPECT_TRUE(edited.is_latest);
  EXPECT_FALSE(lineage().GetTransform(first.id)->is_latest);
  // Edited back: the first version again, not a third.
  EXPECT_EQ(Script(v1_).id, first.id);
  if (!have_ref_) GTEST_SKIP() << "no reference databases in " << LAMIN_REFERENCE_DIR;
  t_.inst.reset();
  // Every column as Python writes it, the source hash included (md5 of the text's bytes).
  const std::set<std::string> own = {"id", "uid", "created_at", "updated_at"};
  for (int id : {1, 2}) {
    const std::string sql = "SELECT * FROM lamindb_transform WHERE id = " + std::to_string(id);
    EXPECT_EQ(Cells(ours(), sql, own), Cells(ref(), sql, own)) << sql;
  }
}

TEST_F(LineageTest, ARunsRowsFromStartToFinishAreThoseOfPythonsTrackAndFinish) {
  Transform script = Script(v1_);
  RunSpec spec;
  spec.params = R"({"n":3,"mode":"fast"})";
  spec.environment = t_.Write("requirements.txt", "lamindb==2.6.0\n");
  auto started = lineage().StartRun(script, spec);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  lamin::Run run = *started;
  ASSERT_TRUE(run.environment_id);
  EXPECT_EQ(run.uid.size(), 16u);
  EXPECT_EQ(run.status, RunStatus::kStarted);
  EXPECT_EQ(run.params.value_or(""), R"({"n": 3, "mode": "fast"})");  // json.dumps's spacing
  EXPECT_FALSE(run.finished_at);
  fs::path log = t_.Write("run.txt", "run uid " + run.uid + "\n");
  auto done = lineage().FinishRun(run, RunStatus::kCompleted, log);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, RunStatus::kCompleted);
  ASSERT_TRUE(done->report_id);
  auto reports = t_.inst->artifacts().List(
      {{{"id", "exact", std::to_string(*done->report_id)}}, {}, std::nullopt});
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 1u);
  const Artifact* report = &(*reports)[0];
  EXPECT_EQ(report->description.value_or(""), "log streams of run " + run.uid);
  EXPECT_FALSE(report->run_id);  // the log is not an output of the run
  if (!have_ref_) GTEST_SKIP() << "no reference databases in " << LAMIN_REFERENCE_DIR;
  t_.inst.reset();
  const std::set<std::string> own = {"id",         "uid",        "started_at", "finished_at",
                                     "created_at", "updated_at", "report_id",  "environment_id"};
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_run", own),
            Cells(ref(), "SELECT * FROM lamindb_run WHERE id = 1", own));
  // finished_at is written by the process with microseconds; started_at by the database.
  EXPECT_EQ(Fraction(Value(ours(), "SELECT finished_at FROM lamindb_run")).size(), 6u);
  EXPECT_EQ(Fraction(Value(ours(), "SELECT started_at FROM lamindb_run")).size(), 3u);
  std::set<std::string> own_log = {"id", "uid", "description", "size", "hash",
                                   "created_at", "updated_at"};
  if (testing::OnS3()) own_log.insert("storage_id");  // the location the test registered
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_artifact WHERE description LIKE 'log streams%'",
                  own_log),
            Cells(ref(), "SELECT * FROM lamindb_artifact WHERE id = 6", own_log));
  // The environment as Python's pip-freeze artifact: requirements.txt, no key, no run.
  std::set<std::string> own_env = {"id", "uid", "size", "hash", "created_at", "updated_at"};
  if (testing::OnS3()) own_env.insert("storage_id");
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_artifact WHERE description = 'requirements.txt'",
                  own_env),
            Cells(ref(), "SELECT * FROM lamindb_artifact WHERE id = 3", own_env));
}

TEST_F(LineageTest, OutputsInputsAndRecreatingRunsAreLinkedOnceAsPythonLinksThem) {
  Transform script = Script(v1_);
  lamin::Run run1 = Start(script, R"({"n": 3})");
  Artifact out1 = SaveIn(run1, "out1.txt", "ALPHA\n", "outputs/out1.txt", "uppercased");
  EXPECT_EQ(out1.run_id, run1.id);
  // Run 2 makes the same bytes: the artifact stays run 1's, run 2 recreated it (once).
  lamin::Run run2 = Start(script, R"({"n": 3})");
  Artifact again = SaveIn(run2, "again.txt", "ALPHA\n", "outputs/out1.txt", "uppercased");
  EXPECT_EQ(again.id, out1.id);
  EXPECT_EQ(again.run_id, run1.id);
  SaveIn(run2, "again2.txt", "ALPHA\n", "outputs/out1.txt", "uppercased");
  // Inputs: once per run, and never a run's own output.
  ASSERT_TRUE(lineage().RecordInput(run2, out1).ok());
  ASSERT_TRUE(lineage().RecordInput(run2, out1).ok());
  ASSERT_TRUE(lineage().RecordInput(run1, out1).ok());
  auto of = lineage().OfArtifact(out1);
  ASSERT_TRUE(of.ok()) << of.status().ToString();
  ASSERT_TRUE(of->run && of->transform);
  EXPECT_EQ(of->run->uid, run1.uid);
  EXPECT_EQ(of->transform->id, script.id);
  ASSERT_EQ(of->read_by.size(), 1u);
  EXPECT_EQ(of->read_by[0].uid, run2.uid);
  ASSERT_EQ(of->recreated_by.size(), 1u);
  EXPECT_EQ(of->recreated_by[0].uid, run2.uid);
  auto db = t_.RawDb();
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_artifact_recreating_runs WHERE run_id = " +
                           std::to_string(run2.id)),
            1);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_artifact_input_of_runs"), 1);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_artifact_input_of_runs WHERE run_id = " +
                           std::to_string(run2.id)),
            1);
  // Queries follow the links both ways.
  auto read_by_2 = t_.inst->artifacts().List(
      {{{"input_of_runs__uid", "exact", run2.uid}}, {}, std::nullopt});
  ASSERT_TRUE(read_by_2.ok()) << read_by_2.status().ToString();
  ASSERT_EQ(read_by_2->size(), 1u);
  EXPECT_EQ((*read_by_2)[0].id, out1.id);
  if (!have_ref_) return;
  db.reset();
  t_.inst.reset();
  std::set<std::string> own = {"id", "uid", "size", "hash", "run_id", "created_at", "updated_at"};
  if (testing::OnS3()) own.insert("storage_id");
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_artifact WHERE key = 'outputs/out1.txt'", own),
            Cells(ref(), "SELECT * FROM lamindb_artifact WHERE id = 8", own));  // the latest
}

// raw -> run1 -> mid -> run2 -> {final, scrap}: the graph follows each direction to the depth
// asked, each node and edge once, without what is in the trash.
TEST_F(LineageTest, TheGraphFollowsRunsUpAndDownToTheDepthAskedWithoutTheTrash) {
  auto raw = t_.inst->artifacts().Save({{t_.Write("raw.txt", "raw\n"), "raw.txt", {}}}, {});
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  Artifact raw_a = raw->saved.at(0).artifact;
  Transform script = Script(v1_);
  lamin::Run run1 = Start(script, "{}");
  ASSERT_TRUE(lineage().RecordInput(run1, raw_a).ok());
  Artifact mid = SaveIn(run1, "mid.txt", "mid\n", "mid.txt");
  lamin::Run run2 = Start(script, "{}");
  ASSERT_TRUE(lineage().RecordInput(run2, mid).ok());
  Artifact final_a = SaveIn(run2, "final.txt", "final\n", "final.txt");
  Artifact scrap = SaveIn(run2, "scrap.txt", "scrap\n", "scrap.txt");
  ASSERT_TRUE(t_.inst->artifacts().Delete(ArtifactRef::ByUid(scrap.uid), false).ok());

  auto ids = [](const LineageGraph& g) {
    std::set<std::string> out;
    for (const auto& n : g.nodes) out.insert(n.id);
    return out;
  };
  auto all = lineage().Graph(mid, {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->root, "artifact_" + mid.uid);
  EXPECT_EQ(all->nodes.at(0).id, all->root);
  EXPECT_EQ(ids(*all), (std::set<std::string>{"artifact_" + raw_a.uid, "run_" + run1.uid,
                                              "artifact_" + mid.uid, "run_" + run2.uid,
                                              "artifact_" + final_a.uid}));
  EXPECT_EQ(all->edges.size(), 4u);
  for (const auto& n : all->nodes) {
    if (n.kind != LineageNode::Kind::kRun) continue;
    EXPECT_EQ(n.label, "pipeline.py");
    EXPECT_EQ(n.distance, n.uid == run1.uid ? -1 : 1);
  }
  auto up = lineage().Graph(final_a, {LineageDirection::kUpstream, 1});
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(ids(*up), (std::set<std::string>{"artifact_" + final_a.uid, "run_" + run2.uid,
                                             "artifact_" + mid.uid}));
  auto up_all = lineage().Graph(final_a, {LineageDirection::kUpstream, 0});
  EXPECT_EQ(up_all->nodes.size(), 5u);
  auto down = lineage().Graph(raw_a, {LineageDirection::kDownstream, 0});
  EXPECT_EQ(down->nodes.size(), 5u);
  auto none = lineage().Graph(raw_a, {LineageDirection::kUpstream, 0});
  EXPECT_EQ(none->nodes.size(), 1u);
  EXPECT_TRUE(none->edges.empty());
  EXPECT_EQ(lineage().Graph(raw_a, {LineageDirection::kBoth, -1}).status().code(),
            StatusCode::kInvalidArgument);
  auto outputs = lineage().OutputsOf(run2);
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 1u);
  EXPECT_EQ(outputs->at(0).uid, final_a.uid);
  EXPECT_EQ(lineage().InputsOf(run2)->at(0).uid, mid.uid);
}

TEST_F(LineageTest, ARunScopeEndsItsRunOnEveryPath) {
  std::string uid;
  {
    auto scope = RunScope::Start(lineage(), {"scoped.cc", "script", "int main() {}\n", {}});
    ASSERT_TRUE(scope.ok()) << scope.status().ToString();
    uid = scope->run().uid;
    EXPECT_EQ(scope->run().status, RunStatus::kStarted);
    auto saved = t_.inst->artifacts().Save({{t_.Write("o.txt", "o"), "o.txt", {}}},
                                           scope->Outputs());
    ASSERT_TRUE(saved.ok());
    EXPECT_EQ(saved->saved.at(0).artifact.run_id, scope->run().id);
    auto ended = scope->End(RunStatus::kCompleted);
    ASSERT_TRUE(ended.ok());
    EXPECT_EQ(ended->status, RunStatus::kCompleted);
    EXPECT_EQ(scope->End(RunStatus::kErrored)->status, RunStatus::kCompleted);  // once
  }
  EXPECT_EQ(lineage().GetRun(uid)->status, RunStatus::kCompleted);
  {
    auto scope = RunScope::Start(lineage(), {"scoped.cc", "script", "int main() {}\n", {}});
    ASSERT_TRUE(scope.ok());
    EXPECT_EQ(scope->transform().uid.substr(12), "0000");  // the same source: the same transform
    uid = scope->run().uid;
    RunScope moved = std::move(*scope);  // the moved-from scope ends nothing
  }  // left without End(): errored
  EXPECT_EQ(lineage().GetRun(uid)->status, RunStatus::kErrored);
  EXPECT_TRUE(lineage().GetRun(uid)->finished_at.has_value());
  auto db = t_.RawDb();
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamin_intent"), 0);
}

// Deletes as Python's collector: a run with outputs is protected; a run's links, children and
// log go with it; a transform takes its runs and hands is_latest to its previous version.
TEST_F(LineageTest, DeletesOfRunsAndTransformsFollowPythonsCascadeAndProtect) {
  Transform v1 = Script(v1_);
  lamin::Run maker = Start(v1, "{}");
  Artifact out = SaveIn(maker, "out.txt", "made\n", "out.txt");
  EXPECT_EQ(lineage().DeleteRun(maker).code(), StatusCode::kInvalidArgument);
  lamin::Run reader = Start(v1, "{}");
  ASSERT_TRUE(lineage().RecordInput(reader, out).ok());
  RunSpec child_spec;
  child_spec.initiated_by_run_id = reader.id;
  auto child = lineage().StartRun(v1, child_spec);
  ASSERT_TRUE(child.ok());
  auto ended = lineage().FinishRun(reader, RunStatus::kCompleted, t_.Write("log.txt", "log\n"));
  ASSERT_TRUE(ended.ok());
  ASSERT_TRUE(lineage().DeleteRun(*ended).ok());
  EXPECT_TRUE(lineage().GetRun(reader.uid).status().IsNotFound());
  EXPECT_TRUE(lineage().GetRun(child->uid).status().IsNotFound());  // initiated by it
  auto db = t_.RawDb();
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_artifact_input_of_runs"), 0);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_artifact WHERE kind = '__lamindb_run__'"), 0);
  // The leases of the deleted runs went with them; the maker's (still started) stays.
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamin_intent"), 1);
  EXPECT_TRUE(t_.inst->artifacts().Get(ArtifactRef::ByKey("out.txt")).ok());
  // A transform with a run that made something is protected as a whole.
  Transform v2 = Script(v2_);
  EXPECT_EQ(lineage().DeleteTransform(v1).code(), StatusCode::kInvalidArgument);
  Start(v2, "{}");
  ASSERT_TRUE(lineage().DeleteTransform(v2).ok());
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_transform"), 1);
  EXPECT_TRUE(lineage().GetTransform(v1.id)->is_latest);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_run"), 1);
}

TEST_F(LineageTest, ATransformRegisteredWithoutSourceGetsItsFirstSource) {
  auto by_hand = lineage().SaveTransform({"pipeline.py", "pipeline", std::nullopt, "by hand"});
  ASSERT_TRUE(by_hand.ok()) << by_hand.status().ToString();
  EXPECT_FALSE(by_hand->hash);
  Transform with_source = Script(v1_);
  EXPECT_EQ(with_source.id, by_hand->id);
  EXPECT_TRUE(with_source.hash);
  EXPECT_EQ(lineage().GetTransform(by_hand->id)->source_code.value_or(""), v1_);
}

TEST_F(LineageTest, BadSpecsAreRefusedWithWhatToDoAndWriteNothing) {
  auto no_key = lineage().SaveTransform({"", "script", v1_, std::nullopt});
  EXPECT_EQ(no_key.status().code(), StatusCode::kInvalidArgument);
  auto bad_kind = lineage().SaveTransform({"x.py", "spreadsheet", v1_, std::nullopt});
  EXPECT_EQ(bad_kind.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_kind.status().message().find("kinds: script"), std::string::npos);
  Transform script = Script(v1_);
  for (const char* params : {"[1, 2]", "{\"n\": ", "3"}) {
    auto run = lineage().StartRun(script, {params, std::nullopt, std::nullopt, std::nullopt});
    EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument) << params;
  }
  Transform ghost = script;
  ghost.id = 9999;
  EXPECT_TRUE(lineage().StartRun(ghost, {}).status().IsNotFound());
  auto db = t_.RawDb();
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_run"), 0);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_transform"), 1);
  EXPECT_TRUE(lineage().GetRun("nosuchrunuid0000").status().IsNotFound());
}

// A run whose carrier ends without finishing it (here: the instance closed, as a process that
// exits; the CLI test kills a real `lamin run` with SIGKILL) is aborted by the next recovery,
// while a run of a shell session (lamin-cli's "scheduled") is left to its `lamin finish`.
TEST_F(LineageTest, ARunLeftStartedByItsCarrierIsAbortedByRecoveryAndAShellRunIsNot) {
  Transform script = Script(v1_);
  lamin::Run carried = Start(script, "{}");
  RunSpec shell;
  shell.carried_by_this_process = false;
  shell.params = R"({"k":1})";
  auto scheduled = lineage().StartRun(script, shell);
  ASSERT_TRUE(scheduled.ok()) << scheduled.status().ToString();
  EXPECT_EQ(scheduled->status, RunStatus::kScheduled);
  auto db = t_.RawDb();
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamin_intent WHERE op = 'run'"), 1);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamindb_run WHERE _is_consecutive IS NULL"), 1);
  if (have_ref_) {
    // The shell run as Python's Run(transform).save() wrote it (lineage.md step 6.2, before its
    // finished_at was set by hand, so every column but that one): -3, no _is_consecutive.
    const std::set<std::string> own = {"id", "uid", "transform_id", "started_at", "created_at",
                                       "updated_at"};
    const std::string columns =
        "SELECT id, uid, name, description, entrypoint, started_at, params, reference, "
        "reference_type, cli_args, created_at, updated_at, _is_consecutive, _status_code, "
        "branch_id, created_on_id, environment_id, plan_id, report_id, space_id, transform_id, "
        "created_by_id, initiated_by_run_id, extra_data, is_locked, _aux FROM lamindb_run ";
    EXPECT_EQ(Cells(ours(), columns + "WHERE uid = '" + scheduled->uid + "'", own),
              Cells(ref(), columns + "WHERE id = 4", own));
  }

  // While its carrier lives, recovery leaves it alone.
  auto live = t_.inst->Recover();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->runs_aborted, 0);
  t_.Reopen();
  auto fsck = t_.inst->Fsck({});
  ASSERT_TRUE(fsck.ok());
  EXPECT_EQ(fsck->unrepaired(), 1);
  auto recovered = t_.inst->Recover();
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(recovered->runs_aborted, 1);
  auto after = lineage().GetRun(carried.uid);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, RunStatus::kAborted);
  EXPECT_TRUE(after->finished_at.has_value());
  EXPECT_EQ(lineage().GetRun(scheduled->uid)->status, RunStatus::kScheduled);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM lamin_intent"), 0);
  // A run finished by its carrier keeps its status and leaves no lease.
  lamin::Run done = Start(script, "{}");
  ASSERT_TRUE(lineage().FinishRun(done, RunStatus::kCompleted, std::nullopt).ok());
  t_.Reopen();
  ASSERT_TRUE(t_.inst->Recover().ok());
  EXPECT_EQ(lineage().GetRun(done.uid)->status, RunStatus::kCompleted);
  EXPECT_EQ(t_.inst->Fsck({})->unrepaired(), 0);
}

}  // namespace
}  // namespace lamin
