#include "registry/artifacts.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "registry/annotate.h"
#include "registry/query.h"
#include "registry/sql.h"
#include "schema/table_def.h"
#include "util/clock.h"
#include "util/encoding.h"

namespace lamin {

std::string Artifact::StorageKey() const {
  if (real_key) return *real_key;
  if (!key_is_virtual && key) return *key;
  return ".lamindb/" + (overwrite_versions ? stem() : uid) + suffix;
}

std::string ArtifactRef::ToString() const {
  if (key) return "key '" + *key + "'";
  if (uid) return "uid '" + *uid + "'";
  return "(no key or uid)";
}

namespace registry {
namespace {

constexpr const char* kSelectColumns =
    "SELECT a.id, a.uid, a.key, a._real_key, a.description, a.suffix, a.kind, a.otype, a.size, "
    "a.hash, a._hash_type, a.n_files, a.version_tag, a.is_latest, a._key_is_virtual, "
    "a._overwrite_versions, a.branch_id, a.storage_id, s.root AS storage_root, a.created_by_id, "
    "a.run_id, "
    "u.handle AS created_by_handle, "
    "a.created_at, a.updated_at ";
// The related rows an artifact is read with, `a` being the artifact row.
constexpr const char* kJoins =
    " JOIN lamindb_storage s ON s.id = a.storage_id "
    "LEFT JOIN lamindb_user u ON u.id = a.created_by_id";
const std::string kSelect = std::string(kSelectColumns) + "FROM lamindb_artifact a" + kJoins;

// The row's strings are moved out, not copied: a batch reads thousands of rows.
std::string TakeText(db::Value& v) {
  if (auto* text = std::get_if<std::string>(&v)) return std::move(*text);
  return db::AsText(v);
}
std::optional<std::string> OptText(db::Value& v) {
  if (db::IsNull(v)) return std::nullopt;
  return TakeText(v);
}
std::optional<int64_t> OptInt(const db::Value& v) {
  if (db::IsNull(v)) return std::nullopt;
  return db::AsInt(v);
}

// Reads the columns of kSelect by name, so that their order is stated once (in kSelect); the
// names are looked up once per result, not once per row.
class ArtifactRowReader {
 public:
  enum Column {
    kId, kUid, kKey, kRealKey, kDescription, kSuffix, kKind, kOtype, kSize, kHash, kHashType,
    kNFiles, kVersionTag, kIsLatest, kKeyIsVirtual, kOverwriteVersions, kBranchId, kStorageId,
    kStorageRoot, kCreatedById, kRunId, kCreatedByHandle, kCreatedAt, kUpdatedAt, kColumns
  };
  explicit ArtifactRowReader(const std::vector<std::string>& columns) {
    static constexpr const char* kNames[kColumns] = {
        "id", "uid", "key", "_real_key", "description", "suffix", "kind", "otype", "size",
        "hash", "_hash_type", "n_files", "version_tag", "is_latest", "_key_is_virtual",
        "_overwrite_versions", "branch_id", "storage_id", "storage_root", "created_by_id",
        "run_id", "created_by_handle", "created_at", "updated_at"};
    for (size_t c = 0; c < kColumns; ++c) {
      auto found = std::find(columns.begin(), columns.end(), kNames[c]);
      index_[c] = found == columns.end() ? -1 : static_cast<int>(found - columns.begin());
    }
  }
  Artifact Read(std::vector<db::Value>& r) const {
    Artifact a;
    a.id = db::AsInt(At(r, kId));
    a.uid = TakeText(At(r, kUid));
    a.key = OptText(At(r, kKey));
    a.real_key = OptText(At(r, kRealKey));
    a.description = OptText(At(r, kDescription));
    a.suffix = TakeText(At(r, kSuffix));
    a.kind = OptText(At(r, kKind));
    a.otype = OptText(At(r, kOtype));
    a.size = OptInt(At(r, kSize));
    a.hash = OptText(At(r, kHash));
    a.hash_type = OptText(At(r, kHashType));
    a.n_files = OptInt(At(r, kNFiles));
    a.version_tag = OptText(At(r, kVersionTag));
    a.is_latest = db::AsInt(At(r, kIsLatest)) != 0;
    a.key_is_virtual = db::AsInt(At(r, kKeyIsVirtual)) != 0;
    a.overwrite_versions = db::AsInt(At(r, kOverwriteVersions)) != 0;
    a.branch_id = static_cast<int>(db::AsInt(At(r, kBranchId)));
    a.storage_id = db::AsInt(At(r, kStorageId));
    a.storage_root = TakeText(At(r, kStorageRoot));
    a.created_by_id = db::AsInt(At(r, kCreatedById));
    a.run_id = OptInt(At(r, kRunId));
    a.created_by_handle = TakeText(At(r, kCreatedByHandle));
    a.created_at = util::CanonicalTimestamp(TakeText(At(r, kCreatedAt)));
    a.updated_at = util::CanonicalTimestamp(TakeText(At(r, kUpdatedAt)));
    return a;
  }

