#include "registry/lineage.h"
#include "registry/sql.h"

#include <map>

#include "lamin/artifact.h"
#include "schema/table_def.h"
#include "util/clock.h"

namespace lamin::registry {
namespace {

constexpr const char* kTransformColumns =
    "SELECT id, uid, key, kind, description, source_code, hash, is_latest, created_at FROM "
    "lamindb_transform";
constexpr const char* kRunColumns =
    "SELECT id, uid, transform_id, _status_code, started_at, finished_at, params, cli_args, "
    "entrypoint, report_id, environment_id, initiated_by_run_id FROM lamindb_run";

std::optional<std::string> OptText(const db::Value& v) {
  return db::IsNull(v) ? std::nullopt : std::optional<std::string>(db::AsText(v));
}

// Columns by name.
std::map<std::string, size_t> ColumnIndex(const db::Rows& rows) {
  std::map<std::string, size_t> at;
  for (size_t c = 0; c < rows.columns.size(); ++c) at[rows.columns[c]] = c;
  return at;
}

Transform ReadTransform(const db::Rows& rows, size_t i) {
  auto at = ColumnIndex(rows);
  const auto& r = rows.rows[i];
  Transform t;
  t.id = db::AsInt(r[at["id"]]);
  t.uid = db::AsText(r[at["uid"]]);
  t.key = db::AsText(r[at["key"]]);
  t.kind = db::AsText(r[at["kind"]]);
  t.description = OptText(r[at["description"]]);
  t.source_code = OptText(r[at["source_code"]]);
  t.hash = OptText(r[at["hash"]]);
  t.is_latest = db::AsInt(r[at["is_latest"]]) != 0;
  t.created_at = util::CanonicalTimestamp(db::AsText(r[at["created_at"]]));
  return t;
}

Run ReadRun(const db::Rows& rows, size_t i) {
  auto at = ColumnIndex(rows);
  const auto& r = rows.rows[i];
  Run run;
  run.id = db::AsInt(r[at["id"]]);
  run.uid = db::AsText(r[at["uid"]]);
  run.transform_id = db::AsInt(r[at["transform_id"]]);
  run.status = static_cast<RunStatus>(db::AsInt(r[at["_status_code"]]));
  run.started_at = util::CanonicalTimestamp(db::AsText(r[at["started_at"]]));
  if (auto f = OptText(r[at["finished_at"]])) run.finished_at = util::CanonicalTimestamp(*f);
  // PostgreSQL returns jsonb in its own spacing; the text Python wrote is what SQLite keeps.
  run.params = OptText(r[at["params"]]);
  run.cli_args = OptText(r[at["cli_args"]]);
  run.entrypoint = OptText(r[at["entrypoint"]]);
  if (!db::IsNull(r[at["report_id"]])) run.report_id = db::AsInt(r[at["report_id"]]);
  if (!db::IsNull(r[at["environment_id"]])) {
    run.environment_id = db::AsInt(r[at["environment_id"]]);
  }
  if (!db::IsNull(r[at["initiated_by_run_id"]])) {
    run.initiated_by_run_id = db::AsInt(r[at["initiated_by_run_id"]]);
  }
  return run;
}

Result<std::optional<Transform>> OneTransform(db::Database& db, const std::string& where,
                                              const std::vector<db::Value>& params) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(std::string(kTransformColumns) + where, params));
  if (rows.empty()) return std::optional<Transform>();
  return std::optional<Transform>(ReadTransform(rows, 0));
}

Result<std::optional<Run>> OneRun(db::Database& db, const std::string& where,
                                  const std::vector<db::Value>& params) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(std::string(kRunColumns) + where, params));
  if (rows.empty()) return std::optional<Run>();
  return std::optional<Run>(ReadRun(rows, 0));
}

}  // namespace

Result<std::optional<Transform>> LatestTransformOfKey(db::Database& db, const std::string& key) {
  return OneTransform(db,
                      " WHERE key = ? AND is_latest = TRUE AND branch_id != ? ORDER BY uid DESC "
                      "LIMIT 1",
                      {key, int64_t{kBranchTrash}});
}

Result<std::optional<Transform>> TransformWithHash(db::Database& db, const std::string& key,
                                                   const std::string& hash) {
  return OneTransform(db,
                      " WHERE key = ? AND hash = ? AND branch_id != ? ORDER BY id DESC LIMIT 1",
                      {key, hash, int64_t{kBranchTrash}});
}

Status SetTransformSource(db::Database& db, int64_t id, const std::string& source_code,
                          const std::string& hash) {
  return db.Execute("UPDATE lamindb_transform SET source_code = ?, hash = ? WHERE id = ?",
                    {source_code, hash, id})
      .status();
}

Result<std::string> HighestTransformUid(db::Database& db, const std::string& stem) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT max(uid) FROM lamindb_transform WHERE uid BETWEEN ? AND ?",
                                  {stem + "0000", stem + "zzzz"}));
  if (rows.empty() || db::IsNull(rows.rows[0][0])) return stem + "0000";
  return db::AsText(rows.rows[0][0]);
}

