#include "core/fsck.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <map>
#include <set>

#include "core/journal.h"
#include "core/verify.h"
#include "hash/content_hash.h"
#include "registry/artifacts.h"
#include "schema/table_def.h"
#include "storage/layout.h"
#include "util/fs.h"

namespace lamin::core {
namespace {

namespace fs = std::filesystem;

class Checker {
 public:
  Checker(db::Database& db, ObjectStore& store, int64_t storage_id, std::string own_session,
          const schema::SchemaState& schema, const FsckOptions& options)
      : db_(db),
        store_(store),
        storage_id_(storage_id),
        own_session_(std::move(own_session)),
        schema_(schema),
        options_(options) {}

  Result<FsckReport> Run() {
    LAMIN_RETURN_IF_ERROR(CheckIntents());
    LAMIN_ASSIGN_OR_RETURN(std::vector<Artifact> rows, AllRows());
    LAMIN_RETURN_IF_ERROR(CheckObjects(rows));
    LAMIN_RETURN_IF_ERROR(CheckOrphans(rows));
    LAMIN_RETURN_IF_ERROR(CheckLatest());
    LAMIN_RETURN_IF_ERROR(CheckReferences());
    LAMIN_RETURN_IF_ERROR(CheckDuplicates());
    return report_;
  }

 private:
  void Add(std::string kind, std::string uid, std::string path, std::string message,
           bool repaired = false, bool warning = false) {
    report_.problems.push_back(
        {std::move(kind), std::move(uid), std::move(path), std::move(message), warning, repaired});
  }
  std::string PathOf(const std::string& key) { return store_.Location(key); }

  // Interrupted writes: intents of writers that are gone. Repair runs recovery on them; the
  // intents of live writers protect their objects from the orphan check.
  Status CheckIntents() {
    if (!schema_.has_journal) return Status::OK();
    LAMIN_ASSIGN_OR_RETURN(std::vector<Intent> intents, IntentsOf(db_, storage_id_));
    std::vector<Intent> stale;
    std::map<std::string, std::pair<int, std::string>> pending;  // owner -> (intents, oldest)
    for (auto& i : intents) {
      if (i.owner != own_session_ && OwnerMayBeAlive(i.owner, i.created_at)) {
        live_keys_.insert(i.key);
        live_tokens_.insert(i.token);
        ++report_.open_intents;
        auto& [count, oldest] = pending[i.owner];
        ++count;
        if (oldest.empty() || i.created_at < oldest) oldest = i.created_at;
      } else {
        stale.push_back(std::move(i));
      }
    }
    // What waits on a writer that may still run is not damage, but it holds storage: say so.
    for (const auto& [owner, entry] : pending) {
      Add("pending_write", "", "lamin_intent",
          fmt::format("{} write(s) by {} started at {} UTC are still open: their objects are "
                      "kept until that writer finishes or is known to be gone",
                      entry.first, DescribeWriter(owner, entry.second), entry.second),
          false, /*warning=*/true);
    }
    if (stale.empty()) return Status::OK();
    bool repaired = false;
    std::string failure;
    if (options_.repair) {
      LAMIN_ASSIGN_OR_RETURN(auto rec, Recover(db_, store_, storage_id_, own_session_, false));
      repaired = rec.errors.empty();
      if (!repaired) failure = rec.errors.front();
    }
    for (const auto& i : stale) {
      Add("interrupted_write", "", PathOf(i.key),
          fmt::format("a '{}' of this object by {} did not finish{}", i.op, i.owner,
                      repaired ? "; recovery finished or undid it"
                               : (failure.empty() ? "" : "; recovery failed: " + failure)),
          repaired);
    }
    return Status::OK();
  }

  Result<std::vector<Artifact>> AllRows() {
    Query q;
    q.filters = {{"storage_id", "exact", std::to_string(storage_id_)},
                 {"branch_id", "gte", std::to_string(kBranchTrash)}};
    q.order_by = {"uid"};
    return registry::QueryArtifacts(db_, q);
  }

