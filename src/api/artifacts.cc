// The artifacts capability: save (copy in, or register in place), get, list, load, delete and
// restore, each delegating to the core protocols with the instance's database and stores.
#include <filesystem>

#include "api/modules.h"
#include "core/register.h"
#include "core/remove.h"
#include "core/save.h"
#include "core/verify.h"
#include "instance/locations.h"
#include "registry/artifacts.h"
#include "storage/layout.h"
#include "storage/s3_client.h"
#include "util/fs.h"

namespace lamin::api {
namespace {

namespace fs = std::filesystem;

// The S3 location whose root holds `url` (the longest match), and the key below it.
Result<std::pair<registry::StorageRow, std::string>> LocateUrl(
    const std::vector<registry::StorageRow>& storages, const std::string& url) {
  LAMIN_ASSIGN_OR_RETURN(auto target, storage::S3Location::Parse(url));
  const registry::StorageRow* best = nullptr;
  size_t best_len = 0;
  for (const auto& row : storages) {
    if (!instance::IsS3Url(row.root)) continue;
    auto root = storage::S3Location::Parse(row.root);
    if (!root.ok() || root->bucket != target.bucket) continue;
    if (!root->prefix.empty() && target.prefix.rfind(root->prefix + "/", 0) != 0) continue;
    if (!best || root->prefix.size() >= best_len) {
      best = &row;
      best_len = root->prefix.size();
    }
  }
  if (!best) {
    return Status::NotFound("'" + url +
                            "' is not inside a storage location of this instance: register its "
                            "bucket or prefix first (lamin storage add s3://" +
                            target.bucket + "/PREFIX)");
  }
  std::string key = best_len ? target.prefix.substr(best_len + 1) : target.prefix;
  if (key.empty()) {
    return Status::InvalidArgument("'" + url + "' names a storage root, not an object");
  }
  return std::make_pair(*best, key);
}

class ArtifactsModule final : public Artifacts {
 public:
  explicit ArtifactsModule(Context& ctx) : ctx_(ctx) {}

  Result<SaveReport> Save(const std::vector<SaveRequest>& requests,
                          const SaveOptions& options) override {
    // URLs, and paths inside a registered local location, are registered in place; other
    // paths are copied into storage. One call does one or the other.
    size_t in_place = 0;
    std::error_code cwd_error;
    const fs::path cwd = fs::current_path(cwd_error);  // once, not once a path
    for (const auto& r : requests) in_place += IsInPlace(r.path, cwd);
    if (in_place > 0 && in_place < requests.size()) {
      return Status::InvalidArgument(
          "save objects already in a storage location (s3:// URLs, paths inside a registered "
          "folder) and other paths in separate calls: the first are registered in place, the "
          "others copied");
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    if (in_place > 0) return Register(requests, options.storage, options.run_id);
    int64_t storage_id = ctx_.default_storage_id();
    if (!options.storage.empty()) {
      LAMIN_ASSIGN_OR_RETURN(storage_id, ctx_.WritableStorage(options.storage));
    }
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, ctx_.Target(storage_id));
    return core::SaveBatch(ctx_.db(), target, requests, options);
  }

  Result<Artifact> Get(const ArtifactRef& ref) override {
    return registry::Resolve(ctx_.db(), ref);
  }

  Result<std::vector<Artifact>> List(const Query& query) override {
    return registry::QueryArtifacts(ctx_.db(), query);
  }

  Result<fs::path> Load(const ArtifactRef& ref) override {
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(ctx_.db(), ref));
    return LoadArtifactData(ctx_, a);
  }

  Result<Artifact> Delete(const ArtifactRef& ref, bool permanent) override {
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    LAMIN_ASSIGN_OR_RETURN(Artifact a, registry::Resolve(ctx_.db(), ref));
    if (!permanent) {
      LAMIN_RETURN_IF_ERROR(core::TrashArtifact(ctx_.db(), a));
      return a;
    }
    LAMIN_ASSIGN_OR_RETURN(const registry::StorageRow* row, ctx_.Row(a.storage_id));
    if (row->instance_uid != ctx_.InstanceUid()) {
      return Status::InvalidArgument("artifact " + a.uid + " lives in storage '" + row->root +
                                     "', which belongs to another instance: it is read-only here");
    }
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, ctx_.Target(a.storage_id));
    LAMIN_ASSIGN_OR_RETURN(const std::set<std::string>* tables, ctx_.Tables());
    LAMIN_RETURN_IF_ERROR(core::DeletePermanently(ctx_.db(), target, a, *tables));
    return a;
  }

  Result<Artifact> Restore(const ArtifactRef& ref) override {
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    Artifact a;
    if (ref.key) {
      // By key: the newest version of that key in the trash.
      Query trashed{{{"key", "exact", *ref.key}, {"branch_id", "exact", std::to_string(kBranchTrash)}},
                    {"-uid"},
                    1};
      LAMIN_ASSIGN_OR_RETURN(auto rows, registry::QueryArtifacts(ctx_.db(), trashed));
      if (rows.empty()) {
        if (auto live = registry::Resolve(ctx_.db(), ref); live.ok()) {
          return Status::InvalidArgument("artifact " + live->uid + " (key '" + *ref.key +
                                         "') is not in the trash: nothing to restore");
        }
        return Status::NotFound("no artifact with key '" + *ref.key + "' in the trash");
      }
      a = rows[0];
    } else {
      LAMIN_ASSIGN_OR_RETURN(a, registry::Resolve(ctx_.db(), ref));
    }
    return core::RestoreArtifact(ctx_.db(), a);
  }

