#include "registry/collections.h"
#include "registry/sql.h"

#include <algorithm>

#include "hash/content_hash.h"
#include "registry/annotate.h"
#include "registry/query.h"
#include "registry/registry_def.h"
#include "schema/table_def.h"
#include "util/clock.h"

namespace lamin::registry {
namespace {

constexpr const char* kColumns =
    "SELECT a.id, a.uid, a.key, a.description, a.hash, a.meta_artifact_id, a.run_id, a.is_latest, "
    "a.branch_id, a.created_at FROM lamindb_collection a";


Collection Read(const std::vector<db::Value>& r) {
  Collection c;
  c.id = db::AsInt(r[0]);
  c.uid = db::AsText(r[1]);
  c.key = db::AsText(r[2]);
  if (!db::IsNull(r[3])) c.description = db::AsText(r[3]);
  if (!db::IsNull(r[4])) c.hash = db::AsText(r[4]);
  if (!db::IsNull(r[5])) c.meta_artifact_id = db::AsInt(r[5]);
  if (!db::IsNull(r[6])) c.run_id = db::AsInt(r[6]);
  c.is_latest = db::AsInt(r[7]) != 0;
  c.branch_id = static_cast<int>(db::AsInt(r[8]));
  c.created_at = util::CanonicalTimestamp(db::AsText(r[9]));
  return c;
}

Result<std::vector<Collection>> Select(db::Database& db, const std::string& tail,
                                       const std::vector<db::Value>& params) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(std::string(kColumns) + " " + tail, params));
  std::vector<Collection> out;
  for (const auto& r : rows.rows) out.push_back(Read(r));
  return out;
}

Status RecomputeLatest(db::Database& db, const std::string& stem) {
  return db
      .Execute(
          "UPDATE lamindb_collection SET is_latest = CASE WHEN uid = (SELECT max(uid) FROM "
          "lamindb_collection WHERE uid BETWEEN ? AND ? AND branch_id != -1) THEN TRUE ELSE "
          "FALSE END WHERE uid BETWEEN ? AND ? AND branch_id != -1",
          {stem + "0000", stem + "zzzz", stem + "0000", stem + "zzzz"})
      .status();
}

}  // namespace

std::string CollectionHash(const std::vector<std::optional<std::string>>& member_hashes) {
  std::set<std::string> unique;
  for (const auto& h : member_hashes) {
    if (h) unique.insert(*h);
  }
  std::string joined;
  for (const auto& h : unique) joined += (joined.empty() ? "" : ":") + h;
  return hash::HashString(joined);
}

Result<std::optional<Collection>> CollectionWithHash(db::Database& db, const std::string& hash) {
  LAMIN_ASSIGN_OR_RETURN(auto rows,
                         Select(db, "WHERE a.hash = ? AND a.branch_id != -1 ORDER BY a.id LIMIT 1",
                                {hash}));
  if (rows.empty()) return std::optional<Collection>();
  return std::optional<Collection>(rows[0]);
}

Result<Collection> ResolveCollection(db::Database& db, const CollectionRef& ref) {
  LAMIN_ASSIGN_OR_RETURN(auto where, VersionedRef(ref, "a collection"));
  LAMIN_ASSIGN_OR_RETURN(std::vector<Collection> rows, Select(db, where.first, where.second));
  if (rows.empty()) return Status::NotFound("no collection with " + ref.ToString());
  return rows[0];
}

Result<std::optional<Collection>> CollectionById(db::Database& db, int64_t id) {
  LAMIN_ASSIGN_OR_RETURN(auto rows, Select(db, "WHERE a.id = ?", {id}));
  if (rows.empty()) return std::optional<Collection>();
  return std::optional<Collection>(rows[0]);
}

Result<std::string> HighestCollectionUid(db::Database& db, const std::string& stem) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows, db.Query("SELECT max(uid) FROM lamindb_collection WHERE uid BETWEEN ? AND ?",
                              {stem + "0000", stem + "zzzz"}));
  if (rows.empty() || db::IsNull(rows.rows[0][0])) return stem + "0000";
  return db::AsText(rows.rows[0][0]);
}

Result<std::vector<Collection>> CollectionVersions(db::Database& db, const std::string& stem) {
  return Select(db, "WHERE a.uid BETWEEN ? AND ? ORDER BY a.uid", {stem + "0000", stem + "zzzz"});
}

Result<std::vector<Collection>> QueryCollections(db::Database& db, const lamin::Query& query) {
  std::vector<db::Value> params;
  LAMIN_ASSIGN_OR_RETURN(CompiledQuery compiled,
                         CompileQuery(*FindRegistry("collection"), query, db.dialect(), &params,
                                      DatabaseFeatureLookup(db)));
  return Select(db, compiled.Tail(), params);
}

