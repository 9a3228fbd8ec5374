#include "util/secrets.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace lamin::util {
namespace {

bool EndsAuthority(char c) {
  return c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == ' ' || c == '\t' ||
         c == '\n' || c == ',' || c == ')' || c == ']' || c == '>';
}

// scheme://user:password@host -> scheme://user:***@host, for every URL in `text`.
void MaskUserinfo(std::string& text) {
  size_t from = 0;
  while (true) {
    size_t sep = text.find("://", from);
    if (sep == std::string::npos) return;
    size_t start = sep + 3;
    size_t end = start;
    while (end < text.size() && !EndsAuthority(text[end])) ++end;
    std::string_view authority(text.data() + start, end - start);
    size_t at = authority.rfind('@');
    size_t colon = authority.find(':');
    if (at != std::string_view::npos && colon != std::string_view::npos && colon < at &&
        authority.substr(colon + 1, at - colon - 1) != "***") {
      text.replace(start + colon + 1, at - colon - 1, "***");
      end = start + colon + 1 + 3 + (authority.size() - at);
    }
    from = end;
  }
}

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// key=value for the keys that hold secrets, in a query string or a keyword conninfo.
void MaskParameters(std::string& text) {
  static const std::string_view kKeys[] = {
      "password", "passwd", "sslpassword", "secret", "token", "aws_secret_access_key",
      "secret_access_key", "x-amz-signature", "x-amz-security-token", "session_token"};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool masked = false;
    if (i == 0 || !IsKeyChar(text[i - 1])) {
      for (std::string_view key : kKeys) {
        if (lower.compare(i, key.size(), key) != 0) continue;
        size_t eq = i + key.size();
        while (eq < text.size() && (text[eq] == ' ' || text[eq] == '\t')) ++eq;
        if (eq >= text.size() || text[eq] != '=') continue;
        size_t v = eq + 1;
        while (v < text.size() && (text[v] == ' ' || text[v] == '\t')) ++v;
        size_t end = v;
        if (end < text.size() && text[end] == '\'') {  // conninfo quoting: '...' with \ escapes
          for (++end; end < text.size() && text[end] != '\''; ++end) {
            if (text[end] == '\\') ++end;
          }
          end = std::min(end + 1, text.size());
        } else {
          while (end < text.size() && text[end] != '&' && text[end] != ' ' &&
                 text[end] != '\t' && text[end] != '\n' && text[end] != '"' && text[end] != '\'' &&
                 text[end] != ';' && text[end] != ')') {
            ++end;
          }
        }
        if (text.compare(v, end - v, "***") == 0) break;
        out.append(text, i, v - i);
        out += "***";
        i = end;
        masked = true;
        break;
      }
    }
    if (!masked) out += text[i++];
  }
  text = std::move(out);
}

}  // namespace

std::string MaskSecrets(std::string text) {
  if (text.find("://") != std::string::npos) MaskUserinfo(text);
  if (text.find('=') != std::string::npos) MaskParameters(text);
  return text;
}

}  // namespace lamin::util