 private:
  db::Value& At(std::vector<db::Value>& r, Column c) const {
    thread_local db::Value null;
    if (index_[c] < 0) return null = db::Null();
    return r[static_cast<size_t>(index_[c])];
  }
  int index_[kColumns];
};

// The artifacts `sql` selects, its columns those of kSelectColumns.
Result<std::vector<Artifact>> Read(db::Database& db, const std::string& sql,
                                   const std::vector<db::Value>& params) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(sql, params));
  ArtifactRowReader reader(rows.columns);
  std::vector<Artifact> out;
  out.reserve(rows.size());
  for (auto& r : rows.rows) out.push_back(reader.Read(r));
  return out;
}

Result<std::vector<Artifact>> Select(db::Database& db, const std::string& where,
                                     const std::vector<db::Value>& params) {
  return Read(db, kSelect + " " + where, params);
}

// The bounds of a stem's uid range, so that "all versions of a stem" is an index range scan.
std::string StemLow(const std::string& stem) { return stem + "0000"; }
std::string StemHigh(const std::string& stem) { return stem + "zzzz"; }

}  // namespace

Status LinkRecreatingRun(db::Database& db, const Artifact& a, int64_t run_id) {
  if (!a.run_id) {
    return db.Execute("UPDATE lamindb_artifact SET run_id = ? WHERE id = ?", {run_id, a.id})
        .status();
  }
  if (*a.run_id == run_id) return Status::OK();
  return db
      .Execute("INSERT INTO lamindb_artifact_recreating_runs (artifact_id, run_id) VALUES (?, ?) "
               "ON CONFLICT DO NOTHING",
               {a.id, run_id})
      .status();
}

Status LinkInputOfRun(db::Database& db, const Artifact& a, int64_t run_id) {
  if (a.run_id && *a.run_id == run_id) return Status::OK();  // its own output, not an input
  return db
      .Execute("INSERT INTO lamindb_artifact_input_of_runs (artifact_id, run_id) VALUES (?, ?) "
               "ON CONFLICT DO NOTHING",
               {a.id, run_id})
      .status();
}

Status RecomputeLatest(db::Database& db, const std::string& stem) {
  return db
      .Execute(
          "UPDATE lamindb_artifact SET is_latest = CASE WHEN uid = (SELECT max(uid) FROM "
          "lamindb_artifact WHERE uid BETWEEN ? AND ? AND branch_id != ?) THEN TRUE ELSE FALSE "
          "END "
          "WHERE uid BETWEEN ? AND ? AND branch_id != ?",
          {StemLow(stem), StemHigh(stem), int64_t{kBranchTrash}, StemLow(stem), StemHigh(stem),
           int64_t{kBranchTrash}})
      .status();
}

