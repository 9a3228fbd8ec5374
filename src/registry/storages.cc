#include "registry/storages.h"

#include "lamin/artifact.h"

namespace lamin::registry {
namespace {

constexpr const char* kColumns =
    "SELECT id, uid, root, type, region, instance_uid, description FROM lamindb_storage";

StorageRow FromRow(const std::vector<db::Value>& r) {
  StorageRow s;
  s.id = db::AsInt(r[0]);
  s.uid = db::AsText(r[1]);
  s.root = db::AsText(r[2]);
  s.type = db::AsText(r[3]);
  if (!db::IsNull(r[4])) s.region = db::AsText(r[4]);
  s.instance_uid = db::IsNull(r[5]) ? "" : db::AsText(r[5]);
  if (!db::IsNull(r[6])) s.description = db::AsText(r[6]);
  return s;
}

Status NotRegistered(const std::string& root) {
  return Status::NotFound("storage '" + root +
                          "' is not registered in this instance: lamin storage add " + root);
}

}  // namespace

Result<int64_t> InsertStorage(db::Database& db, const StorageRow& storage, int64_t user_id) {
  // Timestamps from the database's default and _aux as SQL NULL, as lamindb-setup writes them.
  auto rows = db.Query(
      "INSERT INTO lamindb_storage (uid, root, description, type, region, instance_uid, "
      "branch_id, created_on_id, space_id, created_by_id, is_locked, _aux) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?, FALSE, NULL) RETURNING id",
      {storage.uid, storage.root,
       storage.description ? db::Value(*storage.description) : db::Null(), storage.type,
       storage.region ? db::Value(*storage.region) : db::Null(), storage.instance_uid,
       int64_t{kBranchMain}, user_id});
  if (rows.status().code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("storage '" + storage.root + "' is registered already");
  }
  LAMIN_RETURN_IF_ERROR(rows.status());
  return db::AsInt(rows->rows.at(0).at(0));
}

Result<std::vector<StorageRow>> ListStorages(db::Database& db) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(std::string(kColumns) + " ORDER BY id"));
  std::vector<StorageRow> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<StorageRow> FindStorage(db::Database& db, const std::string& root) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query(std::string(kColumns) + " WHERE root = ?", {root}));
  if (rows.empty()) return NotRegistered(root);
  return FromRow(rows.rows[0]);
}

Result<StorageRow> FindStorage(const std::vector<StorageRow>& storages, const std::string& root) {
  for (const auto& s : storages) {
    if (s.root == root) return s;
  }
  return NotRegistered(root);
}

}  // namespace lamin::registry
