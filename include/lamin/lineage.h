// Lineage: transforms (the code: a script, a pipeline, a notebook, a function) and their runs,
// written as Python LaminDB 2.x writes them (Instance::lineage()). An artifact saved with a run
// (SaveOptions::run_id) is that run's output; an artifact loaded with one is its input.
// Thread-safety: as its Instance.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lamin/artifact.h"
#include "lamin/status.h"

namespace lamin {

struct Transform {
  int64_t id = 0;
  std::string uid;  // 12-character stem + 4-character version counter
  std::string key;
  std::string kind;  // script, notebook, pipeline, function
  std::optional<std::string> description;
  std::optional<std::string> source_code;
  std::optional<std::string> hash;  // of the source, as LaminDB hashes files
  bool is_latest = true;
  std::string created_at;
};

// LaminDB's run status codes.
enum class RunStatus : int {
  kScheduled = -3,
  kRestarted = -2,
  kStarted = -1,
  kCompleted = 0,
  kErrored = 1,
  kAborted = 2,
};

struct Run {
  int64_t id = 0;
  std::string uid;  // 16 characters
  int64_t transform_id = 0;
  RunStatus status = RunStatus::kStarted;
  std::string started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> params;  // JSON text as Python's json.dumps writes it
  std::optional<std::string> cli_args;
  std::optional<std::string> entrypoint;
  std::optional<int64_t> report_id;        // the artifact holding the run's log
  std::optional<int64_t> environment_id;   // the artifact describing its environment
  std::optional<int64_t> initiated_by_run_id;
};

struct TransformSpec {
  std::string key;
  std::string kind = "script";
  std::optional<std::string> source_code;  // a script's text; its hash names the version
  std::optional<std::string> description;
};

struct RunSpec {
  // A JSON object; written as Python's json.dumps writes it (", " and ": ", ASCII escapes, the
  // keys in the order given). Result of StartRun: InvalidArgument if it is not an object.
  std::optional<std::string> params;
  // At most 1024 and 255 characters (the columns' widths): longer ones are cut, ending "...".
  std::optional<std::string> cli_args;
  std::optional<std::string> entrypoint;
  std::optional<int64_t> initiated_by_run_id;
  // A file describing the run's environment (a requirements.txt, a lock file, a conda export):
  // saved as an artifact of kind __lamindb_run__ described by its file name (not an output; the
  // same content is the same artifact, as Python reuses its pip-freeze artifact) and set as the
  // run's environment. Python writes its `pip freeze` this way as "requirements.txt".
  std::optional<std::filesystem::path> environment;
  // Whether this process carries the run (`lamin run`, a RunScope): it starts as "started", and
  // if the process ends without FinishRun (killed), recovery and `lamin fsck --repair` mark it
  // aborted. A run carried by a shell session (`lamin track`) outlives the process that starts
  // it: it is recorded as lamin-cli records it, "scheduled", until FinishRun.
  bool carried_by_this_process = true;
};

// An artifact's place in lineage: the run that made it (and its transform), the runs that read
// it, and the runs that saved its content again.
struct ArtifactLineage {
  std::optional<Run> run;
  std::optional<Transform> transform;
  std::optional<Artifact> run_report;  // the log of the run that made it
  std::vector<Run> read_by;       // oldest first
  std::vector<Run> recreated_by;  // oldest first
};

// The lineage graph around an artifact, as Python's view_lineage draws it: artifacts and runs
// as nodes, edges input → run → output. Upstream follows the run that made an artifact and what
// that run read; downstream the runs that read it and what they made. Trashed artifacts are not
// shown (Python shows branches 0 and 1).
enum class LineageDirection { kBoth, kUpstream, kDownstream };

struct LineageNode {
  enum class Kind { kArtifact, kRun };
  Kind kind = Kind::kArtifact;
  std::string id;     // Python's node id: "artifact_<uid>" or "run_<uid>"
  std::string uid;
  std::string label;  // an artifact's key (its uid without one); a run's transform key
  int distance = 0;   // runs between it and the artifact asked about (negative upstream)
  std::optional<Artifact> artifact;
  std::optional<Run> run;
  std::optional<Transform> transform;  // of a run
  std::optional<Artifact> report;      // of a run: its log
};

struct LineageEdge {
  std::string from;  // node ids
  std::string to;
};

struct LineageGraph {
  std::string root;                // the node id of the artifact asked about
  std::vector<LineageNode> nodes;  // the root first, then as found (breadth first)
  std::vector<LineageEdge> edges;  // each once
};

struct LineageQuery {
  LineageDirection direction = LineageDirection::kBoth;
  int depth = 0;  // at most this many runs away from the artifact; 0: all
};

// LaminDB's word for a status: "started", "completed", "errored", ….
const char* RunStatusName(RunStatus status);

class Lineage {
 public:
  virtual ~Lineage() = default;