  // I1: every row's object exists with the row's size (and hash), for every version. Versions
  // that share one object (folders that Python LaminDB saved with _overwrite_versions, a file
  // registered in place and saved again after it changed) hold the newest version's data: the
  // older ones are reported, as their own data is gone, and the newest is compared.
  Status CheckObjects(const std::vector<Artifact>& rows) {
    std::map<std::string, const Artifact*> newest_per_object;
    for (const auto& a : rows) {
      auto& slot = newest_per_object[a.StorageKey()];
      if (!slot || a.uid > slot->uid) slot = &a;
    }
    for (const auto& a : rows) {
      ++report_.artifacts_checked;
      std::string key = a.StorageKey();
      std::string path = PathOf(key);
      LAMIN_ASSIGN_OR_RETURN(auto info, store_.Stat(key));
      if (!info) {
        Add("missing_object", a.uid, path, "the artifact's data is missing (not repairable)");
        continue;
      }
      if (const Artifact* newest = newest_per_object[key]; newest != &a) {
        Add("overwritten_version", a.uid, path,
            fmt::format("version {} shares this object with the newer version {}, whose data "
                        "replaced it: this version's own data is gone",
                        a.uid, newest->uid),
            false, /*warning=*/true);
        continue;
      }
      if (a.size && static_cast<uint64_t>(*a.size) != info->size) {
        Add("size_mismatch", a.uid, path,
            fmt::format("the data has {} bytes, the row says {} (not repairable)", info->size,
                        *a.size));
        continue;
      }
      if (a.n_files && info->is_folder && static_cast<uint64_t>(*a.n_files) != info->n_files) {
        Add("size_mismatch", a.uid, path,
            fmt::format("the folder has {} files, the row says {} (not repairable)", info->n_files,
                        *a.n_files));
        continue;
      }
      if (options_.deep && a.hash) {
        std::string seen;
        Status verdict = VerifyStored(key, a, &seen);
        if (!verdict.ok() && verdict.code() != StatusCode::kCorruption) return verdict;
        if (verdict.code() == StatusCode::kCorruption) {
          Add("hash_mismatch", a.uid, path,
              fmt::format("the data's hash is {}, the row says {}: the content changed (not "
                          "repairable)",
                          seen.empty() ? "different" : seen, *a.hash));
        }
      }
    }
    return Status::OK();
  }

