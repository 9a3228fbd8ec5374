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
