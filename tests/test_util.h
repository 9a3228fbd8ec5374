// Helpers for tests: scratch folders, files, and an instance with its own settings folder.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "api/hooks.h"
#include "db/database.h"
#include "hash/content_hash.h"
#include "lamin/lamin.h"
#include "schema/ddl.h"
#include "storage/s3_client.h"
#include "util/fs.h"

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

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Unpacks the gzip file `from` to `to`. False when `from` cannot be read.
inline bool Gunzip(const fs::path& from, const fs::path& to) {
  gzFile in = gzopen(from.c_str(), "rb");
  if (!in) return false;
  std::ofstream out(to, std::ios::binary);
  char buf[1 << 16];
  int n;
  while ((n = gzread(in, buf, sizeof(buf))) > 0) out.write(buf, n);
  gzclose(in);
  return n == 0;
}

// A database Python LaminDB 2.6 wrote (../shared/reference/lamindb-2.6/NAME.db.gz), unpacked to
// `to`; false where the reference files are absent (tests then skip).
inline bool ReferenceDatabase(const std::string& name, const fs::path& to) {
  fs::path gz = fs::path(LAMIN_REFERENCE_DIR) / (name + ".db.gz");
  return fs::exists(gz) && Gunzip(gz, to);
}

// The files of a folder as a save lists them (for ObjectStore::StageFolder).
inline std::vector<FolderFile> FilesOf(const fs::path& folder) {
  auto listed = util::ListFolder(folder);
  if (!listed.ok()) throw std::runtime_error(listed.status().ToString());
  return listed->files;
}

inline std::string StatusText(const Status& s) { return s.ToString(); }
template <typename T>
std::string StatusText(const Result<T>& r) {
  return r.status().ToString();
}

#define ASSERT_OK(expr)                                                   \
  do {                                                                    \
    const auto& lamin_s_ = (expr);                                        \
    ASSERT_TRUE(lamin_s_.ok()) << ::lamin::testing::StatusText(lamin_s_); \
  } while (0)

// The backend the behaviour tests run on: SQLite, or PostgreSQL when LAMIN_TEST_BACKEND=postgres
// (then LAMIN_TEST_POSTGRES names a server's maintenance database, see scripts/with_postgres.sh).
inline bool OnPostgres() {
  const char* b = std::getenv("LAMIN_TEST_BACKEND");
  return b && std::string(b) == "postgres";
}

inline std::string PostgresBaseUrl() {
  const char* url = std::getenv("LAMIN_TEST_POSTGRES");
  if (!url) throw std::runtime_error("LAMIN_TEST_BACKEND=postgres needs LAMIN_TEST_POSTGRES");
  std::string s = url;
  return s.substr(0, s.rfind('/'));  // without the database name
}

inline std::unique_ptr<db::Database> MustOpen(Result<std::unique_ptr<db::Database>> r) {
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::move(*r);
}

// The ids a row written straight into a new instance refers to: its home storage location and
// the one user there.
struct HomeIds {
  int64_t storage_id = 0;
  int64_t user_id = 0;
};
inline HomeIds HomeIdsOf(db::Database& db) {
  auto ids = db.Query("SELECT (SELECT min(id) FROM lamindb_storage), (SELECT min(id) FROM "
                      "lamindb_user)");
  if (!ids.ok()) throw std::runtime_error("cannot read the home ids: " + ids.status().ToString());
  return {db::AsInt(ids->rows[0][0]), db::AsInt(ids->rows[0][1])};
}

// A fresh PostgreSQL database for one test, copied from a template that holds the LaminDB schema
// (made once per test process), so that a test does not pay for 1,300 DDL statements.
inline std::string NewPostgresDatabase() {
  static const std::string kTemplate = [] {
    std::string name = "lamin_tmpl_" + std::to_string(getpid());
    auto admin = MustOpen(db::OpenPostgres(PostgresBaseUrl() + "/postgres"));
    auto made = admin->ExecuteScript("CREATE DATABASE " + name);
    if (!made.ok()) throw std::runtime_error(made.ToString());
    auto tmpl = MustOpen(db::OpenPostgres(PostgresBaseUrl() + "/" + name));
    auto schema = schema::CreateSchema(*tmpl);
    if (!schema.ok()) throw std::runtime_error(schema.ToString());
    return name;
  }();
  static int counter = 0;
  std::string name = kTemplate + "_" + std::to_string(++counter);
  auto admin = MustOpen(db::OpenPostgres(PostgresBaseUrl() + "/postgres"));
  auto made = admin->ExecuteScript("CREATE DATABASE " + name + " TEMPLATE " + kTemplate);
  if (!made.ok()) throw std::runtime_error(made.ToString());
  return PostgresBaseUrl() + "/" + name;
}

