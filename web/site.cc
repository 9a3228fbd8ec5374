#include "web/site.h"

#include <charconv>

#include "lamin/json.h"
#include "web/html.h"

namespace lamin::web {

InstancePool::Lease::~Lease() {
  if (!instance_) return;
  std::lock_guard lock(pool_->mu_);
  pool_->idle_.push_back(std::move(instance_));
}

Result<InstancePool::Lease> InstancePool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto instance = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(instance));
    }
  }
  LAMIN_ASSIGN_OR_RETURN(auto instance, open_());
  return Lease(this, std::move(instance));
}

int HttpStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound: return 404;
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnavailable:
    case StatusCode::kAborted: return 503;
    case StatusCode::kCorruption: return 502;  // the stored data is not what the row says
    default: return 500;
  }
}

void SendError(httplib::Response& res, const Status& status, bool json) {
  res.status = HttpStatus(status);
  if (json) {
    res.set_content(nlohmann::json{{"error", ToJson(status)}}.dump(), "application/json");
  } else {
    res.set_content(Page(StatusCodeName(status.code()),
                         "<p>" + Escape(status.message()) + "</p>"),
                    "text/html; charset=utf-8");
  }
}

void Answer(Site& site, httplib::Response& res, bool json,
            const std::function<Result<std::string>(Instance&)>& render) {
  auto lease = site.pool.Acquire();
  if (!lease.ok()) return SendError(res, lease.status(), json);
  auto text = render(**lease);
  if (!text.ok()) return SendError(res, text.status(), json);
  res.set_content(*text, json ? "application/json" : "text/html; charset=utf-8");
}

namespace {

Result<int64_t> WholeNumber(const std::string& name, const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return Status::InvalidArgument(name + " must be a whole number, 0 or more (got '" + text +
                                   "')");
  }
  return v;
}

}  // namespace

Result<Query> QueryFromParams(const httplib::Request& req, const std::set<std::string>& reserved,
                              int64_t default_limit, int64_t max_limit) {
  Query q;
  q.limit = default_limit;
  for (const auto& [name, value] : req.params) {
    if (name == "limit") {
      LAMIN_ASSIGN_OR_RETURN(int64_t n, WholeNumber("limit", value));
      q.limit = std::min(n, max_limit);
    } else if (name == "offset") {
      LAMIN_ASSIGN_OR_RETURN(int64_t n, WholeNumber("offset", value));
      q.offset = n;
    } else if (name == "order_by") {
      q.order_by.push_back(value);
    } else if (!reserved.count(name) && !value.empty()) {
      LAMIN_ASSIGN_OR_RETURN(Filter f, Filter::Parse(name + "=" + value));
      q.filters.push_back(std::move(f));
    }
  }
  return q;
}

}  // namespace lamin::web
