// The one query compiler, for every registry and both SQL dialects: Django paths across
// relations become EXISTS subqueries (a row appears once however many related rows match),
// field names are checked against the registry's declaration and rendered from it, and values
// only ever travel as bound parameters.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/query.h"
#include "registry/dtype.h"
#include "registry/registry_def.h"

namespace lamin::registry {

// A feature a filter may name instead of a field (LaminDB's Artifact.filter(temperature__gt=30)):
// on artifacts and runs, a name that is neither a field nor a relation is looked up as a feature.
struct FeatureFilterTarget {
  int64_t id = 0;
  std::string name;
  Dtype dtype;
};
// nullopt: no such feature. Result: InvalidArgument (ambiguous, a type).
using FeatureLookup =
    std::function<Result<std::optional<FeatureFilterTarget>>(const std::string& name)>;

// A query's clauses, each empty or starting with a space, on the registry's table aliased `a`.
struct CompiledQuery {
  std::string where;  // " WHERE …": the filters and the visibility rule
  std::string order;  // " ORDER BY …": the requested order, then a."id" DESC (stable pages)
  std::string page;   // " LIMIT ? OFFSET ?", as far as the query asks for them
  std::string Tail() const { return where + order + page; }
};

// The clauses of `query` on registry `r`, whose table is aliased `a` in the caller's SELECT;
// appends the bound values to `params` (in the order where, order, page). The trash and archive are
// hidden unless a filter names an identity (HiddenUnless()).
// Result: InvalidArgument naming an unknown field, relation or lookup (listing the registry's
// fields and relations), or a value of the wrong type for its field.
// Feature values compare as LaminDB compares them: numbers as numbers (37 finds 37.0), dates and
// datetimes as their ISO text, other exact values by the value's hash (the unique index of
// lamindb_jsonvalue), text lookups without case; a categorical feature compares its labels'
// names. Cost grows with the matching values and links, not with the registry.
Result<CompiledQuery> CompileQuery(const RegistryDef& r, const Query& query,
                                   db::Dialect dialect, std::vector<db::Value>* params,
                                   const FeatureLookup& features = {});

// One filter's condition on alias `alias` of `r` (no visibility rule).
Result<std::string> CompileFilter(const RegistryDef& r, const std::string& alias, const Filter& f,
                                  db::Dialect dialect, std::vector<db::Value>* params,
                                  const FeatureLookup& features = {});

}  // namespace lamin::registry
