// Helpers for tests: scratch folders, files, and an instance with its own settings folder.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "hash/content_hash.h"
#include "lamin/lamin.h"

namespace lamin::testing {

namespace fs = std::filesystem;

// A fresh folder under $TMPDIR, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "lamin-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline fs::path WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

inline std::string StatusText(const Status& s) { return s.ToString(); }
template <typename T>
std::string StatusText(const Result<T>& r) {
  return r.status().ToString();
}

#define ASSERT_OK(expr)                                                  \
  do {                                                                   \
    const auto& lamin_s_ = (expr);                                       \
    ASSERT_TRUE(lamin_s_.ok()) << ::lamin::testing::StatusText(lamin_s_); \
  } while (0)

// Rows in the journal of intents of the instance database at `db_path`.
inline int64_t OpenIntents(const fs::path& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM lamin_intent", -1, &stmt, nullptr);
  int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

// An instance in a scratch folder: storage at <dir>/storage, settings at <dir>/settings.
struct TestInstance {
  ScratchDir dir;
  OpenOptions options;
  std::unique_ptr<Instance> inst;

  // `configure` may set wrappers in the options before the instance is created.
  explicit TestInstance(const std::function<void(OpenOptions&)>& configure = nullptr) {
    options.env.settings_parent = dir.path() / "settings";
    if (configure) configure(options);
    auto made = Instance::Init({dir.path() / "storage", "test"}, options);
    if (!made.ok()) throw std::runtime_error(made.status().ToString());
    inst = std::move(*made);
  }
  // Closes the instance and opens it again with the same options (a new writer session).
  void Reopen() {
    inst.reset();
    auto opened = Instance::OpenCurrent(options);
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    inst = std::move(*opened);
  }
  fs::path storage() const { return dir.path() / "storage"; }
  fs::path managed() const { return storage() / ".lamindb"; }
  fs::path input(const std::string& name) const { return dir.path() / "inputs" / name; }
  fs::path Write(const std::string& name, const std::string& content) const {
    return WriteFile(input(name), content);
  }
};

// Checks invariants I1 and I2 and an empty journal: every visible or trashed row has its object
// with matching size and hash; every object under .lamindb/ belongs to a row.
inline void ExpectConsistent(Instance& inst, const fs::path& managed) {
  ArtifactQuery all;
  all.filters.push_back({"branch_id", "gte", "-1"});
  auto rows = inst.List(all);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::set<std::string> owned;
  for (const auto& a : *rows) {
    fs::path p = fs::path(a.storage_root) / a.StorageKey();
    owned.insert(p.filename().string());
    ASSERT_TRUE(fs::exists(p)) << "I1: object missing for " << a.uid << " at " << p;
    if (fs::is_directory(p)) {
      std::vector<std::string> hashes;
      uint64_t size = 0;
      for (auto& e : fs::recursive_directory_iterator(p)) {
        if (!e.is_regular_file()) continue;
        hashes.push_back(hash::HashFile(e.path())->hash);
        size += e.file_size();
      }
      if (a.is_latest) {
        EXPECT_EQ(hash::CombineFolderHash(hashes).hash, a.hash.value()) << a.uid;
        EXPECT_EQ(static_cast<int64_t>(size), a.size.value()) << a.uid;
      }
    } else {
      EXPECT_EQ(static_cast<int64_t>(fs::file_size(p)), a.size.value()) << "I1 size " << a.uid;
      EXPECT_EQ(hash::HashFile(p)->hash, a.hash.value()) << "I1 hash " << a.uid;
    }
  }
  for (auto& e : fs::directory_iterator(managed)) {
    std::string name = e.path().filename().string();
    if (name.rfind("lamin.db", 0) == 0 || name == "storage_uid.txt") continue;
    EXPECT_TRUE(owned.count(name)) << "I2: object without a row: " << e.path();
  }
  EXPECT_EQ(OpenIntents(managed / "lamin.db"), 0) << "the journal holds intents";
}

}  // namespace lamin::testing
