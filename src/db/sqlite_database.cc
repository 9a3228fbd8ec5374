// The SQLite backend. Statements are prepared once and cached by their SQL text, so a batch that
// inserts 10,000 rows parses its INSERT once.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "db/database.h"
#include "util/fs.h"
#include "util/numbers.h"

namespace lamin::db {

int64_t AsInt(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return util::ParseInt64(*s).value_or(0);
  return 0;
}

std::string AsText(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return "";
}

namespace {

// Translates a SQLite result code once, here, keeping SQLite's own text (`detail`, when the
// caller has it already; else the connection's message or the code's).
Status SqliteStatus(int rc, sqlite3* db, std::string_view context, std::string detail = "") {
  if (detail.empty()) detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = std::string(context) + ": " + detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg + " (another process holds the database lock)");
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(msg);
      }
      return Status::InvalidArgument(msg);
    case SQLITE_FULL:
      return Status::IOError(msg + " (the file system is full: free space and retry)");
    case SQLITE_NOTADB:
      return Status::FailedPrecondition(msg + " (not a SQLite database)");
    case SQLITE_CORRUPT:
      return Status::Corruption(msg);
    case SQLITE_CANTOPEN: {
      // A file that exists but cannot be opened (too many open files, permissions on the
      // folder): say why, and do not call it missing.
      int err = db ? sqlite3_system_errno(db) : 0;
      if (err == EACCES || err == EPERM || err == EROFS) {
        return Status::PermissionDenied(msg + ": " + std::strerror(err));
      }
      return Status::IOError(err ? msg + ": " + std::strerror(err) : msg);
    }
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::PermissionDenied(msg);
    case SQLITE_ERROR:
      return Status::InvalidArgument(msg);
    default:
      return Status::IOError(msg);
  }
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  ~SqliteDatabase() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    Rows rows;
    LAMIN_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    LAMIN_RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status ExecuteScript(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Named(SqliteStatus(sqlite3_extended_errcode(db_), nullptr, "SQL failed", msg));
    }
    return Status::OK();
  }

  // A database removed or replaced while this connection held it open (`lamin delete instance`
  // ran) would take writes that nobody can ever read: every write transaction first checks,
  // under the write lock, that the path still names the file this connection opened.
  Status Begin() override {
    LAMIN_RETURN_IF_ERROR(ExecuteScript("BEGIN IMMEDIATE"));
    struct stat now {};
    if (::stat(path_.c_str(), &now) != 0 || now.st_dev != identity_.st_dev ||
        now.st_ino != identity_.st_ino) {
      (void)ExecuteScript("ROLLBACK");
      return Status::NotFound("the database '" + path_.string() +
                              "' was removed or replaced while this process used it (the "
                              "instance was deleted?): nothing was written");
    }
    return Status::OK();
  }
  Status Commit() override { return ExecuteScript("COMMIT"); }
  Status Rollback() override {
    if (sqlite3_get_autocommit(db_)) return Status::OK();  // SQLite already rolled back
    return ExecuteScript("ROLLBACK");
  }

  // Connection settings only: nothing here writes to the file, so that opening a file that turns
  // out not to be an instance (or only reading one) leaves it as it was.
  Status Init(const SqliteOptions& options) {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, options.busy_timeout_ms);
    if (::stat(path_.c_str(), &identity_) != 0) {
      return util::ErrnoStatus(errno, "cannot stat the database", path_);
    }
    // A file that is not a database fails here, before any change.
    auto check = Query("SELECT count(*) FROM sqlite_master", {});
    if (!check.ok()) return check.status();
    // FULL sync makes each commit durable when COMMIT returns, which the save protocol's
    // commit step relies on (a per-connection setting).
    LAMIN_RETURN_IF_ERROR(ExecuteScript("PRAGMA synchronous=FULL"));
    // Up to 64 MiB of pages (SQLite's default is 2 MiB, taken only as pages are read). A batch's
    // rows change pages of 26 B-trees of the artifact table: with 2 MiB, a save of 10,000 small
    // files spilled changed pages to the WAL mid-transaction and read 3,200 of them back (1,700
    // with 64 MiB, the checkpoint's own), and wrote 5,200 WAL frames where 4,000 do.
    LAMIN_RETURN_IF_ERROR(ExecuteScript("PRAGMA cache_size=-65536"));
    if (options.create) {
      // A database lamin creates uses WAL, so that readers go on while a writer commits. A file
      // another tool made keeps its journal mode: WAL changes the file format for every tool
      // and does not work on network file systems, where shared instances sometimes live.
      LAMIN_RETURN_IF_ERROR(ExecuteScript("PRAGMA journal_mode=WAL"));
    }
    return ExecuteScript("PRAGMA foreign_keys=ON");
  }

 private:
  Status Run(std::string_view sql, const std::vector<Value>& params, Rows* out) {
    sqlite3_stmt* stmt = nullptr;
    std::string key(sql);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return Named(SqliteStatus(rc, db_, "cannot prepare SQL"));
      cache_.emplace(key, stmt);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (IsNull(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "cannot bind parameter");
    }
    if (out) {
      int n = sqlite3_column_count(stmt);
      for (int c = 0; c < n; ++c) out->columns.emplace_back(sqlite3_column_name(stmt, c));
    }
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Status s = Named(SqliteStatus(rc, db_, "SQL statement failed"));
        sqlite3_reset(stmt);
        return s;
      }
      if (!out) continue;
      std::vector<Value> row;
      int n = sqlite3_column_count(stmt);
      row.reserve(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, c));
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      out->rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return Status::OK();
  }

  // Writes refused because the file or its folder is read-only name the file.
  Status Named(Status s) const {
    if (s.code() != StatusCode::kPermissionDenied) return s;
    return Status::PermissionDenied(s.message() + " (the database '" + path_.string() +
                                    "' or its folder cannot be written by this user: reads "
                                    "work, writes need write access to both)");
  }

  sqlite3* db_;
  std::filesystem::path path_;
  struct stat identity_ {};  // of the file when it was opened
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace

