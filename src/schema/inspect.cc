#include "schema/inspect.h"

#include <algorithm>

#include "schema/ddl.h"
#include "util/numbers.h"

namespace lamin::schema {
namespace {

// The number of a migration name ("0189_v2_6" -> 189); nullopt for a name without one.
std::optional<int64_t> MigrationNumber(const std::string& name) {
  auto underscore = name.find('_');
  return util::ParseInt64(name.substr(0, underscore));
}

bool IsSquashed(const std::string& name) { return name.ends_with("_squashed"); }

}  // namespace

Result<SchemaState> InspectSchema(db::Database& db, const std::string& where) {
  // On PostgreSQL the catalog itself, not the information_schema view over it: on a fresh
  // connection the view took 4 ms (its joins and privilege checks load a dozen catalogs), the
  // catalog 1 ms. The kinds are the view's: tables, partitioned tables, views, foreign tables.
  auto tables = db.Query(db.dialect() == db::Dialect::kPostgres
                             ? "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = "
                               "current_schema()::regnamespace AND relkind IN ('r', 'p', 'v', 'f')"
                             : "SELECT name FROM sqlite_master WHERE type = 'table'");
  if (!tables.ok()) return tables.status().WithContext(where);
  SchemaState state;
  for (const auto& row : tables->rows) state.tables.insert(db::AsText(row[0]));
  if (!state.tables.count("django_migrations") || !state.tables.count("lamindb_artifact")) {
    return Status::FailedPrecondition(
        where + " is not a LaminDB instance (no lamindb_artifact or django_migrations table)");
  }
  state.has_journal = state.tables.count(IntentTable().name) > 0;
  auto applied = db.Query("SELECT name FROM django_migrations WHERE app = 'lamindb'");
  if (!applied.ok()) return applied.status().WithContext(where);
  if (applied->empty()) {
    return Status::FailedPrecondition(where + " has no lamindb migrations: not a LaminDB instance");
  }
  // The level is the newest migration that is not a squash (a squash stands for the ones it
  // replaces and may be recorded beside them).
  bool has_lowest = false;
  int64_t newest = -1;
  for (const auto& row : applied->rows) {
    std::string name = db::AsText(row[0]);
    has_lowest |= name == kLowestWritableLevel;
    auto n = MigrationNumber(name);
    if (!n || IsSquashed(name)) continue;
    if (*n > newest || (*n == newest && name > state.level)) {
      newest = *n;
      state.level = name;
    }
  }
  const std::string known = std::string(kLowestWritableLevel) + " through " +
                            std::to_string(kHighestWritableMigration).insert(0, "0") + "_*";
  if (newest > kHighestWritableMigration) {
    state.writable = Status::FailedPrecondition(
        where + " is at migration level " + state.level + ", newer than this lamin can write (" +
        known + "): it can be read, not written; use a newer lamin");
  } else if (!has_lowest) {
    state.writable = Status::FailedPrecondition(
        where + " is at migration level " + (state.level.empty() ? "(none)" : state.level) +
        ", older than this lamin can write (" + known +
        "): it can be read, not written; migrate it first (Python LaminDB: lamin migrate deploy)");
  }
  return state;
}

Status EnsureJournal(db::Database& db) {
  std::string script;
  for (const auto& stmt : RenderTable(IntentTable(), db.dialect())) {
    // Two writers may meet here on an instance lamin never wrote: IF NOT EXISTS lets both pass.
    std::string s = stmt;
    for (const char* head : {"CREATE TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX "}) {
      if (s.rfind(head, 0) == 0) {
        s.insert(std::string(head).size(), "IF NOT EXISTS ");
        break;
      }
    }
    script += s + ";\n";
  }
  for (const auto& stmt : RenderForeignKeys(IntentTable(), db.dialect())) script += stmt + ";\n";
  return db.ExecuteScript(script);
}

}  // namespace lamin::schema
