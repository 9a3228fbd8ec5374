#include "registry/dtype.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>

#include "hash/content_hash.h"
#include "util/numbers.h"
#include "util/pyjson.h"

namespace lamin::registry {
namespace {

using Json = nlohmann::ordered_json;
using Kind = Dtype::Kind;

const std::map<std::string, Kind, std::less<>>& SimpleKinds() {
  static const std::map<std::string, Kind, std::less<>> kKinds = {
      {"num", Kind::kNum},           {"int", Kind::kInt},      {"float", Kind::kFloat},
      {"str", Kind::kStr},           {"bool", Kind::kBool},    {"date", Kind::kDate},
      {"datetime", Kind::kDatetime}, {"dict", Kind::kDict},    {"path", Kind::kPath},
      {"url", Kind::kUrl},           {"object", Kind::kObject}};
  return kKinds;
}

std::string KindName(Kind k) {
  for (const auto& [name, kind] : SimpleKinds()) {
    if (kind == k) return name;
  }
  return "cat";
}

// The label registries a categorical dtype may name, as LaminDB spells them.
const std::map<std::string, std::string, std::less<>>& LabelRegistries() {
  static const std::map<std::string, std::string, std::less<>> kRegistries = {
      {"ULabel", "ulabel"}, {"Record", "record"}, {"Project", "project"}};
  return kRegistries;
}

std::string RegistryClass(const std::string& registry) {
  for (const auto& [cls, name] : LabelRegistries()) {
    if (name == registry) return cls;
  }
  return registry;
}

Status BadDtype(std::string_view text) {
  return Status::InvalidArgument(fmt::format(
      "unknown dtype '{}'; dtypes: num int float str bool date datetime dict path url, "
      "list[<one of those>], cat[ULabel], cat[Record], cat[Project], cat[ULabel[<type>]], "
      "list[cat[...]]",
      text));
}

// "cat[...]" -> the categorical dtype.
Result<Dtype> ParseCategorical(std::string_view text, std::string_view whole) {
  Dtype d;
  d.kind = Kind::kCategorical;
  if (text == "cat") {
    d.label_registry = "ulabel";  // bare cat is deprecated in LaminDB and means cat[ULabel]
    return d;
  }
  if (!text.starts_with("cat[") || !text.ends_with("]")) return BadDtype(whole);
  std::string_view inner = text.substr(4, text.size() - 5);
  std::string_view cls = inner;
  if (auto open = inner.find('['); open != std::string_view::npos) {
    if (!inner.ends_with("]") || open == 0) return BadDtype(whole);
    cls = inner.substr(0, open);
    std::string type(inner.substr(open + 1, inner.size() - open - 2));
    if (type.empty() || type.find_first_of("[],'=|") != std::string::npos) return BadDtype(whole);
    d.type_ref = type;
  }
  auto r = LabelRegistries().find(cls);
  if (r == LabelRegistries().end()) return BadDtype(whole);
  d.label_registry = r->second;
  return d;
}

std::string Trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status NotOfDtype(const std::string& feature, const Dtype& d, const std::string& shown,
                  const std::string& allowed) {
  return Status::InvalidArgument(
      fmt::format("feature '{}' ({}): {} is not {}", feature, d.Text(), shown, allowed));
}

std::string Shown(const std::string& text) { return util::PythonJsonDumps(Json(text)); }

std::string Allowed(Kind k) {
  switch (k) {
    case Kind::kNum:
      return "a number (e.g. 37.5)";
    case Kind::kInt:
      return "an integer (e.g. 1000)";
    case Kind::kFloat:
      return "a floating-point number (e.g. 37.0)";
    case Kind::kBool:
      return "a boolean (true or false)";
    case Kind::kDate:
      return "a date (YYYY-MM-DD)";
    case Kind::kDatetime:
      return "a datetime without a time zone (YYYY-MM-DDTHH:MM:SS[.ffffff], UTC as LaminDB "
             "stores it)";
    case Kind::kDict:
      return "a JSON object (e.g. {\"a\": 1})";
    default:
      return "text";
  }
}

std::string NormalPath(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// One scalar from text, by kind.
Result<Json> ScalarFromText(const Dtype& d, Kind k, const std::string& feature,
                            const std::string& text) {
  switch (k) {
    case Kind::kInt:
      if (auto v = util::ParseInt64(text)) return Json(*v);
      return NotOfDtype(feature, d, Shown(text), Allowed(k));
    case Kind::kNum:
      if (auto v = util::ParseInt64(text)) return Json(*v);
      [[fallthrough]];
    case Kind::kFloat: {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) ||
          std::isspace(static_cast<unsigned char>(text[0]))) {
        return NotOfDtype(feature, d, Shown(text), Allowed(k));
      }
      return Json(v);
    }
    case Kind::kBool: {
      std::string v = Lower(text);
      if (v == "true" || v == "1" || v == "yes") return Json(true);
      if (v == "false" || v == "0" || v == "no") return Json(false);
      return NotOfDtype(feature, d, Shown(text), Allowed(k));
    }
    case Kind::kDate:
      if (auto v = IsoDate(text)) return Json(*v);
      return NotOfDtype(feature, d, Shown(text), Allowed(k));
    case Kind::kDatetime:
      if (auto v = IsoDatetime(text)) return Json(*v);
      return NotOfDtype(feature, d, Shown(text), Allowed(k));
    case Kind::kDict: {
      auto parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded() || !parsed.is_object()) {
        return NotOfDtype(feature, d, Shown(text), Allowed(k));
      }
      return parsed;
    }
    case Kind::kPath:
      return Json(NormalPath(text));
    default:
      return Json(text);
  }
}

