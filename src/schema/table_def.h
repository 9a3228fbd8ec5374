// The description of LaminDB's tables, in Django's terms (field kinds, nullability, defaults,
// indexes), from which ddl.cc renders the DDL of each SQL dialect. lamindb_tables.cc holds the
// LaminDB 2.x tables; lamin's own journal table is described the same way in ddl.cc.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"

namespace lamin::schema {

enum class ColumnKind {
  kAuto,       // AutoField primary key (integer)
  kBigAuto,    // BigAutoField primary key
  kSmallAuto,  // SmallAutoField primary key
  kForeignKey,  // its SQL type follows the referenced table's primary key
  kInteger,
  kBigInt,
  kSmallInt,
  kBool,
  kVarchar,
  kText,
  kJson,
  kDateTime,
  kDate,
  kReal,
};

enum ColumnFlag : unsigned {
  kNone = 0,
  kNull = 1,    // NULL allowed
  kUnique = 2,  // UNIQUE column constraint
  kIndex = 4,   // Django db_index (also every foreign key): a single-column index
  // A foreign key Python declares on_delete=PROTECT: the referenced row cannot be deleted for
  // good while this one refers to it (Django raises ProtectedError and deletes nothing). No SQL
  // of its own: the delete checks it (registry::DeleteRow).
  kProtect = 8,
};

enum class DefaultKind { kNone, kLiteral, kNow };
struct NowTag {};
inline constexpr NowTag kNow{};

struct ColumnDef {
  std::string name;
  ColumnKind kind;
  int max_length = 0;  // varchar
  unsigned flags = kNone;
  DefaultKind default_kind = DefaultKind::kNone;
  std::string default_literal;  // as SQLite writes it: 0/1 for booleans, 'text' quoted
  std::string references;       // foreign keys: the referenced table (its "id")

  bool nullable() const { return flags & kNull; }
};

// An index with a fixed name: an expression (e.g. LOWER("name")) or a partial index.
struct NamedIndex {
  std::string name;
  bool unique;
  std::string expression;  // the parenthesised part of CREATE INDEX, without the parentheses
  std::string where;       // empty: not partial
};

enum class ConstraintKind { kCheck, kUnique };
struct TableConstraint {
  std::string name;
  ConstraintKind kind;
  std::string expression;  // inside CHECK ( ) or UNIQUE ( )
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::vector<std::string>> unique_together;  // Django's *_uniq indexes
  std::vector<NamedIndex> named_indexes;
  std::vector<TableConstraint> constraints;
};

struct Migration {
  std::string app;
  std::string name;
  std::string applied;  // when it ran, as the reference records it; empty: at creation
};

// The LaminDB 2.x tables, in the order the reference seed lists them.
const std::vector<TableDef>& LamindbTables();
// The django_migrations rows of a new schema, per backend (see the definition).
const std::vector<Migration>& DjangoMigrations(db::Dialect dialect);
// The row lamindb-setup adds when it initialises an instance on that schema.
inline constexpr const char* kInitMigration = "0189_squashed";

// Builders that keep lamindb_tables.cc one line per column.
inline ColumnDef Auto(std::string n) { return {std::move(n), ColumnKind::kAuto}; }
inline ColumnDef BigAuto(std::string n) { return {std::move(n), ColumnKind::kBigAuto}; }
inline ColumnDef SmallAuto(std::string n) { return {std::move(n), ColumnKind::kSmallAuto}; }

inline ColumnDef Plain(std::string n, ColumnKind k, int len, unsigned flags) {
  return {std::move(n), k, len, flags};
}
inline ColumnDef Plain(std::string n, ColumnKind k, int len, unsigned flags, std::string literal) {
  return {std::move(n), k, len, flags, DefaultKind::kLiteral, std::move(literal)};
}
inline ColumnDef Plain(std::string n, ColumnKind k, int len, unsigned flags, NowTag) {
  return {std::move(n), k, len, flags, DefaultKind::kNow};
}

#define LAMIN_SCHEMA_KIND(Name, Kind)                                        \
  template <typename... D>                                                   \
  ColumnDef Name(std::string n, unsigned flags, D... d) {                    \
    return Plain(std::move(n), ColumnKind::Kind, 0, flags, d...);            \
  }
LAMIN_SCHEMA_KIND(Integer, kInteger)
LAMIN_SCHEMA_KIND(BigInt, kBigInt)
LAMIN_SCHEMA_KIND(SmallInt, kSmallInt)
LAMIN_SCHEMA_KIND(Bool, kBool)
LAMIN_SCHEMA_KIND(Text, kText)
LAMIN_SCHEMA_KIND(Json, kJson)
LAMIN_SCHEMA_KIND(DateTime, kDateTime)
LAMIN_SCHEMA_KIND(Date, kDate)
LAMIN_SCHEMA_KIND(Real, kReal)
#undef LAMIN_SCHEMA_KIND

template <typename... D>
ColumnDef Varchar(std::string n, int len, unsigned flags, D... d) {
  return Plain(std::move(n), ColumnKind::kVarchar, len, flags, d...);
}

template <typename... D>
ColumnDef Fk(std::string n, std::string table, unsigned flags, D... d) {
  ColumnDef c = Plain(std::move(n), ColumnKind::kForeignKey, 0, flags, d...);
  c.references = std::move(table);
  return c;
}

}  // namespace lamin::schema
