#include "util/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(errno ? errno : ENOENT, "cannot read", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path NormalizeAbsolute(const fs::path& path) {
  fs::path p = fs::absolute(path).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return fs::path(s);
}

bool IsWithin(const fs::path& child, const fs::path& parent) {
  auto rel = child.lexically_relative(parent);
  if (rel.empty()) return false;
  auto first = *rel.begin();
  return first != "..";
}

Result<PathSize> SizeOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISDIR(st.st_mode)) return PathSize{static_cast<uint64_t>(st.st_size), 1, false};
  PathSize size{0, 0, true};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    size.bytes += it->file_size(ec);
    ++size.files;
  }
  if (ec) return ErrnoStatus(ec.value(), "cannot list", path);
  return size;
}

}  // namespace lamin::util
