#include "core/remove.h"

#include "core/journal.h"
#include "registry/artifacts.h"
#include "util/encoding.h"

namespace lamin::core {

Status TrashArtifact(db::Database& db, const Artifact& a) {
  if (a.branch_id == kBranchTrash) return Status::OK();
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(registry::SetBranch(db, a, kBranchTrash));
  return tx.Commit();
}

Result<Artifact> RestoreArtifact(db::Database& db, const Artifact& a) {
  if (a.branch_id != kBranchTrash) {
    return Status::InvalidArgument("artifact " + a.uid + " is not in the trash: nothing to restore");
  }
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(registry::SetBranch(db, a, kBranchMain));
  LAMIN_RETURN_IF_ERROR(tx.Commit());
  LAMIN_ASSIGN_OR_RETURN(auto fresh, registry::FindById(db, a.id));
  if (!fresh) return Status::NotFound("artifact " + a.uid + " vanished while it was restored");
  return *fresh;
}

Status DeletePermanently(db::Database& db, const StorageTarget& target, const Artifact& a,
                         const std::set<std::string>& tables) {
  const std::string token = util::RandomBase62(12);
  bool remove_object = false;
  {
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    // Versions of a folder share one object: it goes with the last of them. An object
    // registered in place was there before the artifact and stays (LaminDB asks before it
    // deletes such data; a command line cannot).
    LAMIN_ASSIGN_OR_RETURN(int64_t others, registry::CountOtherObjectOwners(db, a));
    remove_object = others == 0 && a.storage_id == target.storage_id && a.key_is_virtual;
    LAMIN_RETURN_IF_ERROR(registry::DeleteRow(db, a, tables));
    if (remove_object) {
      Intent intent = Intent::Make("delete", a.storage_id, a.StorageKey(), token);
      intent.owner = target.owner;
      LAMIN_RETURN_IF_ERROR(RecordIntents(db, {intent}));
    }
    LAMIN_RETURN_IF_ERROR(tx.Commit());
  }
  if (!remove_object) return Status::OK();
  // The row is gone: from here on the delete has happened, and the intent guarantees the object
  // follows even if this process dies now.
  Status removed = target.store->Delete(a.StorageKey());
  if (!removed.ok()) {
    return removed.WithContext(
        "the artifact's row is deleted, but its object remains until "
        "recovery (lamin fsck --repair) removes it");
  }
  return RemoveIntentsDurably(db, token);
}

}  // namespace lamin::core
