// The PostgreSQL backend, on libpq. Statements are written with `?` placeholders like SQLite's;
// they are rewritten to $1, $2, ... and prepared once per connection when they run a second time
// (cached by SQL text). Values travel as text parameters whose types the server infers.
#include <libpq-fe.h>

#include <map>
#include <string>

#include "db/database.h"
#include "util/lazy_library.h"
#include "util/numbers.h"
#include "util/secrets.h"

namespace lamin::db {
namespace {

// Type OIDs of the columns lamin reads (pg_type.h).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700,
              kFloat8Oid = 701, kNumericOid = 1700;

// libpq, loaded by the first connection (util/lazy_library.h says why); the functions lamin calls.
#define LAMIN_LIBPQ_FUNCTIONS(X)                                                             \
  X(PQconnectdb) X(PQconnectionNeedsPassword) X(PQstatus) X(PQerrorMessage) X(PQfinish)         \
  X(PQtransactionStatus) X(PQexec) X(PQexecParams) X(PQprepare) X(PQexecPrepared)               \
  X(PQresultStatus) X(PQresultErrorField) X(PQresultErrorMessage) X(PQcmdTuples) X(PQnfields)   \
  X(PQfname) X(PQntuples) X(PQgetisnull) X(PQgetvalue) X(PQgetlength) X(PQftype) X(PQclear)

struct LibPq {
  LAMIN_LIBPQ_FUNCTIONS(LAMIN_LAZY_FUNCTION)
};

Result<const LibPq*> LoadLibPq() {
  static const Result<LibPq> loaded = []() -> Result<LibPq> {
    LAMIN_ASSIGN_OR_RETURN(auto library, util::LazyLibrary::Open(LAMIN_LIBPQ_SONAME, "libpq5"));
    LibPq table;
    LAMIN_LIBPQ_FUNCTIONS(LAMIN_LAZY_RESOLVE)
    return table;
  }();
  if (!loaded.ok()) return loaded.status().WithContext("PostgreSQL");
  return &loaded.value();
}

// Translates a server error once, here, by SQLSTATE, keeping the server's text.
Status PgStatus(const char* sqlstate, const std::string& text, const std::string& context) {
  std::string code = sqlstate ? sqlstate : "";
  std::string msg = context + ": " + text;
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (code == "23505") return Status::AlreadyExists(msg);
  if (code == "40001" || code == "40P01") {
    return Status::Aborted(msg + " (a concurrent transaction conflicted; retrying may succeed)");
  }
  if (code.rfind("08", 0) == 0 || code == "57P01" || code == "57P03") {
    return Status::Unavailable(msg);
  }
  if (code == "28P01" || code == "28000" || code == "42501") return Status::PermissionDenied(msg);
  if (code == "3D000") return Status::NotFound(msg);
  if (code == "53100") return Status::IOError(msg + " (the server's disk is full)");
  if (code.rfind("23", 0) == 0 || code.rfind("42", 0) == 0 || code.rfind("22", 0) == 0) {
    return Status::InvalidArgument(msg);
  }
  return Status::IOError(msg);
}

// "?" -> "$n" outside quoted strings and identifiers.
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(const LibPq& pq, PGconn* conn) : pq_(pq), conn_(conn) {}
  ~PostgresDatabase() override { pq_.PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    Rows rows;
    LAMIN_RETURN_IF_ERROR(Run(sql, params, &rows, nullptr));
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    int64_t changed = 0;
    LAMIN_RETURN_IF_ERROR(Run(sql, params, nullptr, &changed));
    return changed;
  }

  Status ExecuteScript(std::string_view sql) override {
    PGresult* res = pq_.PQexec(conn_, std::string(sql).c_str());
    Status s = Check(res, "SQL script failed");
    pq_.PQclear(res);
    return s;
  }

  // Writers are serialised by a transaction-scoped advisory lock, as SQLite's BEGIN IMMEDIATE
  // serialises them: the save protocol re-checks hashes and key families under this lock, so two
  // writers cannot both decide that a key is new. Readers never take it.
  Status Begin() override {
    return ExecuteScript("BEGIN; SELECT pg_advisory_xact_lock(7317160861417)");
  }
  // The deferred foreign-key checks run at COMMIT, one cached SPI query per row and key; under
  // the session's force_custom_plan (below) each was planned anew, and they were the commit:
  // 2.4 s of a 10,000-row batch's, 0.3 s with generic plans (chunked INSERTs in psql). SET
  // LOCAL ends with the transaction. A transaction that had failed is not committed in silence
  // (COMMIT would answer with ROLLBACK, no error): it is rolled back and reported.
  Status Commit() override {
    if (pq_.PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      (void)ExecuteScript("ROLLBACK");
      return Status::Internal(
          "commit of a transaction a statement had failed in: it was rolled back, nothing of it "
          "was saved");
    }
    return ExecuteScript("SET LOCAL plan_cache_mode = auto; COMMIT");
  }
  Status Rollback() override {
    if (pq_.PQtransactionStatus(conn_) == PQTRANS_IDLE) return Status::OK();
    return ExecuteScript("ROLLBACK");
  }

 private:
  Status Check(PGresult* res, const std::string& context) {
    ExecStatusType st = res ? pq_.PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
    if (pq_.PQstatus(conn_) == CONNECTION_BAD) {
      return Status::Unavailable(context + ": the connection to the PostgreSQL server was lost: " +
                                 std::string(pq_.PQerrorMessage(conn_)));
    }
    return PgStatus(res ? pq_.PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr,
                    res ? pq_.PQresultErrorMessage(res) : pq_.PQerrorMessage(conn_), context);
  }

