// Annotations: labels, features and schemas of an instance, and the annotation of artifacts
// with them (Instance::annotations()), with the rows Python LaminDB 2.x writes
// (../shared/reference/LAMINDB_LAYER2.md §2, §3, §5):
//
//   auto& an = (*inst)->annotations();
//   an.CreateLabel({.name = "T cell", .type = "CellKind"});
//   an.CreateFeature({.name = "temperature", .dtype = "float"});
//   an.Annotate(lamin::ArtifactRef::ByKey("raw/a.txt"),
//               {.ulabels = {"T cell"}, .features = {lamin::FeatureValue::Text("temperature",
//                                                                                "37.5")}});
//
// Every call is one transaction: an unknown feature, a value not of its dtype or a label that
// does not exist fails the whole call and changes nothing. Creating what exists (the same name
// within the same type) returns the existing record, as Python's constructors do.
// Thread-safety: as its Instance.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lamin/annotation.h"
#include "lamin/artifact.h"
#include "lamin/record.h"
#include "lamin/status.h"

namespace lamin {

// A ULabel, Project or Record.
struct LabelSpec {
  std::string registry = "ulabel";  // ulabel, project or record
  std::string name;
  std::optional<std::string> type;  // the name (or uid) of a type of the same registry
  bool is_type = false;
  std::vector<std::string> parents;  // names (or uids) of the same registry
  std::optional<std::string> description;
};

struct FeatureSpec {
  std::string name;
  // num int float str bool date datetime dict path url, list[...], cat[ULabel], cat[Record],
  // cat[Project], cat[ULabel[<type uid or name>]], list[cat[...]]; bare "cat" is cat[ULabel].
  std::string dtype;
  std::optional<std::string> unit;
  std::optional<std::string> description;
  std::optional<std::string> type;  // a feature type's name
  bool is_type = false;             // a type groups features and has no dtype
};

struct SchemaSpec {
  std::string name;
  std::vector<std::string> features;           // required, in this order
  std::vector<std::string> optional_features;  // allowed, not required
  bool maximal = false;                        // only the schema's features may appear
  bool ordered = false;                        // columns in the schema's order
  std::optional<std::string> description;
};

// What a create call returns: the record and whether it was there already.
struct Created {
  Record record;
  bool existed = false;
};

// One label on an artifact.
struct LabelOnArtifact {
  std::string registry;  // ulabel, project, record
  std::string uid;
  std::string name;
  std::optional<std::string> feature;  // the feature it is a value of, if any
};

// The values of one feature on an artifact, decoded: text for display, JSON as stored.
struct FeatureOnArtifact {
  std::string feature;
  std::string dtype;
  std::vector<std::string> values;  // display text ("37.5", "D-01", "T cell")
  std::vector<std::string> json;    // JSON text as stored (categorical: the names as strings)
};

struct ArtifactAnnotations {
  std::vector<LabelOnArtifact> labels;      // by registry, then name
  std::vector<FeatureOnArtifact> features;  // by feature name
  std::optional<std::string> schema;        // the artifact's schema (name, else uid)
};

// A violation of a schema or a dtype, for reports that list every one.
struct Violation {
  std::string feature;  // or the column
  std::string message;
};

class Annotations {
 public:
  virtual ~Annotations() = default;

  // Result: InvalidArgument (bad name, unknown registry, type or parent, a type of another
  // registry), AlreadyExists (a feature of that name with another dtype).
  virtual Result<Created> CreateLabel(const LabelSpec& spec) = 0;
  virtual Result<Created> CreateFeature(const FeatureSpec& spec) = 0;
  // Python's schema hash; the same features and flags give the existing schema.
  virtual Result<Created> CreateSchema(const SchemaSpec& spec) = 0;

  // Takes `removal` off and adds labels and values to an artifact, in one transaction.
  // Result: NotFound (artifact, or something to remove it does not have), InvalidArgument
  // naming the feature, the value and what is allowed (nothing changed).
  virtual Status Annotate(const ArtifactRef& artifact, const Annotation& annotation,
                          const AnnotationRemoval& removal = {}) = 0;
  // Annotates many artifacts in one transaction, the names resolved once for the batch: every
  // artifact gets its annotation, or none does (the first artifact with a problem is named,
  // with every problem of its annotation).
  virtual Status AnnotateMany(const std::vector<std::pair<ArtifactRef, Annotation>>& items) = 0;
  // Removes links (value rows stay: they are shared). Result: NotFound, InvalidArgument.
  virtual Status RemoveAnnotation(const ArtifactRef& artifact,
                                  const AnnotationRemoval& removal) = 0;
  virtual Result<ArtifactAnnotations> Of(const Artifact& artifact) = 0;

  // Deletes a ulabel, project, record, feature or schema for good. Refused (InvalidArgument,
  // listing who uses it) while an artifact, a schema, a value or a child refers to it.
  virtual Status DeleteForGood(const std::string& registry, const RecordRef& ref) = 0;
};

}  // namespace lamin