Result<Collection> InsertCollection(db::Database& db, const Collection& c,
                                    const std::vector<int64_t>& member_ids, int64_t user_id) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query("INSERT INTO lamindb_collection (uid, key, description, hash, meta_artifact_id, "
               "run_id, is_latest, is_locked, _aux, branch_id, created_on_id, space_id, "
               "created_by_id) VALUES (?, ?, ?, ?, ?, ?, TRUE, FALSE, NULL, 1, 1, 1, ?) "
               "RETURNING id",
               {c.uid, c.key, OrNull(c.description), OrNull(c.hash), OrNull(c.meta_artifact_id),
                OrNull(c.run_id), user_id}));
  const int64_t id = db::AsInt(rows.rows.at(0).at(0));
  if (c.uid.substr(16) != "0000") {
    LAMIN_RETURN_IF_ERROR(db.Execute("UPDATE lamindb_collection SET is_latest = FALSE WHERE uid "
                                     "BETWEEN ? AND ? AND id != ?",
                                     {c.stem() + "0000", c.stem() + "zzzz", id})
                              .status());
  }
  std::set<int64_t> seen;
  for (int64_t artifact : member_ids) {
    if (!seen.insert(artifact).second) continue;  // a member once, at its first place
    LAMIN_RETURN_IF_ERROR(db.Execute("INSERT INTO lamindb_collectionartifact (collection_id, "
                                     "artifact_id, run_id, created_by_id) VALUES (?, ?, ?, ?)",
                                     {id, artifact, OrNull(c.run_id), user_id})
                              .status());
  }
  LAMIN_ASSIGN_OR_RETURN(auto made, CollectionById(db, id));
  if (!made) return Status::Internal("inserted collection " + c.uid + " is not readable");
  return *made;
}

Result<std::vector<int64_t>> MemberIds(db::Database& db, int64_t collection_id) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query("SELECT artifact_id FROM "
                                                 "lamindb_collectionartifact WHERE collection_id "
                                                 "= ? ORDER BY id",
                                                 {collection_id}));
  std::vector<int64_t> ids;
  for (const auto& r : rows.rows) ids.push_back(db::AsInt(r[0]));
  return ids;
}

Status UpdateCollectionNames(db::Database& db, int64_t id, const std::string& key,
                             const std::optional<std::string>& description) {
  return db
      .Execute("UPDATE lamindb_collection SET key = ?, description = coalesce(?, description) "
               "WHERE id = ?",
               {key, OrNull(description), id})
      .status();
}

Status LinkCollectionRun(db::Database& db, const Collection& c, int64_t run_id) {
  if (!c.run_id) {
    return db.Execute("UPDATE lamindb_collection SET run_id = ? WHERE id = ?", {run_id, c.id})
        .status();
  }
  if (*c.run_id == run_id) return Status::OK();
  return db
      .Execute("INSERT INTO lamindb_collection_recreating_runs (collection_id, run_id) SELECT ?, ? "
               "WHERE NOT EXISTS (SELECT 1 FROM lamindb_collection_recreating_runs WHERE "
               "collection_id = ? AND run_id = ?)",
               {c.id, run_id, c.id, run_id})
      .status();
}

Status LinkCollectionInput(db::Database& db, int64_t collection_id, int64_t run_id) {
  return db
      .Execute("INSERT INTO lamindb_collection_input_of_runs (collection_id, run_id) SELECT ?, ? "
               "WHERE NOT EXISTS (SELECT 1 FROM lamindb_collection_input_of_runs WHERE "
               "collection_id = ? AND run_id = ?)",
               {collection_id, run_id, collection_id, run_id})
      .status();
}

Status TrashCollection(db::Database& db, const Collection& c) {
  LAMIN_RETURN_IF_ERROR(
      db.Execute("UPDATE lamindb_collection SET branch_id = -1, is_latest = FALSE WHERE id = ?",
                 {c.id})
          .status());
  return RecomputeLatest(db, c.stem());
}

Status DeleteCollectionRows(db::Database& db, const Collection& c,
                            const std::set<std::string>& tables) {
  // A record's collection value protects it (PROTECT); every other row pointing at it is one of
  // its links and goes with it (CASCADE), the artifacts staying.
  for (const auto& t : schema::LamindbTables()) {
    if (!tables.count(t.name)) continue;
    for (const auto& col : t.columns) {
      if (col.kind != schema::ColumnKind::kForeignKey || col.references != "lamindb_collection") {
        continue;
      }
      if (t.name == "lamindb_recordcollection" && col.name == "value_id") {
        LAMIN_ASSIGN_OR_RETURN(db::Rows held,
                               db.Query("SELECT count(*) FROM lamindb_recordcollection WHERE "
                                        "value_id = ?",
                                        {c.id}));
        if (db::AsInt(held.rows.at(0).at(0)) > 0) {
          return Status::InvalidArgument("collection " + c.uid +
                                         " cannot be deleted for good: a record's value refers "
                                         "to it (lamindb_recordcollection); delete that first");
        }
        continue;
      }
      const std::string sql = col.nullable() ? "UPDATE \"" + t.name + "\" SET \"" + col.name +
                                                   "\" = NULL WHERE \"" + col.name + "\" = ?"
                                             : "DELETE FROM \"" + t.name + "\" WHERE \"" +
                                                   col.name + "\" = ?";
      LAMIN_RETURN_IF_ERROR(db.Execute(sql, {c.id}).status());
    }
  }
  LAMIN_RETURN_IF_ERROR(db.Execute("DELETE FROM lamindb_collection WHERE id = ?", {c.id}).status());
  return RecomputeLatest(db, c.stem());
}

}  // namespace lamin::registry
