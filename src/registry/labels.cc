#include "registry/labels.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hash/content_hash.h"
#include "registry/sql.h"
#include "schema/table_def.h"
#include "util/encoding.h"
#include "util/pyjson.h"

namespace lamin::registry {
namespace {


LabelRow ReadLabel(const std::vector<db::Value>& r) {
  LabelRow l;
  l.id = db::AsInt(r[0]);
  l.uid = db::AsText(r[1]);
  l.name = db::AsText(r[2]);
  l.is_type = db::AsInt(r[3]) != 0;
  if (!db::IsNull(r[4])) l.type_id = db::AsInt(r[4]);
  return l;
}

FeatureRow ReadFeature(const std::vector<db::Value>& r) {
  FeatureRow f;
  f.id = db::AsInt(r[0]);
  f.uid = db::AsText(r[1]);
  f.name = db::AsText(r[2]);
  if (!db::IsNull(r[3])) f.dtype = db::AsText(r[3]);
  f.is_type = db::AsInt(r[4]) != 0;
  return f;
}

constexpr const char* kFeatureColumns =
    "SELECT id, uid, name, _dtype_str, is_type FROM lamindb_feature";

std::string PyBool(bool b) { return b ? "True" : "False"; }

}  // namespace

const std::vector<LabelTable>& LabelTables() {
  static const std::vector<LabelTable> kTables = {
      {"ulabel", "lamindb_ulabel", 8, "lamindb_ulabel_parents", "from_ulabel_id", "to_ulabel_id",
       "lamindb_artifactulabel", "ulabel_id"},
      {"project", "lamindb_project", 12, "lamindb_project_parents", "from_project_id",
       "to_project_id", "lamindb_artifactproject", "project_id"},
      {"record", "lamindb_record", 16, "lamindb_record_parents", "from_record_id", "to_record_id",
       "lamindb_artifactrecord", "record_id"},
  };
  return kTables;
}

const LabelTable* FindLabelTable(std::string_view registry) {
  for (const auto& t : LabelTables()) {
    if (t.registry == registry || t.registry + "s" == registry) return &t;
  }
  return nullptr;
}

Result<std::vector<LabelRow>> FindLabels(db::Database& db, const LabelTable& t,
                                         const std::string& ref, std::optional<int64_t> type_id,
                                         bool any_type) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows, db.Query("SELECT id, uid, name, is_type, type_id FROM \"" + t.table +
                                  "\" WHERE branch_id != -1 AND (uid = ? OR name = ?) ORDER BY id",
                              {ref, ref}));
  std::vector<LabelRow> out;
  for (const auto& r : rows.rows) {
    LabelRow l = ReadLabel(r);
    if (l.uid == ref && static_cast<int>(ref.size()) == t.uid_length) return std::vector{l};
    if (l.name != ref) continue;
    if (!any_type && l.type_id != type_id) continue;
    out.push_back(std::move(l));
  }
  return out;
}

Result<LabelRow> InsertLabel(db::Database& db, const LabelTable& t, const LabelSpec& spec,
                             std::optional<int64_t> type_id, const std::vector<int64_t>& parents,
                             int64_t user_id) {
  const std::string uid = util::RandomBase62(static_cast<size_t>(t.uid_length));
  // Project has a status code Python sends as 0; the other two have no such column.
  const bool project = t.registry == "project";
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query("INSERT INTO \"" + t.table + "\" (uid, name, description, is_type, type_id, " +
                   (project ? "_status_code, " : "") +
                   "is_locked, _aux, branch_id, created_on_id, space_id, created_by_id) VALUES "
                   "(?, ?, ?, " +
                   (spec.is_type ? "TRUE" : "FALSE") + ", ?, " + (project ? "0, " : "") +
                   "FALSE, NULL, 1, 1, 1, ?) RETURNING id",
               {uid, spec.name, OrNull(spec.description), OrNull(type_id), user_id}));
  const int64_t id = db::AsInt(rows.rows.at(0).at(0));
  LAMIN_RETURN_IF_ERROR(AddParents(db, t, id, parents).status());
  return LabelRow{id, uid, spec.name, spec.is_type, type_id};
}

