// The journal of intents (table lamin_intent): what a writer is about to do to storage, recorded
// before it does it, so that a crash at any instant leaves a trail that recovery can follow.
// Every statement on lamin_intent is in this module (journal.cc).
//
//   put       an object is about to be written at `key` (staging name from `token`). The commit
//             that inserts its row removes the intent in the same transaction.
//   delete    an object is to be removed after its row was deleted (same transaction as the
//             intent). The intent is removed once the object is gone.
//   register  a storage location is being registered (see RecordRegistration).
//
// The life of a put intent (a save, core/save.h):
//
//   (none) --ClaimKeys--> claimed --stage/publish--> published --commit--> (none)
//                            |                           |
//                            +------- failure: Discard objects, RemoveIntents --> (none)
//                            +------- crash: the writer is gone --Recover--> (none)
//   Recover of a dead writer's put: remove its staging copy, and its object unless a committed
//   row owns it (or a live writer holds the same key: then later).
//   A delete intent: (none) --row deleted + intent, one transaction--> pending --object removed
//   --> (none); Recover finishes what a crash interrupted.
//
// An intent belongs to its owner ("host:pid:start-time:session"). Recovery handles only intents
// whose owner is gone (same host, process no longer alive with that start time; a reused pid is
// another process) or, for another host, older than the lease; a live writer's intents are
// never taken for a dead one's.
//
// The invariants the journal keeps, with the save protocol (written once here; docs/acid.md and
// the tests refer to them by number):
//   I1 every committed row points to a complete object whose size and hash match the row;
//   I2 every object under .lamindb/ belongs to a committed row or to an open intent;
//   I3 a batch is all-or-nothing by default (keep_successful keeps what was written);
//   I4 a permanent delete removes the row and records its delete intent in one transaction;
//      recovery finishes what a crash interrupted;
//   I5 writers saving the same content concurrently end with one row (unique indexes decide;
//      the loser removes its own object), and one writer at a time holds a key (ClaimKeys).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/object_store.h"

namespace lamin::core {

struct Intent {
  int64_t id = 0;
  std::string op;  // "put" or "delete"
  int64_t storage_id = 0;
  std::string key;
  std::string token;
  std::string owner;
  std::string created_at;

  static Intent Make(std::string op, int64_t storage_id, std::string key, std::string token) {
    Intent i;
    i.op = std::move(op);
    i.storage_id = storage_id;
    i.key = std::move(key);
    i.token = std::move(token);
    return i;
  }
};

// This process's owner string ("host:pid:start-time").
const std::string& ProcessOwner();
// A writer session: an owner string (ProcessOwner() plus a random suffix) registered as live in
// this process until the session is destroyed, so that an instance closed after a failed call
// leaves intents that recovery may take, even while its process goes on.
class WriterSession {
 public:
  WriterSession();
  ~WriterSession();
  WriterSession(const WriterSession&) = delete;
  WriterSession& operator=(const WriterSession&) = delete;
  const std::string& owner() const { return owner_; }

