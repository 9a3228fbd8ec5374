// What a database holds before lamin uses it: whether it is a LaminDB 2.x instance at all, the
// migration level it is at, and whether this version of lamin may write it. Reading only: the
// checks change nothing, so a read of another tool's database leaves it byte-identical.
// Thread-safety: stateless functions.
#pragma once

#include <set>
#include <string>

#include "db/database.h"

namespace lamin::schema {

// The migration levels of lamindb that this version writes: 0189_v2_6 (LaminDB 2.6, what init
// creates) and the later 2.x levels 0190 through 0193, which add constraints, one nullable column
// and indexes that lamin's writes respect. A later level may change what a write must do.
inline constexpr const char* kLowestWritableLevel = "0189_v2_6";
inline constexpr int kHighestWritableMigration = 193;

struct SchemaState {
  std::string level;               // the newest lamindb migration applied, e.g. "0189_v2_6"
  bool has_journal = false;        // lamin_intent exists (lamin has written here before)
  bool has_lamin_indexes = false;  // every index of LaminIndexes() (ddl.h) exists
  Status writable;                 // OK, or why lamin must not write this instance (reads work)
};

// Result: FailedPrecondition when `db` is not a LaminDB 2.x instance (no lamindb_artifact or
// django_migrations table, no lamindb migrations), naming `where`.
Result<SchemaState> InspectSchema(db::Database& db, const std::string& where);

// Every table the database holds (bionty's, for one, only where that module was installed):
// asked by the commands that delete rows and by fsck, not by every command.
Result<std::set<std::string>> ListTables(db::Database& db);

// Creates what `state` says is missing of lamin's own objects -- its journal table, lamin's
// indexes (ddl.h: LaminIndexes) -- and records it in `state`: a Python-made instance at lamin's
// first write, or one an older lamin wrote. Each in a transaction of its own, under the writer
// lock. An index the connection's role may not make (not the table's owner) is left out.
// REQUIRES: outside a transaction.
Status EnsureLaminObjects(db::Database& db, SchemaState& state);

}  // namespace lamin::schema
