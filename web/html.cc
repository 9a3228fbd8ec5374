#include "web/html.h"

#include <fmt/format.h>

namespace lamin::web {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string Link(const std::string& href, std::string_view text) {
  return fmt::format("<a href=\"{}\">{}</a>", Escape(href), Escape(text));
}

std::string Page(std::string_view title, const std::string& body) {
  // No script: the pages work as plain HTML (forms and links), and the policy forbids any.
  return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{} · lamin</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2933; }}
header {{ background: #065f46; padding: 8px 20px; }}
header a {{ color: #fff; margin-right: 18px; text-decoration: none; }}
main {{ padding: 12px 20px; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
th, td {{ text-align: left; padding: 4px 10px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }}
th {{ background: #f5f7fa; }}
td.name {{ color: #52606d; white-space: nowrap; }}
code, pre {{ font: 12px ui-monospace, monospace; }}
pre {{ background: #f5f7fa; padding: 8px; overflow: auto; max-height: 480px; }}
form input, form select {{ margin-right: 8px; }}
.muted {{ color: #7b8794; }}
.lineage svg {{ max-width: 100%; height: auto; }}
</style></head>
<body><header><a href="/artifacts">Artifacts</a><a href="/collections">Collections</a><a
href="/runs">Runs</a><a href="/transforms">Transforms</a><a href="/ulabels">ULabels</a><a
href="/features">Features</a></header>
<main><h1>{}</h1>
{}
</main></body></html>
)",
                     Escape(title), Escape(title), body);
}

std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table><thead><tr>";
  for (const auto& h : header) out += "<th>" + Escape(h) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + cell + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string Fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "<table>";
  for (const auto& [name, value] : fields) {
    out += "<tr><td class=\"name\">" + Escape(name) + "</td><td>" + value + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string Bytes(int64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

}  // namespace lamin::web
