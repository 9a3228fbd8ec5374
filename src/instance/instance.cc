// Instance: settings files, init / connect / delete, and the operations, each delegating to the
// core protocols with the instance's database and store.
#include "lamin/instance.h"

#include <unistd.h>

#include <regex>

#include "core/fsck.h"
#include "core/journal.h"
#include "core/remove.h"
#include "core/save.h"
#include "db/database.h"
#include "instance/settings.h"
#include "registry/artifacts.h"
#include "registry/seed.h"
#include "schema/ddl.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using instance::InstanceSettings;

Status ValidateInstanceName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
  if (!std::regex_match(name, kName) || name.find("--") != std::string::npos) {
    return Status::InvalidArgument("instance name '" + name +
                                   "' must be letters, digits, '-' or '_' (no '--'), starting "
                                   "with a letter or digit");
  }
  return Status::OK();
}

class InstanceImpl final : public Instance {
 public:
  InstanceImpl(OpenOptions options, InstanceSettings settings, instance::UserSettings user,
               std::unique_ptr<db::Database> db, std::shared_ptr<ObjectStore> store,
               int64_t storage_id, std::string storage_uid, int64_t user_id)
      : options_(std::move(options)),
        settings_(std::move(settings)),
        user_(std::move(user)),
        db_(std::move(db)),
        store_(std::move(store)),
        storage_id_(storage_id),
        storage_uid_(std::move(storage_uid)),
        user_id_(user_id) {}

  Result<InstanceInfo> Info() override {
    InstanceInfo info;
    info.owner = settings_.owner;
    info.name = settings_.name;
    info.slug = settings_.slug();
    info.id = settings_.id;
    info.uid = instance::InstanceUid(settings_.id);
    info.storage_root = settings_.storage_root;
    info.storage_uid = storage_uid_;
    info.db = settings_.db ? db::MaskPassword(*settings_.db)
                           : "sqlite:///" + settings_.SqlitePath().string();
    info.user_handle = user_.handle;
    LAMIN_ASSIGN_OR_RETURN(info.n_artifacts, registry::CountVisible(*db_));
    return info;
  }

  Result<SaveReport> Save(const std::vector<SaveRequest>& requests,
                          const SaveOptions& options) override {
    LAMIN_RETURN_IF_ERROR(RecoverOnce());
    return core::SaveBatch(*db_, Target(), requests, options);
  }

  Result<Artifact> Get(const ArtifactRef& ref) override { return registry::Resolve(*db_, ref); }

  Result<std::vector<Artifact>> List(const ArtifactQuery& query) override {
    return registry::Query(*db_, query);
  }

