/* A spy on durability, preloaded into a real `lamin` process (LD_PRELOAD): it logs every fsync,
 * fdatasync, syncfs, rename and exclusive create, in order, to the file $LAMIN_SYNC_LOG, one line
 * each:
 *   sync <path>        fsync or fdatasync of an open file or folder
 *   syncfs             a whole file system flushed
 *   rename <from>\t<to>
 *   create <path>      open with O_CREAT|O_EXCL (a file written at its final key)
 * Nothing observed the syncing before (a save that skipped the fsync of a staged object passed
 * every test); tests/crash/durability_test.cc reads the log. Written in C for the preload. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void Log(const char* line) {
  const char* file = getenv("LAMIN_SYNC_LOG");
  if (!file) return;
  int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  size_t n = strlen(line);
  ssize_t w = write(fd, line, n); /* one write: lines of concurrent threads never interleave */
  (void)w;
  close(fd);
}

static void PathOfFd(int fd, char* out, size_t size) {
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, size - 1);
  out[n > 0 ? n : 0] = '\0';
}

static void PathAt(int dirfd, const char* path, char* out, size_t size) {
  if (path[0] == '/' || dirfd == AT_FDCWD) {
    if (path[0] == '/') {
      snprintf(out, size, "%s", path);
    } else {
      char cwd[PATH_MAX];
      snprintf(out, size, "%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : ".", path);
    }
    return;
  }
  char dir[PATH_MAX];
  PathOfFd(dirfd, dir, sizeof(dir));
  snprintf(out, size, "%s/%s", dir, path);
}

static void LogSync(int fd) {
  char path[PATH_MAX], line[PATH_MAX + 16];
  PathOfFd(fd, path, sizeof(path));
  snprintf(line, sizeof(line), "sync %s\n", path);
  Log(line);
}

static void LogRename(int from_dir, const char* from, int to_dir, const char* to) {
  char a[PATH_MAX], b[PATH_MAX], line[2 * PATH_MAX + 16];
  PathAt(from_dir, from, a, sizeof(a));
  PathAt(to_dir, to, b, sizeof(b));
  snprintf(line, sizeof(line), "rename %s\t%s\n", a, b);
  Log(line);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int rc = real(fd);
  if (rc == 0) LogSync(fd);
  return rc;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  int rc = real(fd);
  if (rc == 0) LogSync(fd);
  return rc;
}

int syncfs(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
  int rc = real(fd);
  if (rc == 0) Log("syncfs\n");
  return rc;
}

int rename(const char* from, const char* to) {
  static int (*real)(const char*, const char*);
  if (!real) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
  int rc = real(from, to);
  if (rc == 0) LogRename(AT_FDCWD, from, AT_FDCWD, to);
  return rc;
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) {
  static int (*real)(int, const char*, int, const char*);
  if (!real) real = (int (*)(int, const char*, int, const char*))dlsym(RTLD_NEXT, "renameat");
  int rc = real(from_dir, from, to_dir, to);
  if (rc == 0) LogRename(from_dir, from, to_dir, to);
  return rc;
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned flags) {
  static int (*real)(int, const char*, int, const char*, unsigned);
  if (!real) {
    real = (int (*)(int, const char*, int, const char*, unsigned))dlsym(RTLD_NEXT, "renameat2");
  }
  int rc = real(from_dir, from, to_dir, to, flags);
  if (rc == 0) LogRename(from_dir, from, to_dir, to);
  return rc;
}

static void LogCreate(int dirfd, const char* path, int flags) {
  if ((flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL)) return;
  char full[PATH_MAX], line[PATH_MAX + 16];
  PathAt(dirfd, path, full, sizeof(full));
  snprintf(line, sizeof(line), "create %s\n", full);
  Log(line);
}

/* open's mode is variadic: read it only when O_CREAT says it is there. */
#define SPY_OPEN()                                                   \
  mode_t mode = 0;                                                            \
  if (flags & O_CREAT) {                                                      \
    va_list args;                                                             \
    va_start(args, flags);                                                    \
    mode = (mode_t)va_arg(args, int);                                         \
    va_end(args);                                                             \
  }

int open(const char* path, int flags, ...) {
  static int (*real)(const char*, int, ...);
  if (!real) real = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, "open");
  SPY_OPEN()
  int fd = real(path, flags, mode);
  if (fd >= 0) LogCreate(AT_FDCWD, path, flags);
  return fd;
}

int open64(const char* path, int flags, ...) {
  static int (*real)(const char*, int, ...);
  if (!real) real = (int (*)(const char*, int, ...))dlsym(RTLD_NEXT, "open64");
  SPY_OPEN()
  int fd = real(path, flags, mode);
  if (fd >= 0) LogCreate(AT_FDCWD, path, flags);
  return fd;
}

int openat(int dirfd, const char* path, int flags, ...) {
  static int (*real)(int, const char*, int, ...);
  if (!real) real = (int (*)(int, const char*, int, ...))dlsym(RTLD_NEXT, "openat");
  SPY_OPEN()
  int fd = real(dirfd, path, flags, mode);
  if (fd >= 0) LogCreate(dirfd, path, flags);
  return fd;
}
