// The Instance facade: init, connect, open and delete an instance (instance/lifecycle.h does the
// work on databases and settings), and an open instance as its Context and one module per
// capability (modules.h). Info, Recover and Fsck span the capabilities and live here.
#include "lamin/instance.h"

#include <set>

#include "api/context.h"
#include "api/hooks.h"
#include "api/modules.h"
#include "core/dead_runs.h"
#include "core/fsck.h"
#include "core/journal.h"
#include "instance/lifecycle.h"
#include "instance/locations.h"
#include "instance/markers.h"
#include "registry/artifacts.h"
#include "schema/ddl.h"
#include "schema/repair.h"
#include "storage/layout.h"
#include "storage/s3_client.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using api::OpenStoreForRoot;
using instance::CanonicalRoot;
using instance::InstanceSettings;
using instance::IsS3Url;
using storage::kMarkerKey;

class InstanceImpl final : public Instance {
 public:
  explicit InstanceImpl(std::unique_ptr<api::Context> ctx)
      : ctx_(std::move(ctx)),
        artifacts_(api::MakeArtifacts(*ctx_)),
        storages_(api::MakeStorages(*ctx_)),
        records_(api::MakeRecords(*ctx_)),
        lineage_(api::MakeLineage(*ctx_)),
        annotations_(api::MakeAnnotations(*ctx_)),
        collections_(api::MakeCollections(*ctx_)) {}

  Artifacts& artifacts() override { return *artifacts_; }
  Storages& storages() override { return *storages_; }
  Records& records() override { return *records_; }
  Lineage& lineage() override { return *lineage_; }
  Annotations& annotations() override { return *annotations_; }
  Collections& collections() override { return *collections_; }

  Result<InstanceInfo> Info() override {
    const InstanceSettings& s = ctx_->settings();
    InstanceInfo info;
    info.owner = s.owner;
    info.name = s.name;
    info.slug = s.slug();
    info.id = s.id;
    info.uid = instance::InstanceUid(s.id);
    info.storage_root = s.storage_root;
    LAMIN_ASSIGN_OR_RETURN(const registry::StorageRow* home, ctx_->Row(ctx_->home_storage_id()));
    info.storage_uid = home->uid;
    info.db = instance::DatabaseName(s);
    if (!s.db) info.db = "sqlite:///" + s.SqlitePath().string();
    info.user_handle = ctx_->user().handle;
    LAMIN_ASSIGN_OR_RETURN(info.n_artifacts, registry::CountVisible(ctx_->db()));
    return info;
  }

  Result<RecoverySummary> Recover() override {
    LAMIN_RETURN_IF_ERROR(ctx_->EnsureWritable());
    auto summary = ctx_->RecoverJournal();
    if (summary.ok()) ctx_->MarkPrepared();
    return summary;
  }

  Result<FsckReport> Fsck(const FsckOptions& options) override {
    // Every location this instance writes to and holds artifacts or intents in, and the
    // default one; problems seen twice (checks of the whole database) are reported once.
    if (options.repair) LAMIN_RETURN_IF_ERROR(ctx_->EnsureWritable());
    LAMIN_ASSIGN_OR_RETURN(std::vector<int64_t> used, registry::StoragesWithArtifacts(ctx_->db()));
    std::set<int64_t> ids(used.begin(), used.end());
    ids.insert(ctx_->default_storage_id());
    if (ctx_->schema().has_journal) {
      LAMIN_ASSIGN_OR_RETURN(std::vector<int64_t> pending, core::StoragesWithIntents(ctx_->db()));
      ids.insert(pending.begin(), pending.end());
    }
    FsckReport total;
    if (ctx_->schema().has_journal) {
      LAMIN_RETURN_IF_ERROR(CheckRegistrations(options, total));
      LAMIN_RETURN_IF_ERROR(CheckRuns(options, total));
    }
    if (ctx_->db().dialect() == db::Dialect::kPostgres) {
      LAMIN_RETURN_IF_ERROR(CheckPostgresSchema(options, total));
    }
    std::set<std::string> seen;
    for (int64_t id : ids) {
      auto row = ctx_->Row(id);
      if (!row.ok() || (*row)->instance_uid != ctx_->InstanceUid()) continue;
      LAMIN_ASSIGN_OR_RETURN(ObjectStore * store, ctx_->StoreFor(id));
      LAMIN_ASSIGN_OR_RETURN(auto report, core::Fsck(ctx_->db(), *store, id, ctx_->session(),
                                                     ctx_->schema(), options));
      total.artifacts_checked += report.artifacts_checked;
      total.objects_seen += report.objects_seen;
      total.open_intents += report.open_intents;
      for (auto& p : report.problems) {
        if (seen.insert(p.kind + '\n' + p.uid + '\n' + p.path + '\n' + p.message).second) {
          total.problems.push_back(std::move(p));
        }
      }
    }
    return total;
  }

