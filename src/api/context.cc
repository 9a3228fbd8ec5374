#include "api/context.h"

#include "core/dead_runs.h"
#include "instance/locations.h"
#include "registry/seed.h"
#include "schema/ddl.h"

namespace lamin::api {

Result<std::shared_ptr<ObjectStore>> OpenStoreForRoot(const std::string& root,
                                                      const OpenOptions& options) {
  std::shared_ptr<ObjectStore> store;
  if (instance::IsS3Url(root)) {
    S3StoreOptions s3;
    s3.cache_dir = options.cache_dir;
    s3.progress = options.progress;
    LAMIN_ASSIGN_OR_RETURN(store, OpenS3Store(root, s3));
  } else {
    LAMIN_ASSIGN_OR_RETURN(store, OpenLocalStore(root));
  }
  if (options.wrap_store) store = options.wrap_store(store);
  return store;
}

Context::Context(OpenOptions options, instance::InstanceSettings settings,
                 instance::UserSettings user, std::unique_ptr<db::Database> db,
                 schema::SchemaState schema, std::vector<registry::StorageRow> storages,
                 int64_t home_storage_id, int64_t default_storage_id)
    : options_(std::move(options)),
      settings_(std::move(settings)),
      user_(std::move(user)),
      db_(std::move(db)),
      schema_(std::move(schema)),
      storages_(std::move(storages)),
      home_storage_id_(home_storage_id),
      default_storage_id_(default_storage_id) {}

std::string Context::InstanceUid() const { return instance::InstanceUid(settings_.id); }

Status Context::PrepareWrite() {
  if (prepared_) return Status::OK();
  LAMIN_RETURN_IF_ERROR(EnsureWritable());
  LAMIN_RETURN_IF_ERROR(RecoverJournal().status());
  prepared_ = true;
  return Status::OK();
}

Result<const std::set<std::string>*> Context::Tables() {
  if (!tables_) {
    LAMIN_ASSIGN_OR_RETURN(std::set<std::string> tables, schema::ListTables(*db_));
    tables_ = std::move(tables);
  }
  return &*tables_;
}

Status Context::EnsureWritable() {
  LAMIN_RETURN_IF_ERROR(schema_.writable);
  if (!schema_.has_journal || !schema_.has_lamin_indexes) {
    LAMIN_RETURN_IF_ERROR(schema::EnsureLaminObjects(*db_, schema_));
    if (tables_) tables_->insert(schema::IntentTable().name);
  }
  if (user_id_ == 0) {
    LAMIN_ASSIGN_OR_RETURN(user_id_, registry::EnsureUser(*db_, user_.uid, user_.handle));
  }
  return Status::OK();
}

Result<RecoverySummary> Context::RecoverJournal() {
  LAMIN_ASSIGN_OR_RETURN(std::vector<int64_t> used, core::StoragesWithIntents(*db_));
  RecoverySummary summary;
  for (int64_t id : used) {
    auto store = StoreFor(id);
    if (!store.ok()) {
      summary.errors.push_back(store.status().ToString());
      continue;
    }
    auto report = core::Recover(*db_, **store, id, session(), /*force=*/false);
    if (!report.ok()) return report.status().WithContext("recovery of interrupted writes failed");
    summary.writes_undone += report->puts_undone;
    summary.deletes_finished += report->deletes_done;
    summary.skipped_alive += report->skipped_alive;
    summary.errors.insert(summary.errors.end(), report->errors.begin(), report->errors.end());
  }
  if (!summary.errors.empty()) {
    return Status::IOError("recovery could not finish: " + summary.errors.front());
  }
  LAMIN_ASSIGN_OR_RETURN(core::RunLeaseCheck runs, core::CheckRunLeases(*db_, /*repair=*/true));
  for (const auto& dead : runs.dead) summary.runs_aborted += dead.aborted;
  return summary;
}

Status Context::RefreshStorages() {
  LAMIN_ASSIGN_OR_RETURN(storages_, registry::ListStorages(*db_));
  return Status::OK();
}

Result<const registry::StorageRow*> Context::Row(int64_t id) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& row : storages_) {
      if (row.id == id) return &row;
    }
    LAMIN_RETURN_IF_ERROR(RefreshStorages());  // another process may have added it
  }
  return Status::NotFound("no storage row with id " + std::to_string(id));
}

Result<int64_t> Context::WritableStorage(const std::string& root_text) {
  LAMIN_ASSIGN_OR_RETURN(std::string root, instance::CanonicalRoot(root_text));
  LAMIN_RETURN_IF_ERROR(RefreshStorages());
  for (const auto& row : storages_) {
    if (row.root != root) continue;
    if (row.instance_uid != InstanceUid()) {
      return Status::InvalidArgument("storage '" + root +
                                     "' belongs to another instance: it is read-only here");
    }
    return row.id;
  }
  return Status::NotFound("storage '" + root +
                          "' is not registered in this instance: lamin storage add " + root);
}

Result<ObjectStore*> Context::StoreFor(int64_t storage_id) {
  if (auto it = stores_.find(storage_id); it != stores_.end()) return it->second.get();
  LAMIN_ASSIGN_OR_RETURN(const registry::StorageRow* row, Row(storage_id));
  LAMIN_ASSIGN_OR_RETURN(auto store, OpenStoreForRoot(row->root, options_));
  ObjectStore* raw = store.get();
  stores_[storage_id] = std::move(store);
  return raw;
}

Result<core::StorageTarget> Context::Target(int64_t storage_id) {
  LAMIN_ASSIGN_OR_RETURN(ObjectStore * store, StoreFor(storage_id));
  return core::StorageTarget{storage_id, store, user_id_, session()};
}

void Context::AddStore(const registry::StorageRow& row, std::shared_ptr<ObjectStore> store) {
  stores_[row.id] = std::move(store);
  storages_.push_back(row);
}

}  // namespace lamin::api
