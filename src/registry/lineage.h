// The SQL of lamindb_transform and lamindb_run, rows as Python LaminDB writes them (LAYER2 §1):
// explicit branch_id/created_on_id/space_id/is_locked, _aux SQL NULL, created_at, updated_at and
// started_at from the database's default, finished_at from the writer with microseconds.
#pragma once

#include <optional>
#include <set>
#include <vector>
#include <string>

#include "db/database.h"
#include "lamin/lineage.h"

namespace lamin::registry {

// The latest transform of `key` outside the trash.
Result<std::optional<Transform>> LatestTransformOfKey(db::Database& db, const std::string& key);
// The newest transform of `key` outside the trash whose source has `hash` (any version: a
// script edited back to an earlier text is that earlier version again).
Result<std::optional<Transform>> TransformWithHash(db::Database& db, const std::string& key,
                                                   const std::string& hash);
// Gives a transform without source its source. REQUIRES: in a transaction.
Status SetTransformSource(db::Database& db, int64_t id, const std::string& source_code,
                          const std::string& hash);
// The highest uid of a transform stem (for the next version counter).
Result<std::string> HighestTransformUid(db::Database& db, const std::string& stem);
Result<std::optional<Transform>> TransformById(db::Database& db, int64_t id);
Result<std::optional<Transform>> TransformByUid(db::Database& db, const std::string& uid);
// Inserts a transform (is_latest true) and, for a new version, takes is_latest from the others
// of its stem. REQUIRES: in a transaction.
Result<Transform> InsertTransform(db::Database& db, const Transform& t, int64_t user_id);

// Inserts a run in state `status`. REQUIRES: in a transaction.
Result<Run> InsertRun(db::Database& db, const Run& r, int64_t user_id, bool is_consecutive);
// Sets status, finished_at (now, microseconds) and the report. REQUIRES: in a transaction.
Result<Run> FinishRun(db::Database& db, const Run& r, RunStatus status,
                      std::optional<int64_t> report_id);
Result<std::optional<Run>> RunByUid(db::Database& db, const std::string& uid);
Result<std::optional<Run>> RunById(db::Database& db, int64_t id);
// The runs linked to an artifact through `link_table` (lamindb_artifact_input_of_runs or
// lamindb_artifact_recreating_runs), oldest first.
Result<std::vector<Run>> RunsLinkedTo(db::Database& db, const char* link_table, int64_t artifact_id);

// The ids of the artifacts outside the trash that run `run_id` made, and of those it read,
// oldest first.
Result<std::vector<int64_t>> OutputIdsOfRun(db::Database& db, int64_t run_id);
Result<std::vector<int64_t>> InputIdsOfRun(db::Database& db, int64_t run_id);

// Deletes a run for good as Django's collector does (LAYER2 §7), in the caller's transaction:
// refused (InvalidArgument naming the holder) while a row it tracks refers to it (an output's
// run_id, any nullable run_id, a record's run value); its child runs (initiated_by_run) go first,
// then its link rows (every NOT NULL reference), then the run. What went is added to `deleted`.
// `tables`: those that exist. REQUIRES: in a transaction (a refusal leaves partial deletes for
// its rollback).
struct DeletedRuns {
  std::vector<std::string> uids;       // the runs, children included
  std::vector<int64_t> run_artifacts;  // the artifacts they pointed at as report, environment
};
Status DeleteRunRows(db::Database& db, const Run& run, const std::set<std::string>& tables,
                     DeletedRuns* deleted);
// Deletes a transform for good: its runs (as above), its link rows, is_latest moved to the
// newest other version of its family. Refused while a record's transform value refers to it.
// REQUIRES: in a transaction.
Status DeleteTransformRows(db::Database& db, const Transform& t,
                           const std::set<std::string>& tables, DeletedRuns* deleted);

}  // namespace lamin::registry