Result<std::optional<Transform>> TransformById(db::Database& db, int64_t id) {
  return OneTransform(db, " WHERE id = ?", {id});
}

Result<std::optional<Transform>> TransformByUid(db::Database& db, const std::string& uid) {
  return OneTransform(db, " WHERE uid = ?", {uid});
}

Result<Transform> InsertTransform(db::Database& db, const Transform& t, int64_t user_id) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query("INSERT INTO lamindb_transform (uid, key, description, kind, source_code, hash, "
               "is_latest, is_locked, _aux, branch_id, created_on_id, space_id, created_by_id) "
               "VALUES (?, ?, ?, ?, ?, ?, TRUE, FALSE, NULL, 1, 1, 1, ?) RETURNING id",
               {t.uid, t.key, OrNull(t.description), t.kind, OrNull(t.source_code),
                OrNull(t.hash), user_id}));
  int64_t id = db::AsInt(rows.rows.at(0).at(0));
  if (t.uid.substr(12) != "0000") {
    const std::string stem = t.uid.substr(0, 12);
    LAMIN_RETURN_IF_ERROR(db.Execute("UPDATE lamindb_transform SET is_latest = FALSE WHERE uid "
                                     "BETWEEN ? AND ? AND id != ?",
                                     {stem + "0000", stem + "zzzz", id})
                              .status());
  }
  LAMIN_ASSIGN_OR_RETURN(auto made, TransformById(db, id));
  if (!made) return Status::Internal("inserted transform " + t.uid + " is not readable");
  return *made;
}

Result<Run> InsertRun(db::Database& db, const Run& r, int64_t user_id, bool is_consecutive) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query(std::string("INSERT INTO lamindb_run (uid, transform_id, _status_code, params, "
                           "cli_args, entrypoint, environment_id, initiated_by_run_id, "
                           "_is_consecutive, is_locked, _aux, branch_id, created_on_id, "
                           "space_id, created_by_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ") +
                   (is_consecutive ? "TRUE" : "NULL") +
                   ", FALSE, NULL, 1, 1, 1, ?) RETURNING id",
               {r.uid, r.transform_id, static_cast<int64_t>(r.status), OrNull(r.params),
                OrNull(r.cli_args), OrNull(r.entrypoint), OrNull(r.environment_id),
                OrNull(r.initiated_by_run_id),
                user_id}));
  LAMIN_ASSIGN_OR_RETURN(auto made, RunById(db, db::AsInt(rows.rows.at(0).at(0))));
  if (!made) return Status::Internal("inserted run " + r.uid + " is not readable");
  return *made;
}

Result<Run> FinishRun(db::Database& db, const Run& r, RunStatus status,
                      std::optional<int64_t> report_id) {
  // updated_at stays: Python's finish does not touch it.
  LAMIN_RETURN_IF_ERROR(db.Execute("UPDATE lamindb_run SET _status_code = ?, finished_at = ?, "
                                   "report_id = coalesce(?, report_id) WHERE id = ?",
                                   {static_cast<int64_t>(status), util::NowUtcMicrosText(),
                                    OrNull(report_id), r.id})
                            .status());
  LAMIN_ASSIGN_OR_RETURN(auto done, RunById(db, r.id));
  if (!done) return Status::NotFound("run " + r.uid + " vanished while it was finished");
  return *done;
}

Result<std::optional<Run>> RunByUid(db::Database& db, const std::string& uid) {
  return OneRun(db, " WHERE uid = ?", {uid});
}

Result<std::optional<Run>> RunById(db::Database& db, int64_t id) {
  return OneRun(db, " WHERE id = ?", {id});
}

Result<std::vector<Run>> RunsLinkedTo(db::Database& db, const char* link_table,
                                      int64_t artifact_id) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query(std::string(kRunColumns) + " WHERE id IN (SELECT run_id FROM " + link_table +
                   " WHERE artifact_id = ?) ORDER BY id",
               {artifact_id}));
  std::vector<Run> runs;
  for (size_t i = 0; i < rows.rows.size(); ++i) runs.push_back(ReadRun(rows, i));
  return runs;
}

namespace {

Result<std::vector<int64_t>> Ids(db::Database& db, const std::string& sql, int64_t run_id) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(sql, {run_id}));
  std::vector<int64_t> ids;
  for (const auto& r : rows.rows) ids.push_back(db::AsInt(r[0]));
  return ids;
}

}  // namespace

Result<std::vector<int64_t>> OutputIdsOfRun(db::Database& db, int64_t run_id) {
  return Ids(db, "SELECT id FROM lamindb_artifact WHERE run_id = ? AND branch_id != -1 ORDER BY id",
             run_id);
}

Result<std::vector<int64_t>> InputIdsOfRun(db::Database& db, int64_t run_id) {
  return Ids(db,
             "SELECT a.id FROM lamindb_artifact_input_of_runs i JOIN lamindb_artifact a ON a.id = "
             "i.artifact_id WHERE i.run_id = ? AND a.branch_id != -1 ORDER BY a.id",
             run_id);
}

