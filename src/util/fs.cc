#include "util/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/encoding.h"

namespace lamin::util {

Status ErrnoStatus(int err, std::string_view what, const fs::path& path) {
  std::string msg = std::string(what) + " '" + path.string() + "': " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::PermissionDenied(msg);
    case ENOSPC:
    case EDQUOT:
      return Status::IOError(msg + " (the file system is full: free space and retry)");
    case EEXIST:
      return Status::AlreadyExists(msg);
    default:
      return Status::IOError(msg);
  }
}

Status SyncPath(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open for fsync", path);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync failed for", path);
  return Status::OK();
}

Status WriteFileAtomic(const fs::path& path, std::string_view content, unsigned mode) {
  fs::path tmp = path;
  tmp += ".tmp-" + RandomBase62(8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(errno, "cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus(err, "cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, "cannot sync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, "cannot rename into place", path);
  }
  return SyncPath(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

Result<std::string> ReadFile(const fs::path& path) {
  // open(2) itself, so that the cause is errno's (a missing file is NotFound, too many open
  // files is not).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot read", path);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "cannot read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

fs::path NormalizeAbsolute(const fs::path& path, const fs::path& cwd) {
  return fs::path(NormalizeAbsoluteText(path.native(), cwd.native()));
}

std::string NormalizeAbsoluteText(std::string_view in, std::string_view cwd) {
  std::string joined;
  if (in.empty() || in[0] != '/') {
    std::error_code ec;
    joined = cwd.empty() ? fs::current_path(ec).native() : std::string(cwd);
    joined += '/';
    joined += in;
  }
  std::string_view rest = joined.empty() ? std::string_view(in) : std::string_view(joined);
  std::string out;
  out.reserve(rest.size());
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {  // at the root, ".." is the root
      out.resize(out.empty() ? 0 : out.rfind('/'));
      continue;
    }
    out += '/';
    out += part;
  }
  return out.empty() ? std::string("/") : out;
}

bool IsWithin(std::string_view c, std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p == "/") return !c.empty() && c[0] == '/';
  return c.starts_with(p) && (c.size() == p.size() || c[p.size()] == '/');
}

namespace {

FileStamp StampFromStat(const struct stat& st) {
  auto ns = [](const timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; };
  return FileStamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                   static_cast<uint64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim)};
}

Status ChangedWhileSaved(const fs::path& path, const FileStamp& before, const FileStamp& after) {
  return Status::IOError("'" + path.string() +
                         "' changed while it was being saved (it was written to" +
                         (after.size != before.size ? ", its size went from " +
                                                          std::to_string(before.size) + " to " +
                                                          std::to_string(after.size) + " bytes"
                                                    : std::string()) +
                         "): nothing of it was kept; save it again once nothing writes it");
}

}  // namespace

Result<FileStamp> StampOf(int fd, const fs::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  return StampFromStat(st);
}

Status CheckUnchanged(int fd, const fs::path& path, const FileStamp& before) {
  LAMIN_ASSIGN_OR_RETURN(FileStamp after, StampOf(fd, path));
  if (after == before) return Status::OK();
  return ChangedWhileSaved(path, before, after);
}

Status CheckUnchangedAt(const fs::path& path, const FileStamp& before) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ChangedWhileSaved(path, before, FileStamp{});
    return ErrnoStatus(errno, "cannot stat", path);
  }
  FileStamp after = StampFromStat(st);
  if (after == before) return Status::OK();
  return ChangedWhileSaved(path, before, after);
}

namespace {

// Walks `dir` (whose path inside the root is `relative`), with the (dev, ino) of every folder
// on the way down in `ancestors` to detect links that loop.
Status Walk(const fs::path& dir, const std::string& relative,
            std::vector<std::pair<dev_t, ino_t>>& ancestors, FolderListing& out) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) return ErrnoStatus(ec.value(), "cannot list", dir);
  std::sort(entries.begin(), entries.end());
  for (const auto& entry : entries) {
    std::string rel = (relative.empty() ? "" : relative + "/") + entry.filename().string();
    struct stat st {};
    if (::stat(entry.c_str(), &st) != 0) {  // follows links
      struct stat link {};
      if (errno == ENOENT && ::lstat(entry.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
        out.skipped.push_back(rel + " (a broken symbolic link)");
        continue;
      }
      return ErrnoStatus(errno, "cannot stat", entry);
    }
    if (S_ISREG(st.st_mode)) {
      out.files.push_back({entry, rel, static_cast<uint64_t>(st.st_size)});
    } else if (S_ISDIR(st.st_mode)) {
      for (const auto& [dev, ino] : ancestors) {
        if (dev == st.st_dev && ino == st.st_ino) {
          return Status::InvalidArgument("'" + entry.string() +
                                         "' is a symbolic link back into a folder above it: "
                                         "the folder would never end");
        }
      }
      ancestors.emplace_back(st.st_dev, st.st_ino);
      LAMIN_RETURN_IF_ERROR(Walk(entry, rel, ancestors, out));
      ancestors.pop_back();
    } else {
      const char* what = S_ISFIFO(st.st_mode)   ? "a FIFO"
                         : S_ISSOCK(st.st_mode) ? "a socket"
                                                : "a device";
      out.skipped.push_back(rel + " (" + what + ")");
    }
  }
  return Status::OK();
}

}  // namespace

Result<FolderListing> ListFolder(const fs::path& root) {
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot stat", root);
  FolderListing out;
  std::vector<std::pair<dev_t, ino_t>> ancestors = {{st.st_dev, st.st_ino}};
  LAMIN_RETURN_IF_ERROR(Walk(root, "", ancestors, out));
  std::sort(out.files.begin(), out.files.end(),
            [](const FolderFile& a, const FolderFile& b) { return a.relative < b.relative; });
  return out;
}

Result<PathSize> SizeOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISDIR(st.st_mode)) return PathSize{static_cast<uint64_t>(st.st_size), 1, false};
  LAMIN_ASSIGN_OR_RETURN(FolderListing listing, ListFolder(path));
  PathSize size{0, 0, true};
  for (const auto& f : listing.files) size.bytes += f.size;
  size.files = listing.files.size();
  return size;
}

}  // namespace lamin::util