  // On PostgreSQL, what the schema lacks of the one Python LaminDB makes (an instance that an
  // earlier lamin made): reported; a repair adds all of it in one transaction.
  Status CheckPostgresSchema(const FsckOptions& options, FsckReport& report) {
    LAMIN_ASSIGN_OR_RETURN(auto fixes, schema::MissingPostgresObjects(ctx_->db()));
    if (fixes.empty()) return Status::OK();
    bool repaired = false;
    if (options.repair) {
      db::Transaction tx(ctx_->db());
      Status s = tx.Begin();
      for (const auto& f : fixes) {
        if (s.ok()) s = ctx_->db().ExecuteScript(f.statement);
      }
      if (s.ok()) s = tx.Commit();
      if (!s.ok()) return s.WithContext("the repair of the schema failed (nothing was changed)");
      repaired = true;
    }
    for (const auto& f : fixes) {
      report.problems.push_back({"schema_difference", "", f.what,
                                 repaired ? "added, as Python LaminDB's schema has it"
                                          : "missing from the schema Python LaminDB makes (its "
                                            "migrations need it): lamin fsck --repair adds it",
                                 false, repaired});
    }
    return Status::OK();
  }

  // Registrations of storage locations that did not finish (core/journal.h): a live writer's
  // are pending; a dead writer's are reported, and undone by a repair (its marker removed, if it
  // is the one that registration wrote).
  // Runs of killed processes (core/dead_runs.h): damage until a repair marks them aborted.
  Status CheckRuns(const FsckOptions& options, FsckReport& report) {
    LAMIN_ASSIGN_OR_RETURN(core::RunLeaseCheck runs,
                           core::CheckRunLeases(ctx_->db(), options.repair));
    for (const auto& uid : runs.alive) {
      report.problems.push_back({"run_in_progress", "", "lamindb_run",
                                 "run " + uid + " is in progress", /*warning=*/true, false});
    }
    for (const auto& dead : runs.dead) {
      std::string what = dead.still_started
                             ? "run " + dead.uid + " says started, but " + dead.owner +
                                   " that carried it is gone"
                             : "run " + dead.uid + " left a lease in the journal";
      std::string done = dead.still_started ? "; marked aborted" : "; removed";
      bool repaired = options.repair;
      report.problems.push_back({"dead_run", "", "lamindb_run",
                                 what + (repaired ? done : ""),
                                 /*warning=*/!dead.still_started, repaired});
    }
    return Status::OK();
  }

  Status CheckRegistrations(const FsckOptions& options, FsckReport& report) {
    LAMIN_ASSIGN_OR_RETURN(auto pending, core::PendingRegistrations(ctx_->db()));
    for (const auto& i : pending) {
      if (core::OwnerMayBeAlive(i.owner, i.created_at) && i.owner != ctx_->session()) {
        report.problems.push_back({"pending_write", "", i.key,
                                   "storage add by " + core::DescribeWriter(i.owner, i.created_at) +
                                       " is in progress",
                                   true, false});
        continue;
      }
      bool repaired = false;
      if (options.repair) {
        auto store = OpenStoreForRoot(i.key, ctx_->options());
        Status undone = store.status();
        if (undone.ok()) {
          auto marker = (*store)->LocalPath(kMarkerKey, {});
          auto text = marker.ok() ? util::ReadFile(*marker) : Result<std::string>(marker.status());
          if (text.ok() && text->rfind(i.token + "\n", 0) == 0) undone = (*store)->Delete(kMarkerKey);
        }
        db::Transaction tx(ctx_->db());
        repaired = undone.ok() && tx.Begin().ok() &&
                   core::RemoveRegistration(ctx_->db(), i.key).ok() && tx.Commit().ok();
      }
      report.problems.push_back(
          {"interrupted_storage_add", "", i.key,
           repaired ? "an interrupted 'lamin storage add' was undone"
                    : "'lamin storage add " + i.key + "' did not finish: run it again to finish it",
           /*warning=*/!repaired, repaired});
    }
    return Status::OK();
  }

  // Opened now so that a test's wrapper exists from the start; a store that cannot open yet
  // (no S3 credentials) fails the operations that need it, not metadata queries.
  void OpenDefaultStore() { (void)ctx_->StoreFor(ctx_->default_storage_id()); }

