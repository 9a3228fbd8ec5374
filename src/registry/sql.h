// SQL fragments shared by the registry: where the two dialects differ, the difference is here.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/query.h"

namespace lamin::registry {

// "(SELECT ... )" yielding the elements of one bound JSON-array parameter, so that a batch of any
// size is looked up with a single statement and a single parameter.
inline std::string JsonArrayValues(db::Dialect dialect, bool integers) {
  if (dialect == db::Dialect::kPostgres) {
    return integers ? "(SELECT (jsonb_array_elements_text(?::jsonb))::bigint)"
                    : "(SELECT jsonb_array_elements_text(?::jsonb))";
  }
  return "(SELECT value FROM json_each(?))";
}

// One filter as a SQL condition on alias `a`; appends its bound values to `params`.
// Result: InvalidArgument naming an unknown field or lookup, or a value of the wrong type.
Result<std::string> FilterSql(const Filter& f, db::Dialect dialect, std::vector<db::Value>* params);
// " ORDER BY ..." for fields of lamindb_artifact. Result: InvalidArgument for unknown fields.
Result<std::string> OrderSql(const std::vector<std::string>& order_by);

}  // namespace lamin::registry