inline std::string EnvText(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The storage the behaviour tests save into: a local folder, or S3 when LAMIN_TEST_STORAGE=s3
// (beside scripts/with_s3.sh, which sets LAMIN_TEST_S3_ENDPOINT and LAMIN_TEST_S3_BUCKET).
inline bool OnS3() { return EnvText("LAMIN_TEST_STORAGE") == "s3"; }

inline bool HaveS3Server() { return !EnvText("LAMIN_TEST_S3_ENDPOINT").empty(); }

// A root under a prefix no other test uses: s3://BUCKET/PREFIX?endpoint_url=...
inline std::string NewS3Root(const std::string& hint = "t") {
  static int counter = 0;
  return "s3://" + EnvText("LAMIN_TEST_S3_BUCKET") + "/" + hint + "-" + std::to_string(getpid()) +
         "-" + std::to_string(++counter) + "?endpoint_url=" + EnvText("LAMIN_TEST_S3_ENDPOINT");
}

// A client of the test server with the environment's credentials, to look behind the API.
inline storage::S3Client TestS3Client() {
  auto creds = storage::S3Credentials::FromEnvironment();
  if (!creds.ok()) throw std::runtime_error(creds.status().ToString());
  return storage::S3Client(*creds, EnvText("LAMIN_TEST_S3_ENDPOINT"), "us-east-1");
}

// An instance in a scratch folder: storage at <dir>/storage, settings at <dir>/settings, the
// database on the backend the tests run on. With OnS3(), saves go to a fresh S3 location that
// the instance registers (LaminDB's set-up of a local instance writing to a bucket).
struct TestInstance {
  ScratchDir dir;
  OpenOptions options;
  std::string db_url;   // empty on SQLite
  std::string s3_root;  // empty unless OnS3()
  api::TestHooks hooks;  // a database wrapper, for fault injection
  std::unique_ptr<Instance> inst;

  // `configure` may set wrappers in the options (and hooks) before the instance is created.
  explicit TestInstance(const std::function<void(OpenOptions&)>& configure = nullptr)
      : TestInstance([&](OpenOptions& o, api::TestHooks&) {
          if (configure) configure(o);
        }) {}
  explicit TestInstance(const std::function<void(OpenOptions&, api::TestHooks&)>& configure) {
    options.env.settings_parent = dir.path() / "settings";
    options.cache_dir = dir.path() / "cache";
    if (configure) configure(options, hooks);
    if (OnPostgres()) db_url = NewPostgresDatabase();
    auto made = api::InitWith({dir.path() / "storage", "test", db_url}, options, hooks);
    if (!made.ok()) throw std::runtime_error(made.status().ToString());
    inst = std::move(*made);
    if (OnS3()) {
      if (!HaveS3Server()) throw std::runtime_error("LAMIN_TEST_STORAGE=s3 needs with_s3.sh");
      s3_root = NewS3Root("inst");
      auto added = inst->storages().Add(s3_root);
      if (!added.ok()) throw std::runtime_error(added.status().ToString());
      options.storage = s3_root;
      Reopen();
    }
  }
  ~TestInstance() {
    inst.reset();
    if (db_url.empty()) return;
    auto admin = db::OpenPostgres(PostgresBaseUrl() + "/postgres");
    if (admin.ok()) {
      (void)(*admin)->ExecuteScript("DROP DATABASE IF EXISTS " +
                                    db_url.substr(db_url.rfind('/') + 1) + " WITH (FORCE)");
    }
  }
  // Closes the instance and opens it again with the same options (a new writer session).
  void Reopen() {
    inst.reset();
    auto opened = api::OpenCurrentWith(options, hooks);
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    inst = std::move(*opened);
  }
  // A connection of its own to the instance's database, for tests that look behind the API.
  std::unique_ptr<db::Database> RawDb() const {
    if (!db_url.empty()) return MustOpen(db::OpenPostgres(db_url));
    return MustOpen(db::OpenSqlite(managed() / "lamin.db", {}));
  }
  fs::path storage() const { return dir.path() / "storage"; }
  // The names of the entries under .lamindb/ of the storage saves go to, other than the
  // database and the marker.
  std::vector<std::string> ObjectNames() const {
    std::vector<std::string> out;
    if (s3_root.empty()) {
      for (auto& e : fs::directory_iterator(managed())) {
        std::string n = e.path().filename().string();
        if (n.rfind("lamin.db", 0) != 0 && n != "storage_uid.txt") out.push_back(n);
      }
      return out;
    }
    auto location = storage::S3Location::Parse(s3_root);
    std::string prefix = location->prefix + "/.lamindb/";
    auto listed = TestS3Client().List(location->bucket, prefix);
    if (!listed.ok()) throw std::runtime_error(listed.status().ToString());
    std::set<std::string> names;
    for (const auto& o : *listed) {
      std::string rest = o.key.substr(prefix.size());
      std::string name = rest.substr(0, rest.find('/'));
      if (name != "storage_uid.txt") names.insert(name);
    }
    return {names.begin(), names.end()};
  }
  fs::path managed() const { return storage() / ".lamindb"; }
  fs::path input(const std::string& name) const { return dir.path() / "inputs" / name; }
  fs::path Write(const std::string& name, const std::string& content) const {
    return WriteFile(input(name), content);
  }
};

// Checks invariants I1 and I2 and an empty journal: every visible or trashed row has its object
// with matching size and hash; every object under .lamindb/ belongs to a row.
// On S3 the objects are seen through a client of the server's own: sizes from the listing,
// single-part hashes from the ETag (the md5 of the bytes), folders as prefixes.
inline void ExpectConsistentOnS3(TestInstance& t) {
  Query all;
  all.filters.push_back({"branch_id", "gte", "-1"});
  auto rows = t.inst->artifacts().List(all);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto location = storage::S3Location::Parse(t.s3_root);
  ASSERT_TRUE(location.ok());
  storage::S3Client client = TestS3Client();
  auto listed = client.List(location->bucket, location->prefix + "/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::map<std::string, storage::S3Object> objects;  // by key below the root
  for (const auto& o : *listed) objects[o.key.substr(location->prefix.size() + 1)] = o;
  std::set<std::string> owned;
  for (const auto& a : *rows) {
    if (a.storage_root != t.s3_root) continue;
    std::string key = a.StorageKey();
    owned.insert(key);
    if (auto o = objects.find(key); o != objects.end()) {
      EXPECT_EQ(static_cast<int64_t>(o->second.size), a.size.value()) << "I1 size " << a.uid;
      if (a.hash_type == "md5") {
        EXPECT_EQ(hash::HashFromEtag(o->second.etag)->hash, a.hash.value()) << "I1 hash " << a.uid;
      }
      continue;
    }
    int64_t size = 0, files = 0;
    for (auto it = objects.lower_bound(key + "/");
         it != objects.end() && it->first.rfind(key + "/", 0) == 0; ++it) {
      size += static_cast<int64_t>(it->second.size);
      ++files;
    }
    ASSERT_GT(files, 0) << "I1: object missing for " << a.uid << " at " << key;
    if (a.is_latest) {
      EXPECT_EQ(size, a.size.value()) << a.uid;
      EXPECT_EQ(files, a.n_files.value()) << a.uid;
    }
  }
  for (const auto& [key, o] : objects) {
    if (key == ".lamindb/storage_uid.txt") continue;
    bool belongs = owned.count(key) > 0;
    for (auto slash = key.find('/', 9); !belongs && slash != std::string::npos;
         slash = key.find('/', slash + 1)) {
      belongs = owned.count(key.substr(0, slash)) > 0;
    }
    EXPECT_TRUE(belongs) << "I2: object without a row: " << key;
  }
  // Intents of writes; a run's lease (journal.h) lives as long as its run.
  auto intents = t.RawDb()->Query("SELECT count(*) FROM lamin_intent WHERE op != 'run'");
  ASSERT_TRUE(intents.ok()) << intents.status().ToString();
  EXPECT_EQ(db::AsInt(intents->rows.at(0).at(0)), 0) << "the journal holds intents";
}

inline void ExpectConsistent(TestInstance& t) {
  if (!t.s3_root.empty()) return ExpectConsistentOnS3(t);
  Instance& inst = *t.inst;
  const fs::path managed = t.managed();
  Query all;
  all.filters.push_back({"branch_id", "gte", "-1"});
  auto rows = inst.artifacts().List(all);
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
  // Intents of writes; a run's lease (journal.h) lives as long as its run.
  auto intents = t.RawDb()->Query("SELECT count(*) FROM lamin_intent WHERE op != 'run'");
  ASSERT_TRUE(intents.ok()) << intents.status().ToString();
  EXPECT_EQ(db::AsInt(intents->rows.at(0).at(0)), 0) << "the journal holds intents";
}

}  // namespace lamin::testing
