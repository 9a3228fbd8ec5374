#include "schema/repair.h"

#include <set>

#include "schema/ddl.h"
#include "schema/postgres_objects.h"

namespace lamin::schema {
namespace {

Result<std::set<std::string>> Names(db::Database& db, const std::string& sql) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(sql));
  std::set<std::string> out;
  for (const auto& r : rows.rows) out.insert(db::AsText(r[0]));
  return out;
}

// The name an object statement creates: the word after "CONSTRAINT ", "TRIGGER " or "FUNCTION ".
std::string CreatedName(const std::string& stmt) {
  for (const char* marker : {" CONSTRAINT ", "CREATE TRIGGER ", "CREATE FUNCTION public."}) {
    auto at = stmt.find(marker);
    if (at == std::string::npos) continue;
    auto start = at + std::string(marker).size();
    auto end = stmt.find_first_of(" (", start);
    return stmt.substr(start, end - start);
  }
  return "";
}

}  // namespace

Result<std::vector<SchemaFix>> MissingPostgresObjects(db::Database& db) {
  std::vector<SchemaFix> fixes;
  LAMIN_ASSIGN_OR_RETURN(auto constraints,
                         Names(db, "SELECT conname FROM pg_constraint WHERE connamespace = "
                                   "current_schema()::regnamespace"));
  LAMIN_ASSIGN_OR_RETURN(auto indexes, Names(db, "SELECT indexname FROM pg_indexes WHERE "
                                                 "schemaname = current_schema()"));
  LAMIN_ASSIGN_OR_RETURN(auto tables, Names(db, "SELECT table_name FROM information_schema.tables "
                                                "WHERE table_schema = current_schema()"));
  LAMIN_ASSIGN_OR_RETURN(auto functions, Names(db, "SELECT proname FROM pg_proc WHERE "
                                                   "pronamespace = current_schema()::regnamespace"));
  LAMIN_ASSIGN_OR_RETURN(auto triggers,
                         Names(db, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"));
  for (const auto& stmt : PostgresFunctions()) {
    if (!functions.count(CreatedName(stmt))) fixes.push_back({"function " + CreatedName(stmt), stmt});
  }
  for (const TableDef* table : AllTables(db::Dialect::kPostgres)) {
    if (!tables.count(table->name)) continue;
    // The statements a new schema has for this table, less the CREATE TABLE: what is missing of
    // them is added (a unique index of unique_together becomes its constraint).
    for (const auto& stmt : RenderTable(*table, db::Dialect::kPostgres)) {
      if (stmt.rfind("CREATE TABLE", 0) == 0) continue;
      std::string name = stmt.substr(stmt.find('"') + 1);
      name = name.substr(0, name.find('"'));
      if (stmt.rfind("ALTER TABLE", 0) == 0) {
        // "ALTER TABLE t ADD CONSTRAINT "name" UNIQUE (...)"
        auto c = stmt.find("CONSTRAINT \"");
        name = stmt.substr(c + 12, stmt.find('"', c + 12) - c - 12);
        if (constraints.count(name)) continue;
        std::string fix = indexes.count(name)
                              ? "ALTER TABLE \"" + table->name + "\" ADD CONSTRAINT \"" + name +
                                    "\" UNIQUE USING INDEX \"" + name + "\""
                              : stmt;
        fixes.push_back({table->name + ": unique constraint " + name, fix});
        continue;
      }
      // "CREATE [UNIQUE] INDEX "name" ON …"
      auto i = stmt.find("INDEX \"");
      name = stmt.substr(i + 7, stmt.find('"', i + 7) - i - 7);
      if (!indexes.count(name)) fixes.push_back({table->name + ": index " + name, stmt});
    }
  }
  for (const auto& stmt : PostgresTableObjects()) {
    if (stmt.rfind("COMMENT ON TRIGGER", 0) == 0) {
      // Goes with its trigger, when that is added.
      std::string name = stmt.substr(std::string("COMMENT ON TRIGGER ").size());
      name = name.substr(0, name.find(' '));
      if (!triggers.count(name)) fixes.push_back({"trigger comment " + name, stmt});
      continue;
    }
    std::string name = CreatedName(stmt);
    bool present = stmt.rfind("CREATE TRIGGER", 0) == 0 ? triggers.count(name) > 0
                                                          : constraints.count(name) > 0;
    if (!present) fixes.push_back({(stmt.rfind("CREATE TRIGGER", 0) == 0 ? "trigger " : "check ") + name, stmt});
  }
  return fixes;
}

}  // namespace lamin::schema
