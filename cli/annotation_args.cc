#include "annotation_args.h"

namespace lamin::cli {

void AnnotationArgs::AddTo(CLI::App* cmd) {
  // One label per flag (repeat it), so that a path after it stays a path.
  cmd->add_option("--ulabel", ulabels, "a ULabel to link (name or uid; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--project", projects, "a Project to link (name or uid; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--record", records, "a Record to link (name or uid; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--features", features,
                  "feature values NAME=VALUE (VALUE read by the feature's dtype; a,b or a JSON "
                  "array for lists and labels)");
  cmd->add_option("--schema", schema,
                  "validate against this schema (name or uid) and record it; a CSV or TSV "
                  "file's columns are validated too");
}

Result<std::vector<FeatureValue>> ParseFeatureValues(const std::vector<std::string>& items) {
  std::vector<FeatureValue> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--features takes NAME=VALUE items, not '" + item + "'");
    }
    out.push_back(FeatureValue::Text(item.substr(0, eq), item.substr(eq + 1)));
  }
  return out;
}

Result<Annotation> AnnotationArgs::ToAnnotation() const {
  Annotation a;
  a.ulabels = ulabels;
  a.projects = projects;
  a.records = records;
  LAMIN_ASSIGN_OR_RETURN(a.features, ParseFeatureValues(features));
  if (!schema.empty()) a.schema = schema;
  return a;
}

}  // namespace lamin::cli