  Result<fs::path> Load(const ArtifactRef& ref) override {
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(*db_, ref));
    if (a.storage_id != storage_id_) {
      return Status::FailedPrecondition("artifact " + a.uid + " lives in storage '" +
                                        a.storage_root + "', which this instance cannot read");
    }
    LAMIN_ASSIGN_OR_RETURN(auto info, store_->Stat(a.StorageKey()));
    LAMIN_ASSIGN_OR_RETURN(fs::path path, store_->LocalPath(a.StorageKey()));
    if (!info) {
      return Status::NotFound("the data of artifact " + a.uid + " is missing at '" +
                              path.string() + "' (lamin fsck reports such damage)");
    }
    return path;
  }

  Result<Artifact> Delete(const ArtifactRef& ref, bool permanent) override {
    LAMIN_RETURN_IF_ERROR(RecoverOnce());
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(*db_, ref));
    LAMIN_RETURN_IF_ERROR(permanent ? core::DeletePermanently(*db_, Target(), a)
                                    : core::TrashArtifact(*db_, a));
    return a;
  }

  Result<Artifact> Restore(const ArtifactRef& ref) override {
    Artifact a;
    if (ref.key) {
      // By key: the newest version of that key in the trash.
      LAMIN_ASSIGN_OR_RETURN(auto rows,
                             registry::Query(*db_, ArtifactQuery{{{"key", "exact", *ref.key},
                                                                  {"branch_id", "exact", "-1"}},
                                                                 {"-uid"},
                                                                 1}));
      if (rows.empty()) return Status::NotFound("no artifact with key '" + *ref.key + "' in the trash");
      a = rows[0];
    } else {
      LAMIN_ASSIGN_OR_RETURN(a, registry::Resolve(*db_, ref));
    }
    return core::RestoreArtifact(*db_, a);
  }

 private:
  core::StorageTarget Target() { return {storage_id_, store_.get(), user_id_, session_.owner()}; }

  // Recovery runs once per process before its first write, and costs one query when the journal
  // is empty.
  Status RecoverOnce() {
    if (recovered_) return Status::OK();
    LAMIN_RETURN_IF_ERROR(Recover().status());
    recovered_ = true;
    return Status::OK();
  }

 public:
  Result<FsckReport> Fsck(const FsckOptions& options) override {
    return core::Fsck(*db_, *store_, storage_id_, session_.owner(), options);
  }

  Result<RecoverySummary> Recover() override {
    auto report = core::Recover(*db_, *store_, storage_id_, session_.owner(), /*force=*/false);
    if (!report.ok()) return report.status().WithContext("recovery of interrupted writes failed");
    RecoverySummary summary{report->puts_undone, report->deletes_done, report->skipped_alive,
                            report->errors};
    if (!report->errors.empty()) {
      return Status::IOError("recovery could not finish: " + report->errors.front());
    }
    return summary;
  }

 private:

  OpenOptions options_;
  InstanceSettings settings_;
  instance::UserSettings user_;
  std::unique_ptr<db::Database> db_;
  std::shared_ptr<ObjectStore> store_;
  int64_t storage_id_;
  std::string storage_uid_;
  int64_t user_id_;
  bool recovered_ = false;
  const core::WriterSession session_;
};

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// Opens the instance's database: PostgreSQL when the settings name one, else its SQLite file.
Result<std::unique_ptr<db::Database>> OpenInstanceDatabase(const InstanceSettings& settings) {
  if (settings.db) {
    if (!IsPostgresUrl(*settings.db)) {
      return Status::FailedPrecondition("instance " + settings.slug() + " uses database '" +
                                        db::MaskPassword(*settings.db) +
                                        "': only postgresql:// URLs and SQLite are supported");
    }
    return db::OpenPostgres(*settings.db);
  }
  fs::path db_path = settings.SqlitePath();
  auto opened = db::OpenSqlite(db_path, {});
  if (opened.status().IsNotFound()) {
    return Status::NotFound("the database of instance " + settings.slug() + " is missing at '" +
                            db_path.string() + "'");
  }
  return opened;
}

std::string DatabaseName(const InstanceSettings& settings) {
  return settings.db ? db::MaskPassword(*settings.db) : "'" + settings.SqlitePath().string() + "'";
}

Result<std::unique_ptr<Instance>> OpenWithSettings(const InstanceSettings& settings,
                                                   const OpenOptions& options) {
  LAMIN_ASSIGN_OR_RETURN(auto user, instance::LoadOrCreateUser(options.env));
  LAMIN_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> db, OpenInstanceDatabase(settings));
  LAMIN_RETURN_IF_ERROR(schema::CheckSchema(*db, DatabaseName(settings)));
  if (options.wrap_database) db = options.wrap_database(std::move(db));
  LAMIN_ASSIGN_OR_RETURN(auto storage, registry::FindStorage(*db, settings.storage_root));
  LAMIN_ASSIGN_OR_RETURN(int64_t user_id, registry::EnsureUser(*db, user.uid, user.handle));
  LAMIN_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store,
                         OpenLocalStore(settings.storage_root));
  if (options.wrap_store) store = options.wrap_store(store);
  return std::unique_ptr<Instance>(std::make_unique<InstanceImpl>(
      options, settings, user, std::move(db), std::move(store), storage.first, storage.second,
      user_id));
}