// One scalar from JSON, by kind: the JSON type must be the dtype's (an integer is a float only
// in text form, as Python refuses an int for a float feature).
Result<Json> ScalarFromJson(const Dtype& d, Kind k, const std::string& feature, const Json& v) {
  const std::string shown = util::PythonJsonDumps(v);
  switch (k) {
    case Kind::kInt:
      if (v.is_number_integer()) return v;
      break;
    case Kind::kFloat:
      if (v.is_number_float() && std::isfinite(v.get<double>())) return v;
      break;
    case Kind::kNum:
      if (v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()))) {
        return v;
      }
      break;
    case Kind::kBool:
      if (v.is_boolean()) return v;
      break;
    case Kind::kDict:
      if (v.is_object()) return v;
      break;
    case Kind::kDate:
    case Kind::kDatetime:
    case Kind::kPath:
      if (v.is_string()) return ScalarFromText(d, k, feature, v.get<std::string>());
      break;
    default:
      if (v.is_string()) return v;
      break;
  }
  return NotOfDtype(feature, d, shown, Allowed(k));
}

Result<Json> LabelNames(const Dtype& d, const std::string& feature, const Json& v) {
  Json names = Json::array();
  auto add = [&](const Json& item) -> Status {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return NotOfDtype(feature, d, util::PythonJsonDumps(item),
                        "the name of a " + RegistryClass(d.label_registry));
    }
    names.push_back(item);
    return Status::OK();
  };
  if (v.is_array()) {
    for (const auto& item : v) LAMIN_RETURN_IF_ERROR(add(item));
  } else {
    LAMIN_RETURN_IF_ERROR(add(v));
  }
  if (names.empty()) {
    return NotOfDtype(feature, d, "[]",
                      "a list of " + RegistryClass(d.label_registry) + " names with at least one");
  }
  return names;
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool Digits(std::string_view s, size_t at, size_t n) {
  if (s.size() < at + n) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int Number(std::string_view s, size_t at, size_t n) {
  return std::stoi(std::string(s.substr(at, n)));
}

}  // namespace

std::string Dtype::Text() const {
  std::string inner;
  if (kind == Kind::kCategorical) {
    inner = "cat[" + RegistryClass(label_registry) + (type_ref ? "[" + *type_ref + "]" : "") + "]";
  } else {
    inner = KindName(kind);
  }
  return is_list ? "list[" + inner + "]" : inner;
}

