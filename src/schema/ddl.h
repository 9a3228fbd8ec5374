// Renders the table description (table_def.h) as DDL, the way Django's schema editor writes it
// for each backend, and creates or checks an instance's schema.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "schema/table_def.h"

namespace lamin::schema {

// Django's generated index name (`_create_index_name`): table_columns_<md5 digest><suffix>,
// shortened to the backend's identifier limit (SQLite 200, PostgreSQL 63) as Django does.
std::string DjangoIndexName(const std::string& table, const std::vector<std::string>& columns,
                            const std::string& suffix, db::Dialect dialect);

// CREATE TABLE and CREATE INDEX statements for one table.
std::vector<std::string> RenderTable(const TableDef& table, db::Dialect dialect);
// PostgreSQL: ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY for one table, to run after every
// table exists (Django's constraint names). SQLite: none (its keys are inline).
std::vector<std::string> RenderForeignKeys(const TableDef& table, db::Dialect dialect);
// The django_migrations table.
const TableDef& MigrationsTable();
// Every table an instance holds: LaminDB's, lamin's journal, django_migrations.
std::vector<const TableDef*> AllTables(db::Dialect dialect);
// Drops every table of AllTables() (PostgreSQL instances: `lamin delete instance`).
Status DropSchema(db::Database& db);

// lamin's own journal of intents (not a LaminDB table; LaminDB ignores it).
const TableDef& IntentTable();

// An index lamin adds to a LaminDB table for a query of its own; LaminDB neither makes nor
// needs it. Its migrations leave it alone: Django alters a column's type in place on PostgreSQL
// (which rebuilds the index), and drops a field's index by looking up the indexes on exactly
// that one column, which none of these is.
struct LaminIndex {
  const char* name;
  const char* create;  // CREATE INDEX IF NOT EXISTS ...
};
// PostgreSQL: (created_at, id) on lamindb_artifact, for `--order-by -created_at` pages (lamin
// orders a batch's shared created_at by id: LaminDB's index on created_at alone makes
// PostgreSQL read and sort the whole newest batch for a page of 50). SQLite: none; its index on
// created_at holds the rowid, which is the id.
const std::vector<LaminIndex>& LaminIndexes(db::Dialect dialect);

// Creates every LaminDB table, its indexes, the journal table, lamin's indexes and the
// django_migrations rows.
// REQUIRES: an empty database, inside the caller's transaction.
Status CreateSchema(db::Database& db);

}  // namespace lamin::schema