  // The transform for `spec`, as LaminDB's Transform(key=…, source_code=…) finds or makes it: a
  // transform of the key with the same source hash is returned (any version); the latest one of
  // the key without source (registered by hand) is taken and given this source; one of the key
  // with other source gets a new version (same stem, counter + 1, description inherited,
  // is_latest moved). Result: InvalidArgument (no key, an unknown kind).
  virtual Result<Transform> SaveTransform(const TransformSpec& spec) = 0;
  // A new run of `transform`, started now (status started, started_at from the database).
  virtual Result<Run> StartRun(const Transform& transform, const RunSpec& spec) = 0;
  // Ends a run: its status and finished_at, and with `report` (a local text file, the run's
  // log) an artifact of kind __lamindb_run__ named "log streams of run <uid>" as its report.
  virtual Result<Run> FinishRun(const Run& run, RunStatus status,
                                const std::optional<std::filesystem::path>& report) = 0;
  // Records that `run` read `artifact` (once; not when the run made it), as Python's
  // artifact.cache()/load() inside a run does.
  virtual Status RecordInput(const Run& run, const Artifact& artifact) = 0;
  virtual Result<ArtifactLineage> OfArtifact(const Artifact& artifact) = 0;
  // The graph around `artifact` (see LineageGraph). Cost grows with the nodes it holds.
  virtual Result<LineageGraph> Graph(const Artifact& artifact, const LineageQuery& query) = 0;
  // The outputs a run made (outside the trash) and the artifacts it read, oldest first.
  virtual Result<std::vector<Artifact>> OutputsOf(const Run& run) = 0;
  virtual Result<std::vector<Artifact>> InputsOf(const Run& run) = 0;
  // Result: NotFound.
  virtual Result<Run> GetRun(const std::string& uid) = 0;
  virtual Result<Transform> GetTransform(int64_t id) = 0;
  // Deletes a run for good, as Python's collector does (LAYER2 §7): refused, naming the holder,
  // while an artifact it made (or any row it tracks) refers to it; its child runs and its links
  // (inputs, recreations) go with it, then its report and environment artifacts where nothing
  // else refers to them (Python's run clean-up). Result: InvalidArgument (refused), NotFound.
  virtual Status DeleteRun(const Run& run) = 0;
  // Deletes a transform for good: its runs (as DeleteRun), its links; the newest other version
  // becomes the latest.
  virtual Status DeleteTransform(const Transform& transform) = 0;
  // The latest transform of `key` outside the trash. Result: NotFound.
  virtual Result<Transform> GetTransformByKey(const std::string& key) = 0;
  // Result: NotFound.
  virtual Result<Transform> GetTransformByUid(const std::string& uid) = 0;
};

// A run for the extent of a scope, for C++ programs (what ln.track()/ln.finish() are to Python):
// started when made; ended by End(), or else as errored when destroyed (an early return with an
// error, an exception), so that no path leaves it started; a process that dies inside it leaves
// a run that recovery marks aborted. Saves take Outputs(); Input() records what it read.
//
//   LAMIN_ASSIGN_OR_RETURN(auto scope, RunScope::Start(inst->lineage(), {"align.cc", "script"}));
//   inst->artifacts().Save({{"out.bam", "out.bam", {}}}, scope.Outputs());
//   LAMIN_RETURN_IF_ERROR(scope.End(RunStatus::kCompleted).status());
class RunScope {
 public:
  static Result<RunScope> Start(Lineage& lineage, const TransformSpec& transform,
                                const RunSpec& spec = {});
  RunScope(RunScope&& other) noexcept;
  RunScope& operator=(RunScope&&) = delete;
  ~RunScope();

  const Run& run() const { return run_; }
  const Transform& transform() const { return transform_; }
  // Save options that make the saved artifacts this run's outputs.
  SaveOptions Outputs() const;
  Status Input(const Artifact& artifact) { return lineage_->RecordInput(run_, artifact); }
  // Ends the run (once; later calls return the run as it ended), with an optional report.
  Result<Run> End(RunStatus status,
                  const std::optional<std::filesystem::path>& report = std::nullopt);

 private:
  RunScope(Lineage& lineage, Run run, Transform transform)
      : lineage_(&lineage), run_(std::move(run)), transform_(std::move(transform)) {}
  Lineage* lineage_;
  Run run_;
  Transform transform_;
  bool ended_ = false;
};

}  // namespace lamin
