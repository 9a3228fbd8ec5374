#include "util/pyjson.h"

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

void Append(std::string& out, const nlohmann::ordered_json& v) {
  switch (v.type()) {
    case nlohmann::ordered_json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, item] : v.items()) {
        if (!first) out += ", ";
        first = false;
        AppendString(out, k);
        out += ": ";
        Append(out, item);
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
        Append(out, item);
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
      double d = v.get<double>();
      // Python's repr: the shortest text that reads back the same, with ".0" for whole numbers.
      std::string t = nlohmann::ordered_json(d).dump();
      if (t.find_first_of(".eE") == std::string::npos && t != "null") t += ".0";
      if (std::isinf(d)) t = d > 0 ? "Infinity" : "-Infinity";
      if (std::isnan(d)) t = "NaN";
      out += t;
      return;
    }
    default:
      out += v.dump();
  }
}

}  // namespace

std::string PythonJsonDumps(const nlohmann::ordered_json& value) {
  std::string out;
  Append(out, value);
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
