#include "instance/lifecycle.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <regex>

#include "registry/seed.h"
#include "schema/ddl.h"
#include "schema/inspect.h"
#include "storage/layout.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace lamin::instance {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

Status ValidateInstanceName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
  if (!std::regex_match(name, kName) || name.find("--") != std::string::npos) {
    return Status::InvalidArgument("instance name '" + name +
                                   "' must be letters, digits, '-' or '_' (no '--'), starting "
                                   "with a letter or digit");
  }
  return Status::OK();
}

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

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

Status ForgetInstance(const Environment& env, const InstanceSettings& settings) {
  auto current = CurrentInstance(env);
  if (current.ok() && current->slug() == settings.slug()) {
    LAMIN_RETURN_IF_ERROR(ClearCurrentInstance(env));
  }
  std::error_code ec;
  fs::remove(InstanceSettingsPath(env, settings.owner, settings.name), ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot remove the settings of", settings.slug());
  return Status::OK();
}

}  // namespace lamin::instance