Result<std::vector<Artifact>> FindByHashes(db::Database& db, int64_t storage_id,
                                           const std::vector<std::string>& hashes) {
  if (hashes.empty()) return std::vector<Artifact>();
  return Select(db,
                "WHERE " + Unindexed(db.dialect(), "a.storage_id") + " = ? AND " +
                    InJsonArray(db.dialect(), "a.hash", false) + " ORDER BY a.id",
                {storage_id, util::JsonStringArray(hashes)});
}

Result<std::vector<KeyFamily>> FindKeyFamilies(db::Database& db, int64_t storage_id,
                                               const std::vector<std::string>& keys) {
  if (keys.empty()) return std::vector<KeyFamily>();
  LAMIN_ASSIGN_OR_RETURN(
      std::vector<Artifact> latest,
      Select(db,
             "WHERE " + Unindexed(db.dialect(), "a.storage_id") + " = ? AND " +
                 Unindexed(db.dialect(), "a.branch_id") + " = ? AND " +
                 IsTrueUnindexed(db.dialect(), "a.is_latest") + " AND " +
                 InJsonArray(db.dialect(), "a.key", false) + " ORDER BY a.id",
             {storage_id, int64_t{kBranchMain}, util::JsonStringArray(keys)}));
  std::vector<KeyFamily> out;
  if (latest.empty()) return out;
  // The highest uid of every family found, in one statement (a uid range scan per family).
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& a : latest) ids.push_back(a.id);
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows max,
      db.Query("SELECT a.id, (SELECT max(b.uid) FROM lamindb_artifact b WHERE b.uid BETWEEN "
               "substr(a.uid, 1, 16) || '0000' AND substr(a.uid, 1, 16) || 'zzzz') "
               "FROM lamindb_artifact a WHERE " +
                   InJsonArray(db.dialect(), "a.id", true),
               {ids.dump()}));
  std::map<int64_t, std::string> max_uid;
  for (const auto& r : max.rows) max_uid[db::AsInt(r[0])] = db::AsText(r[1]);
  for (auto& a : latest) {
    std::string highest = max_uid.count(a.id) ? max_uid[a.id] : a.uid;
    out.push_back({std::move(a), highest});
  }
  return out;
}

namespace {

// LaminDB's otype of an artifact made from a path (check_otype_artifact): "DataFrame" when the
// path's last suffix is .parquet, .csv or .ipc, else none.
std::optional<std::string> OtypeOf(const std::string& suffix) {
  std::string last = suffix.substr(std::min(suffix.size(), suffix.rfind('.')));
  if (last == ".parquet" || last == ".csv" || last == ".ipc") return "DataFrame";
  return std::nullopt;
}

}  // namespace

