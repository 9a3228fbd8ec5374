// lamin run: runs any command as a run of a transform, with lineage. The command's stdout and
// stderr pass through and are kept as the run's report; `lamin save` and `lamin load` inside it
// (told by LAMIN_RUN_UID) record its outputs and inputs. Exits with the command's exit code.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "output.h"
#include "scripts.h"
#include "session.h"

namespace lamin::cli {
namespace {

namespace fs = std::filesystem;

// The child, for the signal handler to pass SIGINT/SIGTERM/SIGHUP on to.
volatile sig_atomic_t g_child = 0;
void ForwardSignal(int sig) {
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), sig);
}

// Interpreters whose first file argument is the script that is run.
bool IsInterpreter(const std::string& word) {
  static const std::set<std::string> names{"python", "python3", "Rscript", "R",    "bash", "sh",
                                           "zsh",    "node",    "perl",    "ruby", "julia"};
  std::string name = fs::path(word).filename().string();
  if (name.rfind("python3.", 0) == 0) return true;
  return names.count(name) > 0;
}

// The executable `word` names (a path, or found on PATH), or empty.
std::string ResolveExecutable(const std::string& word) {
  if (word.find('/') != std::string::npos) return ::access(word.c_str(), X_OK) == 0 ? word : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / word;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return "";
}

std::string ShellQuoted(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    bool plain = !w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                                                   "TUVWXYZ0123456789_-./=:,@+%") ==
                                   std::string::npos;
    if (plain) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

// What the command is, as a transform: a script (a text file run directly or by an interpreter)
// is named by its file name and versioned by its text; anything else is a pipeline named by its
// program. `cli_args` are the words after the script or program.
struct CommandTransform {
  TransformSpec spec;
  std::optional<std::string> cli_args;
};

CommandTransform Describe(const std::vector<std::string>& command) {
  size_t script = std::string::npos;
  if (command[0].find('/') != std::string::npos && SourceText(command[0])) script = 0;
  if (script == std::string::npos && IsInterpreter(command[0])) {
    for (size_t i = 1; i < command.size(); ++i) {
      if (command[i].rfind('-', 0) == 0) continue;
      if (SourceText(command[i])) script = i;
      break;
    }
  }
  CommandTransform t;
  size_t args_from = 1;
  if (script != std::string::npos) {
    t.spec.key = fs::path(command[script]).filename().string();
    t.spec.kind = "script";
    t.spec.source_code = SourceText(command[script]);
    args_from = script + 1;
  } else {
    t.spec.key = fs::path(command[0]).filename().string();
    t.spec.kind = "pipeline";
  }
  if (args_from < command.size()) {
    t.cli_args = ShellQuoted({command.begin() + static_cast<long>(args_from), command.end()});
  }
  return t;
}

// Copies everything readable from `from` to `to` and the log. False at end of file.
bool Pump(int from, int to, std::ofstream& log) {
  char buf[65536];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  for (ssize_t done = 0; done < n;) {
    ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;  // our own output is gone (a closed pipe): the log still gets it all
    done += w;
  }
  log.write(buf, n);
  return true;
}

struct Outcome {
  int exit_code = 0;
  RunStatus status = RunStatus::kCompleted;
};

// Runs `command` with LAMIN_RUN_UID set, its output teed to `log_path`. Result: IOError when it
// cannot be started.
Result<Outcome> Supervise(const std::vector<std::string>& command, const std::string& run_uid,
                          const fs::path& log_path) {
  std::ofstream log(log_path, std::ios::binary);
  if (!log) return Status::IOError("cannot write the run's log at '" + log_path.string() + "'");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return Status::IOError(std::string("cannot make pipes for the command: ") + strerror(errno));
  }
  std::vector<char*> argv;
  for (const auto& w : command) argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  pid_t child = ::fork();
  if (child < 0) return Status::IOError(std::string("cannot start the command: ") + strerror(errno));
  if (child == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::setenv(kRunUidVariable, run_uid.c_str(), 1);
    ::execvp(argv[0], argv.data());
    std::string msg = fmt::format("lamin run: cannot run '{}': {}\n", command[0], strerror(errno));
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  g_child = child;
  struct sigaction forward {}, old_int {}, old_term {}, old_hup {};
  forward.sa_handler = ForwardSignal;
  sigemptyset(&forward.sa_mask);
  ::sigaction(SIGINT, &forward, &old_int);
  ::sigaction(SIGTERM, &forward, &old_term);
  ::sigaction(SIGHUP, &forward, &old_hup);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  const int targets[2] = {STDOUT_FILENO, STDERR_FILENO};
  int open_fds = 2;
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (!Pump(fds[i].fd, targets[i], log)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int wstatus = 0;
  while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGHUP, &old_hup, nullptr);
  log.flush();
  if (!log) return Status::IOError("cannot write the run's log at '" + log_path.string() + "'");
  Outcome outcome;
  if (WIFEXITED(wstatus)) {
    outcome.exit_code = WEXITSTATUS(wstatus);
    outcome.status = outcome.exit_code == 0 ? RunStatus::kCompleted : RunStatus::kErrored;
  } else if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    outcome.exit_code = 128 + sig;
    // Interrupted from outside (LaminDB's KeyboardInterrupt): aborted; a crash: errored.
    outcome.status = sig == SIGINT || sig == SIGTERM || sig == SIGHUP ? RunStatus::kAborted
                                                                       : RunStatus::kErrored;
  }
  return outcome;
}

}  // namespace

