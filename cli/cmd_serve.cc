// lamin serve: the web interface to the current instance (web/server.h).
#include <iostream>

#include "session.h"
#include "web/server.h"

namespace lamin::cli {

std::vector<Command> AddServeCommand(CLI::App& app, Session& s) {
  auto options = std::make_shared<web::ServeOptions>();
  auto* serve = app.add_subcommand("serve", "browse the current instance in a web browser");
  serve->add_option("--host", options->host,
                    "address to listen on (default 127.0.0.1; any other needs the printed token)");
  serve->add_option("--port", options->port, "port (default 8000; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  serve->add_flag("--allow-writes", options->allow_writes,
                  "allow moving artifacts to the trash and back (POST /api/…)");
  serve->add_option("--threads", options->threads, "worker threads (default 16)")
      ->check(CLI::Range(2, 256));
  auto run = [options, &s] {
    options->open = [&s] { return s.OpenCurrent(); };
    options->on_ready = [](const std::string& url) {
      std::cout << "serving " << url << std::endl;  // flushed: scripts wait for this line
    };
    Status status = web::Serve(*options);
    return status.ok() ? kExitOk : s.Fail(status);
  };
  return {{serve, run}};
}

}  // namespace lamin::cli
