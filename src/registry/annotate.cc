#include "registry/annotate.h"
#include "registry/sql.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "util/pyjson.h"

namespace lamin::registry {
namespace {

using Json = nlohmann::ordered_json;


std::string RegistryClass(const std::string& registry) {
  if (registry == "ulabel") return "ULabel";
  if (registry == "project") return "Project";
  return "Record";
}

std::string Joined(const std::vector<std::string>& items, size_t at_most = 12) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < at_most; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > at_most) out += fmt::format(", … ({} in all)", items.size());
  return out;
}

void Add(std::vector<Violation>* v, const std::string& feature, std::string message) {
  v->push_back({feature, std::move(message)});
}

// The decoded JSON of a stored value (PostgreSQL returns jsonb in its own spacing).
Json Decoded(const std::string& text) {
  auto j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json(text) : j;
}

std::string Display(const Json& v) {
  return v.is_string() ? v.get<std::string>() : util::PythonJsonDumps(v);
}

}  // namespace

Result<std::optional<std::pair<FeatureRow, Dtype>>> Resolver::Feature(
    const std::string& name, std::vector<Violation>* violations) {
  if (auto it = features_.find(name); it != features_.end()) {
    if (!it->second) Add(violations, name, "unknown feature '" + name + "'");
    return it->second;
  }
  std::optional<std::pair<FeatureRow, Dtype>> found;
  LAMIN_ASSIGN_OR_RETURN(auto rows, FindFeatures(db_, name));
  if (rows.empty()) {
    Add(violations, name,
        "unknown feature '" + name + "'; create it first: lamin create feature " + name +
            " --dtype DTYPE");
  } else if (rows.size() > 1) {
    std::vector<std::string> uids;
    for (const auto& r : rows) uids.push_back(r.uid);
    Add(violations, name,
        "several features are named '" + name + "' (" + Joined(uids) + "); name one by its uid");
  } else if (rows[0].is_type || !rows[0].dtype) {
    Add(violations, name, "feature '" + name + "' is a feature type and takes no values");
  } else {
    auto dtype = ParseDtype(*rows[0].dtype);
    if (!dtype.ok()) {
      Add(violations, name,
          "feature '" + name + "' has dtype '" + *rows[0].dtype +
              "', which lamin does not annotate with (bionty and union dtypes are Python's)");
    } else {
      found.emplace(rows[0], *dtype);
    }
  }
  features_[name] = found;
  return found;
}

Result<std::optional<int64_t>> Resolver::TypeOf(const Dtype& d, std::vector<Violation>* violations,
                                                const std::string& feature) {
  if (!d.type_ref) return std::optional<int64_t>();
  const LabelTable* t = FindLabelTable(d.label_registry);
  LAMIN_ASSIGN_OR_RETURN(auto types, FindLabels(db_, *t, *d.type_ref));
  for (const auto& type : types) {
    if (type.uid == *d.type_ref && type.is_type) {
      type_names_[type.id] = type.name;
      return std::optional<int64_t>(type.id);
    }
  }
  Add(violations, feature,
      "feature '" + feature + "' (" + d.Text() + "): its type " + *d.type_ref +
          " is not a registered " + RegistryClass(d.label_registry) + " type");
  return std::optional<int64_t>();
}

