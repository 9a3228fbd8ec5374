// Django-style filters -> SQL for every registry (query.h). A path is resolved against the
// registry declarations: each relation hop becomes an EXISTS over the related table (through
// the link table for many-to-many), nested for longer paths, and the last field gets the
// lookup's condition. Identifiers come from the declarations only; values are bound.
#include "registry/query.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "hash/content_hash.h"
#include "registry/sql.h"
#include "util/clock.h"
#include "util/numbers.h"
#include "util/pyjson.h"

namespace lamin {

const std::vector<std::string>& Lookups() {
  static const std::vector<std::string> kLookups = {
      "exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith",
      "iendswith", "in", "gt", "gte", "lt", "lte", "isnull"};
  return kLookups;
}

namespace {

bool IsLookup(const std::string& s) {
  return std::find(Lookups().begin(), Lookups().end(), s) != Lookups().end();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t sep = path.find("__", start);
    parts.push_back(path.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 2;
  }
  return parts;
}

bool IsIntegerKind(schema::ColumnKind k) {
  using K = schema::ColumnKind;
  return k == K::kAuto || k == K::kBigAuto || k == K::kSmallAuto || k == K::kForeignKey ||
         k == K::kInteger || k == K::kBigInt || k == K::kSmallInt;
}

Result<bool> ParseBool(const std::string& field, const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), ::tolower);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return Status::InvalidArgument(
      fmt::format("filter on '{}': '{}' is not a boolean (use true or false)", field, value));
}

// The bound value for `text` compared with column `c`.
Result<db::Value> TypedValue(const schema::ColumnDef& c, const std::string& text) {
  if (IsIntegerKind(c.kind)) {
    if (auto v = util::ParseInt64(text)) return db::Value(*v);
    return Status::InvalidArgument(
        fmt::format("filter on '{}': '{}' is not an integer", c.name, text));
  }
  if (c.kind == schema::ColumnKind::kReal) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) return db::Value(v);
    return Status::InvalidArgument(fmt::format("filter on '{}': '{}' is not a number", c.name, text));
  }
  if (c.kind == schema::ColumnKind::kDateTime || c.kind == schema::ColumnKind::kDate) {
    // Compared as stored text on SQLite: the value must be a date or time in the same form.
    auto canonical = util::ParseUserTimestamp(text);
    if (!canonical) {
      return Status::InvalidArgument(fmt::format(
          "filter on '{}': '{}' is not a date or time (use YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS], "
          "UTC)",
          c.name, text));
    }
    return db::Value(*canonical);
  }
  if (c.kind == schema::ColumnKind::kBool) {
    LAMIN_ASSIGN_OR_RETURN(bool b, ParseBool(c.name, text));
    return db::Value(static_cast<int64_t>(b ? 1 : 0));
  }
  return db::Value(text);
}

// The least string above every string that starts with `prefix` in binary order (its last byte
// below 0xFF incremented, what follows dropped); empty when there is none (all 0xFF).
std::string PrefixUpperBound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

std::string Quoted(const std::string& alias, const std::string& column) {
  return alias + ".\"" + column + "\"";
}

