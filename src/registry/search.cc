#include "registry/search.h"

#include <algorithm>
#include <cctype>
#include <thread>
#include <map>
#include <nlohmann/json.hpp>

#include "registry/records.h"
#include "registry/sql.h"

namespace lamin::registry {
namespace {

// Python's (?i) and SQLite's LIKE fold ASCII letters (Python also folds other letters; lamin
// compares those as they are).
std::string Folded(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsBoundary(char c) {
  return c == ' ' || c == '|' || c == '.' || c == ',' || c == ';' || c == ':';
}

}  // namespace

std::vector<std::string> SearchFields(const RegistryDef& r) {
  std::vector<std::string> fields;
  for (const auto& c : r.table->columns) {
    if (c.kind == schema::ColumnKind::kVarchar || c.kind == schema::ColumnKind::kText) {
      fields.push_back(c.name);
    }
  }
  return fields;
}

int FieldRank(const std::string& raw, const std::string& query) {
  const std::string v = Folded(raw);
  const std::string s = Folded(query);
  const size_t n = v.size(), m = s.size();
  int rank = 0;
  if (v == s) rank += 200;  // iexact
  bool synonym = false, word = false, synonym_start = false, word_start = false,
       word_end = false, contains = false;
  for (size_t p = v.find(s); p != std::string::npos; p = v.find(s, p + 1)) {
    contains = true;
    const size_t q = p + m;
    const bool at_segment = p == 0 || v[p - 1] == '|';
    const bool ends_segment = q == n || v[q] == '|';
    // (?:^|.*\|)S(?:\|.*|$): a whole '|'-separated synonym.
    synonym |= at_segment && ends_segment;
    // (?:^|.*[ \|\.,;:])S(?:[ \|\.,;:].*|$): a word.
    word |= (p == 0 || IsBoundary(v[p - 1])) && (q == n || IsBoundary(v[q]));
    // (?:^|.*\|)S[^ ]*(?:\|.*|$): a synonym's start, no space before the next '|' or the end.
    if (at_segment && !synonym_start) {
      size_t j = q;
      while (j < n && v[j] != ' ' && v[j] != '|') ++j;
      synonym_start = j == n || v[j] == '|';
    }
    // (?:^|.*[ \|])S.*: a word's start.
    word_start |= p == 0 || v[p - 1] == ' ' || v[p - 1] == '|';
    // .*S(?:$|[ \|\.,;:].*): a word's end.
    word_end |= q == n || IsBoundary(v[q]);
    if (m == 0) break;
  }
  rank += (synonym ? 200 : 0) + (word ? 10 : 0) + (synonym_start ? 8 : 0) + (word_start ? 2 : 0) +
          (word_end ? 2 : 0) + (contains ? 1 : 0);
  return rank;
}

namespace {

struct Hit {
  int64_t id;
  int rank;
};

// Ranks the candidate rows of `sql` (id, then the fields).
Status ScanCandidates(db::Database& db, const std::string& sql,
                      const std::vector<db::Value>& params, const std::string& s,
                      std::vector<Hit>* hits) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows, db.Query(sql, params));
  hits->reserve(hits->size() + rows.size());
  for (const auto& row : rows.rows) {
    int rank = 0;
    for (size_t i = 1; i < row.size(); ++i) {
      if (!db::IsNull(row[i])) rank += FieldRank(db::AsText(row[i]), s);
    }
    hits->push_back({db::AsInt(row[0]), rank});
  }
  return Status::OK();
}

// Rows per connection below which one scan is as fast as several.
constexpr int64_t kRowsPerReader = 100000;

}  // namespace

