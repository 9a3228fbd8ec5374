// The annotations capability: labels, features and schemas created as Python's constructors
// create them (an existing one of the same name and type is returned), artifacts annotated in
// one transaction, and the deletes Python's collector allows.
#include <fmt/format.h>

#include "api/modules.h"
#include "registry/annotate.h"
#include "registry/artifacts.h"
#include "registry/labels.h"
#include "registry/records.h"

namespace lamin::api {
namespace {

// A name of a label, feature or schema: not empty, within the column, no control characters
// (they would garble every listing).
Status CheckName(const std::string& what, const std::string& name, size_t max_length) {
  if (name.empty()) return Status::InvalidArgument(what + " needs a name");
  if (name.size() > max_length) {
    return Status::InvalidArgument(fmt::format("{} name '{}…' is longer than {} characters", what,
                                               name.substr(0, 40), max_length));
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) {
      return Status::InvalidArgument(what + " name must not hold control characters");
    }
  }
  return Status::OK();
}

class AnnotationsModule final : public Annotations {
 public:
  explicit AnnotationsModule(Context& ctx) : ctx_(ctx) {}

  Result<Created> CreateLabel(const LabelSpec& spec) override {
    const registry::LabelTable* t = registry::FindLabelTable(spec.registry);
    if (!t) {
      return Status::InvalidArgument("'" + spec.registry +
                                     "' is not a label registry; use ulabel, project or record");
    }
    LAMIN_RETURN_IF_ERROR(
        CheckName(spec.registry, spec.name, t->registry == "project" ? 255 : 150));
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    std::optional<int64_t> type_id;
    if (spec.type) {
      LAMIN_ASSIGN_OR_RETURN(auto type, OneLabel(*t, *spec.type, /*types_only=*/true));
      type_id = type.id;
    }
    std::vector<int64_t> parents;
    for (const auto& p : spec.parents) {
      LAMIN_ASSIGN_OR_RETURN(auto parent, OneLabel(*t, p, false));
      parents.push_back(parent.id);
    }
    LAMIN_ASSIGN_OR_RETURN(auto same, registry::FindLabels(db, *t, spec.name, type_id, false));
    for (const auto& l : same) {
      if (l.name != spec.name || l.type_id != type_id) continue;
      // The existing label, with the parents given added (Python's label.parents.add).
      LAMIN_ASSIGN_OR_RETURN(bool added, registry::AddParents(db, *t, l.id, parents));
      if (added) LAMIN_RETURN_IF_ERROR(tx.Commit());
      return Existing(t, l.uid);
    }
    LAMIN_ASSIGN_OR_RETURN(auto made,
                           registry::InsertLabel(db, *t, spec, type_id, parents, ctx_.user_id()));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return Made(t->registry, made.uid);
  }