 private:
  std::unique_ptr<api::Context> ctx_;
  std::unique_ptr<Artifacts> artifacts_;
  std::unique_ptr<Storages> storages_;
  std::unique_ptr<Records> records_;
  std::unique_ptr<Lineage> lineage_;
  std::unique_ptr<Annotations> annotations_;
  std::unique_ptr<Collections> collections_;
};

Result<std::unique_ptr<Instance>> OpenWithSettings(const InstanceSettings& settings,
                                                   const OpenOptions& options,
                                                   const api::TestHooks& hooks) {
  LAMIN_ASSIGN_OR_RETURN(auto user, instance::LoadOrCreateUser(options.env));
  LAMIN_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> db,
                         instance::OpenInstanceDatabase(settings));
  LAMIN_ASSIGN_OR_RETURN(schema::SchemaState schema,
                         schema::InspectSchema(*db, instance::DatabaseName(settings)));
  if (hooks.wrap_database) db = hooks.wrap_database(std::move(db));
  // One query for all storages (an instance has a handful), the home and the chosen among them.
  LAMIN_ASSIGN_OR_RETURN(auto storages, registry::ListStorages(*db));
  LAMIN_ASSIGN_OR_RETURN(auto home, registry::FindStorage(storages, settings.storage_root));
  int64_t default_id = home.id;
  if (!options.storage.empty()) {
    LAMIN_ASSIGN_OR_RETURN(std::string root, CanonicalRoot(options.storage));
    LAMIN_ASSIGN_OR_RETURN(auto chosen, registry::FindStorage(storages, root));
    default_id = chosen.id;
  }
  auto ctx = std::make_unique<api::Context>(options, settings, user, std::move(db),
                                            std::move(schema), std::move(storages), home.id,
                                            default_id);
  auto impl = std::make_unique<InstanceImpl>(std::move(ctx));
  impl->OpenDefaultStore();
  return std::unique_ptr<Instance>(std::move(impl));
}

// The instance uid that the database of an interrupted init of this location names (its home
// storage row), or empty when there is none to resume.
std::string UnfinishedInitAt(const InstanceSettings& settings) {
  auto db = instance::OpenInstanceDatabase(settings);
  if (!db.ok()) return "";
  auto schema = schema::InspectSchema(**db, instance::DatabaseName(settings));
  if (!schema.ok()) return "";
  auto home = registry::FindStorage(**db, settings.storage_root);
  return home.ok() ? home->instance_uid : "";
}

