// Consistency check of an instance (lamin fsck): the invariants of the save protocol, checked
// over the whole instance, with an optional repair of what recovery can fix.
//
//   I1 every row has a complete object of the row's size (and hash, with `deep`);
//   I2 every object under .lamindb/ belongs to a row or to an open intent; no leftover temp files;
//      no interrupted writes of dead writers;
//   exactly one is_latest per version family outside the trash;
//   no row refers to a row that does not exist.
// A changed or missing object of a committed row is reported, never deleted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamin {

struct FsckOptions {
  bool repair = false;
  bool deep = false;  // also recompute content hashes (reads every object)
};

struct FsckProblem {
  // missing_object, size_mismatch, hash_mismatch, orphan_object, leftover_temp,
  // interrupted_write, latest_count, dangling_reference, dead_run (a run still "started" whose
  // process was killed; a repair marks it aborted); warnings: duplicate_content,
  // foreign_entry (a name lamin does not write, left alone), overwritten_version (data a newer
  // version replaced in place), pending_write (a writer that may still run),
  // interrupted_storage_add, run_in_progress
  std::string kind;
  std::string uid;   // the artifact concerned, if any
  std::string path;  // the object or table concerned
  std::string message;
  bool warning = false;   // reported, but not damage (does not fail the check)
  bool repaired = false;
};

struct FsckReport {
  int64_t artifacts_checked = 0;
  int64_t objects_seen = 0;
  int64_t open_intents = 0;  // of writers still running: their objects are not orphans
  std::vector<FsckProblem> problems;

  // Problems that are damage and were not repaired.
  int64_t unrepaired() const {
    int64_t n = 0;
    for (const auto& p : problems) n += !p.warning && !p.repaired;
    return n;
  }
};

}  // namespace lamin
