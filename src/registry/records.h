// Rows of any registry as Records (lamin/record.h), read by column name, through the one query
// compiler.
#pragma once

#include <vector>

#include "db/database.h"
#include "lamin/query.h"
#include "lamin/record.h"
#include "registry/registry_def.h"

namespace lamin::registry {

// Records of `r` matching `query`. Result: InvalidArgument from the compiler.
Result<std::vector<Record>> QueryRecords(db::Database& db, const RegistryDef& r,
                                         const Query& query);
// The record `ref` names (see RecordRef). Result: NotFound; InvalidArgument for a reference
// the registry has no field for, or a name several records share (listing their uids).
Result<Record> ResolveRecord(db::Database& db, const RegistryDef& r, const RecordRef& ref);

}  // namespace lamin::registry
