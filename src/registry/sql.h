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

// A column reference that SQLite's planner must not answer from that column's own index ("+col"):
// lamindb's indexes on is_latest and branch_id match most rows and would be chosen over the uid
// or key index. PostgreSQL's planner needs no such hint (and has no unary + for booleans).
inline std::string Unindexed(db::Dialect dialect, const std::string& column) {
  return dialect == db::Dialect::kSqlite ? "+" + column : column;
}

// Booleans are written TRUE / FALSE in every statement: SQLite (3.23+) reads them as 1 / 0, and
// PostgreSQL's boolean columns accept nothing else.

}  // namespace lamin::registry
