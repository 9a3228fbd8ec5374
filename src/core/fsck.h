// lamin fsck: checks the save protocol's invariants over one storage of an instance and repairs
// what recovery can repair (see include/lamin/fsck.h for the checks).
#pragma once

#include "db/database.h"
#include "schema/inspect.h"
#include "lamin/fsck.h"
#include "lamin/object_store.h"

namespace lamin::core {

// `schema`: what the database holds (an instance that lamin never wrote has no journal table,
// and a check without repair must not create it; one Python made on PostgreSQL has no bionty
// tables).
Result<FsckReport> Fsck(db::Database& db, ObjectStore& store, int64_t storage_id,
                        const std::string& own_session, const schema::SchemaState& schema,
                        const FsckOptions& options);

}  // namespace lamin::core