Result<bool> AddParents(db::Database& db, const LabelTable& t, int64_t id,
                        const std::vector<int64_t>& parents) {
  bool added = false;
  for (int64_t parent : parents) {
    if (parent == id) {
      return Status::InvalidArgument("a " + t.registry + " cannot be its own parent");
    }
    LAMIN_ASSIGN_OR_RETURN(
        int64_t n,
        db.Execute("INSERT INTO \"" + t.parents_table + "\" (" + t.parents_from + ", " +
                       t.parents_to + ") SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM \"" +
                       t.parents_table + "\" WHERE " + t.parents_from + " = ? AND " + t.parents_to +
                       " = ?)",
                   {id, parent, id, parent}));
    added |= n > 0;
  }
  return added;
}

Result<std::vector<FeatureRow>> FindFeatures(db::Database& db, const std::string& ref) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows, db.Query(std::string(kFeatureColumns) +
                                  " WHERE branch_id != -1 AND (uid = ? OR name = ?) ORDER BY id",
                              {ref, ref}));
  std::vector<FeatureRow> out;
  for (const auto& r : rows.rows) {
    FeatureRow f = ReadFeature(r);
    if (f.uid == ref && ref.size() == 12) return std::vector{f};
    if (f.name == ref) out.push_back(std::move(f));
  }
  return out;
}

Result<FeatureRow> InsertFeature(db::Database& db, const FeatureSpec& spec,
                                 const std::optional<std::string>& dtype,
                                 std::optional<int64_t> type_id, int64_t user_id) {
  const std::string uid = util::RandomBase62(12);
  // array_rank and array_size have no database default; array_shape is Python's None (not the
  // seed's 'null' default); nullable is True for features (Python's default), NULL for types.
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query(std::string("INSERT INTO lamindb_feature (uid, name, _dtype_str, unit, "
                           "description, array_rank, array_size, array_shape, nullable, is_type, "
                           "type_id, is_locked, _aux, branch_id, created_on_id, space_id, "
                           "created_by_id) VALUES (?, ?, ?, ?, ?, 0, 0, NULL, ") +
                   (spec.is_type ? "NULL, TRUE" : "TRUE, FALSE") +
                   ", ?, FALSE, NULL, 1, 1, 1, ?) RETURNING id",
               {uid, spec.name, OrNull(dtype), OrNull(spec.unit), OrNull(spec.description),
                OrNull(type_id), user_id}));
  return FeatureRow{db::AsInt(rows.rows.at(0).at(0)), uid, spec.name, dtype, spec.is_type};
}

std::string SchemaHash(const std::vector<FeatureRow>& members,
                       const std::set<std::string>& optional_uids, bool minimal, bool ordered,
                       bool maximal) {
  // models/schema.py: parts a..l for what is set; no dtype for Feature schemas, flexible
  // (False with members) and coerce (False) only when they differ from their defaults.
  std::vector<std::string> parts = {"b=Feature", "c=" + PyBool(minimal), "d=" + PyBool(ordered),
                                    "e=" + PyBool(maximal), "h=" + std::to_string(members.size())};
  std::vector<std::string> uids;
  for (const auto& f : members) uids.push_back(optional_uids.count(f.uid) ? f.uid + "(i)" : f.uid);
  if (!ordered) std::sort(uids.begin(), uids.end());
  std::string joined;
  for (const auto& u : uids) joined += (joined.empty() ? "" : ":") + u;
  parts.push_back("j=" + hash::HashString(joined));
  std::sort(parts.begin(), parts.end());
  std::string all;
  for (const auto& p : parts) all += (all.empty() ? "" : ":") + p;
  return hash::HashString(all);
}

namespace {

constexpr const char* kSchemaColumns =
    "SELECT id, uid, name, hash, minimal_set, ordered_set, maximal_set, _aux FROM lamindb_schema";

Result<SchemaRow> ReadSchema(db::Database& db, const std::vector<db::Value>& r) {
  SchemaRow s;
  s.id = db::AsInt(r[0]);
  s.uid = db::AsText(r[1]);
  if (!db::IsNull(r[2])) s.name = db::AsText(r[2]);
  if (!db::IsNull(r[3])) s.hash = db::AsText(r[3]);
  s.minimal = db::AsInt(r[4]) != 0;
  s.ordered = db::AsInt(r[5]) != 0;
  s.maximal = db::AsInt(r[6]) != 0;
  if (!db::IsNull(r[7])) {
    auto aux = nlohmann::json::parse(db::AsText(r[7]), nullptr, false);
    if (aux.is_object() && aux.contains("af") && aux["af"].is_object() && aux["af"].contains("1") &&
        aux["af"]["1"].is_array()) {
      for (const auto& u : aux["af"]["1"]) {
        if (u.is_string()) s.optional_uids.insert(u.get<std::string>());
      }
    }
  }
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows members,
      db.Query("SELECT f.id, f.uid, f.name, f._dtype_str, f.is_type FROM lamindb_schemafeature m "
               "JOIN lamindb_feature f ON f.id = m.feature_id WHERE m.schema_id = ? ORDER BY m.id",
               {s.id}));
  for (const auto& m : members.rows) s.members.push_back(ReadFeature(m));
  return s;
}

}  // namespace

