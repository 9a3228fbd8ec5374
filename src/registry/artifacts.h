// The SQL of lamindb_artifact and the rows seeded at init (user, space, branches, storage).
// Every statement binds its values; batches look up many hashes or keys with one statement by
// passing them as one JSON array parameter.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/artifact.h"
#include "lamin/query.h"
#include "registry/query.h"

namespace lamin::registry {

// The row values of a new artifact; created_at/updated_at are set on insert.
struct NewArtifact {
  std::string uid;
  std::optional<std::string> key;
  std::optional<std::string> description;
  std::string suffix;
  int64_t size = 0;
  std::string hash;
  std::string hash_type;
  std::optional<int64_t> n_files;
  int64_t storage_id = 0;
  int64_t created_by_id = 0;
  // False for an object registered in place: the key is its real key in storage.
  bool key_is_virtual = true;
  std::optional<std::string> kind;
  std::optional<int64_t> run_id;
};

// The latest version of a key, and the highest uid of its family (for the next counter).
struct KeyFamily {
  Artifact latest;
  std::string max_uid;
};

// Artifacts of `storage_id` whose hash is in `hashes`, in any branch (a hash names content, so
// LaminDB's branch filter does not apply).
Result<std::vector<Artifact>> FindByHashes(db::Database& db, int64_t storage_id,
                                           const std::vector<std::string>& hashes);
// For each key in `keys` that has a latest version in the main branch of `storage_id`.
Result<std::vector<KeyFamily>> FindKeyFamilies(db::Database& db, int64_t storage_id,
                                               const std::vector<std::string>& keys);

// Inserts rows with is_latest = TRUE (multi-row statements) and takes is_latest from the other
// versions of each new version's stem. Returns the artifacts in the order given.
// REQUIRES: inside the caller's transaction; distinct uids.
Result<std::vector<Artifact>> InsertArtifacts(db::Database& db,
                                              const std::vector<NewArtifact>& rows);

Result<std::optional<Artifact>> FindById(db::Database& db, int64_t id);
// Resolves a reference: key -> latest in main; 16-char uid -> latest of the stem (any branch);
// 20-char uid -> that version (any branch). Result: NotFound, InvalidArgument.
Result<Artifact> Resolve(db::Database& db, const ArtifactRef& ref);
// Artifacts matching `query` (registry/query.h).
Result<std::vector<Artifact>> QueryArtifacts(db::Database& db, const lamin::Query& query);
// The statement QueryArtifacts runs for the compiled `q` (its plan is what the tests check).
std::string ArtifactQuerySql(const CompiledQuery& q, db::Dialect dialect);

// An artifact whose content a run saved again: the run becomes its run if it has none, else it
// is recorded as a recreating run (once), as Python LaminDB does. REQUIRES: in a transaction.
Status LinkRecreatingRun(db::Database& db, const Artifact& a, int64_t run_id);
// Records `run_id` as a run that read `a` (once); not for the run that created it.
// REQUIRES: in a transaction.
Status LinkInputOfRun(db::Database& db, const Artifact& a, int64_t run_id);

// Re-elects the latest version of a stem: the highest uid outside the trash.
Status RecomputeLatest(db::Database& db, const std::string& stem);
// Moves an artifact to a branch and re-elects the latest version of its stem.
Status SetBranch(db::Database& db, const Artifact& a, int branch_id);
// Removes the row and the rows that point to it (of the tables in `tables`: an instance may
// lack some, such as bionty's); re-elects the latest version.
Status DeleteRow(db::Database& db, const Artifact& a, const std::set<std::string>& tables);
// Number of other rows whose object is the same as `a`'s (versions of a folder share one).
Result<int64_t> CountOtherObjectOwners(db::Database& db, const Artifact& a);
// The newest version that shares `a`'s object and is newer than `a` (whose data then replaced
// `a`'s): LaminDB's _overwrite_versions folders, or a file registered in place and saved again.
Result<std::optional<Artifact>> NewerOwnerOfObject(db::Database& db, const Artifact& a);
// Which of `storage_keys` a row of `storage_id` owns (its object is at that key).
Result<std::set<std::string>> OwnedObjects(db::Database& db, int64_t storage_id,
                                           const std::vector<std::string>& storage_keys);
// The storage locations that hold artifacts (of any branch).
Result<std::vector<int64_t>> StoragesWithArtifacts(db::Database& db);
// Artifacts outside the trash.
Result<int64_t> CountVisible(db::Database& db);

}  // namespace lamin::registry
