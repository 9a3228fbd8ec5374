// lamin fsck: checks the save protocol's invariants over one storage of an instance and repairs
// what recovery can repair (see include/lamin/fsck.h for the checks).
#pragma once

#include "db/database.h"
#include "lamin/fsck.h"
#include "lamin/object_store.h"

namespace lamin::core {

// `has_journal`: the journal table exists (an instance that lamin never wrote has none, and a
// check without repair must not create it).
Result<FsckReport> Fsck(db::Database& db, ObjectStore& store, int64_t storage_id,
                        const std::string& own_session, bool has_journal,
                        const FsckOptions& options);

}  // namespace lamin::core
