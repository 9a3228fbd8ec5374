// The declarations of the core registries. Foreign keys come from the table description (the
// relation is the column without "_id", as in Django); reverse relations and many-to-many
// relations are declared below with the names LaminDB 2.x gives them (lamindb/models/*.py:
// related_name and the ManyToManyField names).
#include <algorithm>
#include <map>

#include "registry/registry_def.h"

namespace lamin::registry {
namespace {

struct Basics {
  const char* name;
  const char* table;
  const char* name_field;
  int uid_length;
  int stem_length;
};

// uid lengths as LaminDB makes them: Artifact and Collection 16 + 4, Transform 12 + 4, Run 16,
// ULabel 8, Feature 12, Schema 16, Record 16, Project 12, Reference 12, Storage 12, User 8,
// Branch and Space 12; a JsonValue has none.
constexpr Basics kBasics[] = {
    {"artifact", "lamindb_artifact", "key", 20, 16},
    {"collection", "lamindb_collection", "key", 20, 16},
    {"transform", "lamindb_transform", "key", 16, 12},
    {"run", "lamindb_run", "name", 16, 0},
    {"ulabel", "lamindb_ulabel", "name", 8, 0},
    {"feature", "lamindb_feature", "name", 12, 0},
    {"schema", "lamindb_schema", "name", 16, 0},
    {"record", "lamindb_record", "name", 16, 0},
    {"project", "lamindb_project", "name", 12, 0},
    {"reference", "lamindb_reference", "name", 12, 0},
    {"storage", "lamindb_storage", "root", 12, 0},
    {"user", "lamindb_user", "handle", 8, 0},
    {"branch", "lamindb_branch", "name", 12, 0},
    {"space", "lamindb_space", "name", 12, 0},
    {"jsonvalue", "lamindb_jsonvalue", "value", 0, 0},
};

// A reverse foreign key: `registry.name` are the rows of `target` whose `column` points here.
struct Reverse {
  const char* registry;
  const char* name;
  const char* target;
  const char* column;
};
constexpr Reverse kReverse[] = {
    {"storage", "artifacts", "artifact", "storage_id"},
    {"run", "output_artifacts", "artifact", "run_id"},
    {"run", "output_collections", "collection", "run_id"},
    {"run", "initiated_runs", "run", "initiated_by_run_id"},
    {"transform", "runs", "run", "transform_id"},
    {"schema", "validated_artifacts", "artifact", "schema_id"},
    {"user", "created_artifacts", "artifact", "created_by_id"},
    {"user", "created_runs", "run", "created_by_id"},
    {"user", "created_transforms", "transform", "created_by_id"},
    {"ulabel", "ulabels", "ulabel", "type_id"},
    {"record", "records", "record", "type_id"},
    {"feature", "features", "feature", "type_id"},
    {"project", "projects", "project", "type_id"},
    {"reference", "references", "reference", "type_id"},
    {"schema", "schemas", "schema", "type_id"},
};

// A many-to-many relation, declared once for both ends: `registry.name` leads to `target`,
// `target.reverse` back.
struct ManyToMany {
  const char* registry;
  const char* name;
  const char* target;
  const char* reverse;
  const char* link_table;
  const char* link_self;
  const char* link_target;
};
constexpr ManyToMany kManyToMany[] = {
    {"artifact", "ulabels", "ulabel", "artifacts", "lamindb_artifactulabel", "artifact_id",
     "ulabel_id"},
    {"artifact", "input_of_runs", "run", "input_artifacts", "lamindb_artifact_input_of_runs",
     "artifact_id", "run_id"},
    {"artifact", "recreating_runs", "run", "recreated_artifacts",
     "lamindb_artifact_recreating_runs", "artifact_id", "run_id"},
    {"artifact", "schemas", "schema", "artifacts", "lamindb_artifactschema", "artifact_id",
     "schema_id"},
    {"artifact", "json_values", "jsonvalue", "artifacts", "lamindb_artifactjsonvalue",
     "artifact_id", "jsonvalue_id"},
    {"artifact", "users", "user", "artifacts", "lamindb_artifactuser", "artifact_id", "user_id"},
    {"artifact", "projects", "project", "artifacts", "lamindb_artifactproject", "artifact_id",
     "project_id"},
    {"artifact", "references", "reference", "artifacts", "lamindb_artifactreference",
     "artifact_id", "reference_id"},
    {"artifact", "records", "record", "artifacts", "lamindb_artifactrecord", "artifact_id",
     "record_id"},
    {"artifact", "artifacts", "artifact", "linked_by_artifacts", "lamindb_artifactartifact",
     "artifact_id", "value_id"},
    {"artifact", "linked_in_records", "record", "linked_artifacts", "lamindb_recordartifact",
     "value_id", "record_id"},
    {"collection", "artifacts", "artifact", "collections", "lamindb_collectionartifact",
     "collection_id", "artifact_id"},
    {"collection", "input_of_runs", "run", "input_collections",
     "lamindb_collection_input_of_runs", "collection_id", "run_id"},
    {"collection", "recreating_runs", "run", "recreated_collections",
     "lamindb_collection_recreating_runs", "collection_id", "run_id"},
    {"collection", "ulabels", "ulabel", "collections", "lamindb_collectionulabel",
     "collection_id", "ulabel_id"},
    {"collection", "projects", "project", "collections", "lamindb_collectionproject",
     "collection_id", "project_id"},
    {"collection", "records", "record", "collections", "lamindb_collectionrecord",
     "collection_id", "record_id"},
    {"collection", "references", "reference", "collections", "lamindb_collectionreference",
     "collection_id", "reference_id"},
    {"transform", "predecessors", "transform", "successors", "lamindb_transformtransform",
     "successor_id", "predecessor_id"},
    {"transform", "ulabels", "ulabel", "transforms", "lamindb_transformulabel", "transform_id",
     "ulabel_id"},
    {"transform", "projects", "project", "transforms", "lamindb_transformproject",
     "transform_id", "project_id"},
    {"transform", "records", "record", "transforms", "lamindb_transformrecord", "transform_id",
     "record_id"},
    {"transform", "references", "reference", "transforms", "lamindb_transformreference",
     "transform_id", "reference_id"},
    {"run", "ulabels", "ulabel", "runs", "lamindb_runulabel", "run_id", "ulabel_id"},
    {"run", "projects", "project", "runs", "lamindb_runproject", "run_id", "project_id"},
    {"run", "records", "record", "runs", "lamindb_runrecord", "run_id", "record_id"},
    {"run", "json_values", "jsonvalue", "runs", "lamindb_runjsonvalue", "run_id",
     "jsonvalue_id"},
    {"ulabel", "parents", "ulabel", "children", "lamindb_ulabel_parents", "from_ulabel_id",
     "to_ulabel_id"},
    {"ulabel", "projects", "project", "ulabels", "lamindb_ulabelproject", "ulabel_id",
     "project_id"},
    {"feature", "projects", "project", "features", "lamindb_featureproject", "feature_id",
     "project_id"},
    {"schema", "features", "feature", "schemas", "lamindb_schemafeature", "schema_id",
     "feature_id"},
    {"schema", "components", "schema", "composites", "lamindb_schemacomponent", "composite_id",
     "component_id"},
    {"schema", "projects", "project", "schemas", "lamindb_schemaproject", "schema_id",
     "project_id"},
    {"record", "parents", "record", "children", "lamindb_record_parents", "from_record_id",
     "to_record_id"},
    {"record", "input_of_runs", "run", "input_records", "lamindb_record_input_of_runs",
     "record_id", "run_id"},
    {"record", "projects", "project", "records", "lamindb_projectrecord", "record_id",
     "project_id"},
    {"project", "parents", "project", "children", "lamindb_project_parents", "from_project_id",
     "to_project_id"},
    {"project", "predecessors", "project", "successors", "lamindb_project_predecessors",
     "from_project_id", "to_project_id"},
    {"project", "references", "reference", "projects", "lamindb_project_references",
     "project_id", "reference_id"},
};

const schema::TableDef* TableNamed(const std::string& name) {
  for (const auto& t : schema::LamindbTables()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<RegistryDef> Build() {
  std::vector<RegistryDef> out;
  std::map<std::string, std::string> registry_of_table;
  for (const Basics& b : kBasics) {
    RegistryDef r;
    r.name = b.name;
    r.table = TableNamed(b.table);
    r.name_field = b.name_field;
    r.uid_length = b.uid_length;
    r.stem_length = b.stem_length;
    registry_of_table[b.table] = b.name;
    out.push_back(std::move(r));
  }
  auto find = [&](const std::string& name) -> RegistryDef& {
    return *std::find_if(out.begin(), out.end(), [&](const RegistryDef& r) { return r.name == name; });
  };
  for (RegistryDef& r : out) {
    for (const auto& c : r.table->columns) {
      if (c.kind != schema::ColumnKind::kForeignKey) continue;
      auto target = registry_of_table.find(c.references);
      if (target == registry_of_table.end() || !c.name.ends_with("_id")) continue;
      r.relations.push_back({c.name.substr(0, c.name.size() - 3), RelationKind::kForeignKey,
                             target->second, c.name, "", "", ""});
    }
  }
  for (const Reverse& rv : kReverse) {
    find(rv.registry).relations.push_back(
        {rv.name, RelationKind::kReverseForeignKey, rv.target, rv.column, "", "", ""});
  }
  for (const ManyToMany& m : kManyToMany) {
    find(m.registry).relations.push_back({m.name, RelationKind::kManyToMany, m.target, "",
                                          m.link_table, m.link_self, m.link_target});
    find(m.target).relations.push_back({m.reverse, RelationKind::kManyToMany, m.registry, "",
                                        m.link_table, m.link_target, m.link_self});
  }
  return out;
}

}  // namespace

const schema::ColumnDef* RegistryDef::Column(std::string_view name) const {
  for (const auto& c : table->columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const RelationDef* RegistryDef::Relation(std::string_view name) const {
  for (const auto& r : relations) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<std::string> RegistryDef::FieldNames() const {
  std::vector<std::string> names;
  for (const auto& c : table->columns) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> RegistryDef::RelationNames() const {
  std::vector<std::string> names;
  for (const auto& r : relations) names.push_back(r.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

const std::vector<std::string>& HiddenUnless() {
  static const std::vector<std::string> kFields = {"id", "uid", "hash", "branch_id", "branch"};
  return kFields;
}

const std::vector<RegistryDef>& Registries() {
  static const std::vector<RegistryDef> kRegistries = Build();
  return kRegistries;
}

const RegistryDef* FindRegistry(std::string_view name) {
  for (const auto& r : Registries()) {
    if (r.name == name || r.name + "s" == name || r.name + "es" == name || r.table->name == name) {
      return &r;
    }
  }
  return nullptr;
}

std::string RegistryNames() {
  std::string out;
  for (const auto& r : Registries()) out += (out.empty() ? "" : ", ") + r.name;
  return out;
}

}  // namespace lamin::registry