 private:
  // The registered local location strictly below whose root `path` lies (not its .lamindb/,
  // which save refuses), and the key there.
  std::optional<std::pair<registry::StorageRow, std::string>> LocalLocation(
      const fs::path& path, const fs::path& cwd = {}) const {
    if (path.empty() || path.native().find("://") != std::string::npos) return std::nullopt;
    // As text (no std::filesystem::path is split): a batch of many files asks this per path.
    const std::string absolute = util::NormalizeAbsoluteText(path.native(), cwd.native());
    for (const auto& row : ctx_.storages()) {
      if (instance::IsS3Url(row.root)) continue;
      std::string_view root = row.root;
      while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
      if (absolute == root || !util::IsWithin(absolute, root)) continue;
      // Both are normal and absolute: the key is what follows the root and its separator.
      std::string key = absolute.substr(root == "/" ? 1 : root.size() + 1);
      if (storage::IsManagedKey(key)) return std::nullopt;
      return std::make_pair(row, key);
    }
    return std::nullopt;
  }

  bool IsInPlace(const fs::path& path, const fs::path& cwd) const {
    return path.native().find("://") != std::string::npos || LocalLocation(path, cwd).has_value();
  }

  // Objects inside one registered location (s3:// URLs or local paths), registered in place.
  // `storage`, if given, must be the location the objects are in.
  Result<SaveReport> Register(const std::vector<SaveRequest>& requests,
                              const std::string& storage, std::optional<int64_t> run_id) {
    std::optional<std::string> wanted;
    if (!storage.empty()) {
      LAMIN_ASSIGN_OR_RETURN(wanted, instance::CanonicalRoot(storage));
    }
    std::optional<int64_t> storage_id;
    std::vector<core::RegisterRequest> batch;
    for (const auto& r : requests) {
      std::string url = r.path.string();
      std::pair<registry::StorageRow, std::string> located;
      if (auto local = LocalLocation(r.path)) {
        located = std::move(*local);
      } else {
        auto found = LocateUrl(ctx_.storages(), url);
        if (found.status().IsNotFound()) {  // another process may have added the location
          LAMIN_RETURN_IF_ERROR(ctx_.RefreshStorages());
          found = LocateUrl(ctx_.storages(), url);
        }
        LAMIN_ASSIGN_OR_RETURN(located, std::move(found));
      }
      if (storage_id && *storage_id != located.first.id) {
        return Status::InvalidArgument("register objects of one storage location per call ('" +
                                       url + "' is in another)");
      }
      storage_id = located.first.id;
      if (wanted && *wanted != located.first.root) {
        return Status::InvalidArgument("'" + url + "' lies in storage '" + located.first.root +
                                       "' and is registered there, in place: leave --storage out");
      }
      if (r.key && *r.key != located.second) {
        return Status::InvalidArgument("'" + url + "' is registered in place under its own key '" +
                                       located.second + "': leave --key out");
      }
      batch.push_back({located.second, url, r.description});
    }
    LAMIN_ASSIGN_OR_RETURN(core::StorageTarget target, ctx_.Target(*storage_id));
    for (int attempt = 1;; ++attempt) {
      auto report = core::RegisterBatch(ctx_.db(), target, batch, run_id);
      if (report.ok() || report.status().code() != StatusCode::kAborted || attempt == 5) {
        return report;
      }
    }
  }

  Context& ctx_;
};

}  // namespace

Result<fs::path> LoadArtifactData(Context& ctx, const Artifact& a) {
  LAMIN_ASSIGN_OR_RETURN(ObjectStore * store, ctx.StoreFor(a.storage_id));
  // The object may hold a newer version's data, not this one's: never serve it as this one.
  LAMIN_ASSIGN_OR_RETURN(auto newer, registry::NewerOwnerOfObject(ctx.db(), a));
  if (newer) {
    return Status::NotFound("the data of artifact " + a.uid +
                            " was overwritten by its newer version " + newer->uid + " at '" +
                            store->Location(a.StorageKey()) +
                            "': only the newest version's data is kept there");
  }
  const std::string missing = "the data of artifact " + a.uid + " is missing at '" +
                              store->Location(a.StorageKey()) +
                              "' (lamin fsck reports such damage)";
  if (store->Capabilities().local) {
    LAMIN_ASSIGN_OR_RETURN(auto info, store->Stat(a.StorageKey()));
    if (!info) return Status::NotFound(missing);
    return store->LocalPath(a.StorageKey(), {});
  }
  // A remote object: a cached copy, served only while it matches the row.
  auto path =
      store->LocalPath(a.StorageKey(), [&](const fs::path& p) { return core::VerifyCopy(p, a); });
  if (path.status().IsNotFound()) return Status::NotFound(missing);
  return path;
}

std::unique_ptr<Artifacts> MakeArtifacts(Context& ctx) {
  return std::make_unique<ArtifactsModule>(ctx);
}

}  // namespace lamin::api
