// lamin-serve: the web server behind `lamin serve` (cli/cmd_serve.cc says why it is a program of
// its own). Takes the same options; serves the current instance until stopped.
#include <iostream>

#include "../cmd_serve.h"
#include "../session.h"

int main(int argc, char** argv) {
  using namespace lamin::cli;
  CLI::App app{"lamin-serve: the web interface to the current instance (run as `lamin serve`)"};
  lamin::web::ServeOptions options;
  AddServeOptions(&app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  Session session;
  options.open = [&session] { return session.OpenCurrent(); };
  options.on_ready = [](const std::string& url) {
    std::cout << "serving " << url << std::endl;  // flushed: scripts wait for this line
  };
  try {
    lamin::Status status = lamin::web::Serve(options);
    return status.ok() ? kExitOk : session.Fail(status);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return kExitError;
  }
}