Result<std::vector<Artifact>> InsertArtifacts(db::Database& db,
                                              const std::vector<NewArtifact>& rows) {
  // Multi-row INSERTs of up to kChunk rows (15 parameters a row stays far below SQLite's limit
  // of 32,766), so that a batch of 100,000 costs 200 statements, not 100,000 round trips.
  constexpr size_t kChunk = 500;
  constexpr const char* kColumns =
      "INSERT INTO lamindb_artifact (uid, key, description, suffix, size, hash, _hash_type, "
      "n_files, is_latest, _key_is_virtual, _overwrite_versions, branch_id, created_on_id, "
      "space_id, storage_id, created_by_id, created_at, updated_at, is_locked, _aux, otype, kind, "
      "run_id) VALUES ";
  // _aux as SQL NULL, as Django writes it (the column's default is the JSON text 'null').
  constexpr const char* kRow =
      "(?, ?, ?, ?, ?, ?, ?, ?, TRUE, %s, FALSE, 1, 1, 1, ?, ?, ?, ?, FALSE, NULL, ?, ?, ?)";
  const std::string now = util::NowUtcText();
  // The ids by uid: the order of RETURNING rows is not guaranteed by either backend.
  std::unordered_map<std::string, int64_t> id_of;
  id_of.reserve(rows.size());
  for (size_t begin = 0; begin < rows.size(); begin += kChunk) {
    size_t end = std::min(rows.size(), begin + kChunk);
    std::string sql = kColumns;
    std::vector<db::Value> params;
    params.reserve((end - begin) * 15);
    for (size_t i = begin; i < end; ++i) {
      const NewArtifact& a = rows[i];
      // A literal, not a parameter: booleans bind differently on SQLite and PostgreSQL.
      std::string row = kRow;
      row.replace(row.find("%s"), 2, a.key_is_virtual ? "TRUE" : "FALSE");
      sql += (i == begin ? "" : ", ") + row;
      params.insert(params.end(),
                    {a.uid, OrNull(a.key), OrNull(a.description), a.suffix, a.size, a.hash,
                     a.hash_type, a.n_files ? db::Value(*a.n_files) : db::Null(), a.storage_id,
                     a.created_by_id, now, now, OrNull(OtypeOf(a.suffix)), OrNull(a.kind),
                     a.run_id ? db::Value(*a.run_id) : db::Null()});
    }
    LAMIN_ASSIGN_OR_RETURN(db::Rows inserted, db.Query(sql + " RETURNING id, uid", params));
    for (const auto& r : inserted.rows) id_of.emplace(db::AsText(r[1]), db::AsInt(r[0]));
  }
  // A new version takes is_latest from the other versions of its stem; a new family has none.
  for (const NewArtifact& a : rows) {
    if (a.uid.substr(16) == "0000") continue;
    std::string stem = a.uid.substr(0, 16);
    LAMIN_RETURN_IF_ERROR(
        db.Execute("UPDATE lamindb_artifact SET is_latest = FALSE WHERE uid BETWEEN ? AND ? AND "
                   "uid != ? AND " +
                       UnindexedOnSqlite(db.dialect(), "is_latest") + " = TRUE",
                   {StemLow(stem), StemHigh(stem), a.uid})
            .status());
  }
  // The artifacts as written, not read back (reading 10,000 rows back was a tenth of saving
  // them): only the storage's root and the user's handle come from the database, once per
  // pair. Columns the INSERT leaves out keep their defaults (NULL for _real_key, version_tag);
  // Save.InsertedArtifactsAreAsReadBack compares every field with a read.
  std::map<std::pair<int64_t, int64_t>, std::pair<std::string, std::string>> root_and_handle;
  std::vector<Artifact> out;
  out.reserve(rows.size());
  for (const NewArtifact& a : rows) {
    auto id = id_of.find(a.uid);
    if (id == id_of.end()) return Status::Internal("inserted artifact " + a.uid + " has no id");
    auto [place, fresh] = root_and_handle.try_emplace({a.storage_id, a.created_by_id});
    if (fresh) {
      LAMIN_ASSIGN_OR_RETURN(
          db::Rows found,
          db.Query("SELECT s.root, u.handle FROM lamindb_storage s LEFT JOIN lamindb_user u ON "
                   "u.id = ? WHERE s.id = ?",
                   {a.created_by_id, a.storage_id}));
      if (found.rows.empty()) {
        return Status::Internal("inserted artifact " + a.uid + " names no storage");
      }
      place->second = {db::AsText(found.rows[0][0]), db::IsNull(found.rows[0][1])
                                                         ? std::string()
                                                         : db::AsText(found.rows[0][1])};
    }
    Artifact& made = out.emplace_back();
    made.id = id->second;
    made.uid = a.uid;
    made.key = a.key;
    made.description = a.description;
    made.suffix = a.suffix;
    made.kind = a.kind;
    made.otype = OtypeOf(a.suffix);
    made.size = a.size;
    made.hash = a.hash;
    made.hash_type = a.hash_type;
    made.n_files = a.n_files;
    made.is_latest = true;
    made.key_is_virtual = a.key_is_virtual;
    made.overwrite_versions = false;
    made.branch_id = kBranchMain;
    made.storage_id = a.storage_id;
    made.storage_root = place->second.first;
    made.created_by_id = a.created_by_id;
    made.run_id = a.run_id;
    made.created_by_handle = place->second.second;
    made.created_at = util::CanonicalTimestamp(now);
    made.updated_at = made.created_at;
  }
  return out;
}