Result<std::vector<int64_t>> Resolver::CategoricalLabels(const FeatureRow& f, const Dtype& d,
                                                         const Json& names,
                                                         std::vector<Violation>* violations) {
  const LabelTable* t = FindLabelTable(d.label_registry);
  std::vector<int64_t> ids;
  size_t before = violations->size();
  LAMIN_ASSIGN_OR_RETURN(std::optional<int64_t> type_id, TypeOf(d, violations, f.name));
  if (violations->size() != before) return ids;
  for (const auto& n : names) {
    const std::string name = n.get<std::string>();
    auto key = std::make_tuple(t->registry, name, type_id);
    auto it = labels_.find(key);
    if (it == labels_.end()) {
      LAMIN_ASSIGN_OR_RETURN(auto rows, FindLabels(db_, *t, name, type_id, !d.type_ref));
      it = labels_.emplace(key, std::move(rows)).first;
    }
    const auto& rows = it->second;
    if (rows.size() == 1) {
      ids.push_back(rows[0].id);
      continue;
    }
    if (rows.empty()) {
      // Name what is allowed: the labels of the type (or of the registry), a few of them.
      std::string sql = "SELECT name FROM \"" + t->table + "\" WHERE branch_id != -1 AND " +
                        (type_id ? "type_id = ?" : "is_type = FALSE") + " ORDER BY name LIMIT 13";
      std::vector<db::Value> params;
      if (type_id) params.push_back(*type_id);
      LAMIN_ASSIGN_OR_RETURN(db::Rows allowed, db_.Query(sql, params));
      std::vector<std::string> names_allowed;
      for (const auto& r : allowed.rows) names_allowed.push_back(db::AsText(r[0]));
      Add(violations, f.name,
          fmt::format("feature '{}' ({}): no {} named {}{}; {}", f.name, d.Text(),
                      RegistryClass(t->registry), util::PythonJsonDumps(Json(name)),
                      type_id ? " of type " + type_names_[*type_id] : "",
                      names_allowed.empty()
                          ? "none is registered yet: lamin create " + t->registry + " NAME" +
                                (type_id ? " --type " + *d.type_ref : "")
                          : "registered: " + Joined(names_allowed, 12)));
    } else {
      std::vector<std::string> uids;
      for (const auto& r : rows) uids.push_back(r.uid);
      Add(violations, f.name,
          fmt::format("feature '{}': several {} labels are named {} ({}); use a dtype with a type "
                      "(cat[{}[<type>]]) or name one by its uid",
                      f.name, RegistryClass(t->registry), util::PythonJsonDumps(Json(name)),
                      Joined(uids), RegistryClass(t->registry)));
    }
  }
  return ids;
}

Result<std::optional<LabelRow>> Resolver::Label(const LabelTable& t, const std::string& ref,
                                                std::vector<Violation>* violations) {
  auto key = std::make_tuple(t.registry, ref, std::optional<int64_t>());
  auto it = labels_.find(key);
  if (it == labels_.end()) {
    LAMIN_ASSIGN_OR_RETURN(auto rows, FindLabels(db_, t, ref));
    it = labels_.emplace(key, std::move(rows)).first;
  }
  const auto& rows = it->second;
  if (rows.size() == 1) return std::optional<LabelRow>(rows[0]);
  if (rows.empty()) {
    Add(violations, t.registry,
        fmt::format("no {} named {}; create it first: lamin create {} {}",
                    RegistryClass(t.registry), util::PythonJsonDumps(Json(ref)), t.registry,
                    util::PythonJsonDumps(Json(ref))));
  } else {
    std::vector<std::string> uids;
    for (const auto& r : rows) uids.push_back(r.uid);
    Add(violations, t.registry,
        fmt::format("several {} labels are named {} ({}); name one by its uid",
                    RegistryClass(t.registry), util::PythonJsonDumps(Json(ref)), Joined(uids)));
  }
  return std::optional<LabelRow>();
}

Result<SchemaRow> Resolver::Schema(const std::string& ref) {
  if (auto it = schemas_.find(ref); it != schemas_.end()) return it->second;
  LAMIN_ASSIGN_OR_RETURN(SchemaRow s, FindSchema(db_, ref));
  schemas_.emplace(ref, s);
  return s;
}

Result<ResolvedAnnotation> Resolver::Resolve(const Annotation& annotation,
                                             std::vector<Violation>* violations) {
  ResolvedAnnotation out;
  const std::pair<const std::vector<std::string>*, const char*> plain[] = {
      {&annotation.ulabels, "ulabel"},
      {&annotation.projects, "project"},
      {&annotation.records, "record"}};
  for (const auto& [refs, registry] : plain) {
    const LabelTable* t = FindLabelTable(registry);
    for (const auto& ref : *refs) {
      LAMIN_ASSIGN_OR_RETURN(auto label, Label(*t, ref, violations));
      if (label) out.links.push_back({t, label->id, std::nullopt});
    }
  }
  std::vector<int64_t> given;
  std::map<int64_t, std::string> names;
  for (const auto& fv : annotation.features) {
    LAMIN_ASSIGN_OR_RETURN(auto feature, Feature(fv.feature, violations));
    if (!feature) continue;
    const auto& [row, dtype] = *feature;
    Result<Json> value = Json();
    if (fv.form == FeatureValue::Form::kText) {
      value = ValueFromText(dtype, row.name, fv.value);
    } else {
      auto parsed = Json::parse(fv.value, nullptr, /*allow_exceptions=*/false);
      value = parsed.is_discarded()
                  ? Result<Json>(Status::InvalidArgument(
                        "feature '" + row.name + "': " + util::PythonJsonDumps(Json(fv.value)) +
                        " is not JSON"))
                  : ValueFromJson(dtype, row.name, parsed);
    }
    if (!value.ok()) {
      Add(violations, row.name, value.status().message());
      continue;
    }
    given.push_back(row.id);
    names[row.id] = row.name;
    if (dtype.categorical()) {
      LAMIN_ASSIGN_OR_RETURN(auto ids, CategoricalLabels(row, dtype, *value, violations));
      const LabelTable* t = FindLabelTable(dtype.label_registry);
      for (int64_t id : ids) out.links.push_back({t, id, row.id});
    } else {
      out.values.push_back({row.id, StoreValue(*value)});
    }
  }
  // Python writes one call's values in the order of the features' ids.
  std::stable_sort(
      out.values.begin(), out.values.end(),
      [](const ResolvedValue& a, const ResolvedValue& b) { return a.feature_id < b.feature_id; });
  std::stable_sort(out.links.begin(), out.links.end(),
                   [](const ResolvedLink& a, const ResolvedLink& b) {
                     return a.feature_id.value_or(0) < b.feature_id.value_or(0);
                   });
  if (annotation.schema) {
    auto schema = Schema(*annotation.schema);
    if (!schema.ok()) {
      if (schema.status().code() != StatusCode::kNotFound &&
          schema.status().code() != StatusCode::kInvalidArgument) {
        return schema.status();
      }
      Add(violations, "schema", schema.status().message());
    } else {
      out.schema = *schema;
    }
  }
  return out;
}