namespace {

// Refuses when a row of `table` refers to `id` through `column`, naming that row.
Status RefuseIfReferenced(db::Database& db, const schema::TableDef& table,
                          const std::string& column, int64_t id, const std::string& what) {
  bool has_uid = false;
  for (const auto& c : table.columns) has_uid |= c.name == "uid";
  LAMIN_ASSIGN_OR_RETURN(db::Rows holder,
                         db.Query("SELECT " + std::string(has_uid ? "uid" : "id") + " FROM \"" +
                                      table.name + "\" WHERE \"" + column + "\" = ? LIMIT 1",
                                  {id}));
  if (holder.empty()) return Status::OK();
  return Status::InvalidArgument(what + " cannot be deleted for good: " + table.name + " " +
                                 (has_uid ? "" : "row ") + db::AsText(holder.rows[0][0]) +
                                 " refers to it (" + column + "); delete that first");
}

}  // namespace

Status DeleteRunRows(db::Database& db, const Run& run, const std::set<std::string>& tables,
                     DeletedRuns* deleted) {
  const std::string what = "run " + run.uid;
  // Child runs first: Django's CASCADE on initiated_by_run.
  LAMIN_ASSIGN_OR_RETURN(db::Rows children,
                         db.Query(std::string(kRunColumns) + " WHERE initiated_by_run_id = ?",
                                  {run.id}));
  for (size_t i = 0; i < children.rows.size(); ++i) {
    LAMIN_RETURN_IF_ERROR(DeleteRunRows(db, ReadRun(children, i), tables, deleted));
  }
  for (const auto& t : schema::LamindbTables()) {
    if (!tables.count(t.name)) continue;
    for (const auto& c : t.columns) {
      if (c.kind != schema::ColumnKind::kForeignKey || c.references != "lamindb_run") continue;
      if (t.name == "lamindb_run" && c.name == "initiated_by_run_id") continue;
      // TracksRun columns (nullable run_id: outputs, rows the run made) and a record's run
      // value protect the run; the run's own link rows go with it.
      if (c.nullable() || (t.name == "lamindb_recordrun" && c.name == "value_id")) {
        LAMIN_RETURN_IF_ERROR(RefuseIfReferenced(db, t, c.name, run.id, what));
        continue;
      }
      LAMIN_RETURN_IF_ERROR(
          db.Execute("DELETE FROM \"" + t.name + "\" WHERE \"" + c.name + "\" = ?", {run.id})
              .status());
    }
  }
  LAMIN_RETURN_IF_ERROR(db.Execute("DELETE FROM lamindb_run WHERE id = ?", {run.id}).status());
  deleted->uids.push_back(run.uid);
  if (run.report_id) deleted->run_artifacts.push_back(*run.report_id);
  if (run.environment_id) deleted->run_artifacts.push_back(*run.environment_id);
  return Status::OK();
}

Status DeleteTransformRows(db::Database& db, const Transform& t,
                           const std::set<std::string>& tables, DeletedRuns* deleted) {
  const std::string what = "transform " + t.uid;
  for (const auto& table : schema::LamindbTables()) {
    if (table.name != "lamindb_recordtransform" || !tables.count(table.name)) continue;
    LAMIN_RETURN_IF_ERROR(RefuseIfReferenced(db, table, "value_id", t.id, what));
  }
  LAMIN_ASSIGN_OR_RETURN(db::Rows runs,
                         db.Query(std::string(kRunColumns) + " WHERE transform_id = ?", {t.id}));
  for (size_t i = 0; i < runs.rows.size(); ++i) {
    Run run = ReadRun(runs, i);
    // A child run of an earlier one of this transform went with its parent.
    LAMIN_ASSIGN_OR_RETURN(auto still, RunById(db, run.id));
    if (still) LAMIN_RETURN_IF_ERROR(DeleteRunRows(db, run, tables, deleted));
  }
  for (const auto& table : schema::LamindbTables()) {
    if (!tables.count(table.name)) continue;
    for (const auto& c : table.columns) {
      if (c.kind != schema::ColumnKind::kForeignKey || c.references != "lamindb_transform") continue;
      std::string sql = c.nullable() ? "UPDATE \"" + table.name + "\" SET \"" + c.name +
                                           "\" = NULL WHERE \"" + c.name + "\" = ?"
                                     : "DELETE FROM \"" + table.name + "\" WHERE \"" + c.name +
                                           "\" = ?";
      LAMIN_RETURN_IF_ERROR(db.Execute(sql, {t.id}).status());
    }
  }
  LAMIN_RETURN_IF_ERROR(db.Execute("DELETE FROM lamindb_transform WHERE id = ?", {t.id}).status());
  if (t.is_latest) {
    // The newest other version of the family outside the trash becomes the latest.
    const std::string stem = t.uid.substr(0, 12);
    LAMIN_RETURN_IF_ERROR(
        db.Execute("UPDATE lamindb_transform SET is_latest = TRUE WHERE id = (SELECT max(id) FROM "
                   "lamindb_transform WHERE uid BETWEEN ? AND ? AND branch_id != -1)",
                   {stem + "0000", stem + "zzzz"})
            .status());
  }
  return Status::OK();
}

}  // namespace lamin::registry
