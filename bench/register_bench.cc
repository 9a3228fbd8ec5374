// Registering artifact records (metadata only: the objects are taken to be in storage already)
// through the registry path the save protocol uses (registry::InsertArtifacts, one transaction),
// against a baseline run in the same process on the same rows:
//   SQLite      a bare prepared-statement INSERT loop through the SQLite C API, one transaction;
//   PostgreSQL  `psql \copy` of the same rows from CSV (COPY), and 4 concurrent writers.
// usage: register_bench [N] [POSTGRES_URL]   (URL of a maintenance database such as
//        postgresql://postgres:PW@127.0.0.1:PORT/postgres; default $LAMIN_TEST_POSTGRES; without
//        one only SQLite runs). scripts/with_postgres.sh provides a server:
//   bash scripts/with_postgres.sh build/bin/register_bench 100000
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "db/database.h"
#include "registry/artifacts.h"
#include "registry/seed.h"
#include "schema/ddl.h"
#include "util/encoding.h"

namespace {

namespace fs = std::filesystem;
using namespace lamin;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.ToString() << "\n";
    std::exit(1);
  }
}

std::vector<registry::NewArtifact> MakeRows(size_t n, size_t offset) {
  std::vector<registry::NewArtifact> rows;
  rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    rows.push_back({util::RandomBase62(16) + "0000", "bench/file_" + std::to_string(offset + i),
                    std::nullopt, ".txt", static_cast<int64_t>(1000 + i % 5000),
                    util::RandomBase62(22), "md5", std::nullopt, 1, 1});
  }
  return rows;
}

// A database with the LaminDB schema and an instance's seeded rows (storage 1, user 1).
void Prepare(db::Database& db, const std::string& root) {
  Check(db.Begin(), "begin");
  Check(schema::CreateSchema(db), "schema");
  registry::StorageRow storage;
  storage.uid = util::RandomBase62(12);
  storage.root = root;
  storage.type = "local";
  storage.instance_uid = "bench";
  Check(registry::SeedInstance(db, "00000000", "anonymous", storage).status(), "seed");
  Check(db.Commit(), "commit");
}

double Register(db::Database& db, const std::vector<registry::NewArtifact>& rows) {
  auto t0 = std::chrono::steady_clock::now();
  Check(db.Begin(), "begin");
  auto inserted = registry::InsertArtifacts(db, rows);
  Check(inserted.status(), "insert");
  Check(db.Commit(), "commit");
  return Seconds(t0);
}

