#include "registry/seed.h"

#include "util/clock.h"

namespace lamin::registry {

Result<int64_t> EnsureUser(db::Database& db, const std::string& uid, const std::string& handle) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query("SELECT id FROM lamindb_user WHERE uid = ?", {uid}));
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
  LAMIN_RETURN_IF_ERROR(
      db.Execute("INSERT INTO lamindb_storage (uid, root, description, type, region, instance_uid, "
                 "branch_id, created_on_id, space_id, created_by_id, created_at, updated_at, "
                 "is_locked) VALUES (?, ?, NULL, ?, ?, ?, 1, 1, 1, ?, ?, ?, FALSE)",
                 {storage.uid, storage.root, storage.type,
                  storage.region ? db::Value(*storage.region) : db::Null(), storage.instance_uid,
                  user_id, now, now})
          .status());
  return user_id;
}

Result<std::pair<int64_t, std::string>> FindStorage(db::Database& db, const std::string& root) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT id, uid FROM lamindb_storage WHERE root = ?", {root}));
  if (rows.empty()) {
    return Status::NotFound("the instance's database has no storage row for '" + root + "'");
  }
  return std::make_pair(db::AsInt(rows.rows[0][0]), db::AsText(rows.rows[0][1]));
}

}  // namespace lamin::registry