// The condition `lookup value` on column `c` of `alias`.
Result<std::string> LeafCondition(const schema::ColumnDef& c, const std::string& alias,
                                  const std::string& lookup, const std::string& value,
                                  db::Dialect dialect, std::vector<db::Value>* params) {
  const std::string col = Quoted(alias, c.name);
  const bool pg = dialect == db::Dialect::kPostgres;
  if (lookup == "isnull") {
    LAMIN_ASSIGN_OR_RETURN(bool is_null, ParseBool(c.name, value));
    return col + (is_null ? " IS NULL" : " IS NOT NULL");
  }
  if (lookup == "in") {
    nlohmann::json values = nlohmann::json::array();
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string item =
          value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      LAMIN_ASSIGN_OR_RETURN(db::Value v, TypedValue(c, item));
      if (const auto* i = std::get_if<int64_t>(&v)) {
        values.push_back(*i);
      } else {
        values.push_back(db::AsText(v));
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    params->push_back(values.dump());
    return registry::InJsonArray(dialect, col,
                                 IsIntegerKind(c.kind) || c.kind == schema::ColumnKind::kBool);
  }
  static const std::map<std::string, std::string> kCompare = {
      {"exact", "="}, {"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}};
  if (auto it = kCompare.find(lookup); it != kCompare.end()) {
    LAMIN_ASSIGN_OR_RETURN(db::Value v, TypedValue(c, value));
    params->push_back(std::move(v));
    return col + " " + it->second + " ?";
  }
  // Text matching; on integer (and JSON) columns it applies to the text, as in Django.
  std::string text_col = IsIntegerKind(c.kind) || (pg && c.kind == schema::ColumnKind::kJson)
                             ? "CAST(" + col + " AS TEXT)"
                             : col;
  bool insensitive = lookup[0] == 'i';
  std::string base = insensitive ? lookup.substr(1) : lookup;
  std::string pattern = registry::EscapeLike(value);
  if (base == "exact") {
    params->push_back(pattern);
  } else if (base == "contains") {
    params->push_back("%" + pattern + "%");
  } else if (base == "startswith") {
    params->push_back(pattern + "%");
  } else {
    params->push_back("%" + pattern);
  }
  // SQLite's LIKE ignores ASCII case and PostgreSQL's does not: case-sensitive matching on
  // SQLite uses instr/substr instead.
  if (insensitive) return text_col + (pg ? " ILIKE ? ESCAPE '\\'" : " LIKE ? ESCAPE '\\'");
  if (pg) return text_col + " LIKE ? ESCAPE '\\'";
  params->back() = value;
  if (value.empty()) {
    params->pop_back();
    return text_col + " IS NOT NULL";
  }
  if (base == "contains") return "instr(" + text_col + ", ?) > 0";
  if (base == "startswith" && text_col == col) {
    // Also as a range of the column's (binary) order, which its index answers without a scan.
    params->pop_back();
    std::string upper = PrefixUpperBound(value);
    params->push_back(value);
    if (!upper.empty()) params->push_back(upper);
    params->push_back(value);
    params->push_back(value);
    return "(" + col + " >= ?" + (upper.empty() ? "" : " AND " + col + " < ?") + " AND substr(" +
           col + ", 1, length(?)) = ?)";
  }
  params->push_back(value);
  if (base == "startswith") return "substr(" + text_col + ", 1, length(?)) = ?";
  return "substr(" + text_col + ", -length(?)) = ?";
}

// The tables that hold a registry's feature values: the JsonValue link and the column that
// names the registry's row; categorical values are label links with a feature (artifacts).
struct FeatureLinks {
  const char* registry;
  const char* value_link;
  const char* self_column;
  bool labels;
};
constexpr FeatureLinks kFeatureLinks[] = {
    {"artifact", "lamindb_artifactjsonvalue", "artifact_id", true},
    {"run", "lamindb_runjsonvalue", "run_id", false},
};

const FeatureLinks* FeatureLinksOf(const std::string& registry) {
  for (const auto& f : kFeatureLinks) {
    if (registry == f.registry) return &f;
  }
  return nullptr;
}

class Compiler {
 public:
  Compiler(db::Dialect dialect, std::vector<db::Value>* params,
           const registry::FeatureLookup* features)
      : dialect_(dialect), params_(params), features_(features) {}

  // A filter on feature `f` of the row `alias` of registry `links.registry`: the row's id among
  // those linked to a matching value (or label) of the feature.
  Result<std::string> Feature(const FeatureLinks& links, const std::string& alias,
                              const registry::FeatureFilterTarget& f, const std::string& lookup,
                              const std::string& value) {
    const registry::Dtype& d = f.dtype;
    const std::string self = Quoted(alias, "id");
    if (lookup == "in") {
      std::string any;
      size_t start = 0;
      while (true) {
        size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma == std::string::npos ? comma : comma - start);
        LAMIN_ASSIGN_OR_RETURN(std::string one, Feature(links, alias, f, "exact", item));
        any += (any.empty() ? "" : " OR ") + one;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return "(" + any + ")";
    }
    if (d.categorical() && !links.labels) {
      return Status::InvalidArgument("feature '" + f.name + "' is categorical: " +
                                     std::string(links.registry) +
                                     "s have no label links with features");
    }
    // The feature's id is bound first: it comes first in the SQL.
    params_->push_back(f.id);
    std::string cond = "1 = 1";
    bool negate = false;
    if (lookup == "isnull") {
      LAMIN_ASSIGN_OR_RETURN(negate, ParseBool(f.name, value));
    } else if (d.categorical()) {
      const registry::RegistryDef* labels = registry::FindRegistry(d.label_registry);
      LAMIN_ASSIGN_OR_RETURN(cond, LeafCondition(*labels->Column("name"), "u", lookup, value,
                                                 dialect_, params_));
    } else {
      LAMIN_ASSIGN_OR_RETURN(cond, ValueCondition(f, lookup, value));
    }
    std::string rows;
    if (d.categorical()) {
      const registry::RegistryDef* labels = registry::FindRegistry(d.label_registry);
      const std::string link = std::string("lamindb_artifact") + labels->name;
      rows = "(SELECT l.\"artifact_id\" FROM \"" + link + "\" l JOIN \"" + labels->table->name +
             "\" u ON u.\"id\" = l.\"" + labels->name + "_id\" WHERE l.\"feature_id\" = ? AND " +
             cond + ")";
    } else {
      rows = std::string("(SELECT l.\"") + links.self_column + "\" FROM \"" + links.value_link +
             "\" l WHERE l.\"jsonvalue_id\" IN (SELECT v.\"id\" FROM \"lamindb_jsonvalue\" v "
             "WHERE v.\"feature_id\" = ? AND " + cond + "))";
    }
    return std::string(negate ? "NOT " : "") + self + " IN " + rows;
  }

  // The condition on a JsonValue row `v` of a non-categorical feature.
  Result<std::string> ValueCondition(const registry::FeatureFilterTarget& f,
                                     const std::string& lookup, const std::string& value) {
    const bool pg = dialect_ == db::Dialect::kPostgres;
    const registry::Dtype& d = f.dtype;
    using Kind = registry::Dtype::Kind;
    const std::string text = pg ? "(v.\"value\" #>> '{}')" : "json_extract(v.\"value\", '$')";
    static const std::map<std::string, std::string> kCompare = {
        {"exact", "="}, {"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}};
    auto op = kCompare.find(lookup);
    if (lookup == "exact" && d.numeric() && !d.is_list) {
      // A number equals the values stored as its integer or its float text ("37" and "37.0"):
      // looked up by their hashes through the (feature, hash) index, not by reading every value.
      std::vector<std::string> texts;
      if (auto i = util::ParseInt64(value)) {
        texts.push_back(std::to_string(*i));
        texts.push_back(util::PythonFloatRepr(static_cast<double>(*i)));
      } else {
        char* end = nullptr;
        double number = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(number)) {
          return Status::InvalidArgument(fmt::format(
              "filter on feature '{}' ({}): '{}' is not a number", f.name, d.Text(), value));
        }
        texts.push_back(util::PythonFloatRepr(number));
        if (number == std::floor(number) && std::fabs(number) < 9e18) {
          texts.push_back(std::to_string(static_cast<int64_t>(number)));
        }
      }
      std::string in;
      for (const auto& t : texts) {
        params_->push_back(hash::HashString(t));
        in += in.empty() ? "?" : ", ?";
      }
      return "v.\"hash\" IN (" + in + ")";
    }
    if (op != kCompare.end() && d.numeric() && !d.is_list) {
      char* end = nullptr;
      double number = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size()) {
        return Status::InvalidArgument(fmt::format(
            "filter on feature '{}' ({}): '{}' is not a number", f.name, d.Text(), value));
      }
      params_->push_back(number);
      // Numbers as numbers on both backends (37 finds 37.0); values of another JSON type never
      // match (and never fail a cast).
      if (pg) {
        return "(CASE WHEN jsonb_typeof(v.\"value\") = 'number' THEN (v.\"value\" #>> '{}')"
               "::float8 END) " + op->second + " ?";
      }
      return "(json_type(v.\"value\") IN ('integer', 'real') AND CAST(" + text + " AS REAL) " +
             op->second + " ?)";
    }
    if (op != kCompare.end() && op->first != "exact") {
      if (d.kind == Kind::kBool || d.kind == Kind::kDict || d.is_list) {
        return Status::InvalidArgument(fmt::format(
            "filter on feature '{}' ({}): '{}' does not apply to this dtype", f.name, d.Text(),
            lookup));
      }
      std::string bound = value;
      if (d.kind == Kind::kDate || d.kind == Kind::kDatetime) {
        // A datetime is also compared with a date: "2024-01-15T10:00:00" > "2024-01-15".
        auto iso = registry::IsoDate(value);
        if (!iso && d.kind == Kind::kDatetime) iso = registry::IsoDatetime(value);
        if (!iso) {
          return Status::InvalidArgument(fmt::format(
              "filter on feature '{}' ({}): '{}' is not a date (YYYY-MM-DD){}", f.name, d.Text(),
              value, d.kind == Kind::kDatetime ? " or datetime (YYYY-MM-DDTHH:MM:SS)" : ""));
        }
        bound = *iso;
      }
      params_->push_back(bound);
      // ISO text orders as time does when compared byte by byte (PostgreSQL: the C collation).
      return (pg ? text + " COLLATE \"C\" " : text + " ") + op->second + " ?";
    }
    if (lookup == "exact") {
      // By the value's hash, through the (feature, hash) unique index: the row Python's exact
      // lookup finds too (the same JSON text).
      LAMIN_ASSIGN_OR_RETURN(nlohmann::ordered_json v, registry::ValueFromText(d, f.name, value));
      params_->push_back(registry::StoreValue(v).hash);
      return std::string("v.\"hash\" = ?");
    }
    // Text lookups ignore case: Python turns contains and startswith into icontains and
    // istartswith for feature values.
    std::string base = lookup[0] == 'i' ? lookup.substr(1) : lookup;
    std::string pattern = registry::EscapeLike(value);
    if (base == "exact") {
    } else if (base == "contains") {
      pattern = "%" + pattern + "%";
    } else if (base == "startswith") {
      pattern += "%";
    } else {
      pattern = "%" + pattern;
    }
    params_->push_back(pattern);
    return text + (pg ? " ILIKE ? ESCAPE '\\'" : " LIKE ? ESCAPE '\\'");
  }

  // The condition of `path` (from `at`) with `lookup value` on registry `r` aliased `alias`.
  Result<std::string> Path(const registry::RegistryDef& r, const std::string& alias,
                           const std::vector<std::string>& path, size_t at,
                           const std::string& lookup, const std::string& value) {
    const std::string& name = path[at];
    const bool last = at + 1 == path.size();
    if (const registry::RelationDef* rel = r.Relation(name)) {
      const registry::RegistryDef* target = registry::FindRegistry(rel->target);
      if (last) {
        // A path that ends at a relation compares the related row's id, as Django does.
        if (rel->kind == registry::RelationKind::kForeignKey) {
          return Leaf(r, alias, rel->column, lookup, value);
        }
        if (lookup == "isnull") {
          LAMIN_ASSIGN_OR_RETURN(bool is_null, ParseBool(name, value));
          return std::string(is_null ? "NOT " : "") + Exists(alias, *rel, *target, NewAlias(), "");
        }
        std::vector<std::string> id_path = {"id"};
        return Hop(r, alias, *rel, *target, id_path, 0, lookup, value);
      }
      return Hop(r, alias, *rel, *target, path, at + 1, lookup, value);
    }
    if (const schema::ColumnDef* c = r.Column(name)) {
      if (!last) {
        return Status::InvalidArgument("'" + path[at + 1] + "' after field '" + name +
                                       "' of " + r.name +
                                       " is not a lookup; valid lookups: " + JoinNames(Lookups()));
      }
      return LeafCondition(*c, alias, lookup, value, dialect_, params_);
    }
    if (at == 0 && features_ && *features_) {
      if (const FeatureLinks* links = FeatureLinksOf(r.name)) {
        if (path.size() > 1) {
          return Status::InvalidArgument("'" + path[1] + "' after '" + name +
                                         "' is not a lookup; valid lookups: " +
                                         JoinNames(Lookups()));
        }
        LAMIN_ASSIGN_OR_RETURN(auto feature, (*features_)(name));
        if (feature) return Feature(*links, alias, *feature, lookup, value);
      }
    }
    return Status::InvalidArgument(
        "unknown field, relation or feature '" + name + "' of " + r.name +
        "; valid fields: " + JoinNames(r.FieldNames()) +
        "; relations: " + JoinNames(r.RelationNames()));
  }

 private:
  Result<std::string> Leaf(const registry::RegistryDef& r, const std::string& alias,
                           const std::string& column, const std::string& lookup,
                           const std::string& value) {
    const schema::ColumnDef* c = r.Column(column);
    if (!c) return Status::Internal("registry " + r.name + " has no column " + column);
    return LeafCondition(*c, alias, lookup, value, dialect_, params_);
  }

  std::string NewAlias() { return "t" + std::to_string(++aliases_); }

  // "EXISTS (SELECT 1 FROM … WHERE <link to alias> [AND inner])" for one relation hop, the
  // related table aliased `t` (its link table, for many-to-many, "l" + the same number).
  static std::string Exists(const std::string& alias, const registry::RelationDef& rel,
                            const registry::RegistryDef& target, const std::string& t,
                            const std::string& inner) {
    std::string from, where;
    switch (rel.kind) {
      case registry::RelationKind::kForeignKey:
        from = "\"" + target.table->name + "\" " + t;
        where = Quoted(t, "id") + " = " + Quoted(alias, rel.column);
        break;
      case registry::RelationKind::kReverseForeignKey:
        from = "\"" + target.table->name + "\" " + t;
        where = Quoted(t, rel.column) + " = " + Quoted(alias, "id");
        break;
      case registry::RelationKind::kManyToMany: {
        std::string l = "l" + t.substr(1);
        from = "\"" + rel.link_table + "\" " + l + " JOIN \"" + target.table->name + "\" " + t +
               " ON " + Quoted(t, "id") + " = " + Quoted(l, rel.link_target);
        where = Quoted(l, rel.link_self) + " = " + Quoted(alias, "id");
        break;
      }
    }
    return "EXISTS (SELECT 1 FROM " + from + " WHERE " + where +
           (inner.empty() ? "" : " AND " + inner) + ")";
  }

  Result<std::string> Hop(const registry::RegistryDef& r, const std::string& alias,
                          const registry::RelationDef& rel, const registry::RegistryDef& target,
                          const std::vector<std::string>& path, size_t at,
                          const std::string& lookup, const std::string& value) {
    (void)r;
    const std::string t = NewAlias();
    LAMIN_ASSIGN_OR_RETURN(std::string inner, Path(target, t, path, at, lookup, value));
    std::string exists = Exists(alias, rel, target, t, inner);
    // Django's isnull=true across a relation also holds when there is no related row at all.
    if (lookup == "isnull") {
      LAMIN_ASSIGN_OR_RETURN(bool is_null, ParseBool(path.back(), value));
      if (is_null) return "(NOT " + Exists(alias, rel, target, NewAlias(), "") + " OR " + exists + ")";
    }
    return exists;
  }

  db::Dialect dialect_;
  std::vector<db::Value>* params_;
  const registry::FeatureLookup* features_;
  int aliases_ = 0;
};

}  // namespace

Result<Filter> Filter::Parse(const std::string& expression) {
  auto eq = expression.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("filter '" + expression +
                                   "' is not FIELD__LOOKUP=VALUE (e.g. key__startswith=raw/)");
  }
  Filter f;
  std::string lhs = expression.substr(0, eq);
  f.value = expression.substr(eq + 1);
  // The last part is the lookup only if it names one: "run__transform__key" is a path.
  auto sep = lhs.rfind("__");
  if (sep != std::string::npos && sep > 0 && IsLookup(lhs.substr(sep + 2))) {
    f.field = lhs.substr(0, sep);
    f.lookup = lhs.substr(sep + 2);
  } else {
    f.field = lhs;
  }
  return f;
}

namespace registry {

Result<std::string> CompileFilter(const RegistryDef& r, const std::string& alias, const Filter& f,
                                  db::Dialect dialect, std::vector<db::Value>* params,
                                  const FeatureLookup& features) {
  if (!IsLookup(f.lookup)) {
    return Status::InvalidArgument("unknown lookup '" + f.lookup +
                                   "'; valid lookups: " + JoinNames(Lookups()));
  }
  if (f.field.empty()) return Status::InvalidArgument("a filter names no field");
  std::vector<std::string> path = SplitPath(f.field);
  for (const auto& part : path) {
    if (part.empty()) return Status::InvalidArgument("filter path '" + f.field + "' is malformed");
  }
  Compiler compiler(dialect, params, &features);
  return compiler.Path(r, alias, path, 0, f.lookup, f.value);
}

Result<CompiledQuery> CompileQuery(const RegistryDef& r, const Query& query,
                                   db::Dialect dialect, std::vector<db::Value>* params,
                                   const FeatureLookup& features) {
  std::string where;
  bool names_identity = false;
  for (const auto& f : query.filters) {
    LAMIN_ASSIGN_OR_RETURN(std::string cond, CompileFilter(r, "a", f, dialect, params, features));
    where += (where.empty() ? " WHERE " : " AND ") + cond;
    std::string first = SplitPath(f.field).front();
    names_identity |= std::find(HiddenUnless().begin(), HiddenUnless().end(), first) !=
                      HiddenUnless().end();
  }
  if (r.has_branch() && !names_identity) {
    // The trash and the archive are hidden, as in LaminDB's default querysets.
    // Not by its index: nearly every row is in main (an index on it would be a scan).
    where += (where.empty() ? " WHERE " : " AND ") +
             UnindexedOnSqlite(dialect, "a.\"branch_id\"") + " > ?";
    params->push_back(int64_t{0});
  }
  std::string order;
  for (const auto& item : query.order_by) {
    bool desc = !item.empty() && item[0] == '-';
    std::string field = desc ? item.substr(1) : item;
    const schema::ColumnDef* c = r.Column(field);
    if (!c) {
      // A foreign key by its relation's name orders by the related id, as in Django.
      const RelationDef* rel = r.Relation(field);
      if (rel && rel->kind == RelationKind::kForeignKey) c = r.Column(rel->column);
    }
    if (!c) {
      return Status::InvalidArgument("cannot order " + r.name + " by unknown field '" + field +
                                     "'; valid fields: " + JoinNames(r.FieldNames()));
    }
    order += (order.empty() ? " ORDER BY " : ", ") + Quoted("a", c->name) + (desc ? " DESC" : "");
  }
  order += (order.empty() ? " ORDER BY " : ", ") + std::string("a.\"id\" DESC");
  std::string page;
  if (query.limit) {
    if (*query.limit < 0) return Status::InvalidArgument("limit must not be negative");
    page += " LIMIT ?";
    params->push_back(*query.limit);
  }
  if (query.offset) {
    if (*query.offset < 0) return Status::InvalidArgument("offset must not be negative");
    if (!query.limit) page += dialect == db::Dialect::kSqlite ? " LIMIT -1" : "";
    page += " OFFSET ?";
    params->push_back(*query.offset);
  }
  return CompiledQuery{where, order, page};
}

}  // namespace registry
}  // namespace lamin