  Status Run(std::string_view sql, const std::vector<Value>& params, Rows* out, int64_t* changed) {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (IsNull(params[i])) {
        values[i] = nullptr;
        continue;
      }
      text[i] = AsText(params[i]);
      values[i] = text[i].c_str();
    }
    const int n_params = static_cast<int>(params.size());
    PGresult* res = nullptr;
    // The first run of a statement is unnamed: parse, bind and execute in one round trip, where
    // preparing first takes two. A command answers with a handful of statements run once each
    // (`get --key` runs four: four round trips fewer); a batch that runs one statement thousands
    // of times has it parsed once, from its second run on.
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      statements_.emplace(std::string(sql), std::string());
      res = pq_.PQexecParams(conn_, NumberPlaceholders(sql).c_str(), n_params, nullptr,
                             values.data(), nullptr, nullptr, 0);
    } else {
      if (it->second.empty()) {
        std::string name = "s" + std::to_string(prepared_count_++);
        PGresult* prep =
            pq_.PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr);
        Status s = Check(prep, "cannot prepare SQL");
        pq_.PQclear(prep);
        if (!s.ok()) return s;
        it->second = std::move(name);
      }
      res = pq_.PQexecPrepared(conn_, it->second.c_str(), n_params, values.data(), nullptr, nullptr,
                               0);
    }
    Status s = Check(res, "SQL statement failed");
    if (s.ok() && changed) {
      const char* n = pq_.PQcmdTuples(res);
      *changed = (n && *n) ? util::ParseInt64(n).value_or(0) : 0;
    }
    if (s.ok() && out) {
      int ncols = pq_.PQnfields(res);
      for (int c = 0; c < ncols; ++c) out->columns.emplace_back(pq_.PQfname(res, c));
      for (int r = 0; r < pq_.PQntuples(res); ++r) {
        std::vector<Value> row;
        row.reserve(static_cast<size_t>(ncols));
        for (int c = 0; c < ncols; ++c) row.push_back(Cell(res, r, c));
        out->rows.push_back(std::move(row));
      }
    }
    pq_.PQclear(res);
    return s;
  }

  Value Cell(PGresult* res, int r, int c) const {
    if (pq_.PQgetisnull(res, r, c)) return Null();
    const char* v = pq_.PQgetvalue(res, r, c);
    switch (pq_.PQftype(res, c)) {
      case kBoolOid:
        return static_cast<int64_t>(v[0] == 't' ? 1 : 0);
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
        // The server sends integers of these types as decimal text.
        return util::ParseInt64(v).value_or(0);
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid:
        return std::strtod(v, nullptr);
      default:
        return std::string(v, static_cast<size_t>(pq_.PQgetlength(res, r, c)));
    }
  }

  const LibPq& pq_;
  PGconn* conn_;
  // SQL text -> the name it is prepared under; empty for a statement run once so far.
  std::map<std::string, std::string, std::less<>> statements_;
  int prepared_count_ = 0;
};

}  // namespace

std::string MaskPassword(const std::string& url) { return util::MaskSecrets(url); }

namespace {

// A URL whose password holds an unencoded '@' (postgresql://me:p@ss@host/db) means what its
// writer meant: the last '@' before the host ends the userinfo, and the '@'s before it are
// percent-encoded for libpq, which would otherwise take "ss@host" for the host name (and echo a
// part of the password in its error).
std::string EncodeUserinfo(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  size_t start = sep + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  size_t at = url.rfind('@', end);
  if (at == std::string::npos || at < start) return url;
  std::string userinfo = url.substr(start, at - start);
  std::string encoded;
  for (char c : userinfo) encoded += c == '@' ? std::string("%40") : std::string(1, c);
  return url.substr(0, start) + encoded + url.substr(at);
}

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url) {
  LAMIN_ASSIGN_OR_RETURN(const LibPq* pq, LoadLibPq());
  // libpq takes the URL as given and fills what it leaves out from PG* variables and ~/.pgpass.
  PGconn* conn = pq->PQconnectdb(EncodeUserinfo(url).c_str());
  if (pq->PQstatus(conn) != CONNECTION_OK) {
    std::string err = pq->PQerrorMessage(conn);
    bool needs_password = pq->PQconnectionNeedsPassword(conn) != 0;
    pq->PQfinish(conn);
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    std::string msg = "cannot connect to " + MaskPassword(url) + ": " + err;
    if (needs_password || err.find("authentication failed") != std::string::npos ||
        err.find("no password supplied") != std::string::npos) {
      return Status::PermissionDenied(msg + " (check the user name and password)");
    }
    if (err.find("does not exist") != std::string::npos) return Status::NotFound(msg);
    // Only a server that did not answer gets the hint.
    bool unreachable = err.find("could not connect") != std::string::npos ||
                       err.find("Connection refused") != std::string::npos ||
                       err.find("timeout") != std::string::npos ||
                       err.find("could not translate host name") != std::string::npos ||
                       err.find("No route to host") != std::string::npos;
    return Status::Unavailable(msg + (unreachable ? " (is the server running and reachable?)" : ""));
  }
  auto db = std::make_unique<PostgresDatabase>(*pq, conn);
  // Timestamps are written and read as UTC text, as on SQLite. Every statement is planned for
  // its values (a prepared statement saves its parsing only): the generic plan PostgreSQL would
  // otherwise keep after five runs is costed for the table as it was then, and inside a large
  // batch the table grows by the batch itself (a 20,000-file batch's hash lookup, planned at its
  // first chunks as a scan of a small table, kept scanning: up to 290 ms a chunk). Planning a
  // batch's lookup took 0.2-1.5 ms in EXPLAIN ANALYZE.
  LAMIN_RETURN_IF_ERROR(db->ExecuteScript(
      "SET TimeZone = 'UTC'; SET client_min_messages = warning; "
      "SET plan_cache_mode = force_custom_plan"));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace lamin::db
