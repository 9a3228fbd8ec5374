#include "registry/seed.h"

#include "lamin/artifact.h"
#include "registry/storages.h"
#include "schema/table_def.h"
#include "util/clock.h"

namespace lamin::registry {

// Rows lamindb-setup writes leave created_at / updated_at to the database's default (on SQLite
// that has 3 fractional digits), and JSON columns they do not set are written as SQL NULL (the
// columns' default is the JSON text 'null', which Python's `_aux__isnull=True` would miss).

Result<int64_t> EnsureUser(db::Database& db, const std::string& uid, const std::string& handle) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT id FROM lamindb_user WHERE uid = ?", {uid}));
  if (!rows.empty()) return db::AsInt(rows.rows[0][0]);
  LAMIN_ASSIGN_OR_RETURN(rows, db.Query("INSERT INTO lamindb_user (uid, handle, name) VALUES "
                                        "(?, ?, NULL) RETURNING id",
                                        {uid, handle}));
  return db::AsInt(rows.rows.at(0).at(0));
}

Result<int64_t> SeedInstance(db::Database& db, const std::string& user_uid,
                             const std::string& user_handle, const StorageRow& storage) {
  const bool pg = db.dialect() == db::Dialect::kPostgres;
  // The space comes with the schema: on SQLite from the seed file (its time is the seed's), on
  // PostgreSQL from the migrations (now).
  LAMIN_RETURN_IF_ERROR(
      db.Execute(std::string("INSERT INTO lamindb_space (id, name, uid, description, ") +
                     (pg ? "" : "created_at, ") +
                     "created_by_id) VALUES (1, 'all', 'aaaaaaaaaaaa', 'Every team & user with "
                     "access to the instance has access.', " +
                     (pg ? "" : "'2026-02-17 23:10:20.725', ") + "NULL)")
          .status());
  LAMIN_ASSIGN_OR_RETURN(int64_t user_id, EnsureUser(db, user_uid, user_handle));
  struct Branch {
    int64_t id;
    const char* name;
    const char* uid;
    const char* description;
  };
  for (const Branch& b :
       {Branch{kBranchTrash, "trash", "tttttttttttt", "The trash."},
        Branch{kBranchArchive, "archive", "aaaaaaaaaaaa", "The archive."},
        Branch{kBranchMain, "main", "mmmmmmmmmmmm", "The main & default branch of the instance."}}) {
    LAMIN_RETURN_IF_ERROR(
        db.Execute("INSERT INTO lamindb_branch (id, name, uid, description, space_id, "
                   "created_by_id, _status_code, _aux) VALUES (?, ?, ?, ?, 1, ?, 0, NULL)",
                   {b.id, std::string(b.name), std::string(b.uid), std::string(b.description),
                    user_id})
            .status());
  }
  LAMIN_RETURN_IF_ERROR(InsertStorage(db, storage, user_id).status());
  LAMIN_RETURN_IF_ERROR(db.Execute("INSERT INTO django_migrations (app, name, applied) VALUES "
                                   "('lamindb', ?, ?)",
                                   {std::string(schema::kInitMigration), util::NowUtcText()})
                            .status());
  return user_id;
}

}  // namespace lamin::registry