Result<std::unique_ptr<Instance>> InitInstance(const InitOptions& init, const OpenOptions& options,
                                               const api::TestHooks& hooks) {
  if (init.storage.empty()) {
    return Status::InvalidArgument("no storage given: lamin init --storage DIR|s3://BUCKET/PREFIX");
  }
  const std::string storage_text = init.storage.string();
  const bool on_s3 = IsS3Url(storage_text);
  LAMIN_ASSIGN_OR_RETURN(std::string root, CanonicalRoot(storage_text));
  if (!init.db.empty() && !instance::IsPostgresUrl(init.db)) {
    return Status::InvalidArgument("database '" + db::MaskPassword(init.db) +
                                   "' is not a postgresql:// URL (leave --db out for SQLite)");
  }
  if (on_s3 && init.db.empty()) {
    return Status::InvalidArgument("storage '" + root +
                                   "' needs a shared database: lamin init --storage " + root +
                                   " --db postgresql://... (an embedded SQLite database inside a "
                                   "bucket is not supported)");
  }
  std::error_code ec;
  if (!on_s3 && fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    return Status::InvalidArgument("storage '" + root + "' exists and is not a folder");
  }
  std::string default_name;
  if (on_s3) {
    LAMIN_ASSIGN_OR_RETURN(auto location, storage::S3Location::Parse(root));
    default_name = location.prefix.empty() ? location.bucket
                                           : location.prefix.substr(location.prefix.rfind('/') + 1);
  } else {
    default_name = fs::path(root).filename().string();
  }
  {
    // Locations do not nest: not inside a .lamindb/ folder, nor inside or around the storage of
    // an instance known here.
    std::vector<std::string> taken;
    std::string owner_of_root;
    for (const auto& [slug, file] : instance::InstanceSettingsFiles(options.env)) {
      auto other = instance::ReadInstanceSettings(file);
      if (!other.ok()) continue;
      taken.push_back(other->storage_root);
      if (other->storage_root == root) owner_of_root = slug;
    }
    Status free = instance::CheckLocationIsFree(root, taken);
    if (free.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("storage '" + root + "' already belongs to instance " +
                                   owner_of_root + ": use 'lamin connect " + owner_of_root + "'");
    }
    LAMIN_RETURN_IF_ERROR(free);
  }
  std::string name = init.name.empty() ? default_name : init.name;
  LAMIN_RETURN_IF_ERROR(instance::ValidateInstanceName(name));
  LAMIN_ASSIGN_OR_RETURN(auto user, instance::LoadOrCreateUser(options.env));

  InstanceSettings settings;
  settings.owner = user.handle;
  settings.name = name;
  settings.storage_root = root;
  settings.id = util::Uuid5UrlHex(settings.slug());
  if (!init.db.empty()) settings.db = init.db;
  if (on_s3) settings.storage_region = storage::RegionFromEnvironment();
  if (fs::exists(instance::InstanceSettingsPath(options.env, settings.owner, name), ec)) {
    return Status::AlreadyExists("instance " + settings.slug() +
                                 " already exists: use 'lamin connect " + name +
                                 "' or delete it first");
  }
  // The store is opened without the test wrappers: they are for the instance's operations.
  OpenOptions plain = options;
  plain.wrap_store = nullptr;
  auto store = OpenStoreForRoot(root, plain);
  if (!store.ok()) return store.status();
  auto marker = (*store)->Stat(kMarkerKey);
  if (!marker.ok()) return marker.status().WithContext("cannot use storage '" + root + "'");
  fs::path managed = fs::path(root) / storage::kManagedDir;
  fs::path db_path = managed / storage::kSqliteName;
  const std::string instance_uid = instance::InstanceUid(settings.id);
  // Init is resumable: its steps are the database (renamed into place, or committed on
  // PostgreSQL), the marker, the settings. A database of this very instance without its
  // settings is an init that was cut short: it is finished, not refused.
  const bool has_database = settings.db || fs::exists(db_path, ec);
  const std::string unfinished = has_database ? UnfinishedInitAt(settings) : "";
  const bool resume = unfinished == instance_uid;
  if (!resume && (*marker || (!on_s3 && !settings.db && fs::exists(db_path, ec)))) {
    return Status::AlreadyExists("storage '" + root + "' already belongs to an instance (" +
                                 (*store)->Location(kMarkerKey) + ")");
  }
  registry::StorageRow storage;
  if (resume) {
    LAMIN_ASSIGN_OR_RETURN(auto db, instance::OpenInstanceDatabase(settings));
    LAMIN_ASSIGN_OR_RETURN(storage, registry::FindStorage(*db, root));
  } else {
    if (!on_s3) {
      fs::create_directories(managed, ec);
      if (ec) return util::ErrnoStatus(ec.value(), "cannot create", managed);
    }
    storage.uid = util::RandomBase62(12);
    storage.root = root;
    storage.type = (*store)->Type();
    storage.region = settings.storage_region;
    storage.instance_uid = instance_uid;
    LAMIN_RETURN_IF_ERROR(
        settings.db ? instance::CreatePostgresInstance(*settings.db, user.uid, user.handle, storage)
                    : instance::CreateSqliteInstance(db_path, user.uid, user.handle, storage));
  }
  Status s;
  bool marker_written = false;
  if (!*marker) {
    s = instance::WriteStorageMarker(**store, instance::MarkerText(storage.uid, settings));
    marker_written = s.ok();
  }
  if (s.ok()) s = instance::WriteInstanceSettings(options.env, settings, /*make_current=*/true);
  if (!s.ok() && !resume) {
    if (marker_written) (void)(*store)->Delete(kMarkerKey);
    if (!settings.db) {
      for (const char* ext : {"", "-wal", "-shm"}) fs::remove(db_path.string() + ext, ec);
    } else if (auto db = db::OpenPostgres(*settings.db); db.ok()) {
      (void)schema::DropSchema(**db);
    }
  }
  LAMIN_RETURN_IF_ERROR(s);
  return OpenWithSettings(settings, options, hooks);
}

}  // namespace

namespace api {

Result<std::unique_ptr<Instance>> InitWith(const InitOptions& init, const OpenOptions& options,
                                           const TestHooks& hooks) {
  return InitInstance(init, options, hooks);
}

Result<std::unique_ptr<Instance>> OpenCurrentWith(const OpenOptions& options,
                                                  const TestHooks& hooks) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::CurrentInstance(options.env));
  return OpenWithSettings(settings, options, hooks);
}

}  // namespace api

