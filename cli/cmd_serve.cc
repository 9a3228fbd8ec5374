// lamin serve: the web interface to the current instance (web/server.h).
//
// The server is a program of its own, lamin-serve, installed beside lamin: linking cpp-httplib
// (and the TLS and compression libraries it needs) into lamin cost every other command ~1.5 ms
// of start-up. The command checks its options here, then replaces itself with lamin-serve
// (execv: the same process, so a script that waits for "serving …" or stops the pid sees no
// difference).
#include "cmd_serve.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "session.h"

namespace lamin::cli {

void AddServeOptions(CLI::App* cmd, web::ServeOptions& options) {
  cmd->add_option("--host", options.host,
                  "address to listen on (default 127.0.0.1; any other needs the printed token)");
  cmd->add_option("--port", options.port, "port (default 8000; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--allow-writes", options.allow_writes,
                "allow moving artifacts to the trash and back (POST /api/…)");
  cmd->add_option("--threads", options.threads, "worker threads (default 16)")
      ->check(CLI::Range(2, 256));
}

namespace {

// lamin-serve in the folder of the running lamin (the build's bin/ or the installed one).
Result<std::filesystem::path> ServerProgram() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::Internal("cannot find the running lamin: " + ec.message());
  return self.parent_path() / "lamin-serve";
}

}  // namespace

std::vector<Command> AddServeCommand(CLI::App& app, Session& s) {
  auto options = std::make_shared<web::ServeOptions>();
  auto* serve = app.add_subcommand("serve", "browse the current instance in a web browser");
  AddServeOptions(serve, *options);
  auto run = [options, &s] {
    auto program = ServerProgram();
    if (!program.ok()) return s.Fail(program.status());
    std::vector<std::string> args = {program->string(),
                                     "--host", options->host,
                                     "--port", std::to_string(options->port),
                                     "--threads", std::to_string(options->threads)};
    if (options->allow_writes) args.push_back("--allow-writes");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    return s.Fail(Status::NotFound("lamin serve runs " + args[0] + ", which cannot be started (" +
                                   std::strerror(errno) +
                                   "): build or install lamin-serve beside lamin"));
  };
  return {{serve, run}};
}

}  // namespace lamin::cli