void CheckSchemaMembers(const SchemaRow& schema, const std::vector<int64_t>& feature_ids,
                        const std::map<int64_t, std::string>& names,
                        std::vector<Violation>* violations) {
  const std::string what = "schema '" + schema.name.value_or(schema.uid) + "'";
  std::set<int64_t> given(feature_ids.begin(), feature_ids.end());
  std::set<int64_t> members;
  for (const auto& f : schema.members) {
    members.insert(f.id);
    if (schema.minimal && !schema.optional_uids.count(f.uid) && !given.count(f.id)) {
      Add(violations, f.name,
          what + " requires feature '" + f.name + "' (" + f.dtype.value_or("?") +
              "), which is missing");
    }
  }
  if (schema.maximal) {
    for (int64_t id : given) {
      if (members.count(id)) continue;
      auto n = names.find(id);
      std::string name = n == names.end() ? std::to_string(id) : n->second;
      Add(violations, name, what + " is a maximal set and has no feature '" + name + "'");
    }
  }
}

Status ViolationsStatus(const std::string& what, const std::vector<Violation>& violations) {
  if (violations.empty()) return Status::OK();
  if (violations.size() == 1) return Status::InvalidArgument(what + ": " + violations[0].message);
  // One line (messages are printed escaped): numbered problems.
  std::string text = fmt::format("{}: {} problems:", what, violations.size());
  for (size_t i = 0; i < violations.size(); ++i) {
    text += fmt::format(" ({}) {}", i + 1, violations[i].message);
  }
  return Status::InvalidArgument(text);
}

Status ApplyAnnotation(db::Database& db, int64_t artifact_id, const ResolvedAnnotation& a,
                       int64_t user_id, std::optional<int64_t> run_id, JsonValueIds* values) {
  for (const auto& link : a.links) {
    const LabelTable& t = *link.table;
    // Without a feature: Django's M2M add skips a label the artifact has with any feature; with
    // one, the (artifact, label, feature) triple is the unique key.
    std::string exists = "SELECT 1 FROM \"" + t.artifact_link + "\" WHERE artifact_id = ? AND " +
                         t.link_column + " = ?" + (link.feature_id ? " AND feature_id = ?" : "");
    std::vector<db::Value> params = {artifact_id,    link.label_id, OrNull(link.feature_id),
                                     OrNull(run_id), user_id,       artifact_id,
                                     link.label_id};
    if (link.feature_id) params.push_back(*link.feature_id);
    LAMIN_RETURN_IF_ERROR(db.Execute("INSERT INTO \"" + t.artifact_link + "\" (artifact_id, " +
                                         t.link_column +
                                         ", feature_id, run_id, created_by_id) SELECT ?, ?, ?, ?, "
                                         "? WHERE NOT EXISTS (" +
                                         exists + ")",
                                     params)
                              .status());
  }
  for (const auto& v : a.values) {
    auto key = std::make_pair(v.feature_id, v.stored.hash);
    auto it = values->find(key);
    if (it == values->end()) {
      LAMIN_ASSIGN_OR_RETURN(db::Rows found,
                             db.Query("SELECT id FROM lamindb_jsonvalue WHERE feature_id = ? AND "
                                      "hash = ?",
                                      {v.feature_id, v.stored.hash}));
      int64_t id = 0;
      if (!found.empty()) {
        id = db::AsInt(found.rows[0][0]);
      } else {
        LAMIN_ASSIGN_OR_RETURN(
            db::Rows made,
            db.Query("INSERT INTO lamindb_jsonvalue (feature_id, value, hash, is_locked, _aux, "
                     "branch_id, created_on_id, space_id, created_by_id, run_id) VALUES (?, ?, ?, "
                     "FALSE, NULL, 1, 1, 1, ?, ?) RETURNING id",
                     {v.feature_id, v.stored.json, v.stored.hash, user_id, OrNull(run_id)}));
        id = db::AsInt(made.rows.at(0).at(0));
      }
      it = values->emplace(key, id).first;
    }
    LAMIN_RETURN_IF_ERROR(
        db.Execute("INSERT INTO lamindb_artifactjsonvalue (artifact_id, jsonvalue_id, run_id, "
                   "created_by_id) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM "
                   "lamindb_artifactjsonvalue WHERE artifact_id = ? AND jsonvalue_id = ?)",
                   {artifact_id, it->second, OrNull(run_id), user_id, artifact_id, it->second})
            .status());
  }
  return Status::OK();
}

