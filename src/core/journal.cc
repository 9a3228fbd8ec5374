#include "core/journal.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "registry/artifacts.h"
#include "registry/sql.h"
#include "util/clock.h"
#include "util/encoding.h"
#include "util/numbers.h"

namespace lamin::core {
namespace {

// What /proc/PID/stat says of a process: its state (field 3) and start time (field 22). A
// process id is reused; the start time tells the two apart.
struct ProcessStat {
  std::string state;
  std::string start_time;
};
ProcessStat ReadProcessStat(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(in, content)) return {};
  auto close_paren = content.rfind(')');
  if (close_paren == std::string::npos) return {};
  std::istringstream fields(content.substr(close_paren + 2));
  ProcessStat stat;
  std::string field;
  // After "pid (comm) ", the state is field 3; the start time is field 22.
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
    if (i == 3) stat.state = field;
    if (i == 22) stat.start_time = field;
  }
  return stat;
}

std::string ProcessStartTime(long pid) { return ReadProcessStat(pid).start_time; }

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

// Intents of writers on other hosts are taken for dead after this long.
constexpr int64_t kForeignLeaseSeconds = 6 * 3600;

int64_t SecondsSince(const std::string& utc_text) {
  std::tm tm{};
  if (!strptime(utc_text.c_str(), "%Y-%m-%d %H:%M:%S", &tm)) return 0;
  time_t then = timegm(&tm);
  return static_cast<int64_t>(std::time(nullptr) - then);
}

}  // namespace

const std::string& ProcessOwner() {
  static const std::string kOwner =
      HostName() + ":" + std::to_string(::getpid()) + ":" + ProcessStartTime(::getpid());
  return kOwner;
}

std::mutex& LiveSessionsMutex() {
  static std::mutex mu;
  return mu;
}
std::set<std::string>& LiveSessions() {
  static std::set<std::string> sessions;
  return sessions;
}

WriterSession::WriterSession() : owner_(ProcessOwner() + ":" + util::RandomBase62(6)) {
  std::lock_guard lock(LiveSessionsMutex());
  LiveSessions().insert(owner_);
}

WriterSession::~WriterSession() {
  std::lock_guard lock(LiveSessionsMutex());
  LiveSessions().erase(owner_);
}

namespace {

// "host:pid:start[:session]" taken apart.
struct ParsedOwner {
  std::string host;
  long pid = 0;
  std::string start_time;
};

std::optional<ParsedOwner> ParseOwner(const std::string& owner_with_session) {
  std::string owner = owner_with_session;
  if (std::count(owner.begin(), owner.end(), ':') >= 3) owner = owner.substr(0, owner.rfind(':'));
  auto first = owner.find(':');
  auto last = owner.rfind(':');
  if (first == std::string::npos || first == last) return std::nullopt;
  ParsedOwner p;
  p.host = owner.substr(0, first);
  p.start_time = owner.substr(last + 1);
  auto pid = util::ParseInt64(owner.substr(first + 1, last - first - 1));
  if (!pid) return std::nullopt;
  p.pid = static_cast<long>(*pid);
  return p;
}

std::string LeaseEndText(const std::string& created_at) {
  std::tm tm{};
  if (!strptime(created_at.c_str(), "%Y-%m-%d %H:%M:%S", &tm)) return "(unknown)";
  time_t end = timegm(&tm) + kForeignLeaseSeconds;
  std::tm out{};
  gmtime_r(&end, &out);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &out);
  return buf;
}

}  // namespace

bool OwnerMayBeAlive(const std::string& owner_with_session, const std::string& created_at) {
  if (owner_with_session.rfind(ProcessOwner() + ":", 0) == 0) {
    std::lock_guard lock(LiveSessionsMutex());
    return LiveSessions().count(owner_with_session) > 0;
  }
  auto owner = ParseOwner(owner_with_session);
  if (!owner) return false;
  if (owner->host != HostName()) return SecondsSince(created_at) < kForeignLeaseSeconds;
  if (::kill(static_cast<pid_t>(owner->pid), 0) != 0 && errno == ESRCH) return false;
  // A pid is reused: only the process with the recorded start time is the writer. A zombie
  // (killed, not yet reaped: where no init reaps orphans, it stays so) writes nothing more.
  ProcessStat stat = ReadProcessStat(owner->pid);
  return stat.start_time == owner->start_time && stat.state != "Z" && stat.state != "X";
}