double SqliteBaseline(const fs::path& path, const std::vector<registry::NewArtifact>& rows) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO lamindb_artifact (uid, key, suffix, size, hash, _hash_type, "
                     "is_latest, _key_is_virtual, _overwrite_versions, branch_id, created_on_id, "
                     "space_id, storage_id, created_by_id, created_at, updated_at, is_locked) "
                     "VALUES (?, ?, ?, ?, ?, ?, 1, 1, 0, 1, 1, 1, 1, 1, ?, ?, 0)",
                     -1, &stmt, nullptr);
  auto t0 = std::chrono::steady_clock::now();
  sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  for (const auto& r : rows) {
    sqlite3_bind_text(stmt, 1, r.uid.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, r.key->c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, r.suffix.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, r.size);
    sqlite3_bind_text(stmt, 5, r.hash.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, r.hash_type.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 7, "2026-11-24 00:00:00.000000", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 8, "2026-11-24 00:00:00.000000", -1, SQLITE_STATIC);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  double s = Seconds(t0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return s;
}

std::string CreateDatabase(const std::string& admin_url, const std::string& name) {
  auto admin = db::OpenPostgres(admin_url);
  Check(admin.status(), "connect");
  (void)(*admin)->ExecuteScript("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  Check((*admin)->ExecuteScript("CREATE DATABASE " + name), "create database");
  return admin_url.substr(0, admin_url.rfind('/') + 1) + name;
}

double PsqlCopy(const std::string& url, const fs::path& csv) {
  std::string cmd =
      "psql -q '" + url +
      "' -c \"\\copy lamindb_artifact (uid, key, suffix, size, hash, _hash_type, "
      "is_latest, _key_is_virtual, _overwrite_versions, branch_id, created_on_id, "
      "space_id, storage_id, created_by_id, created_at, updated_at, is_locked) FROM '" +
      csv.string() + "' WITH (FORMAT csv)\"";
  auto t0 = std::chrono::steady_clock::now();
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "psql \\copy failed\n";
    std::exit(1);
  }
  return Seconds(t0);
}

void Row(const std::string& what, size_t n, double lamin_s, const std::string& base_what,
         double base_s) {
  std::cout << fmt::format("{:<44} {:>9.0f} rows/s  {:<22} {:>9.0f} rows/s  ratio {:.2f}x\n", what,
                           n / lamin_s, base_what, n / base_s, lamin_s / base_s);
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::stoul(argv[1]) : 100000;
  std::string pg = argc > 2 ? argv[2] : (std::getenv("LAMIN_TEST_POSTGRES") ?: "");
  fs::path dir = fs::temp_directory_path() / ("lamin-register-bench-" + util::RandomBase62(6));
  fs::create_directories(dir);
  auto rows = MakeRows(n, 0);
  std::cout << fmt::format("registering {} artifact records, one transaction each run\n\n", n);

  // SQLite.
  {
    auto ours = db::OpenSqlite(dir / "ours.db", {.create = true});
    Check(ours.status(), "open");
    Prepare(**ours, "/bench");
    double lamin_s = Register(**ours, rows);
    {
      auto base = db::OpenSqlite(dir / "base.db", {.create = true});
      Check(base.status(), "open");
      Prepare(**base, "/bench");
    }
    double base_s = SqliteBaseline(dir / "base.db", rows);
    Row("SQLite: lamin InsertArtifacts", n, lamin_s, "raw C API loop", base_s);
  }

  if (!pg.empty()) {
    std::string ours_url = CreateDatabase(pg, "register_bench_ours");
    std::string base_url = CreateDatabase(pg, "register_bench_copy");
    std::string conc_url = CreateDatabase(pg, "register_bench_concurrent");
    for (const auto& url : {ours_url, base_url, conc_url}) {
      auto db = db::OpenPostgres(url);
      Check(db.status(), "connect");
      Prepare(**db, "/bench");
    }
    fs::path csv = dir / "rows.csv";
    {
      std::ofstream out(csv);
      for (const auto& r : rows) {
        out << r.uid << ',' << *r.key << ',' << r.suffix << ',' << r.size << ',' << r.hash << ','
            << r.hash_type << ",t,t,f,1,1,1,1,1,2026-11-24 00:00:00+00,2026-11-24 00:00:00+00,f\n";
      }
    }
    auto ours = db::OpenPostgres(ours_url);
    double lamin_s = Register(**ours, rows);
    double copy_s = PsqlCopy(base_url, csv);
    Row("PostgreSQL: lamin InsertArtifacts", n, lamin_s, "psql \\copy (COPY)", copy_s);

    // 4 writers, each its own connection, each batches of 1,000 rows per transaction.
    constexpr int kWriters = 4;
    constexpr size_t kBatch = 1000;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        auto db = db::OpenPostgres(conc_url);
        Check(db.status(), "connect");
        auto mine = MakeRows(n / kWriters, static_cast<size_t>(w) * n);
        for (size_t b = 0; b < mine.size(); b += kBatch) {
          std::vector<registry::NewArtifact> batch(
              mine.begin() + static_cast<long>(b),
              mine.begin() + static_cast<long>(std::min(mine.size(), b + kBatch)));
          Register(**db, batch);
        }
      });
    }
    for (auto& t : writers) t.join();
    double conc_s = Seconds(t0);
    Row("PostgreSQL: 4 writers, 1,000-row transactions", n, conc_s, "psql \\copy (COPY)", copy_s);
  }
  fs::remove_all(dir);
  return 0;
}
