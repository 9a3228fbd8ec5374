// The lineage capability: transforms found or versioned by their source, runs started and
// finished, a run's log saved as its report, and the artifacts a run read.
#include <set>

#include "api/modules.h"
#include "core/journal.h"
#include "core/remove.h"
#include "core/save.h"
#include "hash/content_hash.h"
#include "registry/artifacts.h"
#include "registry/lineage.h"
#include "util/encoding.h"
#include "util/pyjson.h"

namespace lamin {

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kScheduled: return "scheduled";
    case RunStatus::kRestarted: return "restarted";
    case RunStatus::kStarted: return "started";
    case RunStatus::kCompleted: return "completed";
    case RunStatus::kErrored: return "errored";
    case RunStatus::kAborted: return "aborted";
  }
  return "unknown";
}

Result<RunScope> RunScope::Start(Lineage& lineage, const TransformSpec& transform,
                                 const RunSpec& spec) {
  LAMIN_ASSIGN_OR_RETURN(Transform t, lineage.SaveTransform(transform));
  RunSpec carried = spec;
  carried.carried_by_this_process = true;
  LAMIN_ASSIGN_OR_RETURN(Run run, lineage.StartRun(t, carried));
  return RunScope(lineage, std::move(run), std::move(t));
}

RunScope::RunScope(RunScope&& other) noexcept
    : lineage_(other.lineage_),
      run_(std::move(other.run_)),
      transform_(std::move(other.transform_)),
      ended_(other.ended_) {
  other.ended_ = true;  // the moved-from scope ends nothing
}

RunScope::~RunScope() {
  // A scope left without End(): the work did not say it succeeded. If even this fails, the
  // lease stays and recovery marks the run aborted once this process is gone.
  if (!ended_) (void)lineage_->FinishRun(run_, RunStatus::kErrored, std::nullopt);
}

SaveOptions RunScope::Outputs() const {
  SaveOptions options;
  options.run_id = run_.id;
  return options;
}

Result<Run> RunScope::End(RunStatus status, const std::optional<std::filesystem::path>& report) {
  if (ended_) return lineage_->GetRun(run_.uid);
  LAMIN_ASSIGN_OR_RETURN(run_, lineage_->FinishRun(run_, status, report));
  ended_ = true;
  return run_;
}

}  // namespace lamin

namespace lamin::api {
namespace {

const std::set<std::string>& TransformKinds() {
  static const std::set<std::string> kinds{"script", "notebook", "pipeline", "function"};
  return kinds;
}

// LaminDB's hash of a source text: that of a file holding its bytes.
Result<std::string> SourceHash(const std::string& source) {
  hash::ContentHasher hasher(source.size());
  hasher.Update(source.data(), source.size());
  LAMIN_ASSIGN_OR_RETURN(hash::ContentHash h, hasher.Finish());
  return h.hash;
}

class LineageModule final : public Lineage {
 public:
  explicit LineageModule(Context& ctx) : ctx_(ctx) {}

