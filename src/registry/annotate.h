// Annotating artifacts: names resolved to rows (every problem collected, none written), then the
// link and value rows Python LaminDB 2.6 writes (LAYER2 §2, §3):
//   - a label without a feature: one link row with feature_id NULL, skipped when the artifact has
//     that label already with any feature (Django's M2M add);
//   - a categorical value: one link row per label with feature_id, skipped when that triple
//     exists (the unique index);
//   - any other value: the lamindb_jsonvalue row of (feature, hash), shared by every artifact with
//     that value and made when missing, and one lamindb_artifactjsonvalue link.
// Apply runs inside the caller's transaction (a save's own, or Annotate's), so an annotation is
// all there or not at all.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "db/database.h"
#include "lamin/annotations.h"
#include "registry/labels.h"
#include "registry/query.h"

namespace lamin::registry {

struct ResolvedLink {
  const LabelTable* table = nullptr;
  int64_t label_id = 0;
  std::optional<int64_t> feature_id;
};
struct ResolvedValue {
  int64_t feature_id = 0;
  StoredValue stored;
};
struct ResolvedAnnotation {
  std::vector<ResolvedLink> links;
  std::vector<ResolvedValue> values;
  std::optional<SchemaRow> schema;
  bool empty() const { return links.empty() && values.empty() && !schema; }
};

// Looks names up with caches, so that a batch of many artifacts annotated alike costs a few
// queries. Read-only; valid for one transaction (or one read-only check before it).
class Resolver {
 public:
  explicit Resolver(db::Database& db) : db_(db) {}

  // The rows `annotation` names. A problem (unknown feature or label, a value not of its dtype,
  // a schema's required feature missing) is added to `violations`; the result then is partial.
  // Result: only database errors.
  Result<ResolvedAnnotation> Resolve(const Annotation& annotation,
                                     std::vector<Violation>* violations);
  // One feature by name: the row and its parsed dtype. Violations as above.
  Result<std::optional<std::pair<FeatureRow, Dtype>>> Feature(const std::string& name,
                                                              std::vector<Violation>* violations);
  // The labels of `values` (names) for a categorical feature `f` of dtype `d`.
  Result<std::vector<int64_t>> CategoricalLabels(const FeatureRow& f, const Dtype& d,
                                                 const nlohmann::ordered_json& names,
                                                 std::vector<Violation>* violations);
  // A label of registry `t` named `ref` (any type). Violations as above.
  Result<std::optional<LabelRow>> Label(const LabelTable& t, const std::string& ref,
                                        std::vector<Violation>* violations);
  // The schema `ref` names (cached).
  Result<SchemaRow> Schema(const std::string& ref);

 private:
  // The id of the type a categorical dtype names, or none.
  Result<std::optional<int64_t>> TypeOf(const Dtype& d, std::vector<Violation>* violations,
                                        const std::string& feature);

  db::Database& db_;
  std::map<std::string, std::optional<std::pair<FeatureRow, Dtype>>> features_;
  std::map<std::tuple<std::string, std::string, std::optional<int64_t>>, std::vector<LabelRow>>
      labels_;
  std::map<std::string, SchemaRow> schemas_;
  std::map<int64_t, std::string> type_names_;
};

// The violations of `schema` by values given for `feature_ids` (required members missing;
// features outside a maximal set).
void CheckSchemaMembers(const SchemaRow& schema, const std::vector<int64_t>& feature_ids,
                        const std::map<int64_t, std::string>& names,
                        std::vector<Violation>* violations);

// InvalidArgument listing every violation (what to do included), or OK when there is none.
Status ViolationsStatus(const std::string& what, const std::vector<Violation>& violations);

// JsonValue rows made or found so far: (feature, hash) -> id, kept across a batch.
using JsonValueIds = std::map<std::pair<int64_t, std::string>, int64_t>;

// Writes the links and values of `a` onto artifact `artifact_id`. REQUIRES: in a transaction.
Status ApplyAnnotation(db::Database& db, int64_t artifact_id, const ResolvedAnnotation& a,
                       int64_t user_id, std::optional<int64_t> run_id, JsonValueIds* values);
// Sets the artifact's schema (lamindb_artifact.schema_id, otype for a table). REQUIRES: in a
// transaction.
Status SetArtifactSchema(db::Database& db, int64_t artifact_id, int64_t schema_id,
                         const std::optional<std::string>& otype);

// Removes links of artifact `artifact_id`; each item must remove something. Result: NotFound
// naming what the artifact does not have, InvalidArgument. REQUIRES: in a transaction.
Status RemoveAnnotation(db::Database& db, int64_t artifact_id, const AnnotationRemoval& removal);

// The labels, values and schema of an artifact.
Result<ArtifactAnnotations> ReadAnnotations(db::Database& db, int64_t artifact_id);

// Feature filters for the query compiler (query.h), reading lamindb_feature.
FeatureLookup DatabaseFeatureLookup(db::Database& db);

}  // namespace lamin::registry
