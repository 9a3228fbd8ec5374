// Downloads: /artifact/<uid>/download serves an artifact's data, and nothing else: the file
// is the one the library names for that uid, it must lie inside its storage location once
// symbolic links are resolved (or be the library's verified cached copy of a remote object),
// and it must hold the artifact's bytes (size and hash; verified once per file state for the
// life of the server, so that the ranges of one download do not hash it again). Range requests
// are answered by cpp-httplib from the content provider.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <tuple>

#include "core/verify.h"
#include "web/html.h"
#include "web/site.h"

namespace lamin::web {
namespace {

namespace fs = std::filesystem;

// A file's state: a change to its bytes changes one of these.
using FileState = std::tuple<dev_t, ino_t, off_t, int64_t, int64_t, std::string>;

class VerifiedFiles {
 public:
  bool Contains(const FileState& s) {
    std::lock_guard lock(mu_);
    return seen_.count(s) > 0;
  }
  void Add(const FileState& s) {
    std::lock_guard lock(mu_);
    if (seen_.size() > 100'000) seen_.clear();  // bounded: forgetting only costs a re-hash
    seen_.insert(s);
  }

 private:
  std::mutex mu_;
  std::set<FileState> seen_;
};

bool Inside(const fs::path& path, const fs::path& root) {
  std::error_code ec;
  fs::path p = fs::canonical(path, ec);
  if (ec) return false;
  fs::path r = fs::canonical(root, ec);
  if (ec) return false;
  auto [rit, pit] = std::mismatch(r.begin(), r.end(), p.begin(), p.end());
  return rit == r.end() && pit != p.end();
}

// A file name for Content-Disposition: the key's last part, only safe characters kept.
std::string DownloadName(const Artifact& a) {
  std::string base = a.key ? fs::path(*a.key).filename().string() : a.uid + a.suffix;
  std::string out;
  for (unsigned char c : base) {
    out += (std::isalnum(c) || c == '.' || c == '-' || c == '_') ? static_cast<char>(c) : '_';
  }
  return out.empty() ? a.uid : out;
}

const char* MimeType(const std::string& suffix) {
  if (suffix == ".csv") return "text/csv";
  if (suffix == ".tsv" || suffix == ".txt" || suffix == ".fasta" || suffix == ".fastq" ||
      suffix == ".md") {
    return "text/plain";
  }
  if (suffix == ".json") return "application/json";
  return "application/octet-stream";
}

}  // namespace

void AddDownload(httplib::Server& server, Site& site) {
  auto verified = std::make_shared<VerifiedFiles>();
  server.Get(std::string("/artifact/") + kUid + "/download",
             [&site, verified](const httplib::Request& req, httplib::Response& res) {
    auto lease = site.pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status(), false);
    Instance& inst = **lease;
    auto a = inst.artifacts().Get(ArtifactRef::ByUid(req.matches[1]));
    if (!a.ok()) return SendError(res, a.status(), false);
    if (a->n_files) {
      return SendError(res, Status::InvalidArgument(
          "artifact " + a->uid + " is a folder: get its files with lamin load"), false);
    }
    auto path = inst.artifacts().Load(ArtifactRef::ByUid(a->uid));
    if (!path.ok()) return SendError(res, path.status(), false);
    const bool remote = a->storage_root.rfind("s3://", 0) == 0;
    if (!remote && !Inside(*path, a->storage_root)) {
      return SendError(res, Status::PermissionDenied(
          "the data of artifact " + a->uid + " leads outside its storage location: not served"), false);
    }
    int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (fd >= 0) ::close(fd);
      return SendError(res, Status::NotFound("the data of artifact " + a->uid + " cannot be read"), false);
    }
    auto file = std::shared_ptr<int>(new int(fd), [](int* f) { ::close(*f); delete f; });
    FileState state{st.st_dev, st.st_ino, st.st_size,
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                    static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec,
                    a->uid};
    if (!verified->Contains(state)) {
      // The descriptor's file, by its /proc name: what is verified is what is sent.
      Status ok = core::VerifyCopy(fmt::format("/proc/self/fd/{}", fd), *a);
      if (!ok.ok()) return SendError(res, ok, false);
      verified->Add(state);
    }
    res.set_header("Content-Disposition", "attachment; filename=\"" + DownloadName(*a) + "\"");
    res.set_content_provider(
        static_cast<size_t>(st.st_size), MimeType(a->suffix),
        [file](size_t offset, size_t length, httplib::DataSink& sink) {
          char buf[64 * 1024];
          while (length > 0) {
            ssize_t n = ::pread(*file, buf, std::min(length, sizeof buf), static_cast<off_t>(offset));
            if (n <= 0) return false;
            if (!sink.write(buf, static_cast<size_t>(n))) return false;
            offset += static_cast<size_t>(n);
            length -= static_cast<size_t>(n);
          }
          return true;
        });
  });
}

}  // namespace lamin::web
