// Django-style filters -> SQL. Field names are checked against the table description and
// rendered as identifiers from that description; values only ever travel as bound parameters.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lamin/query.h"
#include "registry/artifacts.h"
#include "registry/sql.h"
#include "schema/table_def.h"
#include "util/clock.h"
#include "util/numbers.h"

namespace lamin {
namespace {

const std::vector<std::string>& Lookups() {
  static const std::vector<std::string> kLookups = {
      "exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith",
      "iendswith", "in", "gt", "gte", "lt", "lte", "isnull"};
  return kLookups;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const schema::ColumnDef* ArtifactColumn(const std::string& name) {
  static const std::map<std::string, const schema::ColumnDef*> kColumns = [] {
    std::map<std::string, const schema::ColumnDef*> m;
    for (const auto& t : schema::LamindbTables()) {
      if (t.name != "lamindb_artifact") continue;
      for (const auto& c : t.columns) m[c.name] = &c;
    }
    return m;
  }();
  auto it = kColumns.find(name);
  return it == kColumns.end() ? nullptr : it->second;
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

// Escapes LIKE wildcards so that a value matches literally (escape character '\').
std::string EscapeLike(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

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
  auto sep = lhs.rfind("__");
  if (sep != std::string::npos && sep > 0) {
    std::string lookup = lhs.substr(sep + 2);
    if (std::find(Lookups().begin(), Lookups().end(), lookup) == Lookups().end()) {
      return Status::InvalidArgument("unknown lookup '" + lookup + "' in filter '" + expression +
                                     "'; valid lookups: " + JoinNames(Lookups()));
    }
    f.field = lhs.substr(0, sep);
    f.lookup = lookup;
  } else {
    f.field = lhs;
  }
  return f;
}

const std::vector<std::string>& ArtifactFields() {
  static const std::vector<std::string> kFields = [] {
    std::vector<std::string> names;
    for (const auto& t : schema::LamindbTables()) {
      if (t.name != "lamindb_artifact") continue;
      for (const auto& c : t.columns) names.push_back(c.name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }();
  return kFields;
}

namespace registry {

Result<std::string> FilterSql(const Filter& f, db::Dialect dialect, std::vector<db::Value>* params) {
  const schema::ColumnDef* c = ArtifactColumn(f.field);
  if (!c) {
    return Status::InvalidArgument("unknown field '" + f.field +
                                   "' for artifacts; valid fields: " + JoinNames(ArtifactFields()));
  }
  if (std::find(Lookups().begin(), Lookups().end(), f.lookup) == Lookups().end()) {
    return Status::InvalidArgument("unknown lookup '" + f.lookup +
                                   "'; valid lookups: " + JoinNames(Lookups()));
  }
  std::string col = "a.\"" + c->name + "\"";
  const std::string& op = f.lookup;
  bool pg = dialect == db::Dialect::kPostgres;
  if (op == "isnull") {
    LAMIN_ASSIGN_OR_RETURN(bool is_null, ParseBool(f.field, f.value));
    return col + (is_null ? " IS NULL" : " IS NOT NULL");
  }
  if (op == "in") {
    nlohmann::json values = nlohmann::json::array();
    size_t start = 0;
    while (start <= f.value.size()) {
      size_t comma = f.value.find(',', start);
      std::string item = f.value.substr(start, comma == std::string::npos ? std::string::npos
                                                                           : comma - start);
      LAMIN_ASSIGN_OR_RETURN(db::Value v, TypedValue(*c, item));
      if (const auto* i = std::get_if<int64_t>(&v)) {
        values.push_back(*i);
      } else {
        values.push_back(db::AsText(v));
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    params->push_back(values.dump());
    return col + " IN " + JsonArrayValues(dialect, IsIntegerKind(c->kind) ||
                                                       c->kind == schema::ColumnKind::kBool);
  }
  static const std::map<std::string, std::string> kCompare = {
      {"exact", "="}, {"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}};
  if (auto it = kCompare.find(op); it != kCompare.end()) {
    LAMIN_ASSIGN_OR_RETURN(db::Value v, TypedValue(*c, f.value));
    params->push_back(std::move(v));
    return col + " " + it->second + " ?";
  }
  // Text matching; on integer columns it applies to the decimal text, as in Django.
  std::string text_col = IsIntegerKind(c->kind) ? "CAST(" + col + " AS TEXT)" : col;
  bool insensitive = op[0] == 'i';
  std::string base = insensitive ? op.substr(1) : op;
  std::string pattern = EscapeLike(f.value);
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
  if (insensitive) {
    return text_col + (pg ? " ILIKE ? ESCAPE '\\'" : " LIKE ? ESCAPE '\\'");
  }
  if (pg) return text_col + " LIKE ? ESCAPE '\\'";
  params->back() = f.value;
  if (f.value.empty()) {
    params->pop_back();
    return text_col + " IS NOT NULL";
  }
  if (base == "contains") return "instr(" + text_col + ", ?) > 0";
  params->push_back(f.value);
  if (base == "startswith") return "substr(" + text_col + ", 1, length(?)) = ?";
  return "substr(" + text_col + ", -length(?)) = ?";
}

Result<std::string> OrderSql(const std::vector<std::string>& order_by) {
  if (order_by.empty()) return std::string(" ORDER BY a.\"id\" DESC");
  std::string sql;
  for (const auto& item : order_by) {
    bool desc = !item.empty() && item[0] == '-';
    std::string field = desc ? item.substr(1) : item;
    if (!ArtifactColumn(field)) {
      return Status::InvalidArgument("cannot order by unknown field '" + field +
                                     "'; valid fields: " + JoinNames(ArtifactFields()));
    }
    sql += (sql.empty() ? " ORDER BY " : ", ") + ("a.\"" + field + "\"") + (desc ? " DESC" : "");
  }
  return sql + ", a.\"id\" DESC";
}

}  // namespace registry
}  // namespace lamin