std::vector<Command> AddRunCommand(CLI::App& app, Session& s) {
  struct Args {
    std::vector<std::string> command;
    std::string key, kind, params, description, environment;
  };
  auto args = std::make_shared<Args>();
  auto* run = app.add_subcommand(
      "run", "run a command as a tracked run: its transform, its log, its inputs and outputs");
  run->add_option("command", args->command, "the command and its arguments (after --)")
      ->required();
  run->add_option("--key", args->key,
                  "the transform's key (default: the script's file name, else the program's)");
  run->add_option("--kind", args->kind, "the transform's kind: script, pipeline, …");
  run->add_option("--params", args->params, "the run's parameters, a JSON object");
  run->add_option("--description", args->description, "the transform's description");
  run->add_option("--environment", args->environment,
                  "a file describing the environment (requirements.txt, a lock file), saved as "
                  "the run's environment");
  run->prefix_command(false);

  auto go = [args, &s] {
    const std::vector<std::string>& command = args->command;
    if (ResolveExecutable(command[0]).empty()) {
      return s.Fail(Status::NotFound("cannot run '" + Printable(command[0]) +
                                     "': no such executable (on PATH, or as a path); nothing "
                                     "was recorded"));
    }
    std::error_code ec;
    if (!args->environment.empty() && !fs::is_regular_file(args->environment, ec)) {
      return s.Fail(Status::NotFound("no environment file '" + Printable(args->environment) +
                                     "'; nothing was recorded"));
    }
    CommandTransform described = Describe(command);
    if (!args->key.empty()) described.spec.key = args->key;
    if (!args->kind.empty()) described.spec.kind = args->kind;
    if (!args->description.empty()) described.spec.description = args->description;
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    Lineage& lineage = (*inst)->lineage();
    auto parent = CurrentRun(**inst);  // a run started inside another one
    if (!parent.ok()) return s.Fail(parent.status());
    auto transform = lineage.SaveTransform(described.spec);
    if (!transform.ok()) return s.Fail(transform.status());
    RunSpec spec;
    if (!args->params.empty()) spec.params = args->params;
    if (!args->environment.empty()) spec.environment = args->environment;
    spec.cli_args = described.cli_args;
    if (*parent) spec.initiated_by_run_id = (*parent)->id;
    auto started = lineage.StartRun(*transform, spec);
    if (!started.ok()) return s.Fail(started.status());
    std::cerr << fmt::format("run {} of {} {} ({})\n", started->uid, transform->kind,
                             Printable(transform->key), transform->uid);

    fs::path log_dir = fs::temp_directory_path(ec) / ("lamin-run-" + started->uid);
    fs::create_directories(log_dir, ec);
    fs::path log_path = log_dir / "log.txt";
    auto began = std::chrono::steady_clock::now();
    auto outcome = Supervise(command, started->uid, log_path);
    Outcome result = outcome.ok() ? *outcome : Outcome{kExitIo, RunStatus::kErrored};
    std::optional<fs::path> report;
    if (outcome.ok()) report = log_path;
    auto finished = lineage.FinishRun(*started, result.status, report);
    fs::remove_all(log_dir, ec);
    if (!outcome.ok()) return s.Fail(outcome.status());
    if (!finished.ok()) {
      s.Fail(finished.status().WithContext("the command ran, but its run " + started->uid +
                                           " stays marked as started"));
      return result.exit_code ? result.exit_code : kExitIo;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::cerr << fmt::format("run {} {} in {:.2f} s (exit {})\n", started->uid,
                             RunStatusName(result.status), secs, result.exit_code);
    return result.exit_code;
  };
  return {{run, go}};
}

}  // namespace lamin::cli