Result<std::unique_ptr<Instance>> Instance::Init(const InitOptions& init,
                                                 const OpenOptions& options) {
  return InitInstance(init, options, {});
}

Result<std::unique_ptr<Instance>> Instance::Connect(const std::string& name,
                                                    const OpenOptions& options) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::FindInstance(options.env, name));
  LAMIN_ASSIGN_OR_RETURN(auto inst, OpenWithSettings(settings, options, {}));
  LAMIN_RETURN_IF_ERROR(instance::WriteInstanceSettings(options.env, settings, true));
  return inst;
}

Result<std::unique_ptr<Instance>> Instance::OpenCurrent(const OpenOptions& options) {
  return api::OpenCurrentWith(options, {});
}

Status Instance::Disconnect(const Environment& env) { return instance::ClearCurrentInstance(env); }

Result<DeleteInstanceReport> Instance::DeleteInstance(const std::string& name,
                                                      const DeleteInstanceOptions& options,
                                                      const Environment& env) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::FindInstance(env, name));
  DeleteInstanceReport report;
  auto opened = instance::OpenInstanceDatabase(settings);
  if (!opened.ok()) {
    // A database that is gone, or a server that no longer answers: the instance cannot be used
    // from here, and with `forget_unreachable` it is at least forgotten.
    if (!options.forget_unreachable) return opened.status();
    report.left.push_back("the database " + instance::DatabaseName(settings) +
                          " could not be opened, so it and the instance's data were left as "
                          "they are (" +
                          opened.status().message() + ")");
    LAMIN_RETURN_IF_ERROR(instance::ForgetInstance(env, settings));
    return report;
  }
  std::unique_ptr<db::Database> db = std::move(*opened);
  const bool on_sqlite = !settings.db;
  LAMIN_ASSIGN_OR_RETURN(schema::SchemaState schema,
                         schema::InspectSchema(*db, instance::DatabaseName(settings)));
  // The writer lock is held from the check for live writers to the removal of the database: a
  // writer that started before holds an intent and makes the delete refuse; one that starts
  // after finds the database gone at its first transaction and saves nothing.
  auto refuse_if_written = [&]() -> Status {
    if (!schema.has_journal) return Status::OK();
    LAMIN_ASSIGN_OR_RETURN(auto writers, core::LiveWriters(*db));
    if (writers.empty()) return Status::OK();
    return Status::Unavailable("instance " + settings.slug() + " is being written to by " +
                               writers.front() +
                               ": it was not deleted; try again when that write has finished");
  };
  // A write in progress shows in the journal before it takes the lock: refused at once, not after
  // waiting for that lock.
  LAMIN_RETURN_IF_ERROR(refuse_if_written());
  db::Transaction tx(*db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(refuse_if_written());
  LAMIN_ASSIGN_OR_RETURN(auto storages, registry::ListStorages(*db));
  OpenOptions plain;
  plain.env = env;
  // Every location the instance owns is released (its marker, or with `delete_data` its whole
  // .lamindb/), the home location last: for SQLite it holds the database.
  std::stable_partition(storages.begin(), storages.end(), [&](const registry::StorageRow& r) {
    return r.root != settings.storage_root;
  });
  for (const auto& row : storages) {
    if (row.instance_uid != instance::InstanceUid(settings.id)) continue;
    const bool home = row.root == settings.storage_root;
    if (home && !on_sqlite) {
      LAMIN_RETURN_IF_ERROR(schema::DropSchema(*db));
      LAMIN_RETURN_IF_ERROR(tx.Commit());
    }
    auto store = OpenStoreForRoot(row.root, plain);
    Status released = store.status();
    std::vector<std::string> keys = {options.delete_data ? storage::kManagedDir : kMarkerKey};
    if (home && on_sqlite) {
      for (const char* ext : {"", "-wal", "-shm", "-journal"}) {
        keys.push_back(std::string(storage::kManagedDir) + "/" + storage::kSqliteName + ext);
      }
    }
    for (const auto& key : keys) {
      if (released.ok()) released = (*store)->Delete(key);
    }
    if (!released.ok()) {
      // The database still names this location: nothing is forgotten before it is released.
      if (!home || on_sqlite || !options.forget_unreachable) {
        return released.WithContext("instance " + settings.slug() + " was not deleted");
      }
      report.left.push_back("storage " + row.root + " keeps its marker (" + released.message() +
                            ")");
    }
  }
  tx.Rollback();  // SQLite: the database is gone; PostgreSQL: committed above
  db.reset();
  LAMIN_RETURN_IF_ERROR(instance::ForgetInstance(env, settings));
  return report;
}

}  // namespace lamin