Result<std::optional<Artifact>> FindById(db::Database& db, int64_t id) {
  LAMIN_ASSIGN_OR_RETURN(auto rows, Select(db, "WHERE a.id = ?", {id}));
  if (rows.empty()) return std::optional<Artifact>();
  return std::optional<Artifact>(std::move(rows[0]));
}

Result<Artifact> Resolve(db::Database& db, const ArtifactRef& ref) {
  LAMIN_ASSIGN_OR_RETURN(auto where, VersionedRef(ref, "an artifact"));
  LAMIN_ASSIGN_OR_RETURN(std::vector<Artifact> rows, Select(db, where.first, where.second));
  if (rows.empty()) return Status::NotFound("no artifact with " + ref.ToString());
  return std::move(rows[0]);
}

std::string ArtifactQuerySql(const CompiledQuery& q, db::Dialect dialect) {
  if (q.page.empty() || dialect != db::Dialect::kPostgres) return kSelect + " " + q.Tail();
  // On PostgreSQL a page is cut from the artifacts alone, and only its rows are joined with their
  // storage and user: the planner joins before it sorts, and the newest 50 of a batch that shares
  // one created_at (one timestamp a batch, as Python's bulk save) joined every row of the batch
  // first, 10,012 of them in 37 of the query's 40 ms (EXPLAIN ANALYZE, 100,000 artifacts).
  // SQLite's index gives the order with the rowid and its joins stop after the page anyway.
  return std::string(kSelectColumns) + "FROM (SELECT * FROM lamindb_artifact a" + q.Tail() +
         ") a" + kJoins + q.order;
}

Result<std::vector<Artifact>> QueryArtifacts(db::Database& db, const lamin::Query& query) {
  std::vector<db::Value> params;
  LAMIN_ASSIGN_OR_RETURN(CompiledQuery q,
                         CompileQuery(*FindRegistry("artifact"), query, db.dialect(), &params,
                                      DatabaseFeatureLookup(db)));
  return Read(db, ArtifactQuerySql(q, db.dialect()), params);
}

Status SetBranch(db::Database& db, const Artifact& a, int branch_id) {
  // Only the branch (and then is_latest) changes, as in LaminDB's soft delete: Python never
  // refreshes updated_at (../shared/reference/lamindb-2.6/deletes.md).
  LAMIN_RETURN_IF_ERROR(db.Execute("UPDATE lamindb_artifact SET branch_id = ?, is_latest = FALSE "
                                   "WHERE id = ?",
                                   {static_cast<int64_t>(branch_id), a.id})
                            .status());
  return RecomputeLatest(db, a.stem());
}

