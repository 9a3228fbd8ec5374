// Annotation at scale, against baselines run in the same process on the same database:
//   1. N artifacts annotated in one call (Annotations::AnnotateMany: 3 values and 2 labels each,
//      names resolved, shared value rows found or made, links written) against a bare loop of
//      prepared INSERTs of the same rows into the same tables through the SQLite C API, one
//      transaction, values and hashes computed beforehand: rows/s and the ratio.
//   2. A filter by one feature value (Artifacts::List with n_cells=<v>, one match) at N and at M
//      annotated artifacts, against the bare SQL of the same lookup: ms, and how the cost grows
//      with the instance.
// usage: annotate_bench [N] [M]   (default 10000 100000)
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "db/database.h"
#include "hash/content_hash.h"
#include "lamin/lamin.h"
#include "registry/artifacts.h"
#include "util/encoding.h"

namespace {

namespace fs = std::filesystem;
using namespace lamin;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::cerr << what << ": " << r.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(*r);
}
void Must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.ToString() << "\n";
    std::exit(1);
  }
}

std::string Score(size_t i) { return fmt::format("{}.5", i % 100); }    // 100 distinct values
std::string Donor(size_t i) { return fmt::format("D-{:02}", i % 50); }  // 50 distinct values

// Inserts artifact rows [from, to) (metadata only) with the registry's own insert.
std::vector<std::string> Register(const fs::path& db_path, size_t from, size_t to) {
  auto db = Must(db::OpenSqlite(db_path, {}), "open");
  std::vector<registry::NewArtifact> rows;
  for (size_t i = from; i < to; ++i) {
    rows.push_back({util::RandomBase62(16) + "0000", "bench/" + std::to_string(i), std::nullopt,
                    ".txt", 100, util::RandomBase62(22), "md5", std::nullopt, 1, 1});
  }
  Must(db->Begin(), "begin");
  auto made = Must(registry::InsertArtifacts(*db, rows), "insert");
  Must(db->Commit(), "commit");
  std::vector<std::string> uids;
  for (const auto& a : made) uids.push_back(a.uid);
  return uids;
}

double AnnotateAll(Instance& inst, const std::vector<std::string>& uids, size_t offset) {
  std::vector<std::pair<ArtifactRef, Annotation>> items;
  for (size_t k = 0; k < uids.size(); ++k) {
    const size_t i = offset + k;
    Annotation a;
    a.ulabels = {"T cell"};
    a.projects = {"Atlas"};
    a.features = {FeatureValue::Text("score", Score(i)), FeatureValue::Text("donor", Donor(i)),
                  FeatureValue::Text("n_cells", std::to_string(i))};
    items.emplace_back(ArtifactRef::ByUid(uids[k]), std::move(a));
  }
  auto t0 = Clock::now();
  Must(inst.annotations().AnnotateMany(items), "annotate");
  return Seconds(t0);
}

int64_t Scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