Result<std::vector<SearchHit>> Search(db::Database& db, const RegistryDef& r,
                                      const std::string& query, const SearchOptions& options,
                                      const ReaderFactory& open_reader) {
  // Python strips the query and searches for what is left.
  size_t b = 0, e = query.size();
  while (b < e && std::isspace(static_cast<unsigned char>(query[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(query[e - 1]))) --e;
  const std::string s = query.substr(b, e - b);
  if (s.empty()) return Status::InvalidArgument("search for what? the query is empty");
  if (options.limit < 0) return Status::InvalidArgument("limit must not be negative");
  const bool pg = db.dialect() == db::Dialect::kPostgres;
  const std::vector<std::string> fields = SearchFields(r);
  // Candidates: LaminDB's own filter, an OR of icontains over the fields. The ESCAPE clause
  // costs SQLite a slower LIKE, so it is added only when the query holds a wildcard.
  const bool needs_escape = s.find_first_of("%_\\") != std::string::npos;
  const std::string pattern = "%" + (needs_escape ? EscapeLike(s) : s) + "%";
  std::string select = "SELECT \"id\"";
  std::string where;
  std::vector<db::Value> params;
  for (const auto& f : fields) {
    select += ", \"" + f + "\"";
    where += (where.empty() ? "" : " OR ") + std::string("\"") + f + "\"" +
             (pg ? " ILIKE ?" : " LIKE ?") + (needs_escape ? " ESCAPE '\\'" : "");
    params.push_back(pattern);
  }
  std::string sql = select + " FROM \"" + r.table->name + "\" WHERE (" + where + ")";
  if (r.has_branch() && !options.include_hidden) sql += " AND \"branch_id\" > 0";
  std::vector<Hit> hits;
  // A big SQLite table is scanned by ranges of ids on several connections at once.
  int readers = 1;
  int64_t low = 0, high = 0;
  if (open_reader && !pg) {
    LAMIN_ASSIGN_OR_RETURN(db::Rows bounds, db.Query("SELECT min(\"id\"), max(\"id\") FROM \"" +
                                                     r.table->name + "\""));
    if (!bounds.empty() && !db::IsNull(bounds.rows[0][0])) {
      low = db::AsInt(bounds.rows[0][0]);
      high = db::AsInt(bounds.rows[0][1]);
      const int64_t wanted = (high - low + 1) / kRowsPerReader;
      readers = static_cast<int>(std::clamp<int64_t>(
          wanted, 1, std::max(1u, std::min(8u, std::thread::hardware_concurrency()))));
    }
  }
  if (readers == 1) {
    LAMIN_RETURN_IF_ERROR(ScanCandidates(db, sql, params, s, &hits));
  } else {
    const int64_t step = (high - low) / readers + 1;
    std::vector<std::vector<Hit>> parts(readers);
    std::vector<Status> results(readers);
    std::vector<std::thread> threads;
    for (int k = 0; k < readers; ++k) {
      threads.emplace_back([&, k] {
        auto reader = open_reader();
        if (!reader.ok()) {
          results[k] = reader.status();
          return;
        }
        std::vector<db::Value> ranged = params;
        ranged.push_back(low + k * step);
        ranged.push_back(low + (k + 1) * step - 1);
        results[k] = ScanCandidates(**reader, sql + " AND \"id\" BETWEEN ? AND ?", ranged, s,
                                    &parts[k]);
      });
    }
    for (auto& t : threads) t.join();
    for (int k = 0; k < readers; ++k) {
      if (!results[k].ok()) {
        // A second connection may be refused (a read-only file opened as immutable): one scan.
        hits.clear();
        LAMIN_RETURN_IF_ERROR(ScanCandidates(db, sql, params, s, &hits));
        break;
      }
      hits.insert(hits.end(), parts[k].begin(), parts[k].end());
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& x, const Hit& y) {
    return x.rank != y.rank ? x.rank > y.rank : x.id < y.id;
  });
  if (hits.size() > static_cast<size_t>(options.limit)) hits.resize(options.limit);
  if (hits.empty()) return std::vector<SearchHit>();
  // The full records of the hits, in rank order.
  std::string ids;
  for (const auto& h : hits) ids += (ids.empty() ? "" : ",") + std::to_string(h.id);
  Query q;
  q.filters.push_back({"id", "in", ids});
  LAMIN_ASSIGN_OR_RETURN(auto records, QueryRecords(db, r, q));
  std::map<int64_t, Record> by_id;
  for (auto& rec : records) by_id.emplace(*rec.Int("id"), std::move(rec));
  std::vector<SearchHit> out;
  for (const auto& h : hits) {
    auto it = by_id.find(h.id);
    if (it != by_id.end()) out.push_back({std::move(it->second), h.rank});
  }
  return out;
}

}  // namespace lamin::registry
