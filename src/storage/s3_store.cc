// The S3 ObjectStore. S3 has no rename, so an object is staged at its key itself: staging first
// checks that nothing is there and uploads with If-None-Match: * (servers that honour it refuse a
// racing writer with 412), and the instance's journal admits one writer per key, so Discard
// only ever removes what this writer created. A successful PUT or CompleteMultipartUpload is
// durable, so Publish has nothing left to do.
//
// Uploads: a file up to the multipart threshold goes in one PUT; a larger one is read once, in
// order, by one thread that feeds the content hash and hands parts to uploader threads (parts
// in flight are bounded store-wide, so a batch of large files cannot exhaust memory). A failed
// part aborts the multipart upload.
// Downloads (LocalPath) go to LaminDB's cache path, in ranges in parallel for large objects, to
// a temporary name that is renamed into place only after the caller's check (size and hash).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>

#include "lamin/object_store.h"
#include "storage/keys.h"
#include "storage/s3_client.h"
#include "util/encoding.h"
#include "util/fs.h"
#include "util/parallel.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using storage::S3Client;
using storage::S3Location;
using storage::ValidateKey;
using util::ErrnoStatus;

// Reads exactly `n` bytes at the file's current offset. Result: IOError, Corruption when the
// file ends early (it shrank while it was read).
Status ReadFully(int fd, char* buf, size_t n, const fs::path& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::read(fd, buf + done, n - done);
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (r == 0) return Status::Corruption("'" + path.string() + "' shrank while it was read");
    done += static_cast<size_t>(r);
  }
  return Status::OK();
}

class S3Store final : public ObjectStore {
 public:
  S3Store(S3Location location, std::unique_ptr<S3Client> client, S3StoreOptions options)
      : location_(std::move(location)),
        client_(std::move(client)),
        options_(std::move(options)),
        part_permits_(
            static_cast<std::ptrdiff_t>(std::max<size_t>(2, 2 * options_.part_parallelism))) {}

