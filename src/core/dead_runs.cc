#include "core/dead_runs.h"

#include "core/journal.h"
#include "registry/lineage.h"

namespace lamin::core {

Result<RunLeaseCheck> CheckRunLeases(db::Database& db, bool repair) {
  RunLeaseCheck out;
  LAMIN_ASSIGN_OR_RETURN(std::vector<Intent> leases, RunLeases(db));
  for (const Intent& lease : leases) {
    if (RunOwnerMayBeAlive(lease)) {
      out.alive.push_back(lease.key);
      continue;
    }
    DeadRun dead;
    dead.uid = lease.key;
    dead.owner = DescribeWriter(lease.owner, lease.created_at);
    if (!repair) {
      LAMIN_ASSIGN_OR_RETURN(auto run, registry::RunByUid(db, lease.key));
      dead.still_started = run && run->status == RunStatus::kStarted;
      out.dead.push_back(std::move(dead));
      continue;
    }
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    // Read inside the transaction: a run that its process ended meanwhile keeps its status.
    LAMIN_ASSIGN_OR_RETURN(auto run, registry::RunByUid(db, lease.key));
    dead.still_started = run && run->status == RunStatus::kStarted;
    if (dead.still_started) {
      LAMIN_RETURN_IF_ERROR(
          registry::FinishRun(db, *run, RunStatus::kAborted, std::nullopt).status());
    }
    LAMIN_RETURN_IF_ERROR(RemoveRunLease(db, lease.key));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    dead.aborted = dead.still_started;
    out.dead.push_back(std::move(dead));
  }
  return out;
}

}  // namespace lamin::core
