// Context: what the capability modules of one open instance share (the database and what was
// read of its schema, the storage locations and their stores, the user, the writer session,
// the options), and the one rule for a first write (PrepareWrite). Each capability (artifacts,
// storages, records, …) is a module of its own over a Context; the Instance facade owns both.
// Thread-safety: used by one thread at a time, as its Instance.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/journal.h"
#include "core/save.h"
#include "db/database.h"
#include "instance/settings.h"
#include "lamin/instance.h"
#include "registry/storages.h"
#include "schema/inspect.h"

namespace lamin::api {

// The store of a storage root, wrapped as the options say.
Result<std::shared_ptr<ObjectStore>> OpenStoreForRoot(const std::string& root,
                                                      const OpenOptions& options);

class Context {
 public:
  Context(OpenOptions options, instance::InstanceSettings settings, instance::UserSettings user,
          std::unique_ptr<db::Database> db, schema::SchemaState schema,
          std::vector<registry::StorageRow> storages, int64_t home_storage_id,
          int64_t default_storage_id);

  const OpenOptions& options() const { return options_; }
  const instance::InstanceSettings& settings() const { return settings_; }
  const instance::UserSettings& user() const { return user_; }
  db::Database& db() { return *db_; }
  const schema::SchemaState& schema() const { return schema_; }
  // Every table the database holds, asked at the first call (deletes need it, reads do not).
  Result<const std::set<std::string>*> Tables();
  const std::string& session() const { return session_.owner(); }
  int64_t home_storage_id() const { return home_storage_id_; }
  int64_t default_storage_id() const { return default_storage_id_; }
  // This instance's uid as lamindb_storage.instance_uid holds it.
  std::string InstanceUid() const;

  // Before the first write of this instance object, and only then, lamin changes anything in
  // the database: opening and reading leave it as it was. The first write checks that this
  // version may write the instance's migration level, creates the journal table if a
  // Python-made instance lacks it, registers the user, and recovers what dead writers left
  // (one query when the journal is empty).
  Status PrepareWrite();
  // The part of PrepareWrite that comes before recovery.
  Status EnsureWritable();
  // The journal's work for every location with intents, and the runs of killed processes
  // marked aborted. REQUIRES: EnsureWritable().
  Result<RecoverySummary> RecoverJournal();
  // Marks recovery as done for this instance object (Instance::Recover did it).
  void MarkPrepared() { prepared_ = true; }
  int64_t user_id() const { return user_id_; }

  // Storage locations: the rows (re-read when one is not known yet), their stores (opened
  // lazily: metadata queries need no S3 credentials).
  const std::vector<registry::StorageRow>& storages() const { return storages_; }
  Status RefreshStorages();
  Result<const registry::StorageRow*> Row(int64_t id);
  // The id of a registered location this instance writes to. Result: NotFound,
  // InvalidArgument (another instance's location).
  Result<int64_t> WritableStorage(const std::string& root_text);
  Result<ObjectStore*> StoreFor(int64_t storage_id);
  Result<core::StorageTarget> Target(int64_t storage_id);
  // Keeps `store` as the store of a location just added.
  void AddStore(const registry::StorageRow& row, std::shared_ptr<ObjectStore> store);

 private:
  OpenOptions options_;
  instance::InstanceSettings settings_;
  instance::UserSettings user_;
  std::unique_ptr<db::Database> db_;
  schema::SchemaState schema_;
  std::optional<std::set<std::string>> tables_;  // Tables(), once asked
  std::vector<registry::StorageRow> storages_;
  std::map<int64_t, std::shared_ptr<ObjectStore>> stores_;
  int64_t home_storage_id_;
  int64_t default_storage_id_;
  int64_t user_id_ = 0;
  bool prepared_ = false;
  const core::WriterSession session_;
};

}  // namespace lamin::api
