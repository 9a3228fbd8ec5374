// The storages capability: register a location, list them.
//
// Registering is idempotent and resumable: the marker (.lamindb/storage_uid.txt) is written
// first, then the row. A crash between the two leaves a marker that names this instance and no
// row; adding the same location again adopts that marker (and its storage uid) and writes the
// row, so the location is never stuck half-registered.
#include <filesystem>

#include "api/modules.h"
#include "instance/locations.h"
#include "instance/markers.h"
#include "storage/layout.h"
#include "storage/s3_client.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace lamin::api {
namespace {

namespace fs = std::filesystem;

StorageInfo ToInfo(const registry::StorageRow& row, const std::string& instance_uid,
                   int64_t default_id) {
  return {row.id,
          row.uid,
          row.root,
          row.type,
          row.region.value_or(""),
          row.description.value_or(""),
          row.instance_uid == instance_uid,
          row.id == default_id};
}

// The storage uid a marker text names when it names instance `instance_uid`; empty otherwise.
std::string AdoptableUid(const std::string& text, const std::string& instance_uid) {
  if (text.find("\ninstance_uid=" + instance_uid + "\n") == std::string::npos) return "";
  std::string uid = text.substr(0, text.find('\n'));
  return uid.size() == 12 ? uid : "";
}

class StoragesModule final : public Storages {
 public:
  explicit StoragesModule(Context& ctx) : ctx_(ctx) {}

  Result<StorageInfo> Add(const std::string& root_text, const std::string& description) override {
    LAMIN_ASSIGN_OR_RETURN(std::string root, instance::CanonicalRoot(root_text));
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    LAMIN_RETURN_IF_ERROR(ctx_.RefreshStorages());
    std::vector<std::string> taken;
    for (const auto& row : ctx_.storages()) taken.push_back(row.root);
    LAMIN_RETURN_IF_ERROR(instance::CheckLocationIsFree(root, taken));
    if (!instance::IsS3Url(root)) {
      // A folder is registered where it is: a typo must not create one somewhere else.
      std::error_code ec;
      if (!fs::is_directory(root, ec)) {
        return Status::NotFound("storage '" + root_text + "' (" + root +
                                ") is not an existing folder: create it first");
      }
    }
    LAMIN_ASSIGN_OR_RETURN(auto store, OpenStoreForRoot(root, ctx_.options()));
    registry::StorageRow row;
    row.root = root;
    row.type = store->Type();
    if (instance::IsS3Url(root)) row.region = storage::RegionFromEnvironment();
    row.instance_uid = ctx_.InstanceUid();
    if (!description.empty()) row.description = description;
    // A marker of this instance without a row: an earlier add that did not finish.
    LAMIN_ASSIGN_OR_RETURN(auto marker, store->Stat(storage::kMarkerKey));
    bool wrote_marker = false;
    if (marker) {
      LAMIN_ASSIGN_OR_RETURN(fs::path local, store->LocalPath(storage::kMarkerKey, {}));
      auto text = util::ReadFile(local);
      row.uid = text.ok() ? AdoptableUid(*text, row.instance_uid) : "";
      if (row.uid.empty()) {
        return Status::AlreadyExists("storage '" + root + "' already belongs to an instance (" +
                                     store->Location(storage::kMarkerKey) + ")");
      }
    } else {
      row.uid = util::RandomBase62(12);
      LAMIN_RETURN_IF_ERROR(
          instance::WriteStorageMarker(*store, instance::MarkerText(row.uid, ctx_.settings())));
      wrote_marker = true;
    }
    db::Transaction tx(ctx_.db());
    Status s = tx.Begin();
    if (s.ok()) {
      auto id = registry::InsertStorage(ctx_.db(), row, ctx_.user_id());
      s = id.status();
      if (s.ok()) row.id = *id;
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      // The location stays free for another try (a marker adopted here stays: it was there).
      if (wrote_marker) (void)store->Delete(storage::kMarkerKey);
      return s;
    }
    ctx_.AddStore(row, store);
    return ToInfo(row, ctx_.InstanceUid(), ctx_.default_storage_id());
  }

  Result<std::vector<StorageInfo>> List() override {
    LAMIN_RETURN_IF_ERROR(ctx_.RefreshStorages());
    std::vector<StorageInfo> out;
    for (const auto& row : ctx_.storages()) {
      out.push_back(ToInfo(row, ctx_.InstanceUid(), ctx_.default_storage_id()));
    }
    return out;
  }

 private:
  Context& ctx_;
};

}  // namespace

std::unique_ptr<Storages> MakeStorages(Context& ctx) {
  return std::make_unique<StoragesModule>(ctx);
}

}  // namespace lamin::api
