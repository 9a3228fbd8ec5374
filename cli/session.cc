#include "session.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "lamin/json.h"
#include "output.h"
#include "scripts.h"
#include "util/fs.h"

namespace lamin::cli {
namespace {

// A progress line on stderr for long transfers, when stderr is a terminal; at most ten updates
// a second (parts finish on several threads).
TransferProgress TerminalProgress() {
  if (!::isatty(STDERR_FILENO)) return {};
  struct State {
    std::mutex mu;
    std::chrono::steady_clock::time_point last;
  };
  auto state = std::make_shared<State>();
  return [state](const std::string& key, uint64_t done, uint64_t total) {
    std::lock_guard lock(state->mu);
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - state->last < std::chrono::milliseconds(100)) return;
    state->last = now;
    std::cerr << fmt::format("\r{}: {:3d}% of {:.1f} MiB{}", Printable(key),
                             total ? static_cast<int>(done * 100 / total) : 100,
                             static_cast<double>(total) / (1 << 20), done >= total ? "\n" : "")
              << std::flush;
  };
}

}  // namespace

Result<std::optional<Run>> CurrentRun(Instance& instance) {
  if (const char* uid = std::getenv(kRunUidVariable); uid && *uid) {
    auto run = instance.lineage().GetRun(uid);
    if (run.status().IsNotFound()) {
      return Status::NotFound(fmt::format("{} names run '{}', which this instance does not "
                                          "have: unset it, or connect to the instance of that run",
                                          kRunUidVariable, Printable(uid)));
    }
    if (!run.ok()) return run.status();
    return std::optional<Run>(*run);
  }
  auto shell_run = ShellRun(instance);
  if (!shell_run.ok()) return shell_run.status();
  if (!*shell_run) return std::optional<Run>();
  return std::optional<Run>(shell_run->value().first);
}

Result<std::optional<std::pair<Run, std::string>>> ShellRun(Instance& instance) {
  using Found = std::optional<std::pair<Run, std::string>>;
  std::filesystem::path file = CurrentShellRunFile();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Found();
  auto text = util::ReadFile(file);
  if (!text.ok()) return text.status();
  std::string uid = *text;
  while (!uid.empty() && std::isspace(static_cast<unsigned char>(uid.back()))) uid.pop_back();
  auto run = instance.lineage().GetRun(uid);
  if (run.status().IsNotFound()) {
    return Status::NotFound(fmt::format(
        "the shell run '{}' of '{}' (from `lamin track`) is not in this instance: connect to its "
        "instance and run `lamin finish`, or remove that file",
        Printable(uid), Printable(file.string())));
  }
  if (!run.ok()) return run.status();
  return Found(std::make_pair(*run, file.string()));
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
      return kExitInvalid;
    case StatusCode::kFailedPrecondition:
      return kExitNoInstance;
    case StatusCode::kIOError:
    case StatusCode::kUnavailable:
    case StatusCode::kPermissionDenied:
    case StatusCode::kCorruption:
    case StatusCode::kAborted:
      return kExitIo;
    case StatusCode::kInternal:
      return kExitError;
  }
  return kExitError;
}

OpenOptions Session::Options() const {
  OpenOptions options;
  options.progress = TerminalProgress();
  return options;
}

Result<std::unique_ptr<Instance>> Session::OpenCurrent() const {
  return Instance::OpenCurrent(Options());
}

int Session::Fail(const Status& status) const {
  int code = ExitCodeFor(status);
  std::cerr << "error: " << Printable(status.message()) << "\n";
  if (json) {
    nlohmann::json error = ToJson(status);
    error["exit_code"] = code;
    PrintJson({{"error", error}});
  }
  return code;
}

int Session::Usage(const std::string& message) const {
  std::cerr << "error: " << message << "\n";
  if (json) {
    PrintJson({{"error", {{"code", "Usage"}, {"message", message}, {"exit_code", kExitUsage}}}});
  }
  return kExitUsage;
}

void Session::Warn(const std::string& message) const {
  std::cerr << "warning: " << Printable(message) << "\n";
}

void Session::PrintJson(const nlohmann::json& j) const {
  // Invalid UTF-8 (a file name in another encoding) is replaced, never a crash.
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void RefArgs::AddTo(CLI::App* cmd) {
  auto* k = cmd->add_option("--key", key, "the artifact's key (its latest version)");
  auto* u = cmd->add_option("--uid", uid, "16 characters: latest version; 20: that version");
  k->excludes(u);
}

std::optional<ArtifactRef> RefArgs::Ref() const {
  if (!key.empty()) return ArtifactRef::ByKey(key);
  if (!uid.empty()) return ArtifactRef::ByUid(uid);
  return std::nullopt;
}

}  // namespace lamin::cli