  Result<Transform> SaveTransform(const TransformSpec& spec) override {
    if (spec.key.empty()) return Status::InvalidArgument("a transform needs a key (its file name)");
    if (!TransformKinds().count(spec.kind)) {
      return Status::InvalidArgument("unknown transform kind '" + spec.kind +
                                     "'; kinds: script, notebook, pipeline, function");
    }
    std::optional<std::string> source_hash;
    if (spec.source_code) {
      LAMIN_ASSIGN_OR_RETURN(source_hash, SourceHash(*spec.source_code));
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    // Writers are serialised inside a transaction, so two processes tracking the same new
    // script make one transform, not two.
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    if (source_hash) {
      LAMIN_ASSIGN_OR_RETURN(auto same, registry::TransformWithHash(db, spec.key, *source_hash));
      if (same) {
        LAMIN_RETURN_IF_ERROR(tx.Commit());
        return *same;
      }
    }
    LAMIN_ASSIGN_OR_RETURN(auto latest, registry::LatestTransformOfKey(db, spec.key));
    Transform made;
    made.key = spec.key;
    made.kind = spec.kind;
    made.description = spec.description;
    made.source_code = spec.source_code;
    made.hash = source_hash;
    if (latest && (!latest->source_code || !spec.source_code)) {
      // A transform registered without source (by hand, or before its first run) is this one;
      // its first source becomes its own.
      if (spec.source_code && !latest->source_code) {
        LAMIN_RETURN_IF_ERROR(
            registry::SetTransformSource(db, latest->id, *spec.source_code, *source_hash));
        latest->source_code = spec.source_code;
        latest->hash = source_hash;
      }
      LAMIN_RETURN_IF_ERROR(tx.Commit());
      return *latest;
    }
    if (latest) {
      // Other source under the same key: the next version of its family.
      const std::string stem = latest->uid.substr(0, 12);
      LAMIN_ASSIGN_OR_RETURN(std::string highest, registry::HighestTransformUid(db, stem));
      LAMIN_ASSIGN_OR_RETURN(std::string counter, util::IncrementBase62(highest.substr(12, 4)));
      made.uid = stem + counter;
      if (!made.description) made.description = latest->description;
    } else {
      made.uid = util::RandomBase62(12) + "0000";
    }
    LAMIN_ASSIGN_OR_RETURN(Transform saved, registry::InsertTransform(db, made, ctx_.user_id()));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return saved;
  }

  Result<Run> StartRun(const Transform& transform, const RunSpec& spec) override {
    Run run;
    run.uid = util::RandomBase62(16);
    run.transform_id = transform.id;
    run.status = spec.carried_by_this_process ? RunStatus::kStarted : RunStatus::kScheduled;
    if (spec.params) {
      auto parsed = nlohmann::ordered_json::parse(*spec.params, nullptr, false);
      if (parsed.is_discarded() || !parsed.is_object()) {
        return Status::InvalidArgument("run params must be a JSON object, like {\"n\": 3}; got '" +
                                       *spec.params + "'");
      }
      run.params = util::PythonJsonDumps(parsed);
    }
    // The columns' widths (varchar(1024), varchar(255)), which PostgreSQL enforces: a command
    // with many arguments is recorded cut rather than refused.
    if (spec.cli_args) run.cli_args = util::TruncateChars(*spec.cli_args, 1024);
    if (spec.entrypoint) run.entrypoint = util::TruncateChars(*spec.entrypoint, 255);
    run.initiated_by_run_id = spec.initiated_by_run_id;
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    if (spec.environment) {
      LAMIN_ASSIGN_OR_RETURN(run.environment_id,
                             SaveRunArtifact(*spec.environment,
                                             spec.environment->filename().string()));
    }
    db::Transaction tx(ctx_.db());
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    LAMIN_ASSIGN_OR_RETURN(auto exists, registry::TransformById(ctx_.db(), transform.id));
    if (!exists) {
      return Status::NotFound("transform " + transform.uid + " is not in this instance");
    }
    // Python marks the runs of a tracked script consecutive (its cells ran in order); a run
    // made as Run(transform).save() (lamin-cli's track) leaves it NULL.
    LAMIN_ASSIGN_OR_RETURN(Run started,
                           registry::InsertRun(ctx_.db(), run, ctx_.user_id(),
                                               /*is_consecutive=*/spec.carried_by_this_process));
    if (spec.carried_by_this_process) {
      LAMIN_RETURN_IF_ERROR(core::RecordRunLease(ctx_.db(), started.uid, ctx_.session()));
    }
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return started;
  }

  Result<Run> FinishRun(const Run& run, RunStatus status,
                        const std::optional<std::filesystem::path>& report) override {
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    std::optional<int64_t> report_id;
    if (report) {
      LAMIN_ASSIGN_OR_RETURN(report_id, SaveRunArtifact(*report, "log streams of run " + run.uid));
    }
    db::Transaction tx(ctx_.db());
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    LAMIN_ASSIGN_OR_RETURN(Run done, registry::FinishRun(ctx_.db(), run, status, report_id));
    LAMIN_RETURN_IF_ERROR(core::RemoveRunLease(ctx_.db(), run.uid));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return done;
  }

  Status RecordInput(const Run& run, const Artifact& artifact) override {
    if (artifact.run_id == run.id) return Status::OK();  // a run does not read its own output
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Transaction tx(ctx_.db());
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    LAMIN_RETURN_IF_ERROR(registry::LinkInputOfRun(ctx_.db(), artifact, run.id));
    return tx.Commit();
  }

  Result<ArtifactLineage> OfArtifact(const Artifact& artifact) override {
    ArtifactLineage out;
    db::Database& db = ctx_.db();
    if (artifact.run_id) {
      LAMIN_ASSIGN_OR_RETURN(out.run, registry::RunById(db, *artifact.run_id));
      if (out.run) {
        LAMIN_ASSIGN_OR_RETURN(out.transform, registry::TransformById(db, out.run->transform_id));
        if (out.run->report_id) {
          LAMIN_ASSIGN_OR_RETURN(out.run_report, registry::FindById(db, *out.run->report_id));
        }
      }
    }
    LAMIN_ASSIGN_OR_RETURN(out.read_by, registry::RunsLinkedTo(db, "lamindb_artifact_input_of_runs",
                                                               artifact.id));
    LAMIN_ASSIGN_OR_RETURN(out.recreated_by,
                           registry::RunsLinkedTo(db, "lamindb_artifact_recreating_runs",
                                                  artifact.id));
    return out;
  }

  Result<LineageGraph> Graph(const Artifact& artifact, const LineageQuery& query) override {
    if (query.depth < 0) return Status::InvalidArgument("a lineage depth is 0 (all) or more");
    GraphBuilder g(ctx_.db());
    g.graph.root = g.AddArtifact(artifact, 0);
    // Breadth first, one frontier of artifacts per run hop.
    auto walk = [&](bool upstream) -> Status {
      std::vector<std::pair<Artifact, int>> frontier{{artifact, 0}};
      for (int hop = 1; !frontier.empty() && (query.depth == 0 || hop <= query.depth); ++hop) {
        std::vector<std::pair<Artifact, int>> next;
        for (const auto& [a, d] : frontier) {
          std::vector<Run> runs;
          if (upstream) {
            if (!a.run_id) continue;
            LAMIN_ASSIGN_OR_RETURN(auto run, registry::RunById(g.db, *a.run_id));
            if (run) runs.push_back(*run);
          } else {
            LAMIN_ASSIGN_OR_RETURN(runs,
                                   registry::RunsLinkedTo(g.db, "lamindb_artifact_input_of_runs", a.id));
          }
          int distance = upstream ? d - 1 : d + 1;
          for (const Run& run : runs) {
            bool fresh = false;
            LAMIN_ASSIGN_OR_RETURN(std::string run_node, g.AddRun(run, distance, &fresh));
            LAMIN_ASSIGN_OR_RETURN(std::vector<Artifact> inputs, InputsOf(run));
            LAMIN_ASSIGN_OR_RETURN(std::vector<Artifact> outputs, OutputsOf(run));
            // Every edge of a run on the graph is drawn, as Python draws a run with all of its
            // inputs and outputs; only the walk's direction goes on from them.
            for (const Artifact& in : inputs) {
              bool new_node = false;
              g.Edge(g.AddArtifact(in, distance, &new_node), run_node);
              if (upstream && fresh && new_node) next.push_back({in, distance});
            }
            for (const Artifact& out : outputs) {
              bool new_node = false;
              g.Edge(run_node, g.AddArtifact(out, distance, &new_node));
              if (!upstream && fresh && new_node) next.push_back({out, distance});
            }
          }
        }
        frontier = std::move(next);
      }
      return Status::OK();
    };
    if (query.direction != LineageDirection::kDownstream) LAMIN_RETURN_IF_ERROR(walk(true));
    if (query.direction != LineageDirection::kUpstream) LAMIN_RETURN_IF_ERROR(walk(false));
    return std::move(g.graph);
  }

  Result<std::vector<Artifact>> OutputsOf(const Run& run) override {
    LAMIN_ASSIGN_OR_RETURN(std::vector<int64_t> ids, registry::OutputIdsOfRun(ctx_.db(), run.id));
    return ArtifactsById(ids);
  }

  Result<std::vector<Artifact>> InputsOf(const Run& run) override {
    LAMIN_ASSIGN_OR_RETURN(std::vector<int64_t> ids, registry::InputIdsOfRun(ctx_.db(), run.id));
    return ArtifactsById(ids);
  }

  Result<Run> GetRun(const std::string& uid) override {
    LAMIN_ASSIGN_OR_RETURN(auto run, registry::RunByUid(ctx_.db(), uid));
    if (!run) return Status::NotFound("no run with uid '" + uid + "'");
    return *run;
  }

  Status DeleteRun(const Run& run) override {
    return DeleteLineageRows([&](db::Database& db, registry::DeletedRuns* deleted) -> Status {
      LAMIN_ASSIGN_OR_RETURN(auto current, registry::RunByUid(db, run.uid));
      if (!current) return Status::NotFound("no run with uid '" + run.uid + "'");
      LAMIN_ASSIGN_OR_RETURN(const std::set<std::string>* tables, ctx_.Tables());
      return registry::DeleteRunRows(db, *current, *tables, deleted);
    });
  }

  Status DeleteTransform(const Transform& transform) override {
    return DeleteLineageRows([&](db::Database& db, registry::DeletedRuns* deleted) -> Status {
      LAMIN_ASSIGN_OR_RETURN(auto current, registry::TransformById(db, transform.id));
      if (!current) return Status::NotFound("no transform " + transform.uid);
      LAMIN_ASSIGN_OR_RETURN(const std::set<std::string>* tables, ctx_.Tables());
      return registry::DeleteTransformRows(db, *current, *tables, deleted);
    });
  }

  Result<Transform> GetTransformByKey(const std::string& key) override {
    LAMIN_ASSIGN_OR_RETURN(auto t, registry::LatestTransformOfKey(ctx_.db(), key));
    if (!t) return Status::NotFound("no transform with key '" + key + "'");
    return *t;
  }

  Result<Transform> GetTransformByUid(const std::string& uid) override {
    LAMIN_ASSIGN_OR_RETURN(auto t, registry::TransformByUid(ctx_.db(), uid));
    if (!t) return Status::NotFound("no transform with uid '" + uid + "'");
    return *t;
  }

  Result<Transform> GetTransform(int64_t id) override {
    LAMIN_ASSIGN_OR_RETURN(auto t, registry::TransformById(ctx_.db(), id));
    if (!t) return Status::NotFound("no transform with id " + std::to_string(id));
    return *t;
  }

 private:
  // A run's own artifact (its log, its environment): saved, and so durable, before the run
  // points at it; not an output of the run (run_id NULL), as Python writes it. The same content
  // is the artifact saved before.
  Result<int64_t> SaveRunArtifact(const std::filesystem::path& path,
                                  const std::string& description) {
    SaveRequest request;
    request.path = path;
    request.description = description;
    request.kind = "__lamindb_run__";
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, ctx_.Target(ctx_.default_storage_id()));
    LAMIN_ASSIGN_OR_RETURN(SaveReport saved, core::SaveBatch(ctx_.db(), target, {request}, {}));
    return saved.saved.at(0).artifact.id;
  }