Result<Dtype> ParseDtype(std::string_view text) {
  std::string_view t = text;
  bool is_list = false;
  if (t.starts_with("list[") && t.ends_with("]")) {
    is_list = true;
    t = t.substr(5, t.size() - 6);
  }
  Dtype d;
  if (auto k = SimpleKinds().find(t); k != SimpleKinds().end()) {
    d.kind = k->second;
  } else if (t.starts_with("cat")) {
    LAMIN_ASSIGN_OR_RETURN(d, ParseCategorical(t, text));
  } else {
    return BadDtype(text);
  }
  if (is_list && (d.kind == Kind::kDict || d.kind == Kind::kObject)) return BadDtype(text);
  d.is_list = is_list;
  return d;
}

Result<Json> ValueFromText(const Dtype& d, const std::string& feature, const std::string& text) {
  if (d.is_list || d.categorical()) {
    if (!text.empty() && text[0] == '[') {
      auto parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded() || !parsed.is_array()) {
        return NotOfDtype(feature, d, Shown(text), "a JSON array or comma-separated values");
      }
      return ValueFromJson(d, feature, parsed);
    }
    Json items = Json::array();
    size_t start = 0;
    while (true) {
      size_t comma = text.find(',', start);
      std::string item = Trimmed(std::string_view(text).substr(
          start, comma == std::string::npos ? std::string::npos : comma - start));
      if (d.categorical()) {
        items.push_back(item);
      } else {
        LAMIN_ASSIGN_OR_RETURN(Json v, ScalarFromText(d, d.kind, feature, item));
        items.push_back(std::move(v));
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (d.categorical()) return LabelNames(d, feature, items);
    return items;
  }
  return ScalarFromText(d, d.kind, feature, text);
}

Result<Json> ValueFromJson(const Dtype& d, const std::string& feature, const Json& v) {
  if (d.categorical()) return LabelNames(d, feature, v);
  if (d.is_list) {
    if (!v.is_array()) {
      return NotOfDtype(feature, d, util::PythonJsonDumps(v), "a list");
    }
    Json items = Json::array();
    for (const auto& item : v) {
      LAMIN_ASSIGN_OR_RETURN(Json x, ScalarFromJson(d, d.kind, feature, item));
      items.push_back(std::move(x));
    }
    return items;
  }
  return ScalarFromJson(d, d.kind, feature, v);
}

StoredValue StoreValue(const Json& value) {
  StoredValue out;
  out.json = util::PythonJsonDumps(value);
  out.hash = value.is_object() ? hash::HashString(util::PythonJsonDumpsSorted(value))
                               : hash::HashString(util::PythonStr(value));
  return out;
}

std::optional<std::string> IsoDate(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2)) {
    return std::nullopt;
  }
  if (!ValidDate(Number(s, 0, 4), Number(s, 5, 2), Number(s, 8, 2))) return std::nullopt;
  return std::string(s);
}

std::optional<std::string> IsoDatetime(std::string_view s) {
  if (s.size() < 16) return std::nullopt;
  auto date = IsoDate(s.substr(0, 10));
  if (!date || (s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2) || s[13] != ':' ||
      !Digits(s, 14, 2)) {
    return std::nullopt;
  }
  int hh = Number(s, 11, 2), mm = Number(s, 14, 2), ss = 0;
  size_t at = 16;
  if (s.size() > at && s[at] == ':') {
    if (!Digits(s, at + 1, 2)) return std::nullopt;
    ss = Number(s, at + 1, 2);
    at += 3;
  }
  std::string fraction;
  if (s.size() > at && s[at] == '.') {
    size_t b = ++at;
    while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) ++at;
    if (at == b || at - b > 6) return std::nullopt;
    fraction = std::string(s.substr(b, at - b));
    fraction.append(6 - fraction.size(), '0');
  }
  // A time zone (Z, +01:00) makes an aware datetime, which LaminDB's datetime dtype refuses.
  if (at != s.size() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  std::string out = *date + fmt::format("T{:02}:{:02}:{:02}", hh, mm, ss);
  // Python's isoformat() writes microseconds only when there are some.
  if (!fraction.empty() && fraction != "000000") out += "." + fraction;
  return out;
}

}  // namespace lamin::registry
