// Instance: a LaminDB instance (metadata database + storage), the entry point of the library.
// It is a thin facade that hands out one object per capability:
//
//   auto inst = lamin::Instance::Init({.storage = "/data/mydata"});
//   auto report = (*inst)->artifacts().Save({{.path = "reads.fasta", .key = "raw/reads.fasta"}});
//   auto art = (*inst)->artifacts().Get(lamin::ArtifactRef::ByKey("raw/reads.fasta"));
//   auto labels = (*inst)->records().List("ulabel", {});
//   (*inst)->annotations().Annotate(lamin::ArtifactRef::ByKey("raw/reads.fasta"),
//                                   {.ulabels = {"sequencing"}});
//
// Instances are on the LaminDB 2.x format: a database at <storage>/.lamindb/lamin.db (SQLite),
// objects under <storage>/.lamindb/, settings files under $LAMIN_SETTINGS_DIR/.lamin or ~/.lamin,
// so Python LaminDB opens what lamin writes and the other way round. Opening and reading change
// nothing in the database; the first write of an instance object checks that the instance's
// migration level is one this version writes.
// Thread-safety: an Instance (and its capabilities) is used by one thread at a time; several
// processes may write one instance concurrently (SQLite locking, unique indexes decide
// duplicates).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lamin/annotations.h"
#include "lamin/artifacts.h"
#include "lamin/collections.h"
#include "lamin/fsck.h"
#include "lamin/lineage.h"
#include "lamin/object_store.h"
#include "lamin/records.h"
#include "lamin/status.h"
#include "lamin/storages.h"

namespace lamin {

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
  // Wraps the instance's object stores (fault injection and call counting in tests, caching).
  std::function<std::shared_ptr<ObjectStore>(std::shared_ptr<ObjectStore>)> wrap_store;
  // Where saves go unless SaveOptions says otherwise: a registered storage root (LaminDB's
  // ln.settings.storage). Empty: the instance's own root.
  std::string storage;
  // Downloads of remote objects: $LAMIN_CACHE_DIR, else ~/.cache/lamindb, when empty.
  std::filesystem::path cache_dir;
  // Called while large objects move to or from remote storage (the CLI draws a progress line).
  TransferProgress progress;
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
  int runs_aborted = 0;      // runs whose process was killed, marked aborted
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

  // The capabilities, each valid as long as the instance.
  virtual Artifacts& artifacts() = 0;
  virtual Storages& storages() = 0;
  virtual Records& records() = 0;
  virtual Lineage& lineage() = 0;
  virtual Annotations& annotations() = 0;
  virtual Collections& collections() = 0;

  virtual Result<InstanceInfo> Info() = 0;
  // Finishes or undoes interrupted writes (the journal of intents): those of processes that died
  // and this instance's own failed calls. Runs by itself before an instance's first write.
  // Result: IOError when an object cannot be removed (the intent stays for the next try).
  virtual Result<RecoverySummary> Recover() = 0;
  // Checks the instance's invariants over its storage (fsck.h); with `repair`, runs recovery,
  // removes orphans and leftovers, re-elects latest versions and drops dangling references.
  virtual Result<FsckReport> Fsck(const FsckOptions& options) = 0;
};

}  // namespace lamin