// The same rows AnnotateAll writes for artifacts 1..n, by a bare loop of prepared statements.
double BareInserts(const fs::path& path, size_t n) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  const int64_t score = Scalar(db, "SELECT id FROM lamindb_feature WHERE name = 'score'");
  const int64_t donor = Scalar(db, "SELECT id FROM lamindb_feature WHERE name = 'donor'");
  const int64_t n_cells = Scalar(db, "SELECT id FROM lamindb_feature WHERE name = 'n_cells'");
  const int64_t label = Scalar(db, "SELECT id FROM lamindb_ulabel WHERE name = 'T cell'");
  const int64_t project = Scalar(db, "SELECT id FROM lamindb_project WHERE name = 'Atlas'");
  struct Value {
    int64_t feature;
    std::string json, hash;
  };
  std::vector<Value> values;  // computed beforehand: the baseline only inserts
  for (int i = 0; i < 100; ++i) values.push_back({score, Score(i), hash::HashString(Score(i))});
  for (int i = 0; i < 50; ++i) {
    values.push_back({donor, "\"" + Donor(i) + "\"", hash::HashString(Donor(i))});
  }
  for (size_t i = 0; i < n; ++i) {
    values.push_back({n_cells, std::to_string(i), hash::HashString(std::to_string(i))});
  }
  auto t0 = Clock::now();
  sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  sqlite3_stmt *value = nullptr, *link = nullptr, *ulabel = nullptr, *proj = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO lamindb_jsonvalue (feature_id, value, hash, is_locked, _aux, "
                     "branch_id, created_on_id, space_id, created_by_id) VALUES (?, ?, ?, 0, NULL, "
                     "1, 1, 1, 1)",
                     -1, &value, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO lamindb_artifactjsonvalue (artifact_id, jsonvalue_id, "
                     "created_by_id) VALUES (?, ?, 1)",
                     -1, &link, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO lamindb_artifactulabel (artifact_id, ulabel_id, created_by_id) "
                     "VALUES (?, ?, 1)",
                     -1, &ulabel, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO lamindb_artifactproject (artifact_id, project_id, "
                     "created_by_id) VALUES (?, ?, 1)",
                     -1, &proj, nullptr);
  std::vector<int64_t> ids;
  for (const auto& v : values) {
    sqlite3_bind_int64(value, 1, v.feature);
    sqlite3_bind_text(value, 2, v.json.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(value, 3, v.hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(value);
    sqlite3_reset(value);
    ids.push_back(sqlite3_last_insert_rowid(db));
  }
  for (size_t i = 0; i < n; ++i) {
    const int64_t artifact = static_cast<int64_t>(i) + 1;
    for (int64_t jv : {ids[i % 100], ids[100 + i % 50], ids[150 + i]}) {
      sqlite3_bind_int64(link, 1, artifact);
      sqlite3_bind_int64(link, 2, jv);
      sqlite3_step(link);
      sqlite3_reset(link);
    }
    for (auto [st, id] : {std::pair{ulabel, label}, std::pair{proj, project}}) {
      sqlite3_bind_int64(st, 1, artifact);
      sqlite3_bind_int64(st, 2, id);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  double s = Seconds(t0);
  for (auto* st : {value, link, ulabel, proj}) sqlite3_finalize(st);
  sqlite3_close(db);
  return s;
}

// The median of `runs` timings of `f`, in ms.
template <typename F>
double MedianMs(F f, int runs = 9) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    t.push_back(Seconds(t0) * 1000);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

double FilterMs(Instance& inst, size_t i) {
  return MedianMs([&] {
    auto found =
        Must(inst.artifacts().List({{{"n_cells", "exact", std::to_string(i)}}, {}, {}}), "filter");
    if (found.size() != 1) {
      std::cerr << "filter found " << found.size() << " artifacts, not 1\n";
      std::exit(1);
    }
  });
}

double BareFilterMs(const fs::path& path, size_t i) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT a.* FROM lamindb_artifact a WHERE a.id IN (SELECT artifact_id FROM "
                     "lamindb_artifactjsonvalue WHERE jsonvalue_id IN (SELECT id FROM "
                     "lamindb_jsonvalue WHERE feature_id = (SELECT id FROM lamindb_feature WHERE "
                     "name = 'n_cells') AND hash = ?)) AND a.branch_id > 0",
                     -1, &st, nullptr);
  const std::string hash = hash::HashString(std::to_string(i));
  double ms = MedianMs([&] {
    sqlite3_bind_text(st, 1, hash.c_str(), -1, SQLITE_TRANSIENT);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) ++rows;
    sqlite3_reset(st);
    if (rows != 1) std::exit(1);
  });
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
  const size_t m = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
  const fs::path dir = fs::temp_directory_path() / ("annotate_bench_" + util::RandomBase62(6));
  fs::create_directories(dir);
  OpenOptions options;
  options.env.settings_parent = dir / "settings";
  auto inst = Must(Instance::Init({dir / "storage", "bench", ""}, options), "init");
  Annotations& an = inst->annotations();
  Must(an.CreateFeature({"score", "num"}).status(), "feature");
  Must(an.CreateFeature({"donor", "str"}).status(), "feature");
  Must(an.CreateFeature({"n_cells", "int"}).status(), "feature");
  Must(an.CreateLabel({.name = "T cell"}).status(), "label");
  Must(an.CreateLabel({.registry = "project", .name = "Atlas"}).status(), "project");
  const fs::path db_path = dir / "storage" / ".lamindb" / "lamin.db";
  auto uids = Register(db_path, 0, n);
  // The baseline's copy: the same database before annotation.
  inst.reset();
  const fs::path bare = dir / "bare.db";
  fs::copy_file(db_path, bare);
  inst = Must(Instance::Connect("bench", options), "connect");
  double lamin_s = AnnotateAll(*inst, uids, 0);
  double bare_s = BareInserts(bare, n);
  const double rows = static_cast<double>(n) * 5 + 150 + static_cast<double>(n);
  fmt::print("annotate {} artifacts (3 values, 2 labels each; {:.0f} rows) in one call:\n", n,
             rows);
  fmt::print("  lamin AnnotateMany  {:.3f} s  {:>9.0f} rows/s\n", lamin_s, rows / lamin_s);
  fmt::print("  bare INSERT loop    {:.3f} s  {:>9.0f} rows/s\n", bare_s, rows / bare_s);
  fmt::print("  ratio               {:.2f}x\n", lamin_s / bare_s);
  const double small_ms = FilterMs(*inst, n / 2);
  const double small_bare = BareFilterMs(db_path, n / 2);
  auto more = Register(db_path, n, m);
  AnnotateAll(*inst, more, n);
  const double big_ms = FilterMs(*inst, m / 2);
  const double big_bare = BareFilterMs(db_path, m / 2);
  fmt::print("filter by one feature value (n_cells=<v>, 1 match), median of 9:\n");
  fmt::print("  {:>7} annotated  lamin {:.3f} ms  bare SQL {:.3f} ms  ({:.2f}x)\n", n, small_ms,
             small_bare, small_ms / small_bare);
  fmt::print("  {:>7} annotated  lamin {:.3f} ms  bare SQL {:.3f} ms  ({:.2f}x)\n", m, big_ms,
             big_bare, big_ms / big_bare);
  fmt::print("  growth with the instance: {:.2f}x for {}x the artifacts\n", big_ms / small_ms,
             m / n);
  inst.reset();
  if (std::getenv("LAMIN_BENCH_KEEP")) {
    fmt::print("kept {}\n", dir.string());
  } else {
    fs::remove_all(dir);
  }
  return 0;
}
