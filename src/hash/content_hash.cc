#include "hash/content_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "util/encoding.h"
#include "util/fs.h"

namespace lamin::hash {
namespace {

// The digests, fetched from OpenSSL's provider once: EVP_md5() makes every EVP_DigestInit_ex look
// the implementation up again (OpenSSL 3's implicit fetch), 2.5 % of a re-save of 10,000 small
// files. Fetched digests live for the process.
const EVP_MD* Md5() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md ? md : EVP_md5();
}
const EVP_MD* Sha1() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md ? md : EVP_sha1();
}

struct MdCtx {
  explicit MdCtx(const EVP_MD* md) : ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx, md, nullptr); }
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
  MdCtx(const MdCtx&) = delete;
  MdCtx& operator=(const MdCtx&) = delete;
  void Update(const void* data, size_t n) { EVP_DigestUpdate(ctx, data, n); }
  std::vector<uint8_t> Final() {
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, out.data(), &len);
    out.resize(len);
    return out;
  }
  EVP_MD_CTX* ctx;
};

std::string B64Cut(const std::vector<uint8_t>& digest) {
  return util::Base64UrlEncode(digest).substr(0, 22);
}

std::vector<uint8_t> Digest(const EVP_MD* md, const void* data, size_t n) {
  MdCtx ctx(md);
  ctx.Update(data, n);
  return ctx.Final();
}

}  // namespace

struct ContentHasher::Digests {
  // Small files: md5 over everything. Large files: sha1 of the first and of the last chunk.
  std::unique_ptr<MdCtx> md5;
  std::unique_ptr<MdCtx> first;
  std::unique_ptr<MdCtx> last;
};

ContentHasher::ContentHasher(uint64_t size, bool whole_md5)
    : size_(size), d_(std::make_unique<Digests>()) {
  if (size_ <= kFirstLastChunk || whole_md5) {
    d_->md5 = std::make_unique<MdCtx>(Md5());
  } else {
    d_->first = std::make_unique<MdCtx>(Sha1());
    d_->last = std::make_unique<MdCtx>(Sha1());
  }
}

ContentHasher::~ContentHasher() = default;

void ContentHasher::Update(const void* data, size_t n) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint64_t begin = seen_;
  seen_ += n;
  if (d_->md5) {
    d_->md5->Update(bytes, n);
    return;
  }
  // The two windows [0, chunk) and [size - chunk, size) overlap when size < 2 * chunk.
  uint64_t end = begin + n;
  if (begin < kFirstLastChunk) {
    uint64_t stop = std::min(end, kFirstLastChunk);
    d_->first->Update(bytes, stop - begin);
  }
  uint64_t last_start = size_ > kFirstLastChunk ? size_ - kFirstLastChunk : 0;
  if (end > last_start) {
    uint64_t from = std::max(begin, last_start);
    uint64_t stop = std::min(end, size_);
    if (stop > from) d_->last->Update(bytes + (from - begin), stop - from);
  }
}

uint64_t ContentHasher::Skippable() const {
  if (d_->md5 || seen_ < kFirstLastChunk) return 0;
  const uint64_t last_start = size_ - kFirstLastChunk;
  return seen_ < last_start ? last_start - seen_ : 0;
}

Result<ContentHash> ContentHasher::Finish() {
  if (seen_ != size_) {
    return Status::Corruption("the data changed while it was read: expected " +
                              std::to_string(size_) + " bytes, read " + std::to_string(seen_));
  }
  if (d_->md5) return ContentHash{B64Cut(d_->md5->Final()), "md5"};
  std::vector<uint8_t> both = d_->first->Final();
  std::vector<uint8_t> last = d_->last->Final();
  both.insert(both.end(), last.begin(), last.end());
  return ContentHash{B64Cut(Digest(Sha1(), both.data(), both.size())), "sha1-fl"};
}

