// Instance: settings files, init / connect / delete, and the operations, each delegating to the
// core protocols with the instance's database and store.
#include "lamin/instance.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "core/fsck.h"
#include "core/journal.h"
#include "core/register.h"
#include "core/remove.h"
#include "core/save.h"
#include "core/verify.h"
#include "db/database.h"
#include "instance/locations.h"
#include "instance/settings.h"
#include "registry/artifacts.h"
#include "registry/seed.h"
#include "schema/ddl.h"
#include "schema/inspect.h"
#include "storage/layout.h"
#include "storage/s3_client.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using instance::CanonicalRoot;
using instance::InstanceSettings;
using instance::IsS3Url;
using storage::kMarkerKey;

Status ValidateInstanceName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
  if (!std::regex_match(name, kName) || name.find("--") != std::string::npos) {
    return Status::InvalidArgument("instance name '" + name +
                                   "' must be letters, digits, '-' or '_' (no '--'), starting "
                                   "with a letter or digit");
  }
  return Status::OK();
}

// The store of a storage root, wrapped as the options say.
Result<std::shared_ptr<ObjectStore>> OpenStoreForRoot(const std::string& root,
                                                      const OpenOptions& options) {
  std::shared_ptr<ObjectStore> store;
  if (IsS3Url(root)) {
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

std::string MarkerText(const std::string& storage_uid, const InstanceSettings& settings) {
  return storage_uid + "\ncreation info:\ninstance_slug=" + settings.slug() +
         "\ninstance_id=" + settings.id + "\ninstance_uid=" + instance::InstanceUid(settings.id) +
         "\n";
}

// Writes .lamindb/storage_uid.txt through the store's own write path, which refuses a marker
// that exists: a location belongs to one instance.
Status WriteStorageMarker(ObjectStore& store, const std::string& text) {
  std::string tmpl = (fs::temp_directory_path() / "lamin-marker-XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return util::ErrnoStatus(errno, "cannot create a temporary file in", tmpl);
  ::close(fd);
  Status s = util::WriteFileAtomic(tmpl, text);
  if (s.ok()) {
    auto staged = store.StageFile(tmpl, kMarkerKey, util::RandomBase62(12), {});
    s = staged.status();
    if (s.ok()) {
      std::vector<StagedObject> batch = {*staged};
      s = store.Publish(batch);
      if (!s.ok()) (void)store.Discard(*staged);
    }
  }
  ::unlink(tmpl.c_str());
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("storage '" + store.Root() + "' already belongs to an instance (" +
                                 store.Location(kMarkerKey) + ")");
  }
  return s.WithContext("cannot write the storage marker " + store.Location(kMarkerKey));
}

StorageInfo ToInfo(const registry::StorageRow& row, const std::string& instance_uid,
                   int64_t default_id) {
  return {row.id,
          row.uid,
          row.root,
          row.type,
          row.region.value_or(""),
          row.description.value_or(""),
          row.instance_uid == instance_uid,
          row.id == default_id};
}

// The storage whose root holds `url` (the longest match), and the key below it.
Result<std::pair<registry::StorageRow, std::string>> LocateUrl(
    const std::vector<registry::StorageRow>& storages, const std::string& url) {
  LAMIN_ASSIGN_OR_RETURN(auto target, storage::S3Location::Parse(url));
  const registry::StorageRow* best = nullptr;
  size_t best_len = 0;
  for (const auto& row : storages) {
    if (!IsS3Url(row.root)) continue;
    auto root = storage::S3Location::Parse(row.root);
    if (!root.ok() || root->bucket != target.bucket) continue;
    if (!root->prefix.empty() && target.prefix.rfind(root->prefix + "/", 0) != 0) continue;
    if (!best || root->prefix.size() >= best_len) {
      best = &row;
      best_len = root->prefix.size();
    }
  }
  if (!best) {
    return Status::NotFound("'" + url +
                            "' is not inside a storage location of this instance: register its "
                            "bucket or prefix first (lamin storage add s3://" +
                            target.bucket + "/PREFIX)");
  }
  std::string key = best_len ? target.prefix.substr(best_len + 1) : target.prefix;
  if (key.empty()) {
    return Status::InvalidArgument("'" + url + "' names a storage root, not an object");
  }
  return std::make_pair(*best, key);
}

class InstanceImpl final : public Instance {
 public:
  InstanceImpl(OpenOptions options, InstanceSettings settings, instance::UserSettings user,
               std::unique_ptr<db::Database> db, schema::SchemaState schema,
               std::vector<registry::StorageRow> storages, int64_t home_storage_id,
               int64_t default_storage_id)
      : options_(std::move(options)),
        settings_(std::move(settings)),
        user_(std::move(user)),
        db_(std::move(db)),
        schema_(std::move(schema)),
        storages_(std::move(storages)),
        home_storage_id_(home_storage_id),
        default_storage_id_(default_storage_id) {}

  Result<InstanceInfo> Info() override {
    InstanceInfo info;
    info.owner = settings_.owner;
    info.name = settings_.name;
    info.slug = settings_.slug();
    info.id = settings_.id;
    info.uid = instance::InstanceUid(settings_.id);
    info.storage_root = settings_.storage_root;
    LAMIN_ASSIGN_OR_RETURN(const registry::StorageRow* home, Row(home_storage_id_));
    info.storage_uid = home->uid;
    info.db = settings_.db ? db::MaskPassword(*settings_.db)
                           : "sqlite:///" + settings_.SqlitePath().string();
    info.user_handle = user_.handle;
    LAMIN_ASSIGN_OR_RETURN(info.n_artifacts, registry::CountVisible(*db_));
    return info;
  }

  Result<SaveReport> Save(const std::vector<SaveRequest>& requests,
                          const SaveOptions& options) override {
    // URLs, and paths inside a registered local location, are registered in place; other
    // paths are copied into storage. One call does one or the other.
    size_t in_place = 0;
    for (const auto& r : requests) in_place += IsInPlace(r.path);
    if (in_place > 0 && in_place < requests.size()) {
      return Status::InvalidArgument(
          "save objects already in a storage location (s3:// URLs, paths inside a registered "
          "folder) and other paths in separate calls: the first are registered in place, the "
          "others copied");
    }
    LAMIN_RETURN_IF_ERROR(PrepareWrite());
    if (in_place > 0) return Register(requests, options.storage);
    int64_t storage_id = default_storage_id_;
    if (!options.storage.empty()) {
      LAMIN_ASSIGN_OR_RETURN(storage_id, WritableStorage(options.storage));
    }
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, Target(storage_id));
    return core::SaveBatch(*db_, target, requests, options);
  }

  Result<Artifact> Get(const ArtifactRef& ref) override { return registry::Resolve(*db_, ref); }

  Result<std::vector<Artifact>> List(const ArtifactQuery& query) override {
    return registry::Query(*db_, query);
  }

  Result<fs::path> Load(const ArtifactRef& ref) override {
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(*db_, ref));
    LAMIN_ASSIGN_OR_RETURN(ObjectStore * store, StoreFor(a.storage_id));
    // The object may hold a newer version's data, not this one's: never serve it as this one.
    LAMIN_ASSIGN_OR_RETURN(auto newer, registry::NewerOwnerOfObject(*db_, a));
    if (newer) {
      return Status::NotFound("the data of artifact " + a.uid + " was overwritten by its newer "
                              "version " + newer->uid + " at '" + store->Location(a.StorageKey()) +
                              "': only the newest version's data is kept there");
    }
    if (store->Type() == "local") {
      LAMIN_ASSIGN_OR_RETURN(auto info, store->Stat(a.StorageKey()));
      if (!info) {
        return Status::NotFound("the data of artifact " + a.uid + " is missing at '" +
                                store->Location(a.StorageKey()) +
                                "' (lamin fsck reports such damage)");
      }
      return store->LocalPath(a.StorageKey(), {});
    }
    // A remote object: a cached copy, served only while it matches the row.
    auto path =
        store->LocalPath(a.StorageKey(), [&](const fs::path& p) { return core::VerifyCopy(p, a); });
    if (path.status().IsNotFound()) {
      return Status::NotFound("the data of artifact " + a.uid + " is missing at " +
                              store->Location(a.StorageKey()) +
                              " (lamin fsck reports such damage)");
    }
    return path;
  }

  Result<Artifact> Delete(const ArtifactRef& ref, bool permanent) override {
    LAMIN_RETURN_IF_ERROR(PrepareWrite());
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(*db_, ref));
    if (!permanent) {
      LAMIN_RETURN_IF_ERROR(core::TrashArtifact(*db_, a));
      return a;
    }
    LAMIN_ASSIGN_OR_RETURN(const registry::StorageRow* row, Row(a.storage_id));
    if (row->instance_uid != InstanceUidText()) {
      return Status::InvalidArgument("artifact " + a.uid + " lives in storage '" + row->root +
                                        "', which belongs to another instance: it is read-only "
                                        "here");
    }
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, Target(a.storage_id));
    LAMIN_RETURN_IF_ERROR(core::DeletePermanently(*db_, target, a));
    return a;
  }

  Result<Artifact> Restore(const ArtifactRef& ref) override {
    LAMIN_RETURN_IF_ERROR(PrepareWrite());
    Artifact a;
    if (ref.key) {
      // By key: the newest version of that key in the trash.
      LAMIN_ASSIGN_OR_RETURN(
          auto rows,
          registry::Query(
              *db_, ArtifactQuery{
                        {{"key", "exact", *ref.key}, {"branch_id", "exact", "-1"}}, {"-uid"}, 1}));
      if (rows.empty()) {
        if (auto live = registry::Resolve(*db_, ref); live.ok()) {
          return Status::InvalidArgument("artifact " + live->uid + " (key '" + *ref.key +
                                         "') is not in the trash: nothing to restore");
        }
        return Status::NotFound("no artifact with key '" + *ref.key + "' in the trash");
      }
      a = rows[0];
    } else {
      LAMIN_ASSIGN_OR_RETURN(a, registry::Resolve(*db_, ref));
    }
    return core::RestoreArtifact(*db_, a);
  }

  Result<StorageInfo> AddStorage(const std::string& root_text,
                                 const std::string& description) override {
    LAMIN_ASSIGN_OR_RETURN(std::string root, CanonicalRoot(root_text));
    LAMIN_RETURN_IF_ERROR(PrepareWrite());
    LAMIN_RETURN_IF_ERROR(RefreshStorages());
    std::vector<std::string> taken;
    for (const auto& row : storages_) taken.push_back(row.root);
    LAMIN_RETURN_IF_ERROR(instance::CheckLocationIsFree(root, taken));
    if (!IsS3Url(root)) {
      // A folder is registered where it is: a typo must not create one somewhere else.
      std::error_code ec;
      if (!fs::is_directory(root, ec)) {
        return Status::NotFound("storage '" + root_text + "' (" + root +
                                ") is not an existing folder: create it first");
      }
    }
    LAMIN_ASSIGN_OR_RETURN(auto store, OpenStoreForRoot(root, options_));
    registry::StorageRow row;
    row.uid = util::RandomBase62(12);
    row.root = root;
    row.type = store->Type();
    if (IsS3Url(root)) row.region = storage::RegionFromEnvironment();
    row.instance_uid = InstanceUidText();
    if (!description.empty()) row.description = description;
    LAMIN_RETURN_IF_ERROR(WriteStorageMarker(*store, MarkerText(row.uid, settings_)));
    db::Transaction tx(*db_);
    Status s = tx.Begin();
    if (s.ok()) {
      auto id = registry::InsertStorage(*db_, row, user_id_);
      s = id.status();
      if (s.ok()) row.id = *id;
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      (void)store->Delete(kMarkerKey);  // the location stays free for another try
      return s;
    }
    stores_[row.id] = store;
    storages_.push_back(row);
    return ToInfo(row, InstanceUidText(), default_storage_id_);
  }

  Result<std::vector<StorageInfo>> ListStorages() override {
    LAMIN_RETURN_IF_ERROR(RefreshStorages());
    std::vector<StorageInfo> out;
    for (const auto& row : storages_) {
      out.push_back(ToInfo(row, InstanceUidText(), default_storage_id_));
    }
    return out;
  }

  Result<FsckReport> Fsck(const FsckOptions& options) override {
    // Every location this instance writes to and holds artifacts or intents in, and the
    // default one; problems seen twice (checks of the whole database) are reported once.
    if (options.repair) LAMIN_RETURN_IF_ERROR(EnsureWritable());
    LAMIN_ASSIGN_OR_RETURN(
        db::Rows used,
        db_->Query(schema_.has_journal ? "SELECT DISTINCT storage_id FROM lamindb_artifact UNION "
                                         "SELECT DISTINCT storage_id FROM lamin_intent"
                                       : "SELECT DISTINCT storage_id FROM lamindb_artifact"));
    std::set<int64_t> ids = {default_storage_id_};
    for (const auto& r : used.rows) ids.insert(db::AsInt(r[0]));
    FsckReport total;
    std::set<std::string> seen;
    for (int64_t id : ids) {
      auto row = Row(id);
      if (!row.ok() || (*row)->instance_uid != InstanceUidText()) continue;
      LAMIN_ASSIGN_OR_RETURN(ObjectStore * store, StoreFor(id));
      LAMIN_ASSIGN_OR_RETURN(auto report, core::Fsck(*db_, *store, id, session_.owner(), schema_.has_journal, options));
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

  Result<RecoverySummary> Recover() override {
    LAMIN_RETURN_IF_ERROR(EnsureWritable());
    auto summary = RecoverJournal();
    if (summary.ok()) prepared_ = true;
    return summary;
  }

  // Opens the store saves go to.
  Status OpenDefaultStore() { return StoreFor(default_storage_id_).status(); }

 private:
  // The journal's work for every location with intents. REQUIRES: EnsureWritable().
  Result<RecoverySummary> RecoverJournal() {
    LAMIN_ASSIGN_OR_RETURN(db::Rows used,
                           db_->Query("SELECT DISTINCT storage_id FROM lamin_intent"));
    RecoverySummary summary;
    for (const auto& r : used.rows) {
      int64_t id = db::AsInt(r[0]);
      auto store = StoreFor(id);
      if (!store.ok()) {
        summary.errors.push_back(store.status().ToString());
        continue;
      }
      auto report = core::Recover(*db_, **store, id, session_.owner(), /*force=*/false);
      if (!report.ok()) return report.status().WithContext("recovery of interrupted writes failed");
      summary.writes_undone += report->puts_undone;
      summary.deletes_finished += report->deletes_done;
      summary.skipped_alive += report->skipped_alive;
      summary.errors.insert(summary.errors.end(), report->errors.begin(), report->errors.end());
    }
    if (!summary.errors.empty()) {
      return Status::IOError("recovery could not finish: " + summary.errors.front());
    }
    return summary;
  }

  std::string InstanceUidText() const { return instance::InstanceUid(settings_.id); }

  Status RefreshStorages() {
    LAMIN_ASSIGN_OR_RETURN(storages_, registry::ListStorages(*db_));
    return Status::OK();
  }

  Result<const registry::StorageRow*> Row(int64_t id) {
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& row : storages_) {
        if (row.id == id) return &row;
      }
      LAMIN_RETURN_IF_ERROR(RefreshStorages());  // another process may have added it
    }
    return Status::NotFound("no storage row with id " + std::to_string(id));
  }

  // The id of a registered location this instance writes to. Result: NotFound,
  // FailedPrecondition (another instance's location).
  Result<int64_t> WritableStorage(const std::string& root_text) {
    LAMIN_ASSIGN_OR_RETURN(std::string root, CanonicalRoot(root_text));
    LAMIN_RETURN_IF_ERROR(RefreshStorages());
    for (const auto& row : storages_) {
      if (row.root != root) continue;
      if (row.instance_uid != InstanceUidText()) {
        return Status::InvalidArgument("storage '" + root +
                                       "' belongs to another instance: it is read-only here");
      }
      return row.id;
    }
    return Status::NotFound("storage '" + root +
                            "' is not registered in this instance: lamin storage add " + root);
  }

  Result<ObjectStore*> StoreFor(int64_t storage_id) {
    if (auto it = stores_.find(storage_id); it != stores_.end()) return it->second.get();
    LAMIN_ASSIGN_OR_RETURN(const registry::StorageRow* row, Row(storage_id));
    LAMIN_ASSIGN_OR_RETURN(auto store, OpenStoreForRoot(row->root, options_));
    ObjectStore* raw = store.get();
    stores_[storage_id] = std::move(store);
    return raw;
  }

  Result<core::StorageTarget> Target(int64_t storage_id) {
    LAMIN_ASSIGN_OR_RETURN(ObjectStore * store, StoreFor(storage_id));
    return core::StorageTarget{storage_id, store, user_id_, session_.owner()};
  }

  // The registered local location strictly below whose root `path` lies (not its .lamindb/,
  // which save refuses as it does now), and the key there.
  std::optional<std::pair<registry::StorageRow, std::string>> LocalLocation(
      const fs::path& path) const {
    if (path.empty() || path.string().find("://") != std::string::npos) return std::nullopt;
    fs::path absolute = util::NormalizeAbsolute(path);
    for (const auto& row : storages_) {
      if (row.type != "local" || absolute == fs::path(row.root)) continue;
      if (!util::IsWithin(absolute, row.root)) continue;
      std::string key = absolute.lexically_relative(row.root).generic_string();
      if (key == ".lamindb" || key.rfind(".lamindb/", 0) == 0) return std::nullopt;
      return std::make_pair(row, key);
    }
    return std::nullopt;
  }

  bool IsInPlace(const fs::path& path) const {
    return path.string().find("://") != std::string::npos || LocalLocation(path).has_value();
  }

  // Objects inside one registered location (s3:// URLs or local paths), registered in place.
  // `storage`, if given, must be the location the objects are in.
  Result<SaveReport> Register(const std::vector<SaveRequest>& requests,
                              const std::string& storage) {
    std::optional<std::string> wanted;
    if (!storage.empty()) {
      LAMIN_ASSIGN_OR_RETURN(wanted, CanonicalRoot(storage));
    }
    std::optional<int64_t> storage_id;
    std::vector<core::RegisterRequest> batch;
    for (const auto& r : requests) {
      std::string url = r.path.string();
      std::pair<registry::StorageRow, std::string> located;
      if (auto local = LocalLocation(r.path)) {
        located = std::move(*local);
      } else {
        auto found = LocateUrl(storages_, url);
        if (found.status().IsNotFound()) {  // another process may have added the location
          LAMIN_RETURN_IF_ERROR(RefreshStorages());
          found = LocateUrl(storages_, url);
        }
        LAMIN_ASSIGN_OR_RETURN(located, std::move(found));
      }
      if (storage_id && *storage_id != located.first.id) {
        return Status::InvalidArgument("register objects of one storage location per call ('" +
                                       url + "' is in another)");
      }
      storage_id = located.first.id;
      if (wanted && *wanted != located.first.root) {
        return Status::InvalidArgument("'" + url + "' lies in storage '" + located.first.root +
                                       "' and is registered there, in place: leave --storage out");
      }
      if (r.key && *r.key != located.second) {
        return Status::InvalidArgument("'" + url + "' is registered in place under its own key '" +
                                       located.second + "': leave --key out");
      }
      batch.push_back({located.second, url, r.description});
    }
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, Target(*storage_id));
    for (int attempt = 1;; ++attempt) {
      auto report = core::RegisterBatch(*db_, target, batch);
      if (report.ok() || report.status().code() != StatusCode::kAborted || attempt == 5) {
        return report;
      }
    }
  }

  // Before the first write of this instance object, and only then, lamin changes anything in
  // the database: opening and reading leave it as it was. The first write checks that this
  // version may write the instance's migration level, creates the journal table if a
  // Python-made instance lacks it, registers the user, and recovers what dead writers left
  // (one query when the journal is empty).
  Status PrepareWrite() {
    if (prepared_) return Status::OK();
    LAMIN_RETURN_IF_ERROR(EnsureWritable());
    LAMIN_RETURN_IF_ERROR(RecoverJournal().status());
    prepared_ = true;
    return Status::OK();
  }
  // The part of PrepareWrite that comes before recovery.
  Status EnsureWritable() {
    LAMIN_RETURN_IF_ERROR(schema_.writable);
    if (!schema_.has_journal) {
      LAMIN_RETURN_IF_ERROR(schema::EnsureJournal(*db_));
      schema_.has_journal = true;
    }
    if (user_id_ == 0) {
      LAMIN_ASSIGN_OR_RETURN(user_id_, registry::EnsureUser(*db_, user_.uid, user_.handle));
    }
    return Status::OK();
  }

  OpenOptions options_;
  InstanceSettings settings_;
  instance::UserSettings user_;
  std::unique_ptr<db::Database> db_;
  schema::SchemaState schema_;
  std::vector<registry::StorageRow> storages_;
  std::map<int64_t, std::shared_ptr<ObjectStore>> stores_;
  int64_t home_storage_id_;
  int64_t default_storage_id_;
  int64_t user_id_ = 0;
  bool prepared_ = false;
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
  LAMIN_ASSIGN_OR_RETURN(schema::SchemaState schema,
                         schema::InspectSchema(*db, DatabaseName(settings)));
  if (options.wrap_database) db = options.wrap_database(std::move(db));
  LAMIN_ASSIGN_OR_RETURN(auto home, registry::FindStorage(*db, settings.storage_root));
  LAMIN_ASSIGN_OR_RETURN(auto storages, registry::ListStorages(*db));
  int64_t default_id = home.id;
  if (!options.storage.empty()) {
    LAMIN_ASSIGN_OR_RETURN(std::string root, CanonicalRoot(options.storage));
    auto chosen = std::find_if(storages.begin(), storages.end(),
                               [&](const registry::StorageRow& r) { return r.root == root; });
    if (chosen == storages.end()) {
      return Status::NotFound("storage '" + root +
                              "' is not registered in this instance: lamin storage add " + root);
    }
    default_id = chosen->id;
  }
  auto impl = std::make_unique<InstanceImpl>(options, settings, user, std::move(db),
                                             std::move(schema), std::move(storages), home.id,
                                             default_id);
  // Opened now so that a test's wrapper exists from the start; a store that cannot open yet
  // (no S3 credentials) fails the operations that need it, not metadata queries.
  (void)impl->OpenDefaultStore();
  return std::unique_ptr<Instance>(std::move(impl));
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
                              const std::string& user_handle, const registry::StorageRow& storage) {
  LAMIN_ASSIGN_OR_RETURN(auto db, db::OpenPostgres(url));
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows existing,
      db->Query("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name IN ('lamindb_artifact', 'django_migrations')"));
  if (db::AsInt(existing.rows.at(0).at(0)) == 0) {
    return CreateInstanceSchema(*db, user_uid, user_handle, storage);
  }
  LAMIN_RETURN_IF_ERROR(schema::InspectSchema(*db, db::MaskPassword(url)).status());
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
  // Never over another database: two inits racing for one folder end with one instance.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, db_path.c_str(), RENAME_NOREPLACE) != 0) {
    Status s = errno == EEXIST ? Status::AlreadyExists("storage '" + storage.root +
                                                       "' already belongs to an instance (" +
                                                       db_path.string() + ")")
                               : util::ErrnoStatus(errno, "cannot move the new database into place",
                                                   db_path);
    for (const char* ext : {"", "-wal", "-shm"}) ::unlink((tmp.string() + ext).c_str());
    return s;
  }
  LAMIN_RETURN_IF_ERROR(util::SyncPath(db_path.parent_path()));
  // The databases of inits that died before this point can never be used now: remove them.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(db_path.parent_path(), ec)) {
    if (storage::ClassifyManagedEntry(entry.path().filename().string()) ==
        storage::ManagedEntry::kInitLeftover) {
      fs::remove(entry.path(), ec);
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Instance>> Instance::Init(const InitOptions& init,
                                                 const OpenOptions& options) {
  if (init.storage.empty()) {
    return Status::InvalidArgument("no storage given: lamin init --storage DIR|s3://BUCKET/PREFIX");
  }
  const std::string storage_text = init.storage.string();
  const bool on_s3 = IsS3Url(storage_text);
  LAMIN_ASSIGN_OR_RETURN(std::string root, CanonicalRoot(storage_text));
  if (!init.db.empty() && !IsPostgresUrl(init.db)) {
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
    for (const auto& [slug, file] : instance::InstanceSettingsFiles(options.env)) {
      auto other = instance::ReadInstanceSettings(file);
      if (other.ok()) taken.push_back(other->storage_root);
    }
    Status free = instance::CheckLocationIsFree(root, taken);
    if (free.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("storage '" + root + "' already belongs to an instance");
    }
    LAMIN_RETURN_IF_ERROR(free);
  }
  std::string name = init.name.empty() ? default_name : init.name;
  LAMIN_RETURN_IF_ERROR(ValidateInstanceName(name));
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
  fs::path managed = fs::path(root) / ".lamindb";
  fs::path db_path = managed / "lamin.db";
  if (*marker || (!on_s3 && fs::exists(db_path, ec))) {
    return Status::AlreadyExists("storage '" + root + "' already belongs to an instance (" +
                                 (*store)->Location(kMarkerKey) + ")");
  }
  if (!on_s3) {
    fs::create_directories(managed, ec);
    if (ec) return util::ErrnoStatus(ec.value(), "cannot create", managed);
  }

  registry::StorageRow storage;
  storage.uid = util::RandomBase62(12);
  storage.root = root;
  storage.type = (*store)->Type();
  storage.region = settings.storage_region;
  storage.instance_uid = instance::InstanceUid(settings.id);
  LAMIN_RETURN_IF_ERROR(settings.db
                            ? CreatePostgresInstance(*settings.db, user.uid, user.handle, storage)
                            : CreateSqliteInstance(db_path, user.uid, user.handle, storage));
  Status s = WriteStorageMarker(**store, MarkerText(storage.uid, settings));
  bool marker_written = s.ok();
  if (s.ok()) s = instance::WriteInstanceSettings(options.env, settings, /*make_current=*/true);
  if (!s.ok()) {
    if (marker_written) (void)(*store)->Delete(kMarkerKey);
    if (!on_s3) {
      for (const char* f : {"lamin.db", "lamin.db-wal", "lamin.db-shm"})
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

namespace {

// Removes what `settings` registers of an instance from this machine: the current-instance file
// if it names it, then its settings file.
Status ForgetInstance(const Environment& env, const InstanceSettings& settings) {
  auto current = instance::CurrentInstance(env);
  if (current.ok() && current->slug() == settings.slug()) {
    LAMIN_RETURN_IF_ERROR(instance::ClearCurrentInstance(env));
  }
  std::error_code ec;
  fs::remove(instance::InstanceSettingsPath(env, settings.owner, settings.name), ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot remove the settings of", settings.slug());
  return Status::OK();
}

}  // namespace

Result<DeleteInstanceReport> Instance::DeleteInstance(const std::string& name,
                                                      const DeleteInstanceOptions& options,
                                                      const Environment& env) {
  LAMIN_ASSIGN_OR_RETURN(InstanceSettings settings, instance::FindInstance(env, name));
  DeleteInstanceReport report;
  auto opened = OpenInstanceDatabase(settings);
  if (!opened.ok()) {
    // A database that is gone, or a server that no longer answers: the instance cannot be used
    // from here, and with `forget_unreachable` it is at least forgotten.
    if (!options.forget_unreachable) return opened.status();
    report.left.push_back("the database " + DatabaseName(settings) +
                          " could not be opened, so it and the instance's data were left as "
                          "they are (" +
                          opened.status().message() + ")");
    LAMIN_RETURN_IF_ERROR(ForgetInstance(env, settings));
    return report;
  }
  std::unique_ptr<db::Database> db = std::move(*opened);
  const bool on_sqlite = !settings.db;
  LAMIN_ASSIGN_OR_RETURN(schema::SchemaState schema,
                         schema::InspectSchema(*db, DatabaseName(settings)));
  // The writer lock is held from the check for live writers to the removal of the database: a
  // writer that started before holds an intent and makes the delete refuse; one that starts
  // after finds the database gone at its first transaction and saves nothing.
  db::Transaction tx(*db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  if (schema.has_journal) {
    LAMIN_ASSIGN_OR_RETURN(auto writers, core::LiveWriters(*db));
    if (!writers.empty()) {
      return Status::Unavailable("instance " + settings.slug() + " is being written to by " +
                                 writers.front() +
                                 ": it was not deleted; try again when that write has finished");
    }
  }
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
  LAMIN_RETURN_IF_ERROR(ForgetInstance(env, settings));
  return report;
}

}  // namespace lamin
