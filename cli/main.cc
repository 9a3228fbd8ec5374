// The `lamin` command line: parses, calls the library, prints. Each command lives in a file of
// its own (cmd_*.cc); session.h is what they share. Messages go to stderr; with --json, stdout
// holds exactly one JSON value (an error object when the command fails).
#include <iostream>

#include "session.h"

namespace lamin::cli {

int Main(int argc, char** argv) {
  CLI::App app{"lamin: a native LaminDB — data and metadata with ACID saves"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lamin 0.1.0");
  Session session;
  std::vector<Command> commands;
  for (auto add : {AddInitCommands, AddInfoCommand, AddSaveCommand, AddGetCommands,
                   AddListCommand, AddDeleteCommands, AddStorageCommands, AddCacheCommands,
                   AddFsckCommand, AddRunCommand, AddTrackCommands, AddLineageCommand,
                   AddCreateCommands, AddAnnotateCommand, AddCollectionCommands,
                   AddSearchCommand, AddServeCommand}) {
    for (auto& c : add(app, session)) commands.push_back(std::move(c));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  // The most specific command parsed: `load collection` rather than `load`.
  auto depth = [](const CLI::App* a) {
    int d = 0;
    for (; a->get_parent(); a = a->get_parent()) ++d;
    return d;
  };
  const Command* chosen = nullptr;
  for (const auto& c : commands) {
    if (c.app->parsed() && (!chosen || depth(c.app) > depth(chosen->app))) chosen = &c;
  }
  return chosen ? chosen->run() : kExitUsage;
}

}  // namespace lamin::cli

int main(int argc, char** argv) {
  try {
    return lamin::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return lamin::cli::kExitError;
  }
}
