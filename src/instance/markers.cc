#include "instance/markers.h"

#include "storage/layout.h"
#include "util/encoding.h"

namespace lamin::instance {

using storage::kMarkerKey;

std::string MarkerText(const std::string& storage_uid, const InstanceSettings& settings) {
  return storage_uid + "\ncreation info:\ninstance_slug=" + settings.slug() +
         "\ninstance_id=" + settings.id + "\ninstance_uid=" + InstanceUid(settings.id) + "\n";
}

Status WriteStorageMarker(ObjectStore& store, const std::string& text) {
  // Staged from memory: no temporary file is needed (the path only names it in messages).
  auto staged = store.StageFile(FileSource(kMarkerKey, &text), kMarkerKey,
                                util::RandomBase62(12), {});
  Status s = staged.status();
  if (s.ok()) {
    std::vector<StagedObject> batch = {*staged};
    s = store.Publish(batch);
    if (!s.ok()) (void)store.Discard(*staged);
  }
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("storage '" + store.Root() + "' already belongs to an instance (" +
                                 store.Location(kMarkerKey) + ")");
  }
  return s.WithContext("cannot write the storage marker " + store.Location(kMarkerKey));
}

}  // namespace lamin::instance
