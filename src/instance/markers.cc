#include "instance/markers.h"

#include <unistd.h>

#include <filesystem>

#include "storage/layout.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace lamin::instance {

namespace fs = std::filesystem;
using storage::kMarkerKey;

std::string MarkerText(const std::string& storage_uid, const InstanceSettings& settings) {
  return storage_uid + "\ncreation info:\ninstance_slug=" + settings.slug() +
         "\ninstance_id=" + settings.id + "\ninstance_uid=" + InstanceUid(settings.id) + "\n";
}

Status WriteStorageMarker(ObjectStore& store, const std::string& text) {
  std::string tmpl = (fs::temp_directory_path() / "lamin-marker-XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return util::ErrnoStatus(errno, "cannot create a temporary file in", tmpl);
  ::close(fd);
  Status s = util::WriteFileAtomic(tmpl, text);
  if (s.ok()) {
    auto staged = store.StageFile(tmpl, kMarkerKey, util::RandomBase62(12), {});
    s = staged.status();
    if (s.ok()) {
      std::vector<StagedObject> batch = {*staged};
      s = store.Publish(batch);
      if (!s.ok()) (void)store.Discard(*staged);
    }
  }
  ::unlink(tmpl.c_str());
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("storage '" + store.Root() + "' already belongs to an instance (" +
                                 store.Location(kMarkerKey) + ")");
  }
  return s.WithContext("cannot write the storage marker " + store.Location(kMarkerKey));
}

}  // namespace lamin::instance
