#include "registry/records.h"

#include "registry/annotate.h"
#include "registry/query.h"
#include "util/clock.h"

namespace lamin {

const FieldValue* Record::Get(std::string_view field) const {
  for (const auto& [name, value] : fields) {
    if (name == field) return &value;
  }
  return nullptr;
}

std::optional<std::string> Record::Text(std::string_view field) const {
  const FieldValue* v = Get(field);
  if (!v) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<int64_t>(v)) return std::to_string(*i);
  return std::nullopt;
}

std::optional<int64_t> Record::Int(std::string_view field) const {
  const FieldValue* v = Get(field);
  if (!v) return std::nullopt;
  if (const auto* i = std::get_if<int64_t>(v)) return *i;
  return std::nullopt;
}

std::string RecordRef::ToString() const {
  if (uid) return "uid '" + *uid + "'";
  if (key) return "key '" + *key + "'";
  if (name) return "name '" + *name + "'";
  return "(no uid, key or name)";
}

namespace registry {
namespace {

FieldValue ToField(const schema::ColumnDef& c, const db::Value& v) {
  if (db::IsNull(v)) return std::monostate{};
  switch (c.kind) {
    case schema::ColumnKind::kBool:
      return db::AsInt(v) != 0;
    case schema::ColumnKind::kDateTime:
      return util::CanonicalTimestamp(db::AsText(v));
    case schema::ColumnKind::kReal:
      if (const auto* d = std::get_if<double>(&v)) return *d;
      return static_cast<double>(db::AsInt(v));
    default:
      break;
  }
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return db::AsText(v);
}

}  // namespace

Result<std::vector<Record>> QueryRecords(db::Database& db, const RegistryDef& r,
                                         const Query& query) {
  std::vector<db::Value> params;
  LAMIN_ASSIGN_OR_RETURN(CompiledQuery compiled,
                         CompileQuery(r, query, db.dialect(), &params, DatabaseFeatureLookup(db)));
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query("SELECT a.* FROM \"" + r.table->name + "\" a" + compiled.Tail(), params));
  // Columns by name: a table may hold them in any order (and columns lamin does not know).
  std::vector<const schema::ColumnDef*> columns;
  for (const auto& name : rows.columns) columns.push_back(r.Column(name));
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const auto& row : rows.rows) {
    Record rec;
    rec.registry = r.name;
    for (const auto& c : r.table->columns) {
      for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == &c) rec.fields.emplace_back(c.name, ToField(c, row[i]));
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

Result<Record> ResolveRecord(db::Database& db, const RegistryDef& r, const RecordRef& ref) {
  Query q;
  q.limit = 2;
  if (ref.uid) {
    if (r.uid_length == 0) return Status::InvalidArgument(r.name + " records have no uid");
    if (r.versioned() && static_cast<int>(ref.uid->size()) == r.stem_length) {
      // A family: its latest version outside the trash, else its newest.
      // A range of the uid index: stem + "0000" … stem + "zzzz".
      q.filters = {{"uid", "gte", *ref.uid + "0000"}, {"uid", "lte", *ref.uid + "zzzz"}};
      q.order_by = {"-is_latest", "-uid"};
      q.limit = 1;
    } else if (static_cast<int>(ref.uid->size()) == r.uid_length ||
               (r.name == "run" && ref.uid->size() == 20)) {
      q.filters = {{"uid", "exact", *ref.uid}};
    } else {
      return Status::InvalidArgument(
          "uid '" + *ref.uid + "' of " + r.name + " must have " + std::to_string(r.uid_length) +
          " characters" +
          (r.versioned() ? " (or " + std::to_string(r.stem_length) + " for a version family)"
                         : ""));
    }
  } else if (ref.key) {
    if (!r.Column("key")) return Status::InvalidArgument(r.name + " records have no key");
    q.filters = {{"key", "exact", *ref.key}};
    if (r.versioned()) {
      q.order_by = {"-is_latest", "-uid"};
      q.limit = 1;
    }
  } else if (ref.name) {
    q.filters = {{r.name_field, "exact", *ref.name}};
  } else {
    return Status::InvalidArgument("name the " + r.name + " by uid, key or name");
  }
  LAMIN_ASSIGN_OR_RETURN(auto rows, QueryRecords(db, r, q));
  if (rows.empty()) return Status::NotFound("no " + r.name + " with " + ref.ToString());
  if (rows.size() > 1) {
    return Status::InvalidArgument("several " + r.name + " records have " + ref.ToString() +
                                   " (uids " + rows[0].Text("uid").value_or("?") + ", " +
                                   rows[1].Text("uid").value_or("?") + ", …): name one by uid");
  }
  return std::move(rows[0]);
}

}  // namespace registry

std::vector<std::string> RegistryNames() {
  std::vector<std::string> out;
  for (const auto& r : registry::Registries()) out.push_back(r.name);
  return out;
}

}  // namespace lamin