  std::string Root() const override { return location_.Root(); }
  std::string Type() const override { return "s3"; }
  // No rename: objects are staged at their key. Conditional writes are asked for
  // (If-None-Match: *); servers that ignore them are covered by the journal's key claim.
  StoreCapabilities Capabilities() const override { return {false, false, true}; }
  std::string Location(const std::string& key) const override {
    return S3Client::Url(location_.bucket, Full(key));
  }
  size_t PreferredParallelism() const override { return options_.object_parallelism; }

  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(key));
    LAMIN_RETURN_IF_ERROR(EnsureAbsent(key, /*folder=*/false));
    if (source.contents && source.contents->size() <= options_.multipart_threshold) {
      // The caller read the file already: put those bytes.
      const std::string& bytes = *source.contents;
      if (observe) observe(bytes.data(), bytes.size());
      LAMIN_RETURN_IF_ERROR(
          client_->Put(location_.bucket, Full(key), {bytes.data(), bytes.size()}, /*if_absent=*/true)
              .status());
    } else {
      LAMIN_RETURN_IF_ERROR(UploadFile(source.path, Full(key), observe));
    }
    return StagedObject{key, token, false, false, true};
  }

  Result<StagedObject> StageFolder(const std::vector<FolderFile>& listing, const std::string& key,
                                   const std::string& token,
                                   const FolderObserverFactory& observe) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(key));
    LAMIN_RETURN_IF_ERROR(EnsureAbsent(key, /*folder=*/true));
    struct File {
      fs::path path;
      std::string relative;
      ByteObserver observer;
      Status status;
    };
    std::vector<File> files;
    for (const FolderFile& f : listing) {
      LAMIN_RETURN_IF_ERROR(ValidateKey(f.relative));
      files.push_back({f.path, f.relative, {}, {}});
      // The factory is not thread-safe: ask it for every observer before uploading in parallel.
      if (observe) files.back().observer = observe(f.relative, f.size);
    }
    util::ParallelFor(files.size(), options_.object_parallelism, [&](size_t i) {
      File& f = files[i];
      f.status = UploadFile(f.path, Full(key) + "/" + f.relative, f.observer);
    });
    for (const File& f : files) {
      if (f.status.ok()) continue;
      // Remove what went up; a failure here leaves objects that the intent lets recovery find.
      (void)DeletePrefix(Full(key) + "/");
      return f.status;
    }
    return StagedObject{key, token, true, false, true};
  }

  Status Publish(std::vector<StagedObject>& staged) override {
    for (auto& s : staged) s.published = true;
    return Status::OK();
  }

  Status Discard(const StagedObject& staged) override { return Delete(staged.key); }

  // Staging happens at the key, which recovery removes itself. A multipart upload that a killed
  // writer left open is invisible and only costs storage until the bucket's lifecycle rule
  // (AbortIncompleteMultipartUpload, as AWS recommends) removes it.
  Status DiscardLeftovers(const std::string&, const std::string&) override { return Status::OK(); }

  Status Delete(const std::string& key) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(key));
    LAMIN_RETURN_IF_ERROR(client_->Delete(location_.bucket, Full(key)));
    return DeletePrefix(Full(key) + "/");
  }

  // A delete is round trips, not bytes: a batch's run in parallel (recovery removes a killed
  // batch's objects while it holds the write lock).
  std::vector<Status> DeleteMany(const std::vector<std::string>& keys) override {
    std::vector<Status> out(keys.size());
    util::ParallelFor(keys.size(), options_.object_parallelism,
                      [&](size_t i) { out[i] = Delete(keys[i]); });
    return out;
  }

  Result<std::optional<ObjectInfo>> Stat(const std::string& key) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(key));
    LAMIN_ASSIGN_OR_RETURN(auto head, client_->Head(location_.bucket, Full(key)));
    if (head) return std::optional<ObjectInfo>(ObjectInfo{head->size, false, 1, head->etag});
    LAMIN_ASSIGN_OR_RETURN(auto objects, client_->List(location_.bucket, Full(key) + "/"));
    if (objects.empty()) return std::optional<ObjectInfo>();
    ObjectInfo info;
    info.is_folder = true;
    for (const auto& o : objects) {
      info.size += o.size;
      ++info.n_files;
    }
    return std::optional<ObjectInfo>(info);
  }

  Result<std::vector<StoreEntry>> List(const std::string& prefix) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(prefix));
    std::string full = Full(prefix) + "/";
    LAMIN_ASSIGN_OR_RETURN(auto objects, client_->List(location_.bucket, full));
    std::vector<StoreEntry> out;
    std::set<std::string> folders;
    for (const auto& o : objects) {
      std::string rest = o.key.substr(full.size());
      auto slash = rest.find('/');
      if (slash == std::string::npos) {
        out.push_back({prefix + "/" + rest, false});
      } else if (folders.insert(rest.substr(0, slash)).second) {
        out.push_back({prefix + "/" + rest.substr(0, slash), true});
      }
    }
    return out;
  }

  Result<fs::path> LocalPath(const std::string& key, const CopyCheck& check) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(key));
    fs::path cached = CacheRoot() / location_.bucket / Full(key);
    std::error_code ec;
    LAMIN_ASSIGN_OR_RETURN(auto info, Stat(key));
    if (!info) return Status::NotFound(Location(key) + " does not exist");
    auto valid = [&](const fs::path& copy) { return check ? check(copy) : SizeCheck(copy, *info); };
    if (fs::exists(cached, ec)) {
      if (valid(cached).ok()) return cached;
      fs::remove_all(cached, ec);  // stale: never served
      if (ec) return ErrnoStatus(ec.value(), "cannot replace the stale cached copy", cached);
    }
    fs::create_directories(cached.parent_path(), ec);
    if (ec) return ErrnoStatus(ec.value(), "cannot create cache folder", cached.parent_path());
    fs::path tmp = cached;
    tmp += ".lamin-tmp-" + util::RandomBase62(8);
    Status s = DownloadTo(key, *info, tmp);
    if (s.ok()) s = valid(tmp);
    // No fsync: a copy that a crash left incomplete fails the check on its next use.
    if (s.ok() && ::rename(tmp.c_str(), cached.c_str()) != 0) {
      // Another process cached the same folder meanwhile: keep its copy if it is valid.
      int err = errno;
      bool theirs_valid = (err == ENOTEMPTY || err == EEXIST) && valid(cached).ok();
      fs::remove_all(tmp, ec);
      if (theirs_valid) return cached;
      s = ErrnoStatus(err, "cannot move the download into the cache at", cached);
    }
    if (!s.ok()) {
      fs::remove_all(tmp, ec);
      if (s.code() == StatusCode::kCorruption) {
        return Status::Corruption("the data at " + Location(key) +
                                  " does not match its artifact: " + s.message());
      }
      return s;
    }
    return cached;
  }

  Status Download(const std::string& key, const fs::path& dest) override {
    LAMIN_RETURN_IF_ERROR(ValidateKey(key));
    LAMIN_ASSIGN_OR_RETURN(auto info, Stat(key));
    if (!info) return Status::NotFound(Location(key) + " does not exist");
    return DownloadTo(key, *info, dest);
  }

 private:
  Status DownloadTo(const std::string& key, const ObjectInfo& info, const fs::path& dest) {
    return info.is_folder ? DownloadFolder(key, dest) : DownloadFile(Full(key), info.size, dest);
  }

  std::string Url(const std::string& full_key) const {
    return S3Client::Url(location_.bucket, full_key);
  }
  std::string Full(const std::string& key) const {
    return location_.prefix.empty() ? key : location_.prefix + "/" + key;
  }

  fs::path CacheRoot() const {
    return options_.cache_dir.empty() ? DefaultCacheDir() : options_.cache_dir;
  }

  static Status SizeCheck(const fs::path& path, const ObjectInfo& info) {
    LAMIN_ASSIGN_OR_RETURN(util::PathSize size, util::SizeOf(path));
    if (size.bytes != info.size) {
      return Status::Corruption("the local copy has " + std::to_string(size.bytes) +
                                " bytes, the object " + std::to_string(info.size));
    }
    return Status::OK();
  }

  // AlreadyExists when an object of the same kind is at key (a file and a folder version never
  // share a key: their uids differ). One request: a listing costs far more than a HEAD on
  // some servers, and a batch of small files pays it per file.
  Status EnsureAbsent(const std::string& key, bool folder) {
    bool taken = false;
    if (folder) {
      LAMIN_ASSIGN_OR_RETURN(auto below, client_->List(location_.bucket, Full(key) + "/", 1));
      taken = !below.empty();
    } else {
      LAMIN_ASSIGN_OR_RETURN(auto head, client_->Head(location_.bucket, Full(key)));
      taken = head.has_value();
    }
    if (taken) return Status::AlreadyExists(Location(key) + " exists already");
    return Status::OK();
  }

  Status DeletePrefix(const std::string& full_prefix) {
    LAMIN_ASSIGN_OR_RETURN(auto objects, client_->List(location_.bucket, full_prefix));
    std::vector<Status> results(objects.size());
    util::ParallelFor(objects.size(), options_.object_parallelism, [&](size_t i) {
      results[i] = client_->Delete(location_.bucket, objects[i].key);
    });
    for (const Status& s : results) LAMIN_RETURN_IF_ERROR(s);
    return Status::OK();
  }

  // A buffer of at most one part, counted against the store-wide bound.
  class PartBuffer {
   public:
    PartBuffer(std::counting_semaphore<>& permits, size_t size) : permits_(&permits) {
      permits_->acquire();
      data_.resize(size);
    }
    ~PartBuffer() {
      if (permits_) permits_->release();
    }
    PartBuffer(PartBuffer&& o) noexcept : permits_(o.permits_), data_(std::move(o.data_)) {
      o.permits_ = nullptr;
    }
    PartBuffer(const PartBuffer&) = delete;
    PartBuffer& operator=(const PartBuffer&) = delete;
    PartBuffer& operator=(PartBuffer&&) = delete;
    std::string& data() { return data_; }

   private:
    std::counting_semaphore<>* permits_;
    std::string data_;
  };

  // Uploads one file; a file written while it is read fails the upload (single PUT: before
  // the PUT; multipart: before the completion, so no object appears).
  Status UploadFile(const fs::path& source, const std::string& full_key,
                    const ByteObserver& observe) {
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "cannot open", source);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    auto before = util::StampOf(fd, source);
    Status s = before.status();
    if (s.ok() && before->size <= options_.multipart_threshold) {
      PartBuffer buf(part_permits_, static_cast<size_t>(before->size));
      s = ReadFully(fd, buf.data().data(), buf.data().size(), source);
      if (s.ok()) s = util::CheckUnchanged(fd, source, *before);
      if (s.ok() && observe) observe(buf.data().data(), buf.data().size());
      if (s.ok()) {
        s = client_
                ->Put(location_.bucket, full_key, {buf.data().data(), buf.data().size()},
                      /*if_absent=*/true)
                .status();
      }
    } else if (s.ok()) {
      s = UploadMultipart(fd, source, *before, full_key, observe);
    }
    ::close(fd);
    return s;
  }

  Status UploadMultipart(int fd, const fs::path& source, const util::FileStamp& stamp,
                         const std::string& full_key, const ByteObserver& observe) {
    const uint64_t size = stamp.size;
    LAMIN_ASSIGN_OR_RETURN(std::string upload_id,
                           client_->CreateMultipartUpload(location_.bucket, full_key));
    const uint64_t part_size = options_.part_size;
    const size_t n_parts = static_cast<size_t>((size + part_size - 1) / part_size);
    std::vector<std::string> etags(n_parts);
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<size_t, PartBuffer>> queue;
    bool reading_done = false;
    Status failure;
    std::atomic<uint64_t> uploaded{0};
    auto fail = [&](Status s) {
      std::lock_guard lock(mu);
      if (failure.ok()) failure = std::move(s);
      cv.notify_all();
    };
    auto uploader = [&] {
      while (true) {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || reading_done || !failure.ok(); });
        if (!failure.ok() || queue.empty()) return;
        auto [index, part] = std::move(queue.front());
        queue.pop_front();
        cv.notify_all();
        lock.unlock();
        auto etag =
            client_->UploadPart(location_.bucket, full_key, upload_id, static_cast<int>(index + 1),
                                {part.data().data(), part.data().size()});
        if (!etag.ok()) return fail(etag.status());
        etags[index] = *etag;
        uint64_t done = uploaded += part.data().size();
        if (options_.progress) options_.progress(Url(full_key), done, size);
      }
    };
    std::vector<std::jthread> pool;
    size_t workers = std::max<size_t>(1, std::min(options_.part_parallelism, n_parts));
    for (size_t i = 0; i < workers; ++i) pool.emplace_back(uploader);
    // This thread reads: one pass, in order, feeding the hash.
    for (size_t i = 0; i < n_parts; ++i) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return queue.size() < workers || !failure.ok(); });
        if (!failure.ok()) break;
      }
      size_t n = static_cast<size_t>(std::min<uint64_t>(part_size, size - i * part_size));
      PartBuffer part(part_permits_, n);
      Status read = ReadFully(fd, part.data().data(), n, source);
      if (!read.ok()) {
        fail(read);
        break;
      }
      if (observe) observe(part.data().data(), n);
      std::lock_guard lock(mu);
      queue.emplace_back(i, std::move(part));
      cv.notify_all();
    }
    {
      std::lock_guard lock(mu);
      reading_done = true;
      cv.notify_all();
    }
    pool.clear();  // joins
    Status result = failure;
    if (result.ok()) result = util::CheckUnchanged(fd, source, stamp);
    if (result.ok()) {
      result = client_
                   ->CompleteMultipartUpload(location_.bucket, full_key, upload_id, etags,
                                             /*if_absent=*/true)
                   .status();
    }
    // Best effort: a server that cannot abort (s3rver answers 405) keeps the parts invisible.
    if (!result.ok()) (void)client_->AbortMultipartUpload(location_.bucket, full_key, upload_id);
    return result;
  }

  Status DownloadFile(const std::string& full_key, uint64_t size, const fs::path& dest) {
    if (size <= options_.multipart_threshold) {
      return client_->GetToFile(location_.bucket, full_key, dest);
    }
    int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus(errno, "cannot create", dest);
    Status s;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) s = ErrnoStatus(errno, "cannot size", dest);
    const uint64_t part = options_.part_size;
    size_t n_parts = static_cast<size_t>((size + part - 1) / part);
    std::vector<Status> results(n_parts);
    std::atomic<uint64_t> done{0};
    std::atomic<bool> failed{!s.ok()};
    util::ParallelFor(n_parts, options_.part_parallelism, [&](size_t i) {
      if (failed) return;
      uint64_t offset = i * part;
      uint64_t n = std::min(part, size - offset);
      results[i] = client_->GetRangeToFile(location_.bucket, full_key, offset, n, fd);
      if (!results[i].ok()) {
        failed = true;
        return;
      }
      uint64_t now = done += n;
      if (options_.progress) options_.progress(Url(full_key), now, size);
    });
    ::close(fd);
    for (const Status& r : results) {
      if (s.ok() && !r.ok()) s = r;
    }
    return s;
  }

  Status DownloadFolder(const std::string& key, const fs::path& dest) {
    std::string prefix = Full(key) + "/";
    LAMIN_ASSIGN_OR_RETURN(auto objects, client_->List(location_.bucket, prefix));
    std::vector<Status> results(objects.size());
    util::ParallelFor(objects.size(), options_.object_parallelism, [&](size_t i) {
      std::string relative = objects[i].key.substr(prefix.size());
      if (!ValidateKey(relative).ok()) {  // a hostile object name must not leave the folder
        results[i] = Status::InvalidArgument("refusing to download " +
                                             S3Client::Url(location_.bucket, objects[i].key) +
                                             ": its name leaves the folder");
        return;
      }
      fs::path target = dest / relative;
      std::error_code ec;
      fs::create_directories(target.parent_path(), ec);
      results[i] = ec ? ErrnoStatus(ec.value(), "cannot create folder", target.parent_path())
                      : DownloadFile(objects[i].key, objects[i].size, target);
    });
    for (const Status& r : results) LAMIN_RETURN_IF_ERROR(r);
    return Status::OK();
  }

  S3Location location_;
  std::unique_ptr<S3Client> client_;
  S3StoreOptions options_;
  std::counting_semaphore<> part_permits_;
};

}  // namespace