Status SetArtifactSchema(db::Database& db, int64_t artifact_id, int64_t schema_id,
                         const std::optional<std::string>& otype) {
  return db
      .Execute("UPDATE lamindb_artifact SET schema_id = ?, otype = coalesce(?, otype) WHERE id = ?",
               {schema_id, otype ? db::Value(*otype) : db::Null(), artifact_id})
      .status();
}

Status RemoveAnnotation(db::Database& db, int64_t artifact_id, const AnnotationRemoval& removal) {
  Resolver resolver(db);
  std::vector<Violation> violations;
  auto removed = [&](int64_t n, const std::string& what) {
    if (n == 0) violations.push_back({what, "the artifact has no " + what});
  };
  const std::pair<const std::vector<std::string>*, const char*> plain[] = {
      {&removal.ulabels, "ulabel"}, {&removal.projects, "project"}, {&removal.records, "record"}};
  for (const auto& [refs, registry] : plain) {
    const LabelTable* t = FindLabelTable(registry);
    for (const auto& ref : *refs) {
      LAMIN_ASSIGN_OR_RETURN(auto label, resolver.Label(*t, ref, &violations));
      if (!label) continue;
      // Every link of the label goes, also those bound to a feature (artifact.ulabels.remove).
      LAMIN_ASSIGN_OR_RETURN(
          int64_t n, db.Execute("DELETE FROM \"" + t->artifact_link +
                                    "\" WHERE artifact_id = ? AND " + t->link_column + " = ?",
                                {artifact_id, label->id}));
      removed(n, std::string(registry) + " " + util::PythonJsonDumps(Json(ref)));
    }
  }
  for (const auto& name : removal.features) {
    LAMIN_ASSIGN_OR_RETURN(auto feature, resolver.Feature(name, &violations));
    if (!feature) continue;
    const auto& [row, dtype] = *feature;
    int64_t n = 0;
    if (dtype.categorical()) {
      const LabelTable* t = FindLabelTable(dtype.label_registry);
      LAMIN_ASSIGN_OR_RETURN(n, db.Execute("DELETE FROM \"" + t->artifact_link +
                                               "\" WHERE artifact_id = ? AND feature_id = ?",
                                           {artifact_id, row.id}));
    } else {
      // The value rows stay: other artifacts may share them.
      LAMIN_ASSIGN_OR_RETURN(
          n, db.Execute("DELETE FROM lamindb_artifactjsonvalue WHERE artifact_id = ? AND "
                        "jsonvalue_id IN (SELECT id FROM lamindb_jsonvalue WHERE feature_id = ?)",
                        {artifact_id, row.id}));
    }
    removed(n, "value of feature '" + name + "'");
  }
  for (const auto& fv : removal.feature_values) {
    Annotation one;
    one.features.push_back(fv);
    LAMIN_ASSIGN_OR_RETURN(ResolvedAnnotation r, resolver.Resolve(one, &violations));
    int64_t n = 0;
    for (const auto& link : r.links) {
      LAMIN_ASSIGN_OR_RETURN(
          int64_t k, db.Execute("DELETE FROM \"" + link.table->artifact_link +
                                    "\" WHERE artifact_id = ? AND " + link.table->link_column +
                                    " = ? AND feature_id = ?",
                                {artifact_id, link.label_id, *link.feature_id}));
      n += k;
    }
    for (const auto& v : r.values) {
      LAMIN_ASSIGN_OR_RETURN(
          int64_t k,
          db.Execute("DELETE FROM lamindb_artifactjsonvalue WHERE artifact_id = ? AND "
                     "jsonvalue_id IN (SELECT id FROM lamindb_jsonvalue WHERE feature_id = ? AND "
                     "hash = ?)",
                     {artifact_id, v.feature_id, v.stored.hash}));
      n += k;
    }
    if (!r.links.empty() || !r.values.empty()) {
      removed(
          n, "value " + util::PythonJsonDumps(Json(fv.value)) + " of feature '" + fv.feature + "'");
    }
  }
  if (violations.empty()) return Status::OK();
  bool all_missing = std::all_of(violations.begin(), violations.end(), [](const Violation& v) {
    return v.message.rfind("the artifact has no ", 0) == 0;
  });
  Status s = ViolationsStatus("nothing was removed", violations);
  return all_missing ? Status::NotFound(s.message()) : s;
}

