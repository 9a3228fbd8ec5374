// Annotation: what an artifact is, as labels (ULabel, Project, Record) and feature values, in the
// form a save or an annotate call takes it (annotations.h does the rest). Labels and features
// are named, never created on the way: a name that is not registered is an error that changes
// nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lamin {

// One value of a feature (lamindb_feature), as text or as JSON.
//  - Text (the command line's NAME=VALUE): read by the feature's dtype: "37.5" for num, "5" for
//    int, "true" for bool, "2024-01-15" for date, a JSON object for dict; for list[...] and
//    categorical features, comma-separated items or a JSON array ("a,b", '["a, b"]').
//  - JSON: the value itself ("37.5", "\"D-01\"", "[\"x\", \"y\"]"), checked against the dtype.
// Categorical features (cat[ULabel], cat[Record], cat[Project], list[cat[...]]) take label names
// (or uids) that must exist, of the dtype's type where it names one.
struct FeatureValue {
  enum class Form { kText, kJson };
  std::string feature;
  std::string value;
  Form form = Form::kText;

  static FeatureValue Text(std::string feature, std::string value) {
    return {std::move(feature), std::move(value), Form::kText};
  }
  static FeatureValue Json(std::string feature, std::string json) {
    return {std::move(feature), std::move(json), Form::kJson};
  }
};

struct Annotation {
  // Labels linked without a feature (LaminDB's artifact.ulabels.add and friends), by name or uid.
  std::vector<std::string> ulabels;
  std::vector<std::string> projects;
  std::vector<std::string> records;
  // Values added as LaminDB's artifact.features.add_values does.
  std::vector<FeatureValue> features;
  // A schema (name or uid) the features are validated against, every violation reported at
  // once; on a save it becomes the artifact's schema, and a CSV or TSV file's columns are
  // validated too.
  std::optional<std::string> schema;

  bool empty() const {
    return ulabels.empty() && projects.empty() && records.empty() && features.empty() && !schema;
  }
};

// What to take off an artifact: labels linked without or with a feature (every link of that
// label, as LaminDB's artifact.ulabels.remove), every value of a feature, or one value.
struct AnnotationRemoval {
  std::vector<std::string> ulabels;
  std::vector<std::string> projects;
  std::vector<std::string> records;
  std::vector<std::string> features;         // all values of these features
  std::vector<FeatureValue> feature_values;  // one value (a label, for a categorical feature)

  bool empty() const {
    return ulabels.empty() && projects.empty() && records.empty() && features.empty() &&
           feature_values.empty();
  }
};

}  // namespace lamin