  // Compares the stored bytes themselves with the row: a local object where it lies, a remote
  // one downloaded afresh into a scratch folder (a cached copy shows what was fetched once, not
  // what the bucket holds now). Result: Corruption when they differ.
  Status VerifyStored(const std::string& key, const Artifact& a, std::string* seen) {
    if (store_.Capabilities().local) {
      LAMIN_ASSIGN_OR_RETURN(fs::path local, store_.LocalPath(key, {}));
      return VerifyCopy(local, a, seen);
    }
    std::string tmpl = (fs::temp_directory_path() / "lamin-fsck-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return util::ErrnoStatus(errno, "cannot create", tmpl);
    fs::path scratch = tmpl;
    Status downloaded = store_.Download(key, scratch / "copy");
    Status verdict = downloaded.ok() ? VerifyCopy(scratch / "copy", a, seen) : Status::OK();
    std::error_code ec;
    fs::remove_all(scratch, ec);
    LAMIN_RETURN_IF_ERROR(downloaded);
    return verdict;
  }

  // I2: every object under .lamindb/ belongs to a row or to a live writer's intent. Only names
  // that lamin writes (storage/layout.h) are ever removed; anything else there is reported and
  // left alone, since it is not lamin's to delete.
  Status CheckOrphans(const std::vector<Artifact>& rows) {
    std::set<std::string> owned;
    for (const auto& a : rows) owned.insert(a.StorageKey());
    LAMIN_ASSIGN_OR_RETURN(auto entries, store_.List(storage::kManagedDir));
    for (const auto& e : entries) {
      std::string name = e.key.substr(e.key.rfind('/') + 1);
      std::string token;
      storage::ManagedEntry kind = storage::ClassifyManagedEntry(name, &token);
      if (kind == storage::ManagedEntry::kInstanceFile) continue;
      if (kind == storage::ManagedEntry::kForeign) {
        Add("foreign_entry", "", PathOf(e.key),
            "not a name lamin writes: left alone (move it out of .lamindb/ to keep the folder "
            "lamin's own)",
            false, /*warning=*/true);
        continue;
      }
      ++report_.objects_seen;
      if (owned.count(e.key) || live_keys_.count(e.key)) continue;
      if (kind == storage::ManagedEntry::kStaging && live_tokens_.count(token)) continue;
      bool repaired = options_.repair && store_.Delete(e.key).ok();
      std::string what = kind == storage::ManagedEntry::kObject
                             ? "an object that no artifact owns"
                         : kind == storage::ManagedEntry::kStaging
                             ? "a temporary copy of an interrupted write"
                             : "the database of an interrupted lamin init";
      Add(kind == storage::ManagedEntry::kObject ? "orphan_object" : "leftover_temp", "",
          PathOf(e.key), what + std::string(repaired ? "; removed" : ""), repaired);
    }
    return Status::OK();
  }

  // Exactly one latest version per family outside the trash.
  Status CheckLatest() {
    LAMIN_ASSIGN_OR_RETURN(
        db::Rows rows,
        db_.Query("SELECT substr(uid, 1, 16), sum(CASE WHEN is_latest THEN 1 ELSE 0 END) FROM "
                  "lamindb_artifact WHERE storage_id = ? AND branch_id != ? GROUP BY "
                  "substr(uid, 1, 16) HAVING sum(CASE WHEN is_latest THEN 1 ELSE 0 END) != 1",
                  {storage_id_, int64_t{kBranchTrash}}));
    for (const auto& r : rows.rows) {
      std::string stem = db::AsText(r[0]);
      bool repaired = options_.repair && registry::RecomputeLatest(db_, stem).ok();
      Add("latest_count", stem, "lamindb_artifact",
          fmt::format("{} versions of family {} are marked latest{}", db::AsInt(r[1]), stem,
                      repaired ? "; the newest is now the only latest" : ""),
          repaired);
    }
    return Status::OK();
  }

  // No row refers to a row that does not exist (every foreign key of the LaminDB tables).
  Status CheckReferences() {
    LAMIN_ASSIGN_OR_RETURN(const std::set<std::string> tables, schema::ListTables(db_));
    for (const auto& t : schema::LamindbTables()) {
      if (!tables.count(t.name)) continue;  // e.g. bionty's, on an instance without it
      for (const auto& c : t.columns) {
        if (c.kind != schema::ColumnKind::kForeignKey || !tables.count(c.references)) {
          continue;
        }
        std::string where =
            fmt::format("\"{}\" IS NOT NULL AND \"{}\" NOT IN (SELECT id FROM \"{}\")", c.name,
                        c.name, c.references);
        LAMIN_ASSIGN_OR_RETURN(
            db::Rows n,
            db_.Query(fmt::format("SELECT count(*) FROM \"{}\" WHERE {}", t.name, where)));
        int64_t count = db::AsInt(n.rows.at(0).at(0));
        if (count == 0) continue;
        bool repaired = false;
        if (options_.repair) {
          std::string fix =
              c.nullable()
                  ? fmt::format("UPDATE \"{}\" SET \"{}\" = NULL WHERE {}", t.name, c.name, where)
                  : fmt::format("DELETE FROM \"{}\" WHERE {}", t.name, where);
          repaired = db_.Execute(fix).ok();
        }
        Add("dangling_reference", "", t.name + "." + c.name,
            fmt::format("{} rows refer to missing rows of {}{}", count, c.references,
                        repaired ? (c.nullable() ? "; cleared" : "; deleted") : ""),
            repaired);
      }
    }
    return Status::OK();
  }

  // I5: the same content should be one artifact. Python LaminDB can make such rows on purpose,
  // so this is a warning.
  Status CheckDuplicates() {
    LAMIN_ASSIGN_OR_RETURN(
        db::Rows rows,
        db_.Query("SELECT hash, count(*) FROM lamindb_artifact WHERE storage_id = ? AND hash IS "
                  "NOT NULL GROUP BY hash HAVING count(*) > 1",
                  {storage_id_}));
    for (const auto& r : rows.rows) {
      Add("duplicate_content", "", "lamindb_artifact",
          fmt::format("{} artifacts have the same content (hash {})", db::AsInt(r[1]),
                      db::AsText(r[0])),
          false, /*warning=*/true);
    }
    return Status::OK();
  }

  db::Database& db_;
  ObjectStore& store_;
  int64_t storage_id_;
  std::string own_session_;
  const schema::SchemaState& schema_;
  FsckOptions options_;
  FsckReport report_;
  std::set<std::string> live_keys_;
  std::set<std::string> live_tokens_;
};

}  // namespace

Result<FsckReport> Fsck(db::Database& db, ObjectStore& store, int64_t storage_id,
                        const std::string& own_session, const schema::SchemaState& schema,
                        const FsckOptions& options) {
  return Checker(db, store, storage_id, own_session, schema, options).Run();
}

}  // namespace lamin::core
