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

Result<std::set<std::string>> ListTables(db::Database& db) {
  // On PostgreSQL the catalog itself, not the information_schema view over it: on a fresh
  // connection the view took 4 ms (its joins and privilege checks load a dozen catalogs), the
  // catalog 1 ms. The kinds are the view's: tables, partitioned tables, views, foreign tables.
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query(db.dialect() == db::Dialect::kPostgres
                   ? "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = "
                     "current_schema()::regnamespace AND relkind IN ('r', 'p', 'v', 'f')"
                   : "SELECT name FROM sqlite_master WHERE type = 'table'"));
  std::set<std::string> tables;
  for (const auto& row : rows.rows) tables.insert(db::AsText(row[0]));
  return tables;
}

Result<SchemaState> InspectSchema(db::Database& db, const std::string& where) {
  // One statement, since every command opens with it: the migrations, and whether the artifact
  // and journal tables and lamin's indexes exist. The list of every table (ListTables) is left
  // to the commands that need it: on PostgreSQL it was the first statement of a fresh backend,
  // 2-4 ms of server time (log_min_duration_statement) before a `get` had asked anything.
  const bool pg = db.dialect() == db::Dialect::kPostgres;
  auto exists = [&](const char* type) -> std::string {
    return pg ? "to_regclass(?) IS NOT NULL"
              : std::string("EXISTS (SELECT 1 FROM sqlite_master WHERE type = '") + type +
                    "' AND name = ?)";
  };
  std::vector<db::Value> params = {std::string("lamindb_artifact"), IntentTable().name};
  std::string indexes_exist = "1 = 1";
  for (const auto& index : LaminIndexes(db.dialect())) {
    indexes_exist += " AND " + exists("index");
    params.push_back(std::string(index.name));
  }
  auto applied = db.Query("SELECT name, CASE WHEN " + exists("table") +
                              " THEN 1 ELSE 0 END, CASE WHEN " + exists("table") +
                              " THEN 1 ELSE 0 END, CASE WHEN " + indexes_exist +
                              " THEN 1 ELSE 0 END FROM django_migrations WHERE app = 'lamindb'",
                          params);
  const Status not_lamindb = Status::FailedPrecondition(
      where + " is not a LaminDB instance (no lamindb_artifact or django_migrations table)");
  if (!applied.ok()) {
    // Which it is -- no django_migrations table, or a failure of the database -- is asked only
    // now, on the way to an error.
    auto tables = ListTables(db);
    if (tables.ok() && !tables->count("django_migrations")) return not_lamindb;
    return applied.status().WithContext(where);
  }
  if (applied->empty()) {
    auto tables = ListTables(db);
    if (tables.ok() && !tables->count("lamindb_artifact")) return not_lamindb;
    return Status::FailedPrecondition(where + " has no lamindb migrations: not a LaminDB instance");
  }
  if (db::AsInt(applied->rows[0][1]) == 0) return not_lamindb;
  SchemaState state;
  state.has_journal = db::AsInt(applied->rows[0][2]) != 0;
  state.has_lamin_indexes = db::AsInt(applied->rows[0][3]) != 0;
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

namespace {

// Runs `script` in a transaction of its own, under the writer lock: two writers may meet here on
// an instance lamin never wrote, and PostgreSQL's IF NOT EXISTS does not stop a second CREATE
// that runs while the first is uncommitted (it fails on the catalog's unique name). The second
// now waits, then finds all.
Status RunLocked(db::Database& db, const std::string& script) {
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(db.ExecuteScript(script));
  return tx.Commit();
}

}  // namespace

Status EnsureLaminObjects(db::Database& db, SchemaState& state) {
  if (!state.has_journal) {
    std::string script;
    for (const auto& stmt : RenderTable(IntentTable(), db.dialect())) {
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
    LAMIN_RETURN_IF_ERROR(RunLocked(db, script));
    state.has_journal = true;
  }
  if (!state.has_lamin_indexes) {
    std::string script;
    for (const auto& index : LaminIndexes(db.dialect())) {
      script += std::string(index.create) + ";\n";
    }
    // An index over a large Python-made instance is built once, here, and holds writers off
    // while it is (reads go on). Only a table's owner may index it: a teammate's role that may
    // only write rows leaves the index to the owner's next write, and the answers it serves
    // stay right without it (slower).
    Status made = script.empty() ? Status::OK() : RunLocked(db, script);
    if (!made.ok() && made.code() != StatusCode::kPermissionDenied) return made;
    state.has_lamin_indexes = true;  // made, or not ours to make: not asked again this session
  }
  return Status::OK();
}

}  // namespace lamin::schema