Status DeleteRow(db::Database& db, const Artifact& a, const std::set<std::string>& tables) {
  // Rows that protect the artifact (a run's report or environment, a collection's member): the
  // delete is refused before anything changes, naming the first holder, as Django's PROTECT.
  for (const auto& t : schema::LamindbTables()) {
    if (!tables.count(t.name)) continue;
    bool has_uid = std::any_of(t.columns.begin(), t.columns.end(),
                               [](const auto& c) { return c.name == "uid"; });
    for (const auto& c : t.columns) {
      if (c.kind != schema::ColumnKind::kForeignKey || c.references != "lamindb_artifact" ||
          !(c.flags & schema::kProtect)) {
        continue;
      }
      LAMIN_ASSIGN_OR_RETURN(
          db::Rows holder,
          db.Query("SELECT " + std::string(has_uid ? "uid" : "id") + " FROM \"" + t.name +
                       "\" WHERE \"" + c.name + "\" = ? LIMIT 1",
                   {a.id}));
      if (holder.empty()) continue;
      if (t.name == "lamindb_collectionartifact") {
        // Name the collection, not the link row.
        LAMIN_ASSIGN_OR_RETURN(
            db::Rows held, db.Query("SELECT c.uid, c.key FROM lamindb_collectionartifact l JOIN "
                                    "lamindb_collection c ON c.id = l.collection_id WHERE "
                                    "l.artifact_id = ? ORDER BY c.id LIMIT 1",
                                    {a.id}));
        if (!held.empty()) {
          return Status::InvalidArgument(
              "artifact " + a.uid + " cannot be deleted for good: collection " +
              db::AsText(held.rows[0][0]) + " ('" + db::AsText(held.rows[0][1]) +
              "') holds it; delete that collection first, or move the artifact to the trash");
        }
      }
      return Status::InvalidArgument(
          "artifact " + a.uid + " cannot be deleted for good: " + t.name + " " +
          (has_uid ? db::AsText(holder.rows[0][0]) : "row " + db::AsText(holder.rows[0][0])) +
          " refers to it (" + c.name + "); delete that first, or move the artifact to the trash");
    }
  }
  // Rows elsewhere that point at the artifact: link rows (NOT NULL keys) go with it, optional
  // references are cleared, as Django's CASCADE and SET_NULL do.
  for (const auto& t : schema::LamindbTables()) {
    if (!tables.count(t.name)) continue;
    for (const auto& c : t.columns) {
      if (c.kind != schema::ColumnKind::kForeignKey || c.references != "lamindb_artifact") continue;
      std::string sql = c.nullable()
                            ? "UPDATE \"" + t.name + "\" SET \"" + c.name + "\" = NULL WHERE \"" +
                                  c.name + "\" = ?"
                            : "DELETE FROM \"" + t.name + "\" WHERE \"" + c.name + "\" = ?";
      LAMIN_RETURN_IF_ERROR(db.Execute(sql, {a.id}).status());
    }
  }
  LAMIN_RETURN_IF_ERROR(db.Execute("DELETE FROM lamindb_artifact WHERE id = ?", {a.id}).status());
  return RecomputeLatest(db, a.stem());
}