  // Deletes lineage rows (`delete_rows`) and the leases of the runs that went, in one
  // transaction; then the runs' own artifacts.
  template <typename DeleteRows>
  Status DeleteLineageRows(DeleteRows delete_rows) {
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    registry::DeletedRuns deleted;
    {
      db::Transaction tx(ctx_.db());
      LAMIN_RETURN_IF_ERROR(tx.Begin());
      LAMIN_RETURN_IF_ERROR(delete_rows(ctx_.db(), &deleted));
      for (const auto& uid : deleted.uids) {
        LAMIN_RETURN_IF_ERROR(core::RemoveRunLease(ctx_.db(), uid));
      }
      LAMIN_RETURN_IF_ERROR(tx.Commit());
    }
    return DeleteRunArtifacts(deleted.run_artifacts);
  }

  // After its run is gone, a run's own artifacts (kind __lamindb_run__ only, as Python's clean-up)
  // that nothing else refers to (an environment may be shared) are deleted for good, each as a
  // permanent artifact delete (its object through the journal).
  Status DeleteRunArtifacts(const std::vector<int64_t>& ids) {
    for (int64_t id : ids) {
      LAMIN_ASSIGN_OR_RETURN(auto a, registry::FindById(ctx_.db(), id));
      if (!a || a->kind.value_or("") != "__lamindb_run__") continue;
      LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, ctx_.Target(a->storage_id));
      LAMIN_ASSIGN_OR_RETURN(const std::set<std::string>* tables, ctx_.Tables());
      Status deleted = core::DeletePermanently(ctx_.db(), target, *a, *tables);
      if (deleted.code() == StatusCode::kInvalidArgument) continue;  // still referred to
      LAMIN_RETURN_IF_ERROR(deleted);
    }
    return Status::OK();
  }

