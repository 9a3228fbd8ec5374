#include "core/register.h"

#include <map>
#include <set>

#include "hash/content_hash.h"
#include "registry/artifacts.h"
#include "storage/keys.h"
#include "util/encoding.h"

namespace lamin::core {

namespace {

struct Found {
  RegisterRequest request;
  ObjectInfo info;
  hash::ContentHash hash;
};

Result<Found> Inspect(ObjectStore& store, const RegisterRequest& r) {
  // The same rules as a key given by hand: a file name with a newline must not become a key.
  LAMIN_RETURN_IF_ERROR(
      storage::ValidateArtifactKey(r.key).WithContext("cannot register '" +
                                                      util::EscapeControl(r.url) + "' in place"));
  LAMIN_ASSIGN_OR_RETURN(auto info, store.Stat(r.key));
  if (!info) return Status::NotFound("nothing to register at '" + r.url + "': no such object");
  if (info->is_folder && !store.Capabilities().local) {
    return Status::InvalidArgument("'" + r.url +
                                   "' is a folder (prefix): only single objects are registered "
                                   "in place on S3");
  }
  Found f{r, *info, {}};
  if (info->is_folder) {
    LAMIN_ASSIGN_OR_RETURN(auto local, store.LocalPath(r.key, {}));
    LAMIN_ASSIGN_OR_RETURN(f.hash, hash::HashPath(local));
  } else if (!info->etag.empty()) {
    auto h = hash::HashFromEtag(info->etag);
    if (!h.ok()) return h.status().WithContext("cannot register '" + r.url + "'");
    f.hash = *h;
  } else {
    LAMIN_ASSIGN_OR_RETURN(auto local, store.LocalPath(r.key, {}));
    LAMIN_ASSIGN_OR_RETURN(f.hash, hash::HashFile(local));
  }
  return f;
}

}  // namespace

Result<SaveReport> RegisterBatch(db::Database& db, const StorageTarget& target,
                                 const std::vector<RegisterRequest>& requests,
                                 std::optional<int64_t> run_id) {
  if (requests.empty()) return Status::InvalidArgument("nothing to register");
  std::vector<Found> found;
  std::set<std::string> keys_seen;
  for (const auto& r : requests) {
    if (!keys_seen.insert(r.key).second) {
      return Status::InvalidArgument("'" + r.url + "' appears twice in one call");
    }
    LAMIN_ASSIGN_OR_RETURN(Found f, Inspect(*target.store, r));
    found.push_back(std::move(f));
  }

  db::Transaction tx(db);
  LAMIN_RETURN_IF_ERROR(tx.Begin());
  std::vector<std::string> hashes, keys;
  for (const auto& f : found) {
    hashes.push_back(f.hash.hash);
    keys.push_back(f.request.key);
  }
  LAMIN_ASSIGN_OR_RETURN(auto existing_rows, registry::FindByHashes(db, target.storage_id, hashes));
  std::map<std::string, Artifact> existing;
  for (auto& a : existing_rows) existing.emplace(*a.hash, std::move(a));
  LAMIN_ASSIGN_OR_RETURN(auto families, registry::FindKeyFamilies(db, target.storage_id, keys));
  std::map<std::string, std::string> max_uid;
  std::map<std::string, Artifact> latest;  // key -> its latest version
  for (auto& fam : families) {
    max_uid[*fam.latest.key] = fam.max_uid;
    latest.emplace(*fam.latest.key, fam.latest);
  }

  SaveReport report;
  std::vector<registry::NewArtifact> rows;
  std::vector<size_t> row_of;  // index into report.saved
  for (const auto& f : found) {
    SaveOutcome out;
    out.path = f.request.url;
    if (auto e = existing.find(f.hash.hash); e != existing.end()) {
      out.artifact = e->second;
      out.existed = true;
      if (run_id) {
        LAMIN_RETURN_IF_ERROR(registry::LinkRecreatingRun(db, out.artifact, *run_id));
        LAMIN_ASSIGN_OR_RETURN(auto fresh, registry::FindById(db, out.artifact.id));
        if (fresh) out.artifact = *fresh;
      }
      report.saved.push_back(std::move(out));
      continue;
    }
    std::string uid;
    if (auto m = max_uid.find(f.request.key); m != max_uid.end()) {
      LAMIN_ASSIGN_OR_RETURN(std::string counter, util::IncrementBase62(m->second.substr(16, 4)));
      uid = m->second.substr(0, 16) + counter;
      out.new_version = true;
      if (const Artifact& previous = latest.at(f.request.key);
          previous.StorageKey() == f.request.key) {
        // The object is the previous version's: its content changed where it lies, and the
        // bytes the older row describes are gone. LaminDB does the same with a real key; here
        // it is said, and fsck and load treat the older versions as overwritten.
        out.warnings.push_back("'" + f.request.url + "' changed in place since it was saved as " +
                               previous.uid + ": the new version " + uid +
                               " describes it now, and the data of the older versions is gone "
                               "(to keep every version's data, save a copy from outside the "
                               "storage location with --key " +
                               f.request.key + ")");
      }
    } else {
      uid = util::RandomBase62(16) + "0000";
    }
    registry::NewArtifact row;
    row.uid = uid;
    row.key = f.request.key;
    row.description = f.request.description;
    row.suffix = ExtractSuffix(f.request.key);
    row.size = static_cast<int64_t>(f.info.size);
    row.hash = f.hash.hash;
    row.hash_type = f.hash.hash_type;
    row.storage_id = target.storage_id;
    row.created_by_id = target.user_id;
    row.key_is_virtual = false;
    row.run_id = run_id;
    if (f.info.is_folder) row.n_files = static_cast<int64_t>(f.info.n_files);
    rows.push_back(std::move(row));
    row_of.push_back(report.saved.size());
    report.saved.push_back(std::move(out));
  }
  if (!rows.empty()) {
    auto inserted = registry::InsertArtifacts(db, rows);
    if (!inserted.ok()) {
      // A concurrent writer registered the same object or version first: the caller may retry.
      if (inserted.status().code() == StatusCode::kAlreadyExists) {
        return Status::Aborted("another writer registered the same object: " +
                               inserted.status().message());
      }
      return inserted.status().WithContext("nothing was registered");
    }
    for (size_t i = 0; i < rows.size(); ++i) report.saved[row_of[i]].artifact = (*inserted)[i];
  }
  LAMIN_RETURN_IF_ERROR(tx.Commit());
  return report;
}

}  // namespace lamin::core
