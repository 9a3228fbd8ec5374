// What an instance on PostgreSQL lacks of the schema Python LaminDB creates, and the statements
// that add it, for instances made by earlier versions of lamin: unique_together rendered as a
// unique index where Django expects a constraint (converted in place: ALTER TABLE … ADD
// CONSTRAINT … UNIQUE USING INDEX, which Python's migration 0191 needs), the CHECK and trigger
// functions, their constraints and triggers, and the pattern-ops indexes of unique text columns.
// Nothing is dropped, no data is touched. (Integer ids that Python makes bigint are left: they
// work, and converting rewrites the table.)
#pragma once

#include <string>
#include <vector>

#include "db/database.h"

namespace lamin::schema {

struct SchemaFix {
  std::string what;       // for messages: "lamindb_artifactulabel: unique constraint …"
  std::string statement;  // SQL that adds it
};

// REQUIRES: a PostgreSQL database holding a LaminDB instance. Result: the fixes, none when the
// schema is complete.
Result<std::vector<SchemaFix>> MissingPostgresObjects(db::Database& db);

}  // namespace lamin::schema
