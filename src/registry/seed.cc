#include "registry/seed.h"

#include "registry/storages.h"
#include "util/clock.h"

namespace lamin::registry {

Result<int64_t> EnsureUser(db::Database& db, const std::string& uid, const std::string& handle) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT id FROM lamindb_user WHERE uid = ?", {uid}));
  if (!rows.empty()) return db::AsInt(rows.rows[0][0]);
  std::string now = util::NowUtcText();
  LAMIN_ASSIGN_OR_RETURN(rows, db.Query("INSERT INTO lamindb_user (uid, handle, name, created_at, "
                                        "updated_at) VALUES (?, ?, NULL, ?, ?) RETURNING id",
                                        {uid, handle, now, now}));
  return db::AsInt(rows.rows.at(0).at(0));
}

Result<int64_t> SeedInstance(db::Database& db, const std::string& user_uid,
                             const std::string& user_handle, const StorageRow& storage) {
  std::string now = util::NowUtcText();
  LAMIN_RETURN_IF_ERROR(
      db.Execute("INSERT INTO lamindb_space (id, name, uid, description, created_at, "
                 "created_by_id) VALUES (1, 'all', 'aaaaaaaaaaaa', 'Every team & user with access "
                 "to the instance has access.', ?, NULL)",
                 {now})
          .status());
  LAMIN_ASSIGN_OR_RETURN(int64_t user_id, EnsureUser(db, user_uid, user_handle));
  struct Branch {
    int64_t id;
    const char* name;
    const char* uid;
  };
  for (const Branch& b : {Branch{-1, "trash", "tttttttttttt"}, Branch{0, "archive", "aaaaaaaaaaaa"},
                          Branch{1, "main", "mmmmmmmmmmmm"}}) {
    LAMIN_RETURN_IF_ERROR(
        db.Execute("INSERT INTO lamindb_branch (id, name, uid, description, created_at, space_id, "
                   "created_by_id, _status_code) VALUES (?, ?, ?, NULL, ?, 1, ?, 0)",
                   {b.id, std::string(b.name), std::string(b.uid), now, user_id})
            .status());
  }
  LAMIN_RETURN_IF_ERROR(InsertStorage(db, storage, user_id).status());
  return user_id;
}

}  // namespace lamin::registry
