// Labels, features and schemas, and annotating artifacts with them.
#include "common.h"
#include "lamin/json.h"

namespace lamin::python {
namespace {

py::dict CreatedToPython(const Created& c) {
  py::dict out;
  out["record"] = ToPython(c.record);
  out["existed"] = c.existed;
  return out;
}

using NamedJson = std::vector<std::pair<std::string, std::string>>;

std::vector<FeatureValue> JsonValues(const NamedJson& values) {
  std::vector<FeatureValue> out;
  for (const auto& [name, json] : values) out.push_back(FeatureValue::Json(name, json));
  return out;
}

}  // namespace

void BindAnnotations(py::class_<Handle>& handle) {
  handle.def(
      "create_label",
      [](Handle& h, const std::string& registry, const std::string& name,
         std::optional<std::string> type, bool is_type, const std::vector<std::string>& parents,
         std::optional<std::string> description) {
        LabelSpec spec{registry, name, type, is_type, parents, description};
        return CreatedToPython(
            Unwrap(h.Call([&](Instance& i) { return i.annotations().CreateLabel(spec); })));
      },
      py::arg("registry"), py::arg("name"), py::arg("type") = py::none(),
      py::arg("is_type") = false, py::arg("parents") = std::vector<std::string>{},
      py::arg("description") = py::none());
  handle.def(
      "create_feature",
      [](Handle& h, const std::string& name, const std::string& dtype,
         std::optional<std::string> unit, std::optional<std::string> description,
         std::optional<std::string> type, bool is_type) {
        FeatureSpec spec{name, dtype, unit, description, type, is_type};
        return CreatedToPython(
            Unwrap(h.Call([&](Instance& i) { return i.annotations().CreateFeature(spec); })));
      },
      py::arg("name"), py::arg("dtype"), py::arg("unit") = py::none(),
      py::arg("description") = py::none(), py::arg("type") = py::none(),
      py::arg("is_type") = false);
  handle.def(
      "create_schema",
      [](Handle& h, const std::string& name, const std::vector<std::string>& features,
         const std::vector<std::string>& optional_features, bool maximal, bool ordered,
         std::optional<std::string> description) {
        SchemaSpec spec{name, features, optional_features, maximal, ordered, description};
        return CreatedToPython(
            Unwrap(h.Call([&](Instance& i) { return i.annotations().CreateSchema(spec); })));
      },
      py::arg("name"), py::arg("features"), py::arg("optional_features") = std::vector<std::string>{},
      py::arg("maximal") = false, py::arg("ordered") = false, py::arg("description") = py::none());
  handle.def(
      "annotate",
      [](Handle& h, const std::string& uid, const std::vector<std::string>& ulabels,
         const std::vector<std::string>& projects, const std::vector<std::string>& records,
         const NamedJson& features, std::optional<std::string> schema,
         const std::vector<std::string>& remove_ulabels,
         const std::vector<std::string>& remove_projects,
         const std::vector<std::string>& remove_records,
         const std::vector<std::string>& remove_features, const NamedJson& remove_values) {
        Annotation add{ulabels, projects, records, JsonValues(features), schema};
        AnnotationRemoval removal{remove_ulabels, remove_projects, remove_records,
                                  remove_features, JsonValues(remove_values)};
        Check(h.Call([&](Instance& i) {
          return i.annotations().Annotate(ArtifactRef::ByUid(uid), add, removal);
        }));
      },
      py::arg("uid"), py::kw_only(), py::arg("ulabels") = std::vector<std::string>{},
      py::arg("projects") = std::vector<std::string>{},
      py::arg("records") = std::vector<std::string>{}, py::arg("features") = NamedJson{},
      py::arg("schema") = py::none(), py::arg("remove_ulabels") = std::vector<std::string>{},
      py::arg("remove_projects") = std::vector<std::string>{},
      py::arg("remove_records") = std::vector<std::string>{},
      py::arg("remove_features") = std::vector<std::string>{},
      py::arg("remove_values") = NamedJson{},
      "Adds and takes off labels and feature values (JSON text) in one transaction.");
  handle.def(
      "annotations_of",
      [](Handle& h, const std::string& uid) {
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) -> Result<ArtifactAnnotations> {
          LAMIN_ASSIGN_OR_RETURN(Artifact a, i.artifacts().Get(ArtifactRef::ByUid(uid)));
          return i.annotations().Of(a);
        }))));
      },
      py::arg("uid"));
  handle.def(
      "delete_record",
      [](Handle& h, const std::string& registry, const std::string& uid) {
        RecordRef ref{uid, std::nullopt, std::nullopt};
        Check(h.Call([&](Instance& i) { return i.annotations().DeleteForGood(registry, ref); }));
      },
      py::arg("registry"), py::arg("uid"), "Deletes a label, feature or schema for good.");
}

}  // namespace lamin::python
