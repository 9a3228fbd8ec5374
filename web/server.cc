// The server: limits, the access rules (loopback Host, token), security headers, and the
// routes of pages.cc, api.cc and download.cc.
#include "web/server.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "web/html.h"
#include "web/site.h"

namespace lamin::web {
namespace {

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

std::string NewToken() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

bool SameSecret(const std::string& given, const std::string& token) {
  return given.size() == token.size() &&
         CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

// The token a request carries: ?token=, "Authorization: Bearer …", or the cookie set on the
// first visit with ?token=.
std::string TokenOf(const httplib::Request& req) {
  if (req.has_param("token")) return req.get_param_value("token");
  std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  std::string cookies = req.get_header_value("Cookie");
  for (size_t pos = 0; pos < cookies.size();) {
    size_t end = cookies.find(';', pos);
    std::string part = cookies.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos && part.compare(start, 12, "lamin_token=") == 0) {
      return part.substr(start + 12);
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return {};
}

void SecurityHeaders(httplib::Response& res) {
  // No script runs on these pages; inline styles only; nothing may frame them.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                 "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

}  // namespace

Status Serve(const ServeOptions& options) {
  if (options.host.empty() || options.host.find_first_of("/ ") != std::string::npos) {
    return Status::InvalidArgument("--host must be an address or a host name (got '" +
                                   options.host + "')");
  }
  Site site{InstancePool(options.open), options.allow_writes};
  {  // Open one instance now, so that a bad instance fails the command, not the first request.
    auto first = site.pool.Acquire();
    if (!first.ok()) return first.status();
  }
  const bool loopback = IsLoopback(options.host);
  const std::string token = loopback ? std::string() : NewToken();
  if (!loopback && token.empty()) return Status::Internal("could not make an access token");

  httplib::Server server;
  const int threads = std::max(2, options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Bounded requests, and a slow client gives up its thread after a few seconds.
  server.set_payload_max_length(64 * 1024);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(30, 0);
  server.set_keep_alive_timeout(5);
  server.set_keep_alive_max_count(100);
  // Headers and body go out in separate writes: without this, Nagle's algorithm holds the body
  // for the client's delayed ACK (40 ms a response on Linux).
  server.set_tcp_nodelay(true);

  int port = options.port;
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    SecurityHeaders(res);
    if (loopback) {
      // Only names of this machine: a page of another site whose name resolves here
      // (DNS rebinding) must not read the instance.
      std::string host = req.get_header_value("Host");
      const std::string suffix = ":" + std::to_string(port);
      bool ours = host == "127.0.0.1" + suffix || host == "localhost" + suffix ||
                  host == "[::1]" + suffix;
      if (!ours) {
        res.status = 403;
        res.set_content("forbidden: this server answers to 127.0.0.1, localhost or [::1] only\n",
                        "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
    } else {
      if (!SameSecret(TokenOf(req), token)) {
        res.status = 401;
        res.set_content("unauthorized: open the address lamin serve printed (with its token)\n",
                        "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.has_param("token")) {
        res.set_header("Set-Cookie",
                       "lamin_token=" + token + "; HttpOnly; SameSite=Strict; Path=/");
      }
    }
    if (req.method != "GET" && req.method != "HEAD") {
      // Writes need --allow-writes, and a request from this site's own pages (no other origin
      // may post to it).
      std::string origin = req.get_header_value("Origin");
      bool same_origin = origin.empty() || origin == "http://" + req.get_header_value("Host");
      if (!site.allow_writes || req.method != "POST" || !same_origin) {
        res.status = 403;
        res.set_content(site.allow_writes ? "forbidden: a write from another origin\n"
                                          : "forbidden: read-only (start with --allow-writes)\n",
                        "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) {
    SendError(res, Status::Internal("the request failed"), false);
  });

  AddPages(server, site);
  AddApi(server, site);
  AddDownload(server, site);

  if (options.port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) return Status::Unavailable("cannot listen on " + options.host);
  } else if (!server.bind_to_port(options.host, options.port)) {
    return Status::Unavailable(fmt::format("cannot listen on {}:{} (in use? try --port)",
                                           options.host, options.port));
  }
  std::string shown = options.host.find(':') != std::string::npos ? "[" + options.host + "]"
                                                                   : options.host;
  std::string url = fmt::format("http://{}:{}/", shown, port);
  if (!token.empty()) url += "?token=" + token;
  if (options.on_ready) options.on_ready(url);
  if (!server.listen_after_bind()) return Status::IOError("the server stopped");
  return Status::OK();
}

}  // namespace lamin::web
