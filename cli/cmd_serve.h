// lamin serve's options, shared by the command (cmd_serve.cc) and the server program it becomes
// (serve/main.cc).
#pragma once

#include <CLI/CLI.hpp>

#include "web/server.h"

namespace lamin::cli {

// Adds --host, --port, --allow-writes and --threads to `cmd`, bound to `options`.
void AddServeOptions(CLI::App* cmd, web::ServeOptions& options);

}  // namespace lamin::cli