Result<std::optional<SchemaRow>> SchemaWithHash(db::Database& db, const std::string& hash) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query(std::string(kSchemaColumns) + " WHERE hash = ? AND branch_id != -1 ORDER BY id",
               {hash}));
  if (rows.empty()) return std::optional<SchemaRow>();
  LAMIN_ASSIGN_OR_RETURN(SchemaRow s, ReadSchema(db, rows.rows[0]));
  return std::optional<SchemaRow>(std::move(s));
}

Result<SchemaRow> FindSchema(db::Database& db, const std::string& ref) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows, db.Query(std::string(kSchemaColumns) +
                                  " WHERE branch_id != -1 AND (uid = ? OR name = ?) ORDER BY id",
                              {ref, ref}));
  std::vector<const std::vector<db::Value>*> named;
  for (const auto& r : rows.rows) {
    if (db::AsText(r[1]) == ref) return ReadSchema(db, r);
    named.push_back(&r);
  }
  if (named.empty()) {
    return Status::NotFound("no schema named '" + ref +
                            "'; create it with lamin create schema NAME --features F1,F2");
  }
  if (named.size() > 1) {
    std::string uids;
    for (const auto* r : named) uids += (uids.empty() ? "" : ", ") + db::AsText((*r)[1]);
    return Status::InvalidArgument("several schemas are named '" + ref + "' (" + uids +
                                   "); name one by its uid");
  }
  return ReadSchema(db, *named[0]);
}

Result<SchemaRow> InsertSchema(db::Database& db, const SchemaSpec& spec,
                               const std::vector<FeatureRow>& members,
                               const std::set<std::string>& optional_uids, int64_t user_id) {
  SchemaRow s;
  s.uid = util::RandomBase62(16);
  s.name = spec.name;
  s.minimal = true;
  s.ordered = spec.ordered;
  s.maximal = spec.maximal;
  s.members = members;
  s.optional_uids = optional_uids;
  s.hash = SchemaHash(members, optional_uids, s.minimal, s.ordered, s.maximal);
  // Optional members are kept where Python keeps them: _aux {"af": {"1": [uids]}}.
  db::Value aux = db::Null();
  if (!optional_uids.empty()) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& f : members) {
      if (optional_uids.count(f.uid)) list.push_back(f.uid);
    }
    aux = util::PythonJsonDumps({{"af", {{"1", list}}}});
  }
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query(std::string("INSERT INTO lamindb_schema (uid, name, description, n_members, "
                           "flexible, itype, hash, minimal_set, ordered_set, maximal_set, "
                           "is_type, is_locked, _aux, branch_id, created_on_id, space_id, "
                           "created_by_id) VALUES (?, ?, ?, ?, FALSE, 'Feature', ?, TRUE, ") +
                   (s.ordered ? "TRUE" : "FALSE") + ", " + (s.maximal ? "TRUE" : "FALSE") +
                   ", FALSE, FALSE, ?, 1, 1, 1, ?) RETURNING id",
               {s.uid, spec.name, OrNull(spec.description), static_cast<int64_t>(members.size()),
                *s.hash, aux, user_id}));
  s.id = db::AsInt(rows.rows.at(0).at(0));
  for (const auto& f : members) {
    LAMIN_RETURN_IF_ERROR(
        db.Execute("INSERT INTO lamindb_schemafeature (schema_id, feature_id) VALUES (?, ?)",
                   {s.id, f.id})
            .status());
  }
  return s;
}

}  // namespace lamin::registry