std::string DescribeWriter(const std::string& owner_with_session, const std::string& created_at) {
  if (owner_with_session.rfind(ProcessOwner() + ":", 0) == 0) return "this process";
  auto owner = ParseOwner(owner_with_session);
  if (!owner) return "an unknown writer ('" + owner_with_session + "')";
  if (owner->host == HostName()) {
    return "process " + std::to_string(owner->pid) + " on this host";
  }
  return "process " + std::to_string(owner->pid) + " on host " + owner->host +
         " (a writer on another host is taken for dead 6 h after it began, at " +
         LeaseEndText(created_at) + " UTC)";
}

Result<std::vector<std::string>> LiveWriters(db::Database& db) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT DISTINCT owner, created_at FROM lamin_intent"));
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& r : rows.rows) {
    std::string owner = db::AsText(r[0]);
    if (seen.count(owner) || !OwnerMayBeAlive(owner, db::AsText(r[1]))) continue;
    seen.insert(owner);
    out.push_back(DescribeWriter(owner, db::AsText(r[1])));
  }
  return out;
}

Status RecordRegistration(db::Database& db, const std::string& root,
                          const std::string& storage_uid, const std::string& owner) {
  Intent i = Intent::Make(kRegisterOp, 0, root, storage_uid);
  i.owner = owner;
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(RecordIntents(db, {i}));
  return tx.Commit();
}

Result<std::optional<std::string>> PendingRegistration(db::Database& db, const std::string& root) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows, db.Query("SELECT token FROM lamin_intent WHERE storage_id = 0 AND op = ? AND "
                              "key = ? ORDER BY id DESC",
                              {std::string(kRegisterOp), root}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(db::AsText(rows.rows[0][0]));
}