// The schema and seeded rows of a new instance, in one transaction (PostgreSQL's DDL is
// transactional too, so a failed init leaves an empty database).
Status CreateInstanceSchema(db::Database& db, const std::string& user_uid,
                            const std::string& user_handle, const registry::StorageRow& storage) {
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(schema::CreateSchema(db));
  LAMIN_RETURN_IF_ERROR(registry::SeedInstance(db, user_uid, user_handle, storage).status());
  return tx.Commit();
}

// A new instance in a PostgreSQL database that holds none yet: an empty database, or one where
// the LaminDB schema was created beforehand (by a DBA, or from a template) but no instance rows.
Status CreatePostgresInstance(const std::string& url, const std::string& user_uid,
                              const std::string& user_handle,
                              const registry::StorageRow& storage) {
  LAMIN_ASSIGN_OR_RETURN(auto db, db::OpenPostgres(url));
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows existing,
      db->Query("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name IN ('lamindb_artifact', 'django_migrations')"));
  if (db::AsInt(existing.rows.at(0).at(0)) == 0) {
    return CreateInstanceSchema(*db, user_uid, user_handle, storage);
  }
  LAMIN_RETURN_IF_ERROR(schema::CheckSchema(*db, db::MaskPassword(url)));
  LAMIN_ASSIGN_OR_RETURN(db::Rows seeded, db->Query("SELECT count(*) FROM lamindb_space"));
  if (db::AsInt(seeded.rows.at(0).at(0)) > 0) {
    return Status::AlreadyExists("database " + db::MaskPassword(url) +
                                 " already holds an instance: use 'lamin connect' or another "
                                 "database");
  }
  db::Transaction tx(*db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(registry::SeedInstance(*db, user_uid, user_handle, storage).status());
  return tx.Commit();
}

// Writes the SQLite database of a new instance at a temporary name and renames it into place,
// so that an interrupted init leaves no half-made instance.
Status CreateSqliteInstance(const fs::path& db_path, const std::string& user_uid,
                            const std::string& user_handle, const registry::StorageRow& storage) {
  fs::path tmp = db_path;
  tmp += ".tmp-" + util::RandomBase62(8);
  {
    LAMIN_ASSIGN_OR_RETURN(auto db, db::OpenSqlite(tmp, {.create = true}));
    Status s = CreateInstanceSchema(*db, user_uid, user_handle, storage);
    if (!s.ok()) {
      db.reset();
      for (const char* ext : {"", "-wal", "-shm"}) ::unlink((tmp.string() + ext).c_str());
      return s;
    }
  }
  if (::rename(tmp.c_str(), db_path.c_str()) != 0) {
    return util::ErrnoStatus(errno, "cannot move the new database into place", db_path);
  }
  return util::SyncPath(db_path.parent_path());
}

}  // namespace

