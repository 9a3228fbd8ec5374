// Starting the real `lamin` binary from tests: run to completion, or start and kill.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <chrono>
#include <string>
#include <vector>

extern char** environ;

namespace lamin::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

// Starts `args` (args[0] the program) with stdout and stderr sent to the given files; with
// `own_group`, in a process group of its own (pid = pgid), so that kill(-pid) reaches its
// children too.
inline pid_t Start(const std::vector<std::string>& args, const std::filesystem::path& out,
                   const std::filesystem::path& err, bool own_group = false) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (own_group) {
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return pid;
}

// Waits (at most `timeout`) until no live process (zombies are not) is left in process group
// `pgid`: a SIGKILL reaches a group at once, but each member dies when it is next scheduled.
inline void WaitForGroupToDie(pid_t pgid, std::chrono::milliseconds timeout =
                                              std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool alive = false;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::ifstream in(e.path() / "stat");
      std::string content;
      if (!std::getline(in, content)) continue;
      auto paren = content.rfind(')');
      if (paren == std::string::npos) continue;
      std::istringstream fields(content.substr(paren + 2));
      std::string state, ppid, pgrp;
      fields >> state >> ppid >> pgrp;
      if (pgrp == std::to_string(pgid) && state != "Z" && state != "X") alive = true;
    }
    if (!alive) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for `pid`; the exit code, or -1 if a signal ended it.
inline int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `args` to completion in `scratch` (for its output files).
inline ProcessResult Run(const std::vector<std::string>& args,
                         const std::filesystem::path& scratch) {
  static int counter = 0;
  std::string tag = std::to_string(getpid()) + "-" + std::to_string(++counter);
  auto out = scratch / ("out-" + tag);
  auto err = scratch / ("err-" + tag);
  ProcessResult r;
  pid_t pid = Start(args, out, err);
  if (pid < 0) return r;
  r.exit_code = Wait(pid);
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace lamin::testing
