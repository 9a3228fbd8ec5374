// Instance: a LaminDB instance (metadata database + storage), the entry point of the library.
//
//   auto inst = lamin::Instance::Init({.storage = "/data/mydata"});
//   auto report = (*inst)->Save({{.path = "reads.fasta", .key = "raw/reads.fasta"}});
//   auto art = (*inst)->Get(lamin::ArtifactRef::ByKey("raw/reads.fasta"));
//   auto path = (*inst)->Load(lamin::ArtifactRef::ByKey("raw/reads.fasta"));
//
// Instances are on the LaminDB 2.x format: a database at <storage>/.lamindb/lamin.db (SQLite),
// objects under <storage>/.lamindb/, settings files under $LAMIN_SETTINGS_DIR/.lamin or ~/.lamin,
// so Python LaminDB opens what lamin writes and the other way round.
//
// Every save follows the protocol of docs/acid.md: objects are written (temp, fsync, rename)
// before one transaction commits the batch's rows; a failure removes what was written.
// Thread-safety: an Instance is used by one thread at a time; several processes may write one
// instance concurrently (SQLite locking, unique indexes decide duplicates).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lamin/artifact.h"
#include "lamin/fsck.h"
#include "lamin/object_store.h"
#include "lamin/query.h"
#include "lamin/status.h"

namespace lamin {

namespace db {
class Database;  // src/db/database.h: the SQL interface, wrapped by tests to inject faults
}

// Where settings and the cache live; defaults follow LaminDB's environment variables.
struct Environment {
  // The folder that holds ".lamin/": $LAMIN_SETTINGS_DIR, else $HOME.
  std::filesystem::path settings_parent;

  static Environment FromProcess();
  std::filesystem::path SettingsDir() const { return settings_parent / ".lamin"; }
};

struct InitOptions {
  // A local folder (created if missing), or s3://bucket/prefix (with ?endpoint_url=... for an
  // S3-compatible server), which needs a PostgreSQL `db`.
  std::filesystem::path storage;
  std::string name;  // default: the storage folder's name
  // Empty: embedded SQLite at <storage>/.lamindb/lamin.db. Else a PostgreSQL URL,
  // postgresql://USER:PASSWORD@HOST:PORT/DB (or postgres://; PG* variables and ~/.pgpass fill in
  // what it leaves out). The database must not hold an instance yet.
  std::string db;
};

struct OpenOptions {
  Environment env = Environment::FromProcess();
  // Wraps the instance's object store (fault injection and call counting in tests).
  std::function<std::shared_ptr<ObjectStore>(std::shared_ptr<ObjectStore>)> wrap_store;
  // Wraps the instance's database connection (fault injection in tests).
  std::function<std::unique_ptr<db::Database>(std::unique_ptr<db::Database>)> wrap_database;
  // Where saves go unless SaveOptions says otherwise: a registered storage root (LaminDB's
  // ln.settings.storage). Empty: the instance's own root.
  std::string storage;
  // Downloads of remote objects: $LAMIN_CACHE_DIR, else ~/.cache/lamindb, when empty.
  std::filesystem::path cache_dir;
  // Called while large objects move to or from remote storage (the CLI draws a progress line).
  TransferProgress progress;
};

struct StorageInfo {
  int64_t id = 0;
  std::string uid;
  std::string root;
  std::string type;  // "local", "s3"
  std::string region;
  std::string description;
  bool writable = false;    // the location belongs to this instance (its instance_uid)
  bool is_default = false;  // saves go here unless told otherwise
};

struct InstanceInfo {
  std::string owner;
  std::string name;
  std::string slug;  // owner/name
  std::string id;    // uuid hex
  std::string uid;   // 12 characters
  std::string storage_root;
  std::string storage_uid;
  std::string db;  // e.g. sqlite:////data/mydata/.lamindb/lamin.db; a password shows as ***
  std::string user_handle;
  int64_t n_artifacts = 0;  // outside the trash
};

struct DeleteInstanceOptions {
  bool delete_data = false;  // also every .lamindb/ folder the instance owns
  // When the database cannot be opened (its file or server is gone), forget the instance anyway
  // and say what was left.
  bool forget_unreachable = false;
};

struct DeleteInstanceReport {
  std::vector<std::string> left;  // what could not be reached and was left as it is
};

struct RecoverySummary {
  int writes_undone = 0;     // objects of saves that never committed, removed
  int deletes_finished = 0;  // objects of committed deletes, removed
  int skipped_alive = 0;     // intents of writers that are still running
  std::vector<std::string> errors;
};

class Instance {
 public:
  virtual ~Instance() = default;

