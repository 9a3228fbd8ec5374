// ObjectStore: where artifact bytes live (a local folder or S3), addressed by key relative to
// the storage root, e.g. ".lamindb/3hK2pQ0aBcDeFgHi0000.csv".
//
// Writes go in two steps so that the save protocol can decide between them after hashing:
//   StageFile/StageFolder  copy the bytes into a staging place (hashing them on the way),
//   Publish                make a batch of them visible at their keys, durably,
//   Discard                undo staging and publishing.
// Staging places are named from the key and a caller's token, so that recovery can find the
// leftovers of a crashed writer from its journal entry (DiscardLeftovers). Keys are never
// overwritten: every object of the save protocol has a key of its own (its uid).
// Stores without rename (S3), and a local store for a journaled file (FileSource), stage at the
// key itself and refuse a key that exists when staging; the journal keeps two writers of one
// instance off the same key (core/save.cc).
//
// Backends reach the code that uses them only through this interface: a test wraps a real store
// (ObjectStoreWrapper) to inject faults or count calls.
// Thread-safety: implementations allow concurrent calls on distinct keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin {

// Sees every byte of one file exactly once, in order, while it is copied.
using ByteObserver = std::function<void(const void* data, size_t n)>;
// For a folder: the observer for the file at `relative_path` (with '/' separators) of `size`.
using FolderObserverFactory =
    std::function<ByteObserver(const std::string& relative_path, uint64_t size)>;

struct ObjectInfo {
  uint64_t size = 0;  // a folder: the sum of its files
  bool is_folder = false;
  uint64_t n_files = 0;  // a folder: its regular files, recursively; a file: 1
  std::string etag;      // S3: the object's ETag without quotes; empty elsewhere
};

// Checks that a local copy at `path` holds the bytes expected of an object (size, hash);
// a remote store calls it before serving a cached copy and before keeping a download.
using CopyCheck = std::function<Status(const std::filesystem::path& path)>;

// Progress of a long transfer: `done` of `total` bytes of the object at `location` (a URL).
using TransferProgress =
    std::function<void(const std::string& location, uint64_t done, uint64_t total)>;

// A file of a folder being saved: where it is read from, and its path inside the folder
// ('/'-separated). Save lists a folder once (util::ListFolder: files recursively, symbolic links
// followed) and stores exactly those files.
struct FolderFile {
  std::filesystem::path path;
  std::string relative;
  uint64_t size = 0;
};

// The file a StageFile call stores. When `contents` is set, they are the file's bytes as the
// caller read (and hashed) them: the store writes exactly those and does not open `path` again,
// so what is stored is what was hashed even if the file is written to meanwhile (small files are
// read once per save this way). Otherwise the store reads `path`.
//
// `journaled`: the caller recorded the key in its journal before staging (the save protocol), so
// that recovery removes whatever the key holds that no committed row owns. A local store then
// writes the file at its key itself (created exclusively: never over another object) instead of a
// staging name, and Publish only makes it durable: one directory entry per file instead of two.
// Otherwise (the storage marker) a half-written file must never be seen at the key.
struct FileSource {
  FileSource(std::filesystem::path p) : path(std::move(p)) {}  // NOLINT: a path is a source
  FileSource(std::filesystem::path p, const std::string* bytes)
      : path(std::move(p)), contents(bytes) {}
  std::filesystem::path path;
  const std::string* contents = nullptr;  // not owned: lives through the call
  bool journaled = false;
};

struct StagedObject {
  std::string key;
  std::string token;  // chosen by the caller, recorded in the journal
  bool is_folder = false;
  bool published = false;
  bool at_key = false;  // staged at the key itself (S3; a journaled file on a local store)
};

struct StoreEntry {
  std::string key;
  bool is_folder = false;
};

// What a store can do, for the code that must behave differently (instead of comparing type
// names).
struct StoreCapabilities {
  bool local = false;               // objects are files on this machine (LocalPath is the object)
  bool renames = false;             // staging is a rename away from the key (no rename: S3)
  bool conditional_writes = false;  // a write can be refused when the key exists (If-None-Match)
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The root as LaminDB writes it in lamindb_storage.root (local: absolute path, no trailing /).
  virtual std::string Root() const = 0;
  // "local", "s3", ... as in lamindb_storage.type.
  virtual std::string Type() const = 0;
  virtual StoreCapabilities Capabilities() const = 0;
  // Where the object at key lives, for messages: a path, or s3://bucket/prefix/key.
  virtual std::string Location(const std::string& key) const = 0;

