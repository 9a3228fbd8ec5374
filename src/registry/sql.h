// SQL fragments shared by the registry: where the two dialects differ, the difference is here.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/database.h"
#include "lamin/artifact.h"
#include "lamin/query.h"

namespace lamin::registry {

// "`column` is one of the elements of one bound JSON-array parameter", so that a batch of any size
// is looked up with a single statement and a single parameter.
// On PostgreSQL the elements are an array compared with = ANY, not an IN (subquery): from a
// semi-join the planner may scan the table and expand the array again for every row it reads,
// which it does whenever it believes the table small -- inside the transaction of a large batch,
// whose rows no ANALYZE has seen. = ANY(ARRAY(...)) expands the array once and is an index
// condition on `column`. (With Unindexed below and force_custom_plan in postgres_database.cc,
// this took a 20,000-file save on a new instance from 40 s to 3.5 s: Postgres test
// ABatchsLookupsReadOnlyWhatTheyFindInsideItsOwnTransaction fails without any one of the three.)
inline std::string InJsonArray(db::Dialect dialect, const std::string& column, bool integers) {
  if (dialect == db::Dialect::kPostgres) {
    return column + " = ANY(ARRAY(SELECT " +
           (integers ? "(jsonb_array_elements_text(?::jsonb))::bigint"
                     : "jsonb_array_elements_text(?::jsonb)") +
           "))";
  }
  return column + " IN (SELECT value FROM json_each(?))";
}

// An integer column reference that the planner must not answer from that column's own index:
// lamindb's indexes on storage_id and branch_id match most rows and would be chosen over the
// uid, key or hash index. SQLite's planner takes them whenever it may ("+col" forbids it).
// PostgreSQL's takes them while the table has no statistics -- a young instance, or the rows a
// large batch inserted in its own transaction, which no ANALYZE has seen -- since it then
// assumes storage_id = 1 matches 0.5% of the rows, and reads every row of the storage for a few
// keys. "(col + 0)" is the same guard there.
inline std::string Unindexed(db::Dialect dialect, const std::string& column) {
  return dialect == db::Dialect::kSqlite ? "+" + column : "(" + column + " + 0)";
}

// The same guard on SQLite only, for a range that matches most rows (the trash's branch_id
// range: never taken for an index on PostgreSQL, with statistics or without, so that a guard
// would only cost an addition a row).
inline std::string UnindexedOnSqlite(db::Dialect dialect, const std::string& column) {
  return dialect == db::Dialect::kSqlite ? "+" + column : column;
}

// "`column` is true", for a boolean flag true in nearly every row (is_latest), answered by no
// index. PostgreSQL has no unary + for booleans; without statistics it joined the flag's index
// with the selective one in a BitmapAnd, which reads every entry of the flag's index: a version
// lookup of one key took 5.8 ms at 100,000 artifacts that way, 0.25 ms by the key alone
// (EXPLAIN ANALYZE). A cast is no indexed expression.
inline std::string IsTrueUnindexed(db::Dialect dialect, const std::string& column) {
  return dialect == db::Dialect::kSqlite ? "+" + column + " = TRUE" : "(" + column + ")::int = 1";
}

// An optional value as a bound parameter (NULL when absent).
inline db::Value OrNull(const std::optional<std::string>& v) {
  return v ? db::Value(*v) : db::Null();
}
inline db::Value OrNull(const std::optional<int64_t>& v) { return v ? db::Value(*v) : db::Null(); }

// A LIKE pattern's wildcards escaped, so that `v` matches literally (with ESCAPE '\').
inline std::string EscapeLike(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

// " WHERE … ORDER BY … LIMIT 1" on alias `a` naming one row of a versioned registry (artifact,
// collection) by `ref`: a key its latest version on the main branch; a 16-character uid its
// family's newest version, one outside the trash first; 20 characters exactly that version.
// `what` names the registry in messages. Result: InvalidArgument.
inline Result<std::pair<std::string, std::vector<db::Value>>> VersionedRef(
    const ArtifactRef& ref, const std::string& what) {
  using Where = std::pair<std::string, std::vector<db::Value>>;
  if (ref.key) {
    // "+branch_id": nearly every artifact is in main, so the key's index must be the one used
    // (SQLite without statistics would otherwise scan the branch index: every row).
    return Where{"WHERE a.key = ? AND +a.branch_id = ? ORDER BY a.is_latest DESC, a.uid DESC LIMIT 1",
                 {*ref.key, int64_t{kBranchMain}}};
  }
  if (ref.uid && ref.uid->size() == 16) {
    return Where{"WHERE a.uid BETWEEN ? AND ? ORDER BY (a.branch_id != ?) DESC, a.uid DESC LIMIT 1",
                 {*ref.uid + "0000", *ref.uid + "zzzz", int64_t{kBranchTrash}}};
  }
  if (ref.uid && ref.uid->size() == 20) return Where{"WHERE a.uid = ?", {*ref.uid}};
  if (ref.uid) {
    return Status::InvalidArgument("uid '" + *ref.uid +
                                   "' must have 16 characters (a version family) or 20 (one "
                                   "version)");
  }
  return Status::InvalidArgument("name " + what + " by --key or --uid");
}

// Booleans are written TRUE / FALSE in every statement: SQLite (3.23+) reads them as 1 / 0, and
// PostgreSQL's boolean columns accept nothing else.

}  // namespace lamin::registry