 private:
  std::string owner_;
};
// Whether the writer named by `owner` may still be running: in this process, while its session
// is open; on this host, while its process lives (same pid and start time); on other hosts,
// until the lease runs out.
bool OwnerMayBeAlive(const std::string& owner, const std::string& created_at);

// For messages: the writer named by `owner` ("process 123 on this host"; on another host, also
// when its intents are taken for dead).
std::string DescribeWriter(const std::string& owner, const std::string& created_at);

// The writers with open intents that may still be running, described for messages.
// REQUIRES: the journal table exists.
Result<std::vector<std::string>> LiveWriters(db::Database& db);

// A storage location being registered (`lamin storage add`): recorded before its marker is
// written, removed in the transaction that inserts its row. It names no object of a store: it
// is kept at storage_id 0, with the location's root as key and its storage uid as token, and it
// is what lets a later add of the same root adopt a marker that an interrupted add wrote.
inline constexpr const char* kRegisterOp = "register";
// Records that `root` is being registered as storage `storage_uid`, in a transaction of its own.
Status RecordRegistration(db::Database& db, const std::string& root,
                          const std::string& storage_uid, const std::string& owner);
// The storage uid of a registration of `root` that did not finish, if any.
Result<std::optional<std::string>> PendingRegistration(db::Database& db, const std::string& root);
// Every registration that did not finish (for fsck).
Result<std::vector<Intent>> PendingRegistrations(db::Database& db);
// Removes the registration of `root`. REQUIRES: inside the caller's transaction.
Status RemoveRegistration(db::Database& db, const std::string& root);

// A run carried by a process (`lamin run`, a RunScope): its lease is recorded in the transaction
// that inserts the run and removed in the one that ends it. It names no object: it is kept at
// storage_id 0, with the run's uid as key. A lease whose owner is gone is a run killed before it
// could end: recovery marks it aborted (core/dead_runs.h). Runs carried by a shell session
// (`lamin track`) or by Python have no lease and are never ended by recovery.
inline constexpr const char* kRunOp = "run";
// REQUIRES: inside the caller's transaction.
Status RecordRunLease(db::Database& db, const std::string& run_uid, const std::string& owner);
// REQUIRES: inside the caller's transaction.
Status RemoveRunLease(db::Database& db, const std::string& run_uid);
Result<std::vector<Intent>> RunLeases(db::Database& db);
// Whether the process carrying a run may still run. Unlike a write, a run on another host is
// never taken for dead: a pipeline may run for days, and no lease length tells a slow one from
// a crashed one.
bool RunOwnerMayBeAlive(const Intent& lease);

// The storage locations that have intents for objects. REQUIRES: the journal table exists.
Result<std::vector<int64_t>> StoragesWithIntents(db::Database& db);

// Inserts intents with their `owner`. REQUIRES: inside the caller's transaction.
Status RecordIntents(db::Database& db, const std::vector<Intent>& intents);
// Removes the intents of one batch token. REQUIRES: inside the caller's transaction.
Status RemoveIntents(db::Database& db, const std::string& token);
// Removes the intents of `token` except those for the keys in `keep` (objects that could not be
// removed: recovery retries them). REQUIRES: inside the caller's transaction.
Status RemoveIntentsExcept(db::Database& db, const std::string& token,
                           const std::set<std::string>& keep);
// Records the batch's put intents, in one transaction that also checks that no other writer
// holds an intent for one of the keys (two writers can plan the same next version of a key).
// Writers are serialised there (BEGIN IMMEDIATE, or PostgreSQL's advisory lock), so the check
// admits one writer per key (I5): a store that stages at the key itself (S3) relies on it so
// that a loser never overwrites, nor later discards, the winner's object.
// Result: Aborted on a clash, with `busy` set when the holder may still run (the caller waits
// for it); a holder that died is recovered first, so that planning anew can succeed.
Status ClaimKeys(db::Database& db, ObjectStore& store, int64_t storage_id,
                 const std::string& owner, const std::vector<Intent>& intents, bool* busy);
// The intents of `storage_id`, oldest first.
Result<std::vector<Intent>> IntentsOf(db::Database& db, int64_t storage_id);
// Removes a batch's intents in a transaction of its own.
Status RemoveIntentsDurably(db::Database& db, const std::string& token);

struct RecoveryReport {
  int intents_seen = 0;
  int puts_undone = 0;    // staging leftovers or uncommitted objects removed
  int deletes_done = 0;   // objects of deleted rows removed
  int skipped_alive = 0;  // intents of writers that may still run
  std::vector<std::string> errors;
};

// Finishes or undoes the work of dead writers on `storage_id` (see the table comment), and of
// `own_session`, whose caller has no operation in flight. `force` treats every intent as stale
// (for a repair when no other writer runs). One transaction under the write lock, so the caller
// must not be in one; an object that cannot be removed keeps its intent (report.errors).
Result<RecoveryReport> Recover(db::Database& db, ObjectStore& store, int64_t storage_id,
                               const std::string& own_session, bool force);

}  // namespace lamin::core