namespace {

// A path as the path of a file: URI (percent-encoding what a URI would take for its syntax).
std::string UriPath(const std::filesystem::path& path) {
  std::string out;
  for (char c : std::filesystem::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      static const char* kHex = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// Whether this process may write the database file and its folder (journals live beside it).
bool Writable(const std::filesystem::path& path) {
  std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  return ::access(path.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0;
}

// Statement journals in memory. A multi-row INSERT inside a transaction keeps a statement
// journal (the pages it changed, to undo just that statement if a row breaks a constraint), and
// SQLite spills one past 64 KiB into an unlinked file in /var/tmp: saving 10,000 small files
// made 8,800 writes there, more than the database and its WAL took together, on the disk of
// /var/tmp. A statement's journal is bounded by the pages it touches and emptied when it ends
// (those writes came from the batch's ~40 INSERTs: under 1 MiB a statement on average). Sorts
// and temporary tables keep spilling to files (PRAGMA temp_store=MEMORY would hold those in
// memory too). A process-wide setting, accepted only before SQLite initializes: a host that
// initialized SQLite itself keeps its own (then the call fails and nothing changes).
void KeepStatementJournalsInMemory() {
  static const bool once = [] {
    (void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
    return true;
  }();
  (void)once;
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::filesystem::path& path,
                                             const SqliteOptions& options) {
  std::error_code ec;
  if (!options.create && !std::filesystem::exists(path, ec)) {
    return Status::NotFound("database file '" + path.string() + "' does not exist");
  }
  // A Database is used by one thread at a time (database.h): SQLite's own per-call mutex would
  // only cost a lock on every column read (a third of reading a batch's rows).
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  std::string name = "file:" + UriPath(path);
  if (!options.create && !Writable(path)) {
    // An instance this user may only read (another user's folder, a read-only mount). A WAL
    // database needs its -shm file, which cannot be made here: unless the writer's files are
    // there, it is read as immutable (what the last writer checkpointed into the file).
    flags = (flags & ~SQLITE_OPEN_READWRITE) | SQLITE_OPEN_READONLY;
    if (!std::filesystem::exists(path.string() + "-shm", ec)) name += "?immutable=1";
  }
  KeepStatementJournalsInMemory();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, raw, "cannot open database '" + path.string() + "'");
    sqlite3_close_v2(raw);
    return s;
  }
  auto db = std::make_unique<SqliteDatabase>(raw, path);
  Status s = db->Init(options);
  if (s.code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition("'" + path.string() +
                                      "' is not a LaminDB instance: it is not a SQLite database");
  }
  LAMIN_RETURN_IF_ERROR(s);
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace lamin::db
