// What the whole-workload benchmarks share: an instance of N artifacts made through the
// library (Instance::Init, the rows through registry::InsertArtifacts as a save commits them,
// a tiny real object per row with its md5 hash and size, so that fsck finds it consistent).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "db/database.h"
#include "hash/content_hash.h"
#include "lamin/lamin.h"
#include "registry/artifacts.h"
#include "util/encoding.h"

namespace lamin::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline void Check(const Status& s, const std::string& what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.ToString() << "\n";
    std::exit(1);
  }
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct BenchInstance {
  fs::path dir;
  std::string db_url;  // empty: SQLite
  std::vector<std::string> keys, uids;
};

inline std::string KeyOf(size_t i) {
  return fmt::format("project{}/sample_{}/reads.fastq.gz", i % 1000, i);
}

inline std::unique_ptr<db::Database> OpenDb(const BenchInstance& inst) {
  auto db = inst.db_url.empty() ? db::OpenSqlite(inst.dir / "storage/.lamindb/lamin.db", {})
                                : db::OpenPostgres(inst.db_url);
  Check(db.status(), "open database");
  return std::move(*db);
}

// Makes an instance of `n` artifacts in `dir` (the settings there too).
inline BenchInstance Build(const fs::path& dir, size_t n, const std::string& db_url) {
  fs::remove_all(dir);
  BenchInstance out{dir, db_url, {}, {}};
  ::setenv("LAMIN_SETTINGS_DIR", (dir / "settings").c_str(), 1);
  {
    auto inst = Instance::Init({dir / "storage", "million", db_url}, OpenOptions{});
    Check(inst.status(), "init");
  }
  auto db = OpenDb(out);
  auto t0 = Clock::now();
  const fs::path managed = dir / "storage/.lamindb";
  constexpr size_t kChunk = 10000;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    std::vector<registry::NewArtifact> rows;
    for (size_t i = begin; i < std::min(n, begin + kChunk); ++i) {
      std::string content = fmt::format("reads of sample {}\n", i);
      registry::NewArtifact row;
      row.uid = util::RandomBase62(16) + "0000";
      row.key = KeyOf(i);
      if (i % 3 == 0) row.description = fmt::format("sequencing run {} of donor {}", i % 977, i % 5000);
      row.suffix = ".fastq.gz";
      row.size = static_cast<int64_t>(content.size());
      row.hash = hash::HashString(content);
      row.hash_type = "md5";
      row.storage_id = 1;
      row.created_by_id = 1;
      std::ofstream(managed / (row.uid + row.suffix), std::ios::binary) << content;
      out.keys.push_back(*row.key);
      out.uids.push_back(row.uid);
      rows.push_back(std::move(row));
    }
    Check(db->Begin(), "begin");
    Check(registry::InsertArtifacts(*db, rows).status(), "insert");
    Check(db->Commit(), "commit");
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cerr << fmt::format("built {} artifacts ({}) in {:.1f} s\n", n,
                           db_url.empty() ? "SQLite" : "PostgreSQL", s);
  return out;
}

}  // namespace lamin::bench