  // Creates an instance on a local folder and makes it the current one. The owner is the
  // current user (the anonymous local user when nobody is logged in).
  // Result: AlreadyExists if the storage already holds an instance or the name is taken;
  // InvalidArgument for a bad name or storage path; IOError, PermissionDenied.
  static Result<std::unique_ptr<Instance>> Init(const InitOptions& init,
                                                const OpenOptions& options = {});
  // Opens an instance by "name" or "owner/name" from its settings file and makes it current.
  // Result: NotFound (no such instance), FailedPrecondition (not a LaminDB database), Corruption.
  static Result<std::unique_ptr<Instance>> Connect(const std::string& name,
                                                   const OpenOptions& options = {});
  // Opens the current instance. Result: FailedPrecondition when none is set up.
  static Result<std::unique_ptr<Instance>> OpenCurrent(const OpenOptions& options = {});
  // Forgets the current instance (its settings stay).
  static Status Disconnect(const Environment& env = Environment::FromProcess());
  // Deletes an instance: its database, the marker of every location it owns (with
  // `delete_data`, their whole .lamindb/ folders) and its settings. Refused while a writer of the
  // instance may still be running; a writer that starts afterwards saves nothing.
  // Result: NotFound (no such instance), Unavailable (a writer is saving), IOError /
  // PermissionDenied naming what could not be removed (then the instance stays known).
  static Result<DeleteInstanceReport> DeleteInstance(
      const std::string& name, const DeleteInstanceOptions& options,
      const Environment& env = Environment::FromProcess());

  virtual Result<InstanceInfo> Info() = 0;

  // Saves files and folders, one artifact each, as one batch (see SaveOptions).
  // Result: the first failure of an all-or-nothing batch (nothing saved); InvalidArgument for a
  // bad path or key before anything is written.
  virtual Result<SaveReport> Save(const std::vector<SaveRequest>& requests,
                                  const SaveOptions& options = {}) = 0;

  // The artifact a reference names. Result: NotFound, InvalidArgument.
  virtual Result<Artifact> Get(const ArtifactRef& ref) = 0;
  // Artifacts matching a query. Result: InvalidArgument naming an unknown field or lookup.
  virtual Result<std::vector<Artifact>> List(const ArtifactQuery& query) = 0;
  // A local path holding the artifact's data. Result: NotFound (no artifact or missing object).
  virtual Result<std::filesystem::path> Load(const ArtifactRef& ref) = 0;
  // Moves to the trash, or with `permanent` removes row and object for good (LaminDB's
  // delete(permanent=True)). Deleting the latest version makes the previous one latest.
  // Returns the artifact as it was before the delete.
  virtual Result<Artifact> Delete(const ArtifactRef& ref, bool permanent) = 0;
  // Registers another storage location (a local folder or s3://bucket/prefix) that this
  // instance writes to: writes its marker .lamindb/storage_uid.txt, then the row.
  // Result: AlreadyExists (registered, or the location belongs to an instance), InvalidArgument
  // (malformed root), PermissionDenied / NotFound / Unavailable from the store.
  virtual Result<StorageInfo> AddStorage(const std::string& root,
                                         const std::string& description = "") = 0;
  virtual Result<std::vector<StorageInfo>> ListStorages() = 0;
  // Brings an artifact back from the trash. Result: NotFound, FailedPrecondition (not in trash).
  virtual Result<Artifact> Restore(const ArtifactRef& ref) = 0;
  // Finishes or undoes interrupted writes (the journal of intents): those of processes that died
  // and this instance's own failed calls. Runs by itself before an instance's first write.
  // Result: IOError when an object cannot be removed (the intent stays for the next try).
  virtual Result<RecoverySummary> Recover() = 0;
  // Checks the instance's invariants over its storage (fsck.h); with `repair`, runs recovery,
  // removes orphans and leftovers, re-elects latest versions and drops dangling references.
  virtual Result<FsckReport> Fsck(const FsckOptions& options) = 0;
};

}  // namespace lamin
