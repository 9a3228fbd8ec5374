// Transforms, runs, and the lineage of artifacts.
#include "common.h"
#include "lamin/json.h"

namespace lamin::python {
namespace {

Result<RunStatus> ParseStatus(const std::string& name) {
  for (RunStatus s : {RunStatus::kScheduled, RunStatus::kRestarted, RunStatus::kStarted,
                      RunStatus::kCompleted, RunStatus::kErrored, RunStatus::kAborted}) {
    if (name == RunStatusName(s)) return s;
  }
  return Status::InvalidArgument("unknown run status '" + name +
                                 "': use completed, errored or aborted");
}

}  // namespace

void BindLineage(py::class_<Handle>& handle) {
  handle.def(
      "save_transform",
      [](Handle& h, const std::string& key, const std::string& kind,
         std::optional<std::string> source_code, std::optional<std::string> description) {
        TransformSpec spec{key, kind, source_code, description};
        return ToPython(
            ToJson(Unwrap(h.Call([&](Instance& i) { return i.lineage().SaveTransform(spec); }))));
      },
      py::arg("key"), py::arg("kind") = "script", py::arg("source_code") = py::none(),
      py::arg("description") = py::none(),
      "The transform as LaminDB's Transform(key=, source_code=) finds or makes it.");
  handle.def(
      "start_run",
      [](Handle& h, const std::string& transform_uid, std::optional<std::string> params,
         std::optional<std::string> cli_args, std::optional<std::string> entrypoint,
         std::optional<int64_t> initiated_by_run_id, std::optional<std::string> environment) {
        RunSpec spec;
        if (environment) spec.environment = *environment;
        spec.params = params;
        spec.cli_args = cli_args;
        spec.entrypoint = entrypoint;
        spec.initiated_by_run_id = initiated_by_run_id;
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) -> Result<Run> {
          LAMIN_ASSIGN_OR_RETURN(Transform t, i.lineage().GetTransformByUid(transform_uid));
          return i.lineage().StartRun(t, spec);
        }))));
      },
      py::arg("transform_uid"), py::arg("params") = py::none(), py::arg("cli_args") = py::none(),
      py::arg("entrypoint") = py::none(), py::arg("initiated_by_run_id") = py::none(),
      py::arg("environment") = py::none(),
      "A run started now, carried by this process: if it dies unfinished, recovery marks it "
      "aborted.");
  handle.def(
      "finish_run",
      [](Handle& h, const std::string& run_uid, const std::string& status,
         std::optional<std::string> report) {
        RunStatus code = Unwrap(ParseStatus(status));
        std::optional<std::filesystem::path> report_path;
        if (report) report_path = *report;
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) -> Result<Run> {
          LAMIN_ASSIGN_OR_RETURN(Run run, i.lineage().GetRun(run_uid));
          return i.lineage().FinishRun(run, code, report_path);
        }))));
      },
      py::arg("run_uid"), py::arg("status"), py::arg("report") = py::none());
  handle.def(
      "record_input",
      [](Handle& h, const std::string& run_uid, const std::string& artifact_uid) {
        Check(h.Call([&](Instance& i) -> Status {
          LAMIN_ASSIGN_OR_RETURN(Run run, i.lineage().GetRun(run_uid));
          LAMIN_ASSIGN_OR_RETURN(Artifact a, i.artifacts().Get(ArtifactRef::ByUid(artifact_uid)));
          return i.lineage().RecordInput(run, a);
        }));
      },
      py::arg("run_uid"), py::arg("artifact_uid"));
  handle.def(
      "get_run",
      [](Handle& h, const std::string& uid) {
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) { return i.lineage().GetRun(uid); }))));
      },
      py::arg("uid"));
  handle.def(
      "get_transform",
      [](Handle& h, int64_t id) {
        return ToPython(
            ToJson(Unwrap(h.Call([&](Instance& i) { return i.lineage().GetTransform(id); }))));
      },
      py::arg("id"));
  handle.def(
      "artifact_lineage",
      [](Handle& h, const std::string& uid) {
        ArtifactLineage l = Unwrap(h.Call([&](Instance& i) -> Result<ArtifactLineage> {
          LAMIN_ASSIGN_OR_RETURN(Artifact a, i.artifacts().Get(ArtifactRef::ByUid(uid)));
          return i.lineage().OfArtifact(a);
        }));
        py::dict out;
        out["run"] = l.run ? ToPython(ToJson(*l.run)) : py::none();
        out["transform"] = l.transform ? ToPython(ToJson(*l.transform)) : py::none();
        out["report"] = l.run_report ? ToPython(ToJson(*l.run_report)) : py::none();
        out["read_by"] = ToPythonList(l.read_by);
        out["recreated_by"] = ToPythonList(l.recreated_by);
        return out;
      },
      py::arg("uid"), "The run and transform that made an artifact, the runs that read it.");
  handle.def(
      "lineage_graph",
      [](Handle& h, const std::string& uid, const std::string& direction, int depth) {
        LineageQuery q;
        q.depth = depth;
        if (direction == "upstream") {
          q.direction = LineageDirection::kUpstream;
        } else if (direction == "downstream") {
          q.direction = LineageDirection::kDownstream;
        } else if (direction != "both") {
          Raise(Status::InvalidArgument("direction must be 'both', 'upstream' or 'downstream'"));
        }
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) -> Result<LineageGraph> {
          LAMIN_ASSIGN_OR_RETURN(Artifact a, i.artifacts().Get(ArtifactRef::ByUid(uid)));
          return i.lineage().Graph(a, q);
        }))));
      },
      py::arg("uid"), py::arg("direction") = "both", py::arg("depth") = 0);
  handle.def(
      "delete_run",
      [](Handle& h, const std::string& uid) {
        Check(h.Call([&](Instance& i) -> Status {
          LAMIN_ASSIGN_OR_RETURN(Run run, i.lineage().GetRun(uid));
          return i.lineage().DeleteRun(run);
        }));
      },
      py::arg("uid"), "Deletes a run for good; refused while an artifact it made refers to it.");
  handle.def(
      "delete_transform",
      [](Handle& h, const std::string& uid) {
        Check(h.Call([&](Instance& i) -> Status {
          LAMIN_ASSIGN_OR_RETURN(Transform t, i.lineage().GetTransformByUid(uid));
          return i.lineage().DeleteTransform(t);
        }));
      },
      py::arg("uid"), "Deletes a transform for good, with its runs.");
  handle.def(
      "run_artifacts",
      [](Handle& h, const std::string& run_uid, bool outputs) {
        return ToPythonList(Unwrap(h.Call([&](Instance& i) -> Result<std::vector<Artifact>> {
          LAMIN_ASSIGN_OR_RETURN(Run run, i.lineage().GetRun(run_uid));
          return outputs ? i.lineage().OutputsOf(run) : i.lineage().InputsOf(run);
        })));
      },
      py::arg("run_uid"), py::arg("outputs"), "A run's outputs (outputs=True) or inputs.");
}

}  // namespace lamin::python