  // The nodes and edges of a graph, each added once.
  struct GraphBuilder {
    explicit GraphBuilder(db::Database& d) : db(d) {}
    db::Database& db;
    LineageGraph graph;
    std::set<std::string> nodes, edges;

    std::string AddArtifact(const Artifact& a, int distance, bool* fresh = nullptr) {
      std::string id = "artifact_" + a.uid;
      bool added = nodes.insert(id).second;
      if (fresh) *fresh = added;
      if (added) {
        LineageNode n;
        n.kind = LineageNode::Kind::kArtifact;
        n.id = id;
        n.uid = a.uid;
        n.label = a.key ? *a.key : a.uid;
        n.distance = distance;
        n.artifact = a;
        graph.nodes.push_back(std::move(n));
      }
      return id;
    }
    Result<std::string> AddRun(const Run& r, int distance, bool* fresh) {
      std::string id = "run_" + r.uid;
      *fresh = nodes.insert(id).second;
      if (*fresh) {
        LineageNode n;
        n.kind = LineageNode::Kind::kRun;
        n.id = id;
        n.uid = r.uid;
        n.distance = distance;
        n.run = r;
        LAMIN_ASSIGN_OR_RETURN(n.transform, registry::TransformById(db, r.transform_id));
        if (r.report_id) {
          LAMIN_ASSIGN_OR_RETURN(n.report, registry::FindById(db, *r.report_id));
        }
        n.label = n.transform ? n.transform->key : "run " + r.uid;
        if (r.entrypoint) n.label += ": " + *r.entrypoint;
        graph.nodes.push_back(std::move(n));
      }
      return id;
    }
    void Edge(const std::string& from, const std::string& to) {
      if (edges.insert(from + "\n" + to).second) graph.edges.push_back({from, to});
    }
  };

  Result<std::vector<Artifact>> ArtifactsById(const std::vector<int64_t>& ids) {
    std::vector<Artifact> out;
    for (int64_t id : ids) {
      LAMIN_ASSIGN_OR_RETURN(auto a, registry::FindById(ctx_.db(), id));
      if (a) out.push_back(std::move(*a));
    }
    return out;
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<Lineage> MakeLineage(Context& ctx) { return std::make_unique<LineageModule>(ctx); }

}  // namespace lamin::api