namespace lamin::registry {
namespace {

// The (table, column) rows that go with a deleted row of `table`: Django's CASCADE on the
// registry's own links. Everything else that refers to the row protects it.
std::set<std::pair<std::string, std::string>> Cascades(const std::string& table) {
  if (table == "lamindb_ulabel") {
    return {{"lamindb_ulabel_parents", "from_ulabel_id"},
            {"lamindb_ulabel_parents", "to_ulabel_id"},
            {"lamindb_ulabelproject", "ulabel_id"},
            {"lamindb_ulabelblock", "ulabel_id"}};
  }
  if (table == "lamindb_project") {
    return {{"lamindb_project_parents", "from_project_id"},
            {"lamindb_project_parents", "to_project_id"},
            {"lamindb_project_predecessors", "from_project_id"},
            {"lamindb_project_predecessors", "to_project_id"},
            {"lamindb_project_references", "project_id"},
            {"lamindb_projectuser", "project_id"},
            {"lamindb_projectblock", "project_id"}};
  }
  if (table == "lamindb_record") {
    return {{"lamindb_record_parents", "from_record_id"},
            {"lamindb_record_parents", "to_record_id"},
            {"lamindb_recordjson", "record_id"},
            {"lamindb_recordblock", "record_id"}};
  }
  if (table == "lamindb_feature") {
    // Its values go too, but only those no link refers to (checked as jsonvalue's protection).
    return {{"lamindb_featureproject", "feature_id"},
            {"lamindb_featureblock", "feature_id"},
            {"lamindb_jsonvalue", "feature_id"}};
  }
  if (table == "lamindb_schema") {
    return {{"lamindb_schemafeature", "schema_id"},
            {"lamindb_schemacomponent", "composite_id"},
            {"lamindb_schemaproject", "schema_id"},
            {"lamindb_schemablock", "schema_id"}};
  }
  return {};
}

const schema::TableDef* Def(const std::string& name) {
  for (const auto& t : schema::LamindbTables()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// Every row outside `cascade` that refers to `id` of `table`, as "table (column): N row(s)".
Status CollectHolders(db::Database& db, const std::string& table, const std::string& where,
                      const std::vector<db::Value>& ids,
                      const std::set<std::pair<std::string, std::string>>& cascade,
                      const std::set<std::string>& tables, std::vector<std::string>* holders) {
  for (const auto& t : schema::LamindbTables()) {
    if (!tables.count(t.name)) continue;
    for (const auto& c : t.columns) {
      if (c.kind != schema::ColumnKind::kForeignKey || c.references != table) continue;
      if (cascade.count({t.name, c.name})) continue;
      LAMIN_ASSIGN_OR_RETURN(db::Rows n, db.Query("SELECT count(*) FROM \"" + t.name +
                                                      "\" WHERE \"" + c.name + "\" " + where,
                                                  ids));
      int64_t count = db::AsInt(n.rows.at(0).at(0));
      if (count > 0) {
        holders->push_back(t.name + " (" + c.name + "): " + std::to_string(count) + " row" +
                           (count == 1 ? "" : "s"));
      }
    }
  }
  return Status::OK();
}

}  // namespace

Status DeleteForGood(db::Database& db, const std::string& table, int64_t id,
                     const std::set<std::string>& tables, const std::string& what) {
  const auto cascade = Cascades(table);
  std::vector<std::string> holders;
  LAMIN_RETURN_IF_ERROR(CollectHolders(db, table, "= ?", {id}, cascade, tables, &holders));
  if (table == "lamindb_feature" && tables.count("lamindb_jsonvalue")) {
    // The feature's values go with it only while nothing links them (JsonValue is PROTECTed).
    LAMIN_RETURN_IF_ERROR(CollectHolders(db, "lamindb_jsonvalue",
                                         "IN (SELECT id FROM lamindb_jsonvalue WHERE feature_id "
                                         "= ?)",
                                         {id}, {}, tables, &holders));
  }
  if (!holders.empty()) {
    std::string list;
    for (const auto& h : holders) list += (list.empty() ? "" : "; ") + h;
    return Status::InvalidArgument(what + " cannot be deleted for good: it is in use (" + list +
                                   "); remove those first");
  }
  for (const auto& [t, c] : cascade) {
    if (!tables.count(t) || !Def(t)) continue;
    LAMIN_RETURN_IF_ERROR(
        db.Execute("DELETE FROM \"" + t + "\" WHERE \"" + c + "\" = ?", {id}).status());
  }
  return db.Execute("DELETE FROM \"" + table + "\" WHERE id = ?", {id}).status();
}

}  // namespace lamin::registry
