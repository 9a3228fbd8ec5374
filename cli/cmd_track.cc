// lamin track / lamin finish: the run of a shell script, as lamin-cli records it. `lamin track`
// (in the script) makes the script a transform, starts a run and names it in
// current_shell_run.txt in the settings folder, so that lamin-cli and this `lamin` see the same
// run; `lamin save` and `lamin load` until `lamin finish` record its outputs and inputs.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "output.h"
#include "scripts.h"
#include "session.h"
#include "util/fs.h"

namespace lamin::cli {
namespace {

namespace fs = std::filesystem;

// The words of a process's command line.
std::vector<std::string> CommandLineOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> words;
  for (std::string w; std::getline(in, w, '\0');) words.push_back(w);
  return words;
}

// The script a shell that started us runs (`bash script.sh …`), as lamin-cli finds it; empty
// when our parent is not a shell running a script file.
fs::path ParentShellScript() {
  pid_t parent = ::getppid();
  std::vector<std::string> words = CommandLineOf(parent);
  if (words.size() < 2 || words[1].empty() || words[1][0] == '-') return {};
  const std::string shell = fs::path(words[0]).filename().string();
  if (shell != "bash" && shell != "sh" && shell != "zsh" && shell != "dash") return {};
  fs::path script = words[1];
  if (script.is_relative()) {
    std::error_code ec;
    fs::path cwd = fs::read_symlink("/proc/" + std::to_string(parent) + "/cwd", ec);
    if (ec) return {};
    script = cwd / script;
  }
  return script;
}

}  // namespace

std::vector<Command> AddTrackCommands(CLI::App& app, Session& s) {
  struct Args {
    std::string script, key, params, description;
  };
  auto args = std::make_shared<Args>();
  auto* track = app.add_subcommand(
      "track", "start a run of the calling shell script (or SCRIPT); `lamin finish` ends it");
  track->add_option("script", args->script, "the script (default: the shell script that calls)");
  track->add_option("--key", args->key, "the transform's key (default: the script's file name)");
  track->add_option("--params", args->params, "the run's parameters, a JSON object");
  track->add_option("--description", args->description, "the transform's description");
  s.AddJsonFlag(track);
  auto* finish = app.add_subcommand("finish", "end the run that `lamin track` started");
  s.AddJsonFlag(finish);

  auto start = [args, &s] {
    fs::path script = args->script.empty() ? ParentShellScript() : fs::path(args->script);
    if (script.empty()) {
      return s.Fail(Status::InvalidArgument(
          "cannot tell which script calls `lamin track`: call it from a shell script, or name "
          "the script (lamin track SCRIPT)"));
    }
    auto source = SourceText(script);
    if (!source) {
      return s.Fail(Status::NotFound("cannot read the script '" + Printable(script.string()) +
                                     "' as text; nothing was recorded"));
    }
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto earlier = ShellRun(**inst);
    if (earlier.ok() && *earlier) {
      s.Warn("run " + (*earlier)->first.uid +
             " of an earlier `lamin track` was not finished; this run replaces it as the "
             "shell's run");
    }
    TransformSpec spec;
    spec.key = args->key.empty() ? script.filename().string() : args->key;
    spec.kind = "script";
    spec.source_code = source;
    if (!args->description.empty()) spec.description = args->description;
    Lineage& lineage = (*inst)->lineage();
    auto transform = lineage.SaveTransform(spec);
    if (!transform.ok()) return s.Fail(transform.status());
    RunSpec run_spec;
    run_spec.carried_by_this_process = false;  // the shell carries it, until `lamin finish`
    if (!args->params.empty()) run_spec.params = args->params;
    auto run = lineage.StartRun(*transform, run_spec);
    if (!run.ok()) return s.Fail(run.status());
    fs::path file = CurrentShellRunFile();
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    Status written = util::WriteFileAtomic(file, run->uid, 0600);
    if (!written.ok()) {
      // Not named, the run cannot be joined nor finished: end it rather than leave it open.
      (void)lineage.FinishRun(*run, RunStatus::kErrored, std::nullopt);
      return s.Fail(written.WithContext("cannot name the shell run"));
    }
    if (s.json) {
      s.PrintJson({{"run", run->uid}, {"transform", transform->uid}, {"key", transform->key}});
    } else {
      std::cerr << fmt::format("started tracking shell run {} of {} ({})\n", run->uid,
                               Printable(transform->key), transform->uid);
    }
    return kExitOk;
  };

  auto end = [&s] {
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto current = ShellRun(**inst);
    if (!current.ok()) return s.Fail(current.status());
    if (!*current) {
      return s.Fail(Status::NotFound("no active run to finish: run `lamin track` first"));
    }
    auto& [run, file] = **current;
    auto done = (*inst)->lineage().FinishRun(run, RunStatus::kCompleted, std::nullopt);
    if (!done.ok()) return s.Fail(done.status());
    std::error_code ec;
    fs::remove(file, ec);
    if (s.json) {
      s.PrintJson({{"run", done->uid}, {"status", RunStatusName(done->status)}});
    } else {
      std::cerr << fmt::format("finished tracking shell run {}\n", done->uid);
    }
    return kExitOk;
  };
  return {{track, start}, {finish, end}};
}

}  // namespace lamin::cli
