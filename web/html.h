// HTML for the pages of lamin serve: every text that reaches a page passes through Escape
// (keys, descriptions, labels and values are hostile), and the page frame is written once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamin::web {

// Text for HTML content and attribute values: & < > " ' as entities.
std::string Escape(std::string_view text);
// A query-string component: everything but unreserved characters percent-encoded.
std::string UrlEncode(std::string_view text);
// <a href="HREF">TEXT</a>, both escaped.
std::string Link(const std::string& href, std::string_view text);
// The page: title, navigation, body (already HTML).
std::string Page(std::string_view title, const std::string& body);
// A table: header cells (text) and rows of cells (HTML).
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);
// A two-column table of name (text) → value (HTML).
std::string Fields(const std::vector<std::pair<std::string, std::string>>& fields);
// A byte count for people: "1.2 MiB".
std::string Bytes(int64_t n);

}  // namespace lamin::web
