// The one query compiler, for every registry and both SQL dialects: Django paths across
// relations become EXISTS subqueries (a row appears once however many related rows match),
// field names are checked against the registry's declaration and rendered from it, and values
// only ever travel as bound parameters.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/query.h"
#include "registry/registry_def.h"

namespace lamin::registry {

// " WHERE … ORDER BY … LIMIT ? OFFSET ?" for `query` on registry `r`, whose table is aliased
// `a` in the caller's SELECT; appends the bound values to `params`. The trash and archive are
// hidden unless a filter names an identity (HiddenUnless()).
// Result: InvalidArgument naming an unknown field, relation or lookup (listing the registry's
// fields and relations), or a value of the wrong type for its field.
Result<std::string> CompileQuery(const RegistryDef& r, const Query& query, db::Dialect dialect,
                                 std::vector<db::Value>* params);

// One filter's condition on alias `alias` of `r` (no visibility rule).
Result<std::string> CompileFilter(const RegistryDef& r, const std::string& alias, const Filter& f,
                                  db::Dialect dialect, std::vector<db::Value>* params);

}  // namespace lamin::registry
