// What the parts of lamin serve share (internal to web/): the pool of open instances (the
// library's Instance is one thread's at a time: each request borrows one), the mapping of a
// Status to an HTTP answer, and queries read from request parameters.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "lamin/lamin.h"

namespace lamin::web {

class InstancePool {
 public:
  using Opener = std::function<Result<std::unique_ptr<Instance>>()>;
  explicit InstancePool(Opener open) : open_(std::move(open)) {}

  // An instance for the length of one request: returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(InstancePool* pool, std::unique_ptr<Instance> instance)
        : pool_(pool), instance_(std::move(instance)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Instance& operator*() const { return *instance_; }
    Instance* operator->() const { return instance_.get(); }

   private:
    InstancePool* pool_;
    std::unique_ptr<Instance> instance_;
  };
  // An idle instance, or a newly opened one. Result: what opening returned.
  Result<Lease> Acquire();

 private:
  Opener open_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Instance>> idle_;
};

struct Site {
  InstancePool pool;
  bool allow_writes = false;
};

// The HTTP status for a library status (404 NotFound, 400 InvalidArgument, 503 Unavailable, …).
int HttpStatus(const Status& status);
// An error answer: an HTML page, or {"error": {code, message}} for the API.
void SendError(httplib::Response& res, const Status& status, bool json);

// Runs `render` with a borrowed instance and sends its HTML (or JSON) text, or the error.
void Answer(Site& site, httplib::Response& res, bool json,
            const std::function<Result<std::string>(Instance&)>& render);

// The library's query from request parameters: every parameter not in `reserved` is a filter
// (PATH__LOOKUP=VALUE, as lamin list takes them), `order_by` (repeatable), `limit` (at most
// `max_limit`, default `default_limit`) and `offset`. Result: InvalidArgument.
Result<Query> QueryFromParams(const httplib::Request& req, const std::set<std::string>& reserved,
                              int64_t default_limit, int64_t max_limit);

// The parts of the site.
void AddPages(httplib::Server& server, Site& site);
void AddApi(httplib::Server& server, Site& site);
void AddDownload(httplib::Server& server, Site& site);

// A uid path segment, as routes match it: 16 or 20 base62 characters (nothing else reaches a
// handler, so no path segment can name a file).
inline constexpr const char* kUid = "([0-9A-Za-z]{16}(?:[0-9A-Za-z]{4})?)";

}  // namespace lamin::web