Result<ArtifactAnnotations> ReadAnnotations(db::Database& db, int64_t artifact_id) {
  ArtifactAnnotations out;
  std::map<std::string, FeatureOnArtifact> features;
  for (const auto& t : LabelTables()) {
    LAMIN_ASSIGN_OR_RETURN(
        db::Rows rows,
        db.Query("SELECT l.uid, l.name, f.name, f._dtype_str FROM \"" + t.artifact_link +
                     "\" k JOIN \"" + t.table + "\" l ON l.id = k." + t.link_column +
                     " LEFT JOIN lamindb_feature f ON f.id = k.feature_id WHERE k.artifact_id = ? "
                     "ORDER BY k.id",
                 {artifact_id}));
    for (const auto& r : rows.rows) {
      LabelOnArtifact l{t.registry, db::AsText(r[0]), db::AsText(r[1]), std::nullopt};
      if (!db::IsNull(r[2])) {
        l.feature = db::AsText(r[2]);
        auto& f = features[*l.feature];
        f.feature = *l.feature;
        f.dtype = db::AsText(r[3]);
        f.values.push_back(l.name);
        f.json.push_back(util::PythonJsonDumps(Json(l.name)));
      }
      out.labels.push_back(std::move(l));
    }
  }
  std::stable_sort(out.labels.begin(), out.labels.end(),
                   [](const LabelOnArtifact& a, const LabelOnArtifact& b) {
                     return std::tie(a.registry, a.name) < std::tie(b.registry, b.name);
                   });
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows values,
      db.Query("SELECT f.name, f._dtype_str, v.value FROM lamindb_artifactjsonvalue k JOIN "
               "lamindb_jsonvalue v ON v.id = k.jsonvalue_id JOIN lamindb_feature f ON f.id = "
               "v.feature_id WHERE k.artifact_id = ? ORDER BY k.id",
               {artifact_id}));
  for (const auto& r : values.rows) {
    auto& f = features[db::AsText(r[0])];
    f.feature = db::AsText(r[0]);
    f.dtype = db::AsText(r[1]);
    Json v = Decoded(db::AsText(r[2]));
    f.values.push_back(Display(v));
    f.json.push_back(util::PythonJsonDumps(v));
  }
  for (auto& [name, f] : features) out.features.push_back(std::move(f));
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows schema,
      db.Query("SELECT s.name, s.uid FROM lamindb_artifact a JOIN lamindb_schema s ON s.id = "
               "a.schema_id WHERE a.id = ?",
               {artifact_id}));
  if (!schema.empty()) {
    out.schema = db::IsNull(schema.rows[0][0]) ? db::AsText(schema.rows[0][1])
                                               : db::AsText(schema.rows[0][0]);
  }
  return out;
}

FeatureLookup DatabaseFeatureLookup(db::Database& db) {
  return [&db](const std::string& name) -> Result<std::optional<FeatureFilterTarget>> {
    LAMIN_ASSIGN_OR_RETURN(auto rows, FindFeatures(db, name));
    if (rows.empty()) return std::optional<FeatureFilterTarget>();
    if (rows.size() > 1) {
      return Status::InvalidArgument("several features are named '" + name +
                                     "'; filter by one of them through its uid");
    }
    if (!rows[0].dtype) {
      return Status::InvalidArgument("feature '" + name + "' is a type and has no values");
    }
    LAMIN_ASSIGN_OR_RETURN(Dtype d, ParseDtype(*rows[0].dtype));
    return std::optional<FeatureFilterTarget>(FeatureFilterTarget{rows[0].id, rows[0].name, d});
  };
}

}  // namespace lamin::registry
