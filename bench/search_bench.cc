// Search at scale: Records::Search (LaminDB's ranked search over every text field of the
// artifact registry) on instances of 100,000 and 1,000,000 artifacts, against a plain LIKE scan
// of the same fields through the SQLite C API in the same run (one connection, the candidates
// only, no ranking): median of 5, warm cache.
// usage: search_bench [N1 N2 ...]   (default 100000 1000000)
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "lamin/lamin.h"
#include "util/encoding.h"

namespace {

namespace fs = std::filesystem;
using namespace lamin;
using Clock = std::chrono::steady_clock;

template <typename F>
double MedianMs(F f, int runs = 5) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void Fill(const fs::path& db_path, int64_t n) {
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  const std::string sql = fmt::format(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) INSERT INTO "
      "lamindb_artifact (uid, key, description, suffix, size, hash, _hash_type, _key_is_virtual, "
      "_overwrite_versions, is_latest, is_locked, branch_id, created_on_id, space_id, storage_id, "
      "created_by_id) SELECT printf('%016d0000', i), 'project' || (i % 1000) || '/sample_' || i "
      "|| '/reads_' || (i * 7 % 100000) || '.fastq.gz', CASE WHEN i % 3 = 0 THEN 'sequencing run "
      "' || (i % 977) || ' of donor ' || (i % 5000) ELSE NULL END, '.fastq.gz', i, "
      "printf('%022d', i), 'md5', 1, 0, 1, 0, 1, 1, 1, 1, 1 FROM n",
      n);
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::cerr << "fill: " << err << "\n";
    std::exit(1);
  }
  sqlite3_close(db);
}

double LikeScanMs(const fs::path& db_path, const std::string& q, int64_t* found) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string where;
  for (const char* f : {"uid", "key", "_real_key", "description", "suffix", "kind", "otype",
                        "hash", "_hash_type", "version_tag"}) {
    where += fmt::format("{}\"{}\" LIKE ?1", where.empty() ? "" : " OR ", f);
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     ("SELECT id FROM lamindb_artifact WHERE (" + where + ") AND branch_id > 0")
                         .c_str(),
                     -1, &st, nullptr);
  const std::string pattern = "%" + q + "%";
  double ms = MedianMs([&] {
    sqlite3_bind_text(st, 1, pattern.c_str(), -1, SQLITE_TRANSIENT);
    *found = 0;
    while (sqlite3_step(st) == SQLITE_ROW) ++*found;
    sqlite3_reset(st);
  });
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoll(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {100000, 1000000};
  fmt::print("search over N artifacts (10 text fields each), median of 5, 2 queries:\n");
  for (int64_t n : sizes) {
    const fs::path dir = fs::temp_directory_path() / ("search_bench_" + util::RandomBase62(6));
    OpenOptions options;
    options.env.settings_parent = dir / "settings";
    auto inst = Instance::Init({dir / "storage", "bench", ""}, options);
    if (!inst.ok()) {
      std::cerr << inst.status().ToString() << "\n";
      return 1;
    }
    const fs::path db_path = dir / "storage" / ".lamindb" / "lamin.db";
    Fill(db_path, n);
    for (const char* q : {"donor 42", "sample_4242/"}) {
      int64_t candidates = 0;
      const double like = LikeScanMs(db_path, q, &candidates);
      size_t hits = 0;
      const double lamin = MedianMs([&] {
        auto found = (*inst)->records().Search("artifact", q, {.limit = 20});
        if (!found.ok()) {
          std::cerr << found.status().ToString() << "\n";
          std::exit(1);
        }
        hits = found->size();
      });
      fmt::print("  {:>8} artifacts  '{}': lamin search {:.0f} ms ({} of {} candidates ranked)  "
                 "plain LIKE scan {:.0f} ms  ({:.2f}x)\n",
                 n, q, lamin, hits, candidates, like, lamin / like);
    }
    inst->reset();
    fs::remove_all(dir);
  }
  return 0;
}
