// lamin serve: a local web interface to an instance (web/), server-rendered HTML over the
// library plus a JSON API under /api/ with the JSON forms of lamin/json.h.
//
// Safe by default: bound to 127.0.0.1 (other Host headers are refused, against DNS
// rebinding); any other address needs the access token printed at start; read-only unless
// `allow_writes`. No URL names a file: data is served by artifact uid only, from the path the
// library gives, after it is checked to lie inside its storage location and verified against
// the artifact's hash.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "lamin/instance.h"

namespace lamin::web {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: any free port
  bool allow_writes = false;
  // Worker threads, each with its own connection to the instance (a slow client holds one).
  int threads = 16;
  // Opens the instance (once per worker thread).
  std::function<Result<std::unique_ptr<Instance>>()> open;
  // Called once listening, with the address to open (the token in it when one is needed).
  std::function<void(const std::string& url)> on_ready;
};

// Serves until the process is stopped. Result: InvalidArgument (bad host), Unavailable (the
// port is taken), or what opening the instance returned.
Status Serve(const ServeOptions& options);

}  // namespace lamin::web
