// Saving, finding, loading, deleting and restoring artifacts.
#include "common.h"
#include "lamin/json.h"

namespace lamin::python {
namespace {

std::optional<std::string> OptionalText(const py::dict& d, const char* name) {
  if (!d.contains(name) || d[name].is_none()) return std::nullopt;
  return d[name].cast<std::string>();
}

std::vector<std::string> TextList(const py::dict& d, const char* name) {
  if (!d.contains(name) || d[name].is_none()) return {};
  return d[name].cast<std::vector<std::string>>();
}

// lamin/_artifact.py's request: path (bytes), key, description, kind, and an annotation
// (ulabels, projects, records, features as (name, JSON text) pairs, schema).
SaveRequest ToRequest(const py::dict& d) {
  SaveRequest r;
  r.path = d["path"].cast<std::string>();
  r.key = OptionalText(d, "key");
  r.description = OptionalText(d, "description");
  r.kind = OptionalText(d, "kind");
  r.annotation.ulabels = TextList(d, "ulabels");
  r.annotation.projects = TextList(d, "projects");
  r.annotation.records = TextList(d, "records");
  r.annotation.schema = OptionalText(d, "schema");
  if (d.contains("features") && !d["features"].is_none()) {
    for (auto& [name, json] :
         d["features"].cast<std::vector<std::pair<std::string, std::string>>>()) {
      r.annotation.features.push_back(FeatureValue::Json(std::move(name), std::move(json)));
    }
  }
  return r;
}

}  // namespace

void BindArtifacts(py::class_<Handle>& handle) {
  handle.def(
      "save",
      [](Handle& h, const py::list& requests, bool keep_successful, const std::string& storage,
         std::optional<int64_t> run_id) {
        std::vector<SaveRequest> batch;
        for (const auto& r : requests) batch.push_back(ToRequest(r.cast<py::dict>()));
        SaveOptions options;
        options.keep_successful = keep_successful;
        options.storage = storage;
        options.run_id = run_id;
        SaveReport report =
            Unwrap(h.Call([&](Instance& i) { return i.artifacts().Save(batch, options); }),
                   About::kPath);
        py::list saved, failed;
        for (const auto& outcome : report.saved) saved.append(ToPython(ToJson(outcome)));
        for (const auto& failure : report.failed) {
          failed.append(py::make_tuple(PathBytes(failure.path),
                                       StatusCodeName(failure.status.code()),
                                       Text(failure.status.message())));
        }
        py::dict out;
        out["saved"] = saved;
        out["failed"] = failed;
        return out;
      },
      py::arg("requests"), py::arg("keep_successful") = false, py::arg("storage") = "",
      py::arg("run_id") = py::none(),
      "Saves a batch: {'saved': [artifact + path, existed, new_version, ...], 'failed': "
      "[(path, code, message)] (only with keep_successful)}.");
  handle.def(
      "get",
      [](Handle& h, std::optional<std::string> key, std::optional<std::string> uid) {
        ArtifactRef ref = ToRef(key, uid);
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) { return i.artifacts().Get(ref); }))));
      },
      py::arg("key") = py::none(), py::arg("uid") = py::none());
  handle.def(
      "list",
      [](Handle& h, const FilterTriples& filters, const std::vector<std::string>& order_by,
         std::optional<int64_t> limit, std::optional<int64_t> offset) {
        Query q = ToQuery(filters, order_by, limit, offset);
        return ToPythonList(Unwrap(h.Call([&](Instance& i) { return i.artifacts().List(q); })));
      },
      py::arg("filters"), py::arg("order_by"), py::arg("limit") = py::none(),
      py::arg("offset") = py::none());
  handle.def(
      "load",
      [](Handle& h, const std::string& uid, std::optional<std::string> run_uid) {
        auto path = h.Call([&](Instance& i) -> Result<std::filesystem::path> {
          LAMIN_ASSIGN_OR_RETURN(auto p, i.artifacts().Load(ArtifactRef::ByUid(uid)));
          if (run_uid) {
            // As Python's cache() inside a run: the artifact becomes the run's input.
            LAMIN_ASSIGN_OR_RETURN(Run run, i.lineage().GetRun(*run_uid));
            LAMIN_ASSIGN_OR_RETURN(Artifact a, i.artifacts().Get(ArtifactRef::ByUid(uid)));
            LAMIN_RETURN_IF_ERROR(i.lineage().RecordInput(run, a));
          }
          return p;
        });
        return PathBytes(Unwrap(std::move(path), About::kPath));
      },
      py::arg("uid"), py::arg("run_uid") = py::none(),
      "A local path (bytes) of the artifact's data, verified; inside a run, recorded as input.");
  handle.def(
      "delete",
      [](Handle& h, const std::string& uid, bool permanent) {
        return ToPython(ToJson(Unwrap(h.Call(
            [&](Instance& i) { return i.artifacts().Delete(ArtifactRef::ByUid(uid), permanent); }))));
      },
      py::arg("uid"), py::arg("permanent") = false);
  handle.def(
      "restore",
      [](Handle& h, const std::string& uid) {
        return ToPython(ToJson(Unwrap(
            h.Call([&](Instance& i) { return i.artifacts().Restore(ArtifactRef::ByUid(uid)); }))));
      },
      py::arg("uid"));
}

}  // namespace lamin::python