  // Copies the local file `source` to the staging place of (key, token); `observe` sees its bytes.
  // An empty `observe` lets a local store copy without bringing the bytes into user space
  // (copy_file_range, or a reflink where the file system shares extents).
  // Result: NotFound/PermissionDenied for the source, IOError (full disk, ...) for the copy, and
  // IOError when the source changed while it was copied (a write in place would otherwise be
  // stored torn). On failure nothing staged remains.
  virtual Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                         const std::string& token,
                                         const ByteObserver& observe) = 0;
  // The same for a folder made of `files` (at least one), each at its relative path below key.
  // Result: IOError naming a file that changed while it was copied.
  virtual Result<StagedObject> StageFolder(const std::vector<FolderFile>& files,
                                           const std::string& key, const std::string& token,
                                           const FolderObserverFactory& observe) = 0;
  // Makes staged objects visible at their keys, durably: after it returns OK, a crash keeps
  // them. On failure, the objects already published are marked `published`.
  virtual Status Publish(std::vector<StagedObject>& staged) = 0;
  // Removes what StageX and Publish wrote. OK if nothing is left.
  virtual Status Discard(const StagedObject& staged) = 0;
  // Removes the staging copy a writer that died left for (key, token). OK if there is none.
  virtual Status DiscardLeftovers(const std::string& key, const std::string& token) = 0;

  // Removes the object (file or folder) at key. OK if it does not exist.
  virtual Status Delete(const std::string& key) = 0;
  // Removes the objects at `keys`, each as Delete does, and returns one status per key: the
  // removals that returned OK are durable. A local store syncs each folder once for the batch,
  // not once per object (recovery of a killed batch removes a thousand objects of one folder).
  virtual std::vector<Status> DeleteMany(const std::vector<std::string>& keys) {
    std::vector<Status> out;
    out.reserve(keys.size());
    for (const auto& key : keys) out.push_back(Delete(key));
    return out;
  }
  // Size and kind of the object at key; nullopt if there is none.
  virtual Result<std::optional<ObjectInfo>> Stat(const std::string& key) = 0;
  // The entries directly below `prefix` (a folder key such as ".lamindb").
  virtual Result<std::vector<StoreEntry>> List(const std::string& prefix) = 0;
  // A local path holding the object's bytes: for a local store the object itself; for a
  // remote one a copy in the cache, downloaded (to a temp name, then renamed) unless a cached
  // copy passes `check`. Result: NotFound; Corruption when a fresh download fails `check`.
  virtual Result<std::filesystem::path> LocalPath(const std::string& key,
                                                  const CopyCheck& check) = 0;
  // Copies the object at key to `dest`, which must not exist: a file, or a folder holding the
  // object's files. Result: NotFound, IOError.
  virtual Status Download(const std::string& key, const std::filesystem::path& dest) = 0;
  // How many objects a batch should stage at once: network stores wait on round trips.
  virtual size_t PreferredParallelism() const { return 0; }
};

// Forwards every call to a target store: override one method to inject a fault or count calls.
class ObjectStoreWrapper : public ObjectStore {
 public:
  explicit ObjectStoreWrapper(std::shared_ptr<ObjectStore> target) : target_(std::move(target)) {}

  std::string Root() const override { return target_->Root(); }
  std::string Type() const override { return target_->Type(); }
  StoreCapabilities Capabilities() const override { return target_->Capabilities(); }
  std::string Location(const std::string& key) const override { return target_->Location(key); }
  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    return target_->StageFile(source, key, token, observe);
  }
  Result<StagedObject> StageFolder(const std::vector<FolderFile>& files, const std::string& key,
                                   const std::string& token,
                                   const FolderObserverFactory& observe) override {
    return target_->StageFolder(files, key, token, observe);
  }
  Status Publish(std::vector<StagedObject>& staged) override { return target_->Publish(staged); }
  Status Discard(const StagedObject& staged) override { return target_->Discard(staged); }
  Status DiscardLeftovers(const std::string& key, const std::string& token) override {
    return target_->DiscardLeftovers(key, token);
  }
  Status Delete(const std::string& key) override { return target_->Delete(key); }
  std::vector<Status> DeleteMany(const std::vector<std::string>& keys) override {
    return target_->DeleteMany(keys);
  }
  Result<std::optional<ObjectInfo>> Stat(const std::string& key) override {
    return target_->Stat(key);
  }
  Result<std::vector<StoreEntry>> List(const std::string& prefix) override {
    return target_->List(prefix);
  }
  Result<std::filesystem::path> LocalPath(const std::string& key, const CopyCheck& check) override {
    return target_->LocalPath(key, check);
  }
  Status Download(const std::string& key, const std::filesystem::path& dest) override {
    return target_->Download(key, dest);
  }
  size_t PreferredParallelism() const override { return target_->PreferredParallelism(); }

 protected:
  std::shared_ptr<ObjectStore> target_;
};

// A store on a local folder (created if missing). Writes: temp name in the same folder, fsync,
// rename, fsync of the folder. Publish refuses a key that exists already (AlreadyExists).
// Result: InvalidArgument if `root` is not absolute, IOError if it cannot be created.
Result<std::shared_ptr<ObjectStore>> OpenLocalStore(const std::filesystem::path& root);

// Where downloads of remote objects go: $LAMIN_CACHE_DIR, else ~/.cache/lamindb (LaminDB's).
std::filesystem::path DefaultCacheDir();
// Removes every cached copy below `cache_dir` (copies are only ever served after a check, so
// this loses nothing but time). Result: IOError naming what could not be removed.
Status ClearCache(const std::filesystem::path& cache_dir);

struct S3StoreOptions {
  // The cache for LocalPath: DefaultCacheDir() when empty.
  std::filesystem::path cache_dir;
  // Files above the threshold go up in parts of part_size, several at once, hashed in the same
  // pass; downloads above it come down as ranges of part_size in parallel.
  uint64_t multipart_threshold = 16ull << 20;
  uint64_t part_size = 16ull << 20;
  size_t part_parallelism = 8;     // parts of one object in flight
  size_t object_parallelism = 16;  // objects of a batch in flight
  std::string region;              // empty: AWS_REGION / AWS_DEFAULT_REGION / profile / us-east-1
  TransferProgress progress;       // called as parts complete; may be empty
};

// A store on "s3://bucket/prefix" (with LaminDB's optional "?endpoint_url=..."; else
// AWS_ENDPOINT_URL, else AWS). Credentials from the AWS_* variables or ~/.aws files.
// Result: InvalidArgument for a malformed URL, FailedPrecondition for missing credentials.
// Nothing is sent before the first call.
Result<std::shared_ptr<ObjectStore>> OpenS3Store(const std::string& url,
                                                 const S3StoreOptions& options = {});

}  // namespace lamin