namespace {

// The other rows whose object is `a`'s: versions of its stem, or rows with its key.
Result<std::vector<Artifact>> OtherObjectOwners(db::Database& db, const Artifact& a) {
  std::string key = a.StorageKey();
  // The storage and id terms must not drive the plan: on SQLite they would scan every row of
  // the storage instead of three index lookups.
  const db::Dialect d = db.dialect();
  LAMIN_ASSIGN_OR_RETURN(
      auto rows, Select(db,
                        "WHERE " + Unindexed(d, "a.storage_id") + " = ? AND " +
                            Unindexed(d, "a.id") +
                            " != ? AND (a._real_key = ? OR a.key = ? OR a.uid BETWEEN ? AND ?)",
                        {a.storage_id, a.id, key, key, StemLow(a.stem()), StemHigh(a.stem())}));
  std::vector<Artifact> out;
  for (auto& r : rows) {
    if (r.StorageKey() == key) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<int64_t> CountOtherObjectOwners(db::Database& db, const Artifact& a) {
  LAMIN_ASSIGN_OR_RETURN(auto owners, OtherObjectOwners(db, a));
  return static_cast<int64_t>(owners.size());
}

Result<std::optional<Artifact>> NewerOwnerOfObject(db::Database& db, const Artifact& a) {
  LAMIN_ASSIGN_OR_RETURN(auto owners, OtherObjectOwners(db, a));
  std::optional<Artifact> newest;
  for (auto& o : owners) {
    if (o.uid > a.uid && (!newest || o.uid > newest->uid)) newest = std::move(o);
  }
  return newest;
}

Result<std::set<std::string>> OwnedObjects(db::Database& db, int64_t storage_id,
                                           const std::vector<std::string>& storage_keys) {
  // Recovery asks this for every intent of a killed batch, so: index lookups only, a few
  // statements for any number of keys. A key's owner is a row whose object is at that key:
  //   ".lamindb/" + uid + suffix    its uid: the 20 characters after the prefix (unique index);
  //   ".lamindb/" + stem + suffix   an _overwrite_versions family (folders): the 16 after it,
  //                                 followed by the suffix, "" or "." + extension as LaminDB
  //                                 derives it (Python's Path.suffix), never a letter or digit;
  //   _real_key or key              a file registered in place.
  // Each kind is its own statement with one = ANY / IN over a JSON array: an OR of hundreds of
  // terms (the form before) was planned as a scan of the table while it had no statistics (a
  // killed first batch before autovacuum: 3.3 s at 100,000 artifacts), and took 4-7 ms to plan
  // per 200 keys even with them. A uid equality is answered by the unique index whatever the
  // statistics; the key columns' = ANY(ARRAY(...)) is planned as ten values (InJsonArray).
  // The stem ranges stay an OR of BETWEENs, one pair per folder key: few, and a range of the uid
  // index each.
  const std::string prefix = ".lamindb/";
  const std::set<std::string> wanted(storage_keys.begin(), storage_keys.end());
  std::vector<std::string> keys(wanted.begin(), wanted.end());
  std::vector<std::string> uids;
  std::vector<std::string> stems;
  for (const std::string& key : keys) {
    if (key.rfind(prefix, 0) != 0) continue;
    std::string rest = key.substr(prefix.size());
    auto base62 = [&](size_t from, size_t n) {
      return rest.size() >= from + n &&
             std::all_of(rest.begin() + from, rest.begin() + from + n,
                         [](unsigned char c) { return std::isalnum(c) != 0; });
    };
    if (!base62(0, 16)) continue;
    if (base62(16, 4)) uids.push_back(rest.substr(0, 20));
    if (rest.size() == 16 || !std::isalnum(static_cast<unsigned char>(rest[16]))) {
      stems.push_back(rest.substr(0, 16));
    }
  }
  std::set<std::string> owned;
  auto collect = [&](const std::string& condition, std::vector<db::Value> params) -> Status {
    params.insert(params.begin(), storage_id);
    LAMIN_ASSIGN_OR_RETURN(
        auto rows, Select(db,
                          "WHERE " + Unindexed(db.dialect(), "a.storage_id") + " = ? AND " +
                              condition,
                          params));
    for (const auto& r : rows) {
      if (wanted.count(r.StorageKey())) owned.insert(r.StorageKey());
    }
    return Status::OK();
  };
  if (!uids.empty()) {
    LAMIN_RETURN_IF_ERROR(
        collect(InJsonArray(db.dialect(), "a.uid", false), {util::JsonStringArray(uids)}));
  }
  for (const char* column : {"a._real_key", "a.key"}) {
    if (keys.empty()) break;
    LAMIN_RETURN_IF_ERROR(
        collect(InJsonArray(db.dialect(), column, false), {util::JsonStringArray(keys)}));
  }
  constexpr size_t kStemChunk = 200;  // 2 parameters a stem, far below either backend's limit
  for (size_t begin = 0; begin < stems.size(); begin += kStemChunk) {
    std::string any;
    std::vector<db::Value> params;
    for (size_t i = begin; i < std::min(stems.size(), begin + kStemChunk); ++i) {
      any += std::string(any.empty() ? "" : " OR ") + "a.uid BETWEEN ? AND ?";
      params.insert(params.end(), {StemLow(stems[i]), StemHigh(stems[i])});
    }
    LAMIN_RETURN_IF_ERROR(collect("(" + any + ")", params));
  }
  return owned;
}

Result<std::vector<int64_t>> StoragesWithArtifacts(db::Database& db) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT DISTINCT storage_id FROM lamindb_artifact"));
  std::vector<int64_t> out;
  for (const auto& r : rows.rows) out.push_back(db::AsInt(r[0]));
  return out;
}

Result<int64_t> CountVisible(db::Database& db) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT count(*) FROM lamindb_artifact WHERE branch_id > ?",
                                  {int64_t{kBranchArchive}}));
  return db::AsInt(rows.rows.at(0).at(0));
}

}  // namespace registry
}  // namespace lamin
