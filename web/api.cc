// The JSON API under /api/: the JSON forms the library and the command line use
// (lamin/json.h). Reads only, but for trash and restore of artifacts with --allow-writes.
#include "lamin/json.h"
#include "web/site.h"

namespace lamin::web {
namespace {

using nlohmann::json;

// Parameters the API reads itself; every other one is a filter.
const std::set<std::string> kReserved = {"token", "limit", "offset", "order_by"};
constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 1000;

using JsonRenderer = std::function<Result<json>(Instance&, const httplib::Request&)>;

void Api(httplib::Server& server, Site& site, const std::string& pattern, JsonRenderer render,
         bool post = false) {
  auto handler = [&site, render](const httplib::Request& req, httplib::Response& res) {
    Answer(site, res, true, [&](Instance& inst) -> Result<std::string> {
      LAMIN_ASSIGN_OR_RETURN(json j, render(inst, req));
      return j.dump(-1, ' ', false, json::error_handler_t::replace);
    });
  };
  if (post) {
    server.Post(pattern, handler);
  } else {
    server.Get(pattern, handler);
  }
}

template <typename T>
json Array(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& i : items) out.push_back(ToJson(i));
  return out;
}

Result<json> ArtifactDetail(Instance& inst, const std::string& uid) {
  LAMIN_ASSIGN_OR_RETURN(Artifact a, inst.artifacts().Get(ArtifactRef::ByUid(uid)));
  LAMIN_ASSIGN_OR_RETURN(auto annotations, inst.annotations().Of(a));
  LAMIN_ASSIGN_OR_RETURN(auto lineage, inst.lineage().OfArtifact(a));
  Query versions;
  versions.filters.push_back({"uid", "startswith", a.stem()});
  versions.order_by = {"id"};
  LAMIN_ASSIGN_OR_RETURN(auto family, inst.artifacts().List(versions));
  json out = ToJson(a);
  out["annotations"] = ToJson(annotations);
  out["run"] = lineage.run ? ToJson(*lineage.run) : json();
  out["transform"] = lineage.transform ? ToJson(*lineage.transform) : json();
  out["read_by"] = Array(lineage.read_by);
  out["versions"] = Array(family);
  return out;
}

}  // namespace

void AddApi(httplib::Server& server, Site& site) {
  Api(server, site, "/api/info", [](Instance& inst, const httplib::Request&) -> Result<json> {
    LAMIN_ASSIGN_OR_RETURN(auto info, inst.Info());
    return ToJson(info);
  });
  Api(server, site, "/api/artifacts", [](Instance& inst, const httplib::Request& req) -> Result<json> {
    LAMIN_ASSIGN_OR_RETURN(Query q, QueryFromParams(req, kReserved, kDefaultLimit, kMaxLimit));
    LAMIN_ASSIGN_OR_RETURN(auto rows, inst.artifacts().List(q));
    return Array(rows);
  });
  Api(server, site, std::string("/api/artifacts/") + kUid,
      [](Instance& inst, const httplib::Request& req) { return ArtifactDetail(inst, req.matches[1]); });
  Api(server, site, std::string("/api/lineage/") + kUid,
      [](Instance& inst, const httplib::Request& req) -> Result<json> {
        LAMIN_ASSIGN_OR_RETURN(Artifact a, inst.artifacts().Get(ArtifactRef::ByUid(req.matches[1])));
        LineageQuery q;
        std::string direction = req.get_param_value("direction");
        if (direction == "upstream") q.direction = LineageDirection::kUpstream;
        if (direction == "downstream") q.direction = LineageDirection::kDownstream;
        LAMIN_ASSIGN_OR_RETURN(auto graph, inst.lineage().Graph(a, q));
        return ToJson(graph);
      });
  Api(server, site, "/api/records/([a-z]+)",
      [](Instance& inst, const httplib::Request& req) -> Result<json> {
        LAMIN_ASSIGN_OR_RETURN(Query q, QueryFromParams(req, kReserved, kDefaultLimit, kMaxLimit));
        LAMIN_ASSIGN_OR_RETURN(auto rows, inst.records().List(req.matches[1], q));
        return Array(rows);
      });
  Api(server, site, "/api/search", [](Instance& inst, const httplib::Request& req) -> Result<json> {
    std::string registry = req.has_param("registry") ? req.get_param_value("registry") : "artifact";
    SearchOptions options;
    if (req.has_param("limit")) {
      LAMIN_ASSIGN_OR_RETURN(Query q, QueryFromParams(req, {"token", "q", "registry"}, 20, 200));
      options.limit = *q.limit;
    }
    LAMIN_ASSIGN_OR_RETURN(auto hits, inst.records().Search(registry, req.get_param_value("q"), options));
    json out = json::array();
    for (const auto& h : hits) out.push_back({{"record", ToJson(h.record)}, {"rank", h.rank}});
    return out;
  });
  Api(
      server, site, std::string("/api/artifacts/") + kUid + "/trash",
      [](Instance& inst, const httplib::Request& req) -> Result<json> {
        LAMIN_ASSIGN_OR_RETURN(Artifact a, inst.artifacts().Delete(ArtifactRef::ByUid(req.matches[1]), false));
        return ToJson(a);
      },
      /*post=*/true);
  Api(
      server, site, std::string("/api/artifacts/") + kUid + "/restore",
      [](Instance& inst, const httplib::Request& req) -> Result<json> {
        LAMIN_ASSIGN_OR_RETURN(Artifact a, inst.artifacts().Restore(ArtifactRef::ByUid(req.matches[1])));
        return ToJson(a);
      },
      /*post=*/true);
}

}  // namespace lamin::web