namespace {

// Reads `stamp.size` bytes of the open file into `out` (no read past them: a file that grew is
// caught by the stamp check after). Result: IOError naming `path`.
Status ReadInto(int fd, const std::filesystem::path& path, uint64_t size, std::string& out) {
  out.resize(static_cast<size_t>(size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;  // shrank: the stamp check names it
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return Status::OK();
}

// Feeds the open file to `hasher`, seeking over what the hash does not read.
Status StreamInto(int fd, const std::filesystem::path& path, ContentHasher& hasher) {
  constexpr size_t kBuffer = 128 << 10;  // within L2 between read and hash (local_store.cc)
  thread_local std::unique_ptr<uint8_t[]> buffer(new uint8_t[kBuffer]);
  uint8_t* buf = buffer.get();
  while (true) {
    ssize_t n = ::read(fd, buf, kBuffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) return Status::OK();
    hasher.Update(buf, static_cast<size_t>(n));
    // A large file's hash reads its first and last 50 MiB only: seek over the rest.
    if (uint64_t gap = hasher.Skippable(); gap > 0) {
      if (::lseek(fd, static_cast<off_t>(gap), SEEK_CUR) < 0) {
        return util::ErrnoStatus(errno, "cannot read", path);
      }
      hasher.Skip(gap);
    }
  }
}

Result<FileRead> ReadFile(const std::filesystem::path& path, bool whole_md5, uint64_t keep_up_to) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util::ErrnoStatus(errno, "cannot open", path);
  auto before = util::StampOf(fd, path);
  if (!before.ok()) {
    ::close(fd);
    return before.status();
  }
  FileRead read;
  read.stamp = *before;
  ContentHasher hasher(before->size, whole_md5);
  Status status;
  if (before->size <= keep_up_to) {
    read.contents.emplace();
    status = ReadInto(fd, path, before->size, *read.contents);
    if (status.ok()) hasher.Update(read.contents->data(), read.contents->size());
  } else {
    // Read-ahead advice pays only for files of several reads.
    if (before->size > (4u << 20)) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    status = StreamInto(fd, path, hasher);
  }
  // A hash of a file written while it was read describes no version of it.
  if (status.ok()) status = util::CheckUnchanged(fd, path, *before);
  ::close(fd);
  LAMIN_RETURN_IF_ERROR(status);
  LAMIN_ASSIGN_OR_RETURN(read.hash, hasher.Finish());
  return read;
}

}  // namespace

Result<ContentHash> HashFile(const std::filesystem::path& path, bool whole_md5) {
  LAMIN_ASSIGN_OR_RETURN(FileRead read, ReadFile(path, whole_md5, 0));
  return std::move(read.hash);
}

Result<FileRead> ReadAndHashFile(const std::filesystem::path& path, uint64_t keep_up_to) {
  return ReadFile(path, /*whole_md5=*/false, keep_up_to);
}

std::string HashString(std::string_view text) {
  return B64Cut(Digest(Md5(), text.data(), text.size()));
}

ContentHash CombineFolderHash(std::vector<std::string> file_hashes) {
  std::sort(file_hashes.begin(), file_hashes.end());
  MdCtx outer(Md5());
  for (const auto& h : file_hashes) {
    auto inner = Digest(Md5(), h.data(), h.size());
    outer.Update(inner.data(), inner.size());
  }
  return ContentHash{B64Cut(outer.Final()), "md5-d"};
}

Result<ContentHash> HashPath(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return HashFile(path);
  LAMIN_ASSIGN_OR_RETURN(util::FolderListing listing, util::ListFolder(path));
  std::vector<std::string> hashes;
  for (const auto& f : listing.files) {
    LAMIN_ASSIGN_OR_RETURN(auto h, HashFile(f.path));
    hashes.push_back(h.hash);
  }
  return CombineFolderHash(std::move(hashes));
}

Result<ContentHash> HashFromEtag(const std::string& etag) {
  std::string hex = etag;
  std::string parts;
  auto dash = etag.find('-');
  if (dash != std::string::npos) {
    hex = etag.substr(0, dash);
    parts = etag.substr(dash + 1);
  }
  auto bytes = util::HexDecode(hex);
  bool parts_ok = dash == std::string::npos ||
                  (!parts.empty() && parts.find_first_not_of("0123456789") == std::string::npos);
  if (!bytes.ok() || bytes->size() != 16 || !parts_ok) {
    return Status::InvalidArgument("ETag '" + etag + "' is not an MD5 ETag (hex, or hex-N)");
  }
  return ContentHash{B64Cut(*bytes), parts.empty() ? "md5" : "md5-" + parts};
}

}  // namespace lamin::hash
