#include "util/pyjson.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace lamin::util {
namespace {

void AppendString(std::string& out, const std::string& s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    // Decode one UTF-8 sequence (nlohmann has validated the text).
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1F;
      len = 2;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp <= 0xFFFF) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      cp -= 0x10000;
      out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    }
  }
  out += '"';
}

}  // namespace

// The shortest digits that read back the same, laid out in fixed notation for decimal exponents
// -4..15 (with ".0" for whole numbers), else as d.ddde+XX.
std::string PythonFloatRepr(double d) {
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (std::isnan(d)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";
  std::string sci(buf, end);  // [-]d[.ddd]e[+-]XX
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) mantissa += "." + digits.substr(1);
    return sign + mantissa + fmt::format("e{}{:02}", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  if (exponent < 0) return sign + "0." + std::string(-exponent - 1, '0') + digits;
  const size_t whole = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= whole) return sign + digits + std::string(whole - digits.size(), '0') + ".0";
  return sign + digits.substr(0, whole) + "." + digits.substr(whole);
}

namespace {

void Append(std::string& out, const nlohmann::ordered_json& v, bool sort_keys) {
  switch (v.type()) {
    case nlohmann::ordered_json::value_t::object: {
      out += '{';
      std::vector<std::pair<std::string, const nlohmann::ordered_json*>> items;
      for (const auto& [k, item] : v.items()) items.emplace_back(k, &item);
      // Python sorts keys by code point, as std::string compares UTF-8 bytes.
      if (sort_keys) std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) {
        return x.first < y.first;
      });
      bool first = true;
      for (const auto& [k, item] : items) {
        if (!first) out += ", ";
        first = false;
        AppendString(out, k);
        out += ": ";
        Append(out, *item, sort_keys);
      }
      out += '}';
      return;
    }
    case nlohmann::ordered_json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ", ";
        first = false;
        Append(out, item, sort_keys);
      }
      out += ']';
      return;
    }
    case nlohmann::ordered_json::value_t::string:
      AppendString(out, v.get<std::string>());
      return;
    case nlohmann::ordered_json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case nlohmann::ordered_json::value_t::null:
      out += "null";
      return;
    case nlohmann::ordered_json::value_t::number_float: {
      out += PythonFloatRepr(v.get<double>());
      return;
    }
    default:
      out += v.dump();
  }
}

// Python's repr of a str: single quotes unless the text holds one and no double quote;
// backslash escapes for the quote, backslash and control characters; other characters as they
// are (Python keeps printable non-ASCII characters).
void AppendRepr(std::string& out, const std::string& s) {
  const bool double_quoted =
      s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  const char quote = double_quoted ? '"' : '\'';
  out += quote;
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
}

void AppendPythonRepr(std::string& out, const nlohmann::ordered_json& v) {
  switch (v.type()) {
    case nlohmann::ordered_json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, item] : v.items()) {
        if (!first) out += ", ";
        first = false;
        AppendRepr(out, k);
        out += ": ";
        AppendPythonRepr(out, item);
      }
      out += '}';
      return;
    }
    case nlohmann::ordered_json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ", ";
        first = false;
        AppendPythonRepr(out, item);
      }
      out += ']';
      return;
    }
    case nlohmann::ordered_json::value_t::string:
      AppendRepr(out, v.get<std::string>());
      return;
    case nlohmann::ordered_json::value_t::boolean:
      out += v.get<bool>() ? "True" : "False";
      return;
    case nlohmann::ordered_json::value_t::null:
      out += "None";
      return;
    case nlohmann::ordered_json::value_t::number_float:
      out += PythonFloatRepr(v.get<double>());
      return;
    default:
      out += v.dump();
  }
}

}  // namespace

std::string PythonJsonDumps(const nlohmann::ordered_json& value) {
  std::string out;
  Append(out, value, false);
  return out;
}

std::string PythonJsonDumpsSorted(const nlohmann::ordered_json& value) {
  std::string out;
  Append(out, value, true);
  return out;
}

std::string PythonStr(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string out;
  AppendPythonRepr(out, value);
  return out;
}

Result<std::string> PythonJsonText(std::string_view text) {
  auto parsed = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::InvalidArgument("'" + std::string(text.substr(0, 200)) + "' is not JSON");
  }
  return PythonJsonDumps(parsed);
}

}  // namespace lamin::util
