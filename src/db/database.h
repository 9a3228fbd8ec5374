// Database: the one interface the registry and core layers use for SQL, with a SQLite backend now
// and PostgreSQL next. Statements use `?` placeholders; values are always bound, never spliced.
//
// Dialect differences (quoting is the same; placeholders, types, text matching differ) are kept
// in schema/ddl.cc and registry/query.cc behind the Dialect value.
// Thread-safety: a Database is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lamin/status.h"

namespace lamin::db {

using Value = std::variant<std::monostate, int64_t, double, std::string>;

inline Value Null() { return std::monostate{}; }
inline bool IsNull(const Value& v) { return std::holds_alternative<std::monostate>(v); }
// The value as an integer (text is parsed; NULL gives 0).
int64_t AsInt(const Value& v);
// The value as text (integers are formatted; NULL gives "").
std::string AsText(const Value& v);

struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
};

enum class Dialect { kSqlite, kPostgres };

class Database {
 public:
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;
  // Runs one statement with its `?` placeholders bound to `params`; returns the rows it yields.
  // Result: AlreadyExists for a unique-constraint violation, Unavailable when the database stays
  // locked past the busy timeout, IOError, Corruption, InvalidArgument (bad SQL).
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement; returns the number of rows it changed. Results as for Query.
  virtual Result<int64_t> Execute(std::string_view sql,
                                  const std::vector<Value>& params = {}) = 0;
  // Runs several statements without parameters (DDL).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // A write transaction. SQLite: BEGIN IMMEDIATE, so that the write lock is taken up front and a
  // concurrent writer waits (busy timeout) instead of failing at its first write.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
};

// Rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction() {
    if (active_) (void)db_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin() {
    LAMIN_RETURN_IF_ERROR(db_.Begin());
    active_ = true;
    return Status::OK();
  }
  Status Commit() {
    Status s = db_.Commit();
    if (s.ok()) active_ = false;
    return s;
  }
  // Ends the transaction now (a failed commit leaves it open until this or the destructor).
  void Rollback() {
    if (active_) (void)db_.Rollback();
    active_ = false;
  }

 private:
  Database& db_;
  bool active_ = false;
};

struct SqliteOptions {
  bool create = false;          // create the file if it does not exist
  bool read_only = false;
  int busy_timeout_ms = 30000;  // how long a writer waits for another writer's lock
};

// Connects to PostgreSQL: `url` is postgresql://USER:PASSWORD@HOST:PORT/DB (or postgres://);
// what it leaves out comes from the PG* variables and ~/.pgpass, as libpq does. Sessions use UTC.
// Result: PermissionDenied (wrong password), NotFound (no such database), Unavailable (no server).
// Messages show the URL with its password masked.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url);

// `url` with the password replaced by "***".
std::string MaskPassword(const std::string& url);

// Opens (or creates) a SQLite database file: WAL journal, foreign keys on (LaminDB's keys are
// DEFERRABLE INITIALLY DEFERRED, so they are checked at commit), a busy timeout.
// Result: NotFound if the file is missing and !create; Corruption if it is not a database.
Result<std::unique_ptr<Database>> OpenSqlite(const std::filesystem::path& path,
                                             const SqliteOptions& options);

}  // namespace lamin::db
