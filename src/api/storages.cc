// The storages capability: register a location, list them.
//
// Registering is journaled and resumable: a registration intent (core/journal.h) is recorded,
// then the marker (.lamindb/storage_uid.txt) is written, then one transaction inserts the row
// and removes the intent. A crash between the steps leaves the intent (and perhaps the marker);
// adding the same location again adopts that marker and finishes, and fsck names what waits.
#include <filesystem>

#include "api/modules.h"
#include "core/journal.h"
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
    // A registration of this root that did not finish (journal.h) names the storage uid its
    // marker has, if it wrote one: that marker is adopted. Any other marker is another
    // instance's (one with the same name elsewhere has the same instance uid: the journal, not
    // the marker, tells them apart).
    LAMIN_ASSIGN_OR_RETURN(auto pending, core::PendingRegistration(ctx_.db(), root));
    LAMIN_ASSIGN_OR_RETURN(auto marker, store->Stat(storage::kMarkerKey));
    bool wrote_marker = false;
    if (marker) {
      LAMIN_ASSIGN_OR_RETURN(fs::path local, store->LocalPath(storage::kMarkerKey, {}));
      auto text = util::ReadFile(local);
      row.uid = text.ok() ? AdoptableUid(*text, row.instance_uid) : "";
      if (row.uid.empty() || !pending || *pending != row.uid) {
        return Status::AlreadyExists("storage '" + root + "' already belongs to an instance (" +
                                     store->Location(storage::kMarkerKey) + ")");
      }
    } else {
      row.uid = pending ? *pending : util::RandomBase62(12);
      if (!pending) {
        LAMIN_RETURN_IF_ERROR(
            core::RecordRegistration(ctx_.db(), root, row.uid, ctx_.session()));
      }
      Status written =
          instance::WriteStorageMarker(*store, instance::MarkerText(row.uid, ctx_.settings()));
      if (!written.ok()) {
        ForgetRegistration(root);
        return written;
      }
      wrote_marker = true;
    }
    db::Transaction tx(ctx_.db());
    Status s = tx.Begin();
    if (s.ok()) {
      auto id = registry::InsertStorage(ctx_.db(), row, ctx_.user_id());
      s = id.status();
      if (s.ok()) row.id = *id;
    }
    if (s.ok()) s = core::RemoveRegistration(ctx_.db(), root);
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      tx.Rollback();
      // The location stays free for another try; a marker that cannot be removed keeps its
      // registration, so that the next add adopts it.
      if (!wrote_marker || store->Delete(storage::kMarkerKey).ok()) ForgetRegistration(root);
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
  void ForgetRegistration(const std::string& root) {
    db::Transaction tx(ctx_.db());
    if (tx.Begin().ok() && core::RemoveRegistration(ctx_.db(), root).ok()) (void)tx.Commit();
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<Storages> MakeStorages(Context& ctx) {
  return std::make_unique<StoragesModule>(ctx);
}

}  // namespace lamin::api
