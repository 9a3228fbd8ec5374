// Rows of a SQLite file as comparable text, for tests that hold lamin's rows against those of
// the reference databases Python LaminDB wrote.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace lamin::testing {

// Each row as "col=typeof:value" strings (the value left out for `skip` columns).
inline std::vector<std::vector<std::string>> Cells(const std::filesystem::path& db, const std::string& sql,
                                            const std::set<std::string>& skip = {}) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::vector<std::vector<std::string>> out;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        std::string name = sqlite3_column_name(st, c);
        int t = sqlite3_column_type(st, c);
        std::string kind = t == SQLITE_NULL      ? "null"
                           : t == SQLITE_INTEGER ? "integer"
                           : t == SQLITE_FLOAT   ? "real"
                                                 : "text";
        const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        row.push_back(name + "=" + kind + (skip.count(name) ? "" : ":" + std::string(v ? v : "")));
      }
      out.push_back(row);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// The fractional digits of a timestamp's text.
inline std::string Fraction(const std::string& ts) {
  auto dot = ts.find('.');
  return dot == std::string::npos ? "" : ts.substr(dot + 1);
}

}  // namespace lamin::testing
