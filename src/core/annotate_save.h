// Annotation as part of a save (SaveRequest::annotation): checked read-only before anything is
// written, so that a bad label, value or schema violation costs no copy, and applied again in
// the save's commit transaction, where the names are resolved once more under the write lock.
// For a CSV or TSV file saved with a schema, the schema describes its columns: each column's
// values are checked against its feature's dtype and registered labels, every violation listed,
// and the labels of categorical columns are linked with the column's feature (as Python's
// Artifact.from_dataframe(df, schema=...) does).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/annotation.h"
#include "registry/annotate.h"

namespace lamin::core {

// What a request's annotation comes to once checked: the request's own plus the categorical
// values of a table's columns, and the otype a table gets.
struct PlannedAnnotation {
  Annotation annotation;
  std::optional<std::string> otype;
  bool empty() const { return annotation.empty(); }
};

// Checks `request_annotation` for the file at `path`. Result: InvalidArgument listing every
// violation; IOError when the table cannot be read.
Result<PlannedAnnotation> PlanAnnotation(registry::Resolver& resolver,
                                         const Annotation& request_annotation,
                                         const std::filesystem::path& path);

// Writes a planned annotation onto artifact `artifact_id`. REQUIRES: in the save's transaction.
Status ApplyPlannedAnnotation(db::Database& db, registry::Resolver& resolver,
                              const PlannedAnnotation& plan, int64_t artifact_id, int64_t user_id,
                              std::optional<int64_t> run_id, registry::JsonValueIds* values);

}  // namespace lamin::core
