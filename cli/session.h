// What every command of the `lamin` command line shares: the output mode, the one way to open
// the current instance, and the one way to report an error (text on stderr, an exit code from
// the README's table, and with --json an error object on stdout, so that stdout always holds
// exactly one JSON value).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lamin/lamin.h"

namespace lamin::cli {

// Exit codes (documented in the README):
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;       // internal or unexpected
inline constexpr int kExitUsage = 2;       // bad command line
inline constexpr int kExitNotFound = 3;    // no such artifact, instance or path
inline constexpr int kExitInvalid = 4;     // invalid input, or it exists already
inline constexpr int kExitNoInstance = 5;  // no instance, not a LaminDB instance, no credentials
inline constexpr int kExitIo = 6;          // storage or database failure; nothing changed
inline constexpr int kExitPartial = 7;     // --keep-successful: some saved, some failed
inline constexpr int kExitDamage = 8;      // fsck found damage (that it did not repair)

int ExitCodeFor(const Status& status);

class Session {
 public:
  bool json = false;  // set by --json of the command that runs

  // Adds --json to `cmd`.
  void AddJsonFlag(CLI::App* cmd) { cmd->add_flag("--json", json, "print JSON"); }
  // The current instance, opened as the command line opens it (progress lines on a terminal).
  Result<std::unique_ptr<Instance>> OpenCurrent() const;
  OpenOptions Options() const;

  // Reports `status`: "error: <message>" on stderr, with --json also {"error": ...} on stdout.
  // Returns its exit code.
  int Fail(const Status& status) const;
  // A bad command line (exit 2), reported like Fail.
  int Usage(const std::string& message) const;
  void Warn(const std::string& message) const;
  void PrintJson(const nlohmann::json& j) const;
};

// The environment variable through which `lamin run` tells the commands it runs which run they
// belong to: `lamin save` inside makes that run's outputs, `lamin load` its inputs.
inline constexpr const char* kRunUidVariable = "LAMIN_RUN_UID";
// The run that `lamin save` and `lamin load` join: the one named by LAMIN_RUN_UID (inside
// `lamin run`), else the shell run of `lamin track` (ShellRun), else none. Result: NotFound (a
// run this instance does not have), with what to do.
Result<std::optional<Run>> CurrentRun(Instance& instance);
// The run `lamin track` started for the shell session and the file that names it, if any.
// Result: NotFound when the file names a run this instance does not have.
Result<std::optional<std::pair<Run, std::string>>> ShellRun(Instance& instance);

// A command: its subcommand (added to the app by the function that makes it) and what runs when
// it is the one parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// One per file under cli/: each adds its subcommand(s) to `app`.
std::vector<Command> AddInitCommands(CLI::App& app, Session& s);      // init, connect, disconnect
std::vector<Command> AddInfoCommand(CLI::App& app, Session& s);       // info
std::vector<Command> AddSaveCommand(CLI::App& app, Session& s);       // save
std::vector<Command> AddGetCommands(CLI::App& app, Session& s);       // get, describe, load
std::vector<Command> AddListCommand(CLI::App& app, Session& s);       // list
std::vector<Command> AddDeleteCommands(CLI::App& app, Session& s);    // delete, restore
std::vector<Command> AddStorageCommands(CLI::App& app, Session& s);   // storage add|list
std::vector<Command> AddCacheCommands(CLI::App& app, Session& s);     // cache get|clear
std::vector<Command> AddFsckCommand(CLI::App& app, Session& s);       // fsck
std::vector<Command> AddRunCommand(CLI::App& app, Session& s);        // run
std::vector<Command> AddTrackCommands(CLI::App& app, Session& s);     // track, finish
std::vector<Command> AddLineageCommand(CLI::App& app, Session& s);    // lineage
std::vector<Command> AddCreateCommands(CLI::App& app, Session& s);    // create ulabel|feature|…
std::vector<Command> AddAnnotateCommand(CLI::App& app, Session& s);   // annotate
std::vector<Command> AddSearchCommand(CLI::App& app, Session& s);     // search
std::vector<Command> AddServeCommand(CLI::App& app, Session& s);      // serve
// create collection, collection append, load collection (after create and load exist)
std::vector<Command> AddCollectionCommands(CLI::App& app, Session& s);

// --key / --uid naming one artifact, shared by get, describe, load, delete and restore.
struct RefArgs {
  std::string key;
  std::string uid;
  void AddTo(CLI::App* cmd);
  // Result: InvalidArgument when neither is given (a usage error for the caller).
  std::optional<ArtifactRef> Ref() const;
};

}  // namespace lamin::cli