Result<std::unique_ptr<Instance>> Instance::Init(const InitOptions& init,
                                                 const OpenOptions& options) {
  if (init.storage.empty()) {
    return Status::InvalidArgument("no storage given: lamin init --storage DIR");
  }
  std::string storage_text = init.storage.string();
  if (storage_text.find("://") != std::string::npos) {
    return Status::InvalidArgument("storage '" + storage_text +
                                   "' is not a local folder; this build supports local storage");
  }
  fs::path root = util::NormalizeAbsolute(init.storage);
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    return Status::InvalidArgument("storage '" + root.string() + "' exists and is not a folder");
  }
  if (!init.db.empty() && !IsPostgresUrl(init.db)) {
    return Status::InvalidArgument("database '" + db::MaskPassword(init.db) +
                                   "' is not a postgresql:// URL (leave --db out for SQLite)");
  }
  std::string name = init.name.empty() ? root.filename().string() : init.name;
  LAMIN_RETURN_IF_ERROR(ValidateInstanceName(name));
  LAMIN_ASSIGN_OR_RETURN(auto user, instance::LoadOrCreateUser(options.env));

  InstanceSettings settings;
  settings.owner = user.handle;
  settings.name = name;
  settings.storage_root = root.string();
  settings.id = util::Uuid5UrlHex(settings.slug());
  if (!init.db.empty()) settings.db = init.db;
  if (fs::exists(instance::InstanceSettingsPath(options.env, settings.owner, name), ec)) {
    return Status::AlreadyExists("instance " + settings.slug() +
                                 " already exists: use 'lamin connect " + name +
                                 "' or delete it first");
  }
  fs::path managed = root / ".lamindb";
  fs::path db_path = managed / "lamin.db";
  if (fs::exists(db_path, ec) || fs::exists(managed / "storage_uid.txt", ec)) {
    return Status::AlreadyExists("storage '" + root.string() + "' already belongs to an instance (" +
                                 (managed / "storage_uid.txt").string() + ")");
  }
  fs::create_directories(managed, ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot create", managed);

  registry::StorageRow storage{util::RandomBase62(12), root.string(), "local", std::nullopt,
                               instance::InstanceUid(settings.id)};
  LAMIN_RETURN_IF_ERROR(settings.db
                            ? CreatePostgresInstance(*settings.db, user.uid, user.handle, storage)
                            : CreateSqliteInstance(db_path, user.uid, user.handle, storage));
  std::string marker = storage.uid + "\ncreation info:\ninstance_slug=" + settings.slug() +
                       "\ninstance_id=" + settings.id + "\ninstance_uid=" + storage.instance_uid +
                       "\n";
  Status s = util::WriteFileAtomic(managed / "storage_uid.txt", marker);
  if (s.ok()) s = instance::WriteInstanceSettings(options.env, settings, /*make_current=*/true);
  if (!s.ok()) {
    for (const char* f : {"lamin.db", "lamin.db-wal", "lamin.db-shm", "storage_uid.txt"}) {
      fs::remove(managed / f, ec);
    }
    if (settings.db) {
      if (auto db = db::OpenPostgres(*settings.db); db.ok()) (void)schema::DropSchema(**db);
    }
    return s;
  }
  return OpenWithSettings(settings, options);
}

Result<std::unique_ptr<Instance>> Instance::Connect(const std::string& name,
                                                    const OpenOptions& options) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::FindInstance(options.env, name));
  LAMIN_ASSIGN_OR_RETURN(auto inst, OpenWithSettings(settings, options));
  LAMIN_RETURN_IF_ERROR(instance::WriteInstanceSettings(options.env, settings, true));
  return inst;
}

Result<std::unique_ptr<Instance>> Instance::OpenCurrent(const OpenOptions& options) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::CurrentInstance(options.env));
  return OpenWithSettings(settings, options);
}

Status Instance::Disconnect(const Environment& env) { return instance::ClearCurrentInstance(env); }

Status Instance::DeleteInstance(const std::string& name, bool delete_data,
                                const Environment& env) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::FindInstance(env, name));
  std::error_code ec;
  if (settings.db) {
    LAMIN_ASSIGN_OR_RETURN(auto db, OpenInstanceDatabase(settings));
    LAMIN_RETURN_IF_ERROR(schema::DropSchema(*db));
    fs::path managed = fs::path(settings.storage_root) / ".lamindb";
    if (delete_data) {
      fs::remove_all(managed, ec);
    } else {
      fs::remove(managed / "storage_uid.txt", ec);
    }
  } else {
    fs::path managed = fs::path(settings.storage_root) / ".lamindb";
    if (delete_data) {
      fs::remove_all(managed, ec);
    } else {
      for (const char* f : {"lamin.db", "lamin.db-wal", "lamin.db-shm", "storage_uid.txt"}) {
        fs::remove(managed / f, ec);
      }
    }
    if (ec) return util::ErrnoStatus(ec.value(), "cannot remove the instance's files in", managed);
  }
  auto current = instance::CurrentInstance(env);
  if (current.ok() && current->slug() == settings.slug()) {
    LAMIN_RETURN_IF_ERROR(instance::ClearCurrentInstance(env));
  }
  fs::remove(instance::InstanceSettingsPath(env, settings.owner, settings.name), ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot remove the settings of", settings.slug());
  return Status::OK();
}

}  // namespace lamin
