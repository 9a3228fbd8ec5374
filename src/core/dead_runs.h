// Runs whose process was killed before it could end them (a `lamin run` under SIGKILL, a
// program that exited inside a RunScope): found by their lease in the journal (journal.h,
// kRunOp) and marked aborted with finished_at, as LaminDB marks a run its user interrupted.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"

namespace lamin::core {

struct DeadRun {
  std::string uid;
  std::string owner;  // described for messages
  bool still_started = false;  // its row still says started (else only the lease was left)
  bool aborted = false;        // marked aborted (with `repair`)
};

struct RunLeaseCheck {
  std::vector<DeadRun> dead;
  std::vector<std::string> alive;  // uids of runs whose process may still run
};

// Finds the leases of runs whose process is gone; with `repair`, marks each such run that still
// says started aborted (finished_at now) and removes its lease, one transaction per run. A run
// that another process ended or that was deleted only loses its lease; one that was given
// another status is never changed.
Result<RunLeaseCheck> CheckRunLeases(db::Database& db, bool repair);

}  // namespace lamin::core