fs::path DefaultCacheDir() {
  if (const char* c = std::getenv("LAMIN_CACHE_DIR"); c && *c) return c;
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/tmp") / ".cache" / "lamindb";
}

Status ClearCache(const fs::path& cache_dir) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(cache_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code removed;
    fs::remove_all(it->path(), removed);
    if (removed) return ErrnoStatus(removed.value(), "cannot clear the cache at", it->path());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return ErrnoStatus(ec.value(), "cannot clear the cache at", cache_dir);
  }
  return Status::OK();
}

Result<std::shared_ptr<ObjectStore>> OpenS3Store(const std::string& url,
                                                 const S3StoreOptions& options) {
  LAMIN_ASSIGN_OR_RETURN(S3Location location, S3Location::Parse(url));
  auto credentials = storage::S3Credentials::FromEnvironment();
  if (!credentials.ok()) return credentials.status().WithContext("cannot open storage " + url);
  std::string endpoint =
      location.endpoint.empty() ? storage::EndpointFromEnvironment() : location.endpoint;
  std::string region = options.region.empty() ? storage::RegionFromEnvironment() : options.region;
  if (options.part_size < (5ull << 20) || options.multipart_threshold < options.part_size) {
    return Status::InvalidArgument(
        "S3 parts must be at least 5 MiB and the multipart threshold "
        "at least one part");
  }
  auto client = std::make_unique<S3Client>(*credentials, endpoint, region);
  return std::shared_ptr<ObjectStore>(
      std::make_shared<S3Store>(std::move(location), std::move(client), options));
}

}  // namespace lamin