namespace {

// The intents of `op` that name no object (storage_id 0), oldest first.
Result<std::vector<Intent>> IntentsWithoutObject(db::Database& db, const char* op) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT id, key, token, owner, created_at FROM lamin_intent "
                                  "WHERE storage_id = 0 AND op = ? ORDER BY id",
                                  {std::string(op)}));
  std::vector<Intent> out;
  for (const auto& r : rows.rows) {
    Intent i = Intent::Make(op, 0, db::AsText(r[1]), db::AsText(r[2]));
    i.id = db::AsInt(r[0]);
    i.owner = db::AsText(r[3]);
    i.created_at = db::AsText(r[4]);
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace

Result<std::vector<Intent>> PendingRegistrations(db::Database& db) {
  return IntentsWithoutObject(db, kRegisterOp);
}

Status RecordRunLease(db::Database& db, const std::string& run_uid, const std::string& owner) {
  Intent i = Intent::Make(kRunOp, 0, run_uid, "run-" + run_uid);
  i.owner = owner;
  return RecordIntents(db, {i});
}

Status RemoveRunLease(db::Database& db, const std::string& run_uid) {
  return db
      .Execute("DELETE FROM lamin_intent WHERE storage_id = 0 AND op = ? AND key = ?",
               {std::string(kRunOp), run_uid})
      .status();
}

Result<std::vector<Intent>> RunLeases(db::Database& db) { return IntentsWithoutObject(db, kRunOp); }

bool RunOwnerMayBeAlive(const Intent& lease) {
  auto owner = ParseOwner(lease.owner);
  if (owner && owner->host != HostName()) return true;
  return OwnerMayBeAlive(lease.owner, lease.created_at);
}

Status RemoveRegistration(db::Database& db, const std::string& root) {
  return db
      .Execute("DELETE FROM lamin_intent WHERE storage_id = 0 AND op = ? AND key = ?",
               {std::string(kRegisterOp), root})
      .status();
}

Result<std::vector<Intent>> IntentsOf(db::Database& db, int64_t storage_id) {
  LAMIN_ASSIGN_OR_RETURN(
      db::Rows rows,
      db.Query("SELECT id, op, key, token, owner, created_at FROM lamin_intent WHERE "
               "storage_id = ? ORDER BY id",
               {storage_id}));
  std::vector<Intent> out;
  for (const auto& r : rows.rows) {
    Intent i = Intent::Make(db::AsText(r[1]), storage_id, db::AsText(r[2]), db::AsText(r[3]));
    i.id = db::AsInt(r[0]);
    i.owner = db::AsText(r[4]);
    i.created_at = db::AsText(r[5]);
    out.push_back(std::move(i));
  }
  return out;
}

Result<std::vector<int64_t>> StoragesWithIntents(db::Database& db) {
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT DISTINCT storage_id FROM lamin_intent WHERE storage_id != 0"));
  std::vector<int64_t> out;
  for (const auto& r : rows.rows) out.push_back(db::AsInt(r[0]));
  return out;
}

Status RecordIntents(db::Database& db, const std::vector<Intent>& intents) {
  // One statement per run of intents that differ only in their keys (a batch's are all alike),
  // the keys as one JSON array: 10,000 intents are one INSERT ... SELECT over the array, which
  // took half the time of 20 multi-row INSERTs of 500 (SQLite, timed from Python), and one round trip instead of 20
  // (PostgreSQL). The keys keep their order, and so their ids. PostgreSQL types the selected
  // parameters from their casts, not from the columns they go to.
  const bool pg = db.dialect() == db::Dialect::kPostgres;
  const std::string sql =
      pg ? "INSERT INTO lamin_intent (op, storage_id, key, token, owner, created_at) SELECT "
           "?::text, ?::bigint, k, ?::text, ?::text, ?::timestamptz FROM "
           "jsonb_array_elements_text(?::jsonb) AS k"
         : "INSERT INTO lamin_intent (op, storage_id, key, token, owner, created_at) SELECT ?, ?, "
           "value, ?, ?, ? FROM json_each(?)";
  const std::string now = util::NowUtcText();
  for (size_t begin = 0; begin < intents.size();) {
    const Intent& first = intents[begin];
    size_t end = begin + 1;
    while (end < intents.size() && intents[end].op == first.op &&
           intents[end].storage_id == first.storage_id && intents[end].token == first.token &&
           intents[end].owner == first.owner) {
      ++end;
    }
    std::vector<std::string> keys;
    keys.reserve(end - begin);
    for (size_t n = begin; n < end; ++n) keys.push_back(intents[n].key);
    LAMIN_RETURN_IF_ERROR(db.Execute(sql, {first.op, first.storage_id, first.token,
                                           first.owner.empty() ? ProcessOwner() : first.owner,
                                           now, util::JsonStringArray(keys)})
                              .status());
    begin = end;
  }
  return Status::OK();
}

Status RemoveIntents(db::Database& db, const std::string& token) {
  return db.Execute("DELETE FROM lamin_intent WHERE token = ?", {token}).status();
}

Status RemoveIntentsExcept(db::Database& db, const std::string& token,
                           const std::set<std::string>& keep) {
  if (keep.empty()) return RemoveIntents(db, token);
  LAMIN_ASSIGN_OR_RETURN(db::Rows rows,
                         db.Query("SELECT id, key FROM lamin_intent WHERE token = ?", {token}));
  for (const auto& r : rows.rows) {
    if (keep.count(db::AsText(r[1]))) continue;
    LAMIN_RETURN_IF_ERROR(
        db.Execute("DELETE FROM lamin_intent WHERE id = ?", {db::AsInt(r[0])}).status());
  }
  return Status::OK();
}

Status ClaimKeys(db::Database& db, ObjectStore& store, int64_t storage_id,
                 const std::string& owner, const std::vector<Intent>& intents, bool* busy) {
  if (intents.empty()) return Status::OK();
  bool dead_holder = false;
  {
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    LAMIN_ASSIGN_OR_RETURN(
        db::Rows held,
        db.Query("SELECT key, owner, created_at FROM lamin_intent WHERE storage_id = ? AND "
                 "op = 'put'",
                 {storage_id}));
    std::set<std::string> wanted;  // only when someone holds keys (usually no one does)
    if (!held.rows.empty()) {
      for (const Intent& i : intents) wanted.insert(i.key);
    }
    std::map<std::string, bool> holder_alive;  // key -> whether its holder may still run
    for (const auto& r : held.rows) {
      std::string key = db::AsText(r[0]);
      if (!wanted.count(key)) continue;  // liveness costs a /proc read: only for our keys
      // This session's own leftovers (a failed call's intents) are not waited for.
      std::string holder = db::AsText(r[1]);
      holder_alive[key] |= holder != owner && OwnerMayBeAlive(holder, db::AsText(r[2]));
    }
    for (const Intent& i : intents) {
      auto h = holder_alive.find(i.key);
      if (h == holder_alive.end()) continue;
      if (h->second) {
        *busy = true;
        return Status::Aborted("another writer is saving '" + i.key + "' right now");
      }
      dead_holder = true;
    }
    if (!dead_holder) {
      LAMIN_RETURN_IF_ERROR(RecordIntents(db, intents));
      return tx.Commit();
    }
  }
  LAMIN_ASSIGN_OR_RETURN(auto recovered,
                         Recover(db, store, storage_id, owner, false));
  if (!recovered.errors.empty()) {
    return Status::IOError(
        "a writer that died left work on one of the keys, and recovery "
        "failed: " +
        recovered.errors.front());
  }
  return Status::Aborted("a writer that died held one of the keys; recovered");
}

Status RemoveIntentsDurably(db::Database& db, const std::string& token) {
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  LAMIN_RETURN_IF_ERROR(RemoveIntents(db, token));
  return tx.Commit();
}

Result<RecoveryReport> Recover(db::Database& db, ObjectStore& store, int64_t storage_id,
                               const std::string& own_session, bool force) {
  // Under the write lock: no writer commits a row or claims a key between the ownership checks
  // and the removals, and two recoveries of the same intents take turns. The objects go first,
  // durably, then the intents, in this one transaction: a crash in between leaves intents whose
  // objects are gone, which a later recovery finishes (every step is idempotent).
  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  RecoveryReport report;
  LAMIN_ASSIGN_OR_RETURN(std::vector<Intent> all, IntentsOf(db, storage_id));
  std::vector<Intent> intents;
  std::set<std::string> live_keys;  // keys a live writer is about to create or remove
  for (Intent& i : all) {
    ++report.intents_seen;
    bool stale = force || i.owner == own_session || !OwnerMayBeAlive(i.owner, i.created_at);
    if (stale) {
      intents.push_back(std::move(i));
    } else {
      live_keys.insert(i.key);
      ++report.skipped_alive;
    }
  }
  std::vector<const Intent*> checking;  // intents whose object a committed row may own
  for (const Intent& i : intents) {
    if (live_keys.count(i.key)) {
      // Another writer that is still running has an intent for the same key (it planned the same
      // version uid): the object there may be its own, not yet committed. Its staging copy is
      // this writer's alone; the object waits for a later recovery.
      if (i.op == "put") (void)store.DiscardLeftovers(i.key, i.token);
      ++report.skipped_alive;
      continue;
    }
    if (i.op == "put") {
      if (Status undone = store.DiscardLeftovers(i.key, i.token); !undone.ok()) {
        report.errors.push_back("cannot recover '" + i.key + "': " + undone.ToString());
        continue;
      }
    }
    checking.push_back(&i);
  }
  std::vector<std::string> keys;
  for (const Intent* i : checking) keys.push_back(i->key);
  LAMIN_ASSIGN_OR_RETURN(std::set<std::string> owned,
                         registry::OwnedObjects(db, storage_id, keys));
  std::vector<const Intent*> done;      // intents whose work is finished or undone
  std::vector<const Intent*> removing;  // ... once their object is removed
  std::vector<std::string> unowned;     // the keys of `removing`
  for (const Intent* i : checking) {
    // A committed row owns the object (the delete's transaction did not commit): it stays.
    if (owned.count(i->key)) {
      done.push_back(i);
    } else {
      removing.push_back(i);
      unowned.push_back(i->key);
    }
  }
  std::vector<Status> removed = store.DeleteMany(unowned);
  for (size_t k = 0; k < removing.size(); ++k) {
    if (removed[k].ok()) {
      done.push_back(removing[k]);
    } else {
      report.errors.push_back("cannot recover '" + unowned[k] + "': " + removed[k].ToString());
    }
  }
  nlohmann::json ids = nlohmann::json::array();
  for (const Intent* i : done) ids.push_back(i->id);
  LAMIN_RETURN_IF_ERROR(db.Execute("DELETE FROM lamin_intent WHERE " +
                                       registry::InJsonArray(db.dialect(), "id", true),
                                   {ids.dump()})
                            .status());
  LAMIN_RETURN_IF_ERROR(tx.Commit());
  for (const Intent* i : done) (i->op == "put" ? report.puts_undone : report.deletes_done)++;
  return report;
}

}  // namespace lamin::core
