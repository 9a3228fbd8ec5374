// Trash, restore and permanent delete of artifacts (protocol invariant I4: a permanent delete
// removes the row and journals the object's removal in one transaction, then removes the object;
// recovery finishes what a crash interrupted).
#pragma once

#include <set>
#include <string>

#include "core/save.h"
#include "db/database.h"
#include "lamin/artifact.h"

namespace lamin::core {

Status TrashArtifact(db::Database& db, const Artifact& a);
Result<Artifact> RestoreArtifact(db::Database& db, const Artifact& a);
// `tables`: the tables the instance has (rows pointing at the artifact are removed from those).
Status DeletePermanently(db::Database& db, const StorageTarget& target, const Artifact& a,
                         const std::set<std::string>& tables);

}  // namespace lamin::core