  Result<Created> CreateFeature(const FeatureSpec& spec) override {
    LAMIN_RETURN_IF_ERROR(CheckName("feature", spec.name, 150));
    if (spec.unit && spec.unit->size() > 30) {
      return Status::InvalidArgument("a feature's unit has at most 30 characters");
    }
    std::optional<std::string> dtype_text;
    if (!spec.is_type) {
      if (spec.dtype.empty()) {
        return Status::InvalidArgument("feature '" + spec.name +
                                       "' needs a dtype (--dtype num, int, float, str, bool, "
                                       "date, datetime, dict, path, cat[ULabel], …)");
      }
      LAMIN_ASSIGN_OR_RETURN(registry::Dtype d, registry::ParseDtype(spec.dtype));
      if (d.type_ref) {
        // A type named by its name is written by its uid, as Python writes cat[ULabel[<uid>]].
        const registry::LabelTable* t = registry::FindLabelTable(d.label_registry);
        LAMIN_ASSIGN_OR_RETURN(auto type, OneLabel(*t, *d.type_ref, /*types_only=*/true));
        d.type_ref = type.uid;
      }
      dtype_text = d.Text();
    } else if (!spec.dtype.empty()) {
      return Status::InvalidArgument("a feature type has no dtype");
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    std::optional<int64_t> type_id;
    if (spec.type) {
      LAMIN_ASSIGN_OR_RETURN(auto types, registry::FindFeatures(db, *spec.type));
      if (types.size() != 1 || !types[0].is_type) {
        return Status::InvalidArgument("no feature type named '" + *spec.type +
                                       "'; create it with lamin create feature " + *spec.type +
                                       " --is-type");
      }
      type_id = types[0].id;
    }
    LAMIN_ASSIGN_OR_RETURN(auto same, registry::FindFeatures(db, spec.name));
    for (const auto& f : same) {
      if (f.name != spec.name) continue;
      LAMIN_ASSIGN_OR_RETURN(db::Rows type_of,
                             db.Query("SELECT type_id FROM lamindb_feature WHERE id = ?", {f.id}));
      std::optional<int64_t> its_type;
      if (!db::IsNull(type_of.rows.at(0).at(0))) its_type = db::AsInt(type_of.rows[0][0]);
      if (its_type != type_id) continue;
      if (f.dtype != dtype_text) {
        return Status::AlreadyExists("feature '" + spec.name + "' exists with dtype '" +
                                     f.dtype.value_or("(a type)") + "', not '" +
                                     dtype_text.value_or("(a type)") +
                                     "'; use it as it is or give the new one another name");
      }
      return Existing(nullptr, f.uid, "feature");
    }
    LAMIN_ASSIGN_OR_RETURN(auto made,
                           registry::InsertFeature(db, spec, dtype_text, type_id, ctx_.user_id()));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return Made("feature", made.uid);
  }

  Result<Created> CreateSchema(const SchemaSpec& spec) override {
    LAMIN_RETURN_IF_ERROR(CheckName("schema", spec.name, 150));
    if (spec.features.empty() && spec.optional_features.empty()) {
      return Status::InvalidArgument("schema '" + spec.name +
                                     "' needs features (--features F1,F2)");
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    registry::Resolver resolver(db);
    std::vector<Violation> violations;
    std::vector<registry::FeatureRow> members;
    std::set<std::string> optional_uids;
    std::set<int64_t> seen;
    auto add = [&](const std::string& name, bool optional) -> Status {
      LAMIN_ASSIGN_OR_RETURN(auto f, resolver.Feature(name, &violations));
      if (!f) return Status::OK();
      if (!seen.insert(f->first.id).second) {
        violations.push_back({name, "feature '" + name + "' is named twice"});
        return Status::OK();
      }
      members.push_back(f->first);
      if (optional) optional_uids.insert(f->first.uid);
      return Status::OK();
    };
    for (const auto& f : spec.features) LAMIN_RETURN_IF_ERROR(add(f, false));
    for (const auto& f : spec.optional_features) LAMIN_RETURN_IF_ERROR(add(f, true));
    LAMIN_RETURN_IF_ERROR(registry::ViolationsStatus("schema '" + spec.name + "'", violations));
    // The same members and flags are the same schema (Python looks schemas up by hash).
    std::string hash =
        registry::SchemaHash(members, optional_uids, true, spec.ordered, spec.maximal);
    LAMIN_ASSIGN_OR_RETURN(auto existing, registry::SchemaWithHash(db, hash));
    if (existing) return Existing(nullptr, existing->uid, "schema");
    LAMIN_ASSIGN_OR_RETURN(
        auto made, registry::InsertSchema(db, spec, members, optional_uids, ctx_.user_id()));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return Made("schema", made.uid);
  }

  Status Annotate(const ArtifactRef& ref, const Annotation& annotation,
                  const AnnotationRemoval& removal) override {
    if (annotation.empty() && removal.empty()) {
      return Status::InvalidArgument("nothing to annotate with");
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(db, ref));
    if (!removal.empty()) LAMIN_RETURN_IF_ERROR(registry::RemoveAnnotation(db, a.id, removal));
    registry::Resolver resolver(db);
    registry::JsonValueIds values;
    if (!annotation.empty()) {
      LAMIN_RETURN_IF_ERROR(AnnotateOne(resolver, a, annotation, &values));
    }
    return tx.Commit();
  }

  Status AnnotateMany(const std::vector<std::pair<ArtifactRef, Annotation>>& items) override {
    if (items.empty()) return Status::OK();
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    registry::Resolver resolver(db);
    registry::JsonValueIds values;
    for (const auto& [ref, annotation] : items) {
      LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(db, ref));
      if (annotation.empty()) continue;
      LAMIN_RETURN_IF_ERROR(AnnotateOne(resolver, a, annotation, &values));
    }
    return tx.Commit();
  }

  Status RemoveAnnotation(const ArtifactRef& ref, const AnnotationRemoval& removal) override {
    if (removal.empty()) return Status::InvalidArgument("nothing to remove");
    return Annotate(ref, {}, removal);
  }

  Result<ArtifactAnnotations> Of(const Artifact& artifact) override {
    return registry::ReadAnnotations(ctx_.db(), artifact.id);
  }

  Status DeleteForGood(const std::string& registry, const RecordRef& ref) override {
    static const std::map<std::string, std::string> kTables = {{"ulabel", "lamindb_ulabel"},
                                                               {"project", "lamindb_project"},
                                                               {"record", "lamindb_record"},
                                                               {"feature", "lamindb_feature"},
                                                               {"schema", "lamindb_schema"}};
    const registry::RegistryDef* r = registry::FindRegistry(registry);
    auto table = r ? kTables.find(r->name) : kTables.end();
    if (table == kTables.end()) {
      return Status::InvalidArgument("'" + registry +
                                     "' is not deleted here; registries: ulabel, project, record, "
                                     "feature, schema");
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    LAMIN_ASSIGN_OR_RETURN(Record rec, registry::ResolveRecord(db, *r, ref));
    const std::string what = r->name + " '" + rec.Text("name").value_or(*rec.Text("uid")) + "'";
    LAMIN_ASSIGN_OR_RETURN(const std::set<std::string>* tables, ctx_.Tables());
    LAMIN_RETURN_IF_ERROR(
        registry::DeleteForGood(db, table->second, *rec.Int("id"), *tables, what));
    return tx.Commit();
  }

 private:
  // Resolves and writes one artifact's annotation. REQUIRES: in a transaction.
  Status AnnotateOne(registry::Resolver& resolver, const Artifact& a, const Annotation& annotation,
                     registry::JsonValueIds* values) {
    std::vector<Violation> violations;
    LAMIN_ASSIGN_OR_RETURN(registry::ResolvedAnnotation resolved,
                           resolver.Resolve(annotation, &violations));
    if (resolved.schema && violations.empty()) {
      CheckValues(*resolved.schema, annotation, resolver, &violations);
    }
    LAMIN_RETURN_IF_ERROR(
        registry::ViolationsStatus("artifact " + a.uid + " was not annotated", violations));
    db::Database& db = ctx_.db();
    LAMIN_RETURN_IF_ERROR(
        registry::ApplyAnnotation(db, a.id, resolved, ctx_.user_id(), std::nullopt, values));
    if (resolved.schema) {
      LAMIN_RETURN_IF_ERROR(
          registry::SetArtifactSchema(db, a.id, resolved.schema->id, std::nullopt));
    }
    return Status::OK();
  }

  // The schema checks of values given (not of a table's columns: the save does those).
  void CheckValues(const registry::SchemaRow& schema, const Annotation& annotation,
                   registry::Resolver& resolver, std::vector<Violation>* violations) {
    std::vector<int64_t> ids;
    std::map<int64_t, std::string> names;
    for (const auto& fv : annotation.features) {
      auto f = resolver.Feature(fv.feature, violations);
      if (f.ok() && *f) {
        ids.push_back((*f)->first.id);
        names[(*f)->first.id] = (*f)->first.name;
      }
    }
    registry::CheckSchemaMembers(schema, ids, names, violations);
  }

  // The one label of `t` that `ref` names (a type when `types_only`). REQUIRES: in a transaction.
  Result<registry::LabelRow> OneLabel(const registry::LabelTable& t, const std::string& ref,
                                      bool types_only) {
    LAMIN_ASSIGN_OR_RETURN(auto rows, registry::FindLabels(ctx_.db(), t, ref));
    std::vector<registry::LabelRow> fit;
    for (auto& l : rows) {
      if (!types_only || l.is_type) fit.push_back(std::move(l));
    }
    if (fit.size() == 1) return fit[0];
    if (fit.empty()) {
      return Status::InvalidArgument(fmt::format(
          "no {}{} named '{}'; create it with lamin create {} '{}'{}", t.registry,
          types_only ? " type" : "", ref, t.registry, ref, types_only ? " --is-type" : ""));
    }
    std::string uids;
    for (const auto& l : fit) uids += (uids.empty() ? "" : ", ") + l.uid;
    return Status::InvalidArgument("several " + t.registry + " records are named '" + ref + "' (" +
                                   uids + "); name one by its uid");
  }

  Result<Created> Read(const std::string& registry, const std::string& uid, bool existed) {
    RecordRef ref;
    ref.uid = uid;
    LAMIN_ASSIGN_OR_RETURN(
        Record rec, registry::ResolveRecord(ctx_.db(), *registry::FindRegistry(registry), ref));
    return Created{std::move(rec), existed};
  }
  Result<Created> Existing(const registry::LabelTable* t, const std::string& uid,
                           const std::string& registry = "") {
    return Read(t ? t->registry : registry, uid, true);
  }
  Result<Created> Made(const std::string& registry, const std::string& uid) {
    return Read(registry, uid, false);
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<Annotations> MakeAnnotations(Context& ctx) {
  return std::make_unique<AnnotationsModule>(ctx);
}

}  // namespace lamin::api
