// The HTML pages: artifacts (filter, search, sort, pages of 50), one artifact (fields,
// versions, labels, features, collections, lineage as a clickable SVG, download), runs,
// transforms, collections, ulabels and features. Every text from the instance goes through
// Escape.
#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>

#include "render/lineage_formats.h"
#include "web/html.h"
#include "web/site.h"

namespace lamin::web {
namespace {

constexpr int64_t kPageSize = 50;
constexpr size_t kMaxReportBytes = 256 * 1024;

std::string Opt(const std::optional<std::string>& v) { return v ? Escape(*v) : "<span class=\"muted\">–</span>"; }

int64_t PageParam(const httplib::Request& req) {
  int64_t page = 0;
  std::string text = req.get_param_value("page");
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), page);
  if (ec != std::errc() || end != text.data() + text.size() || page < 0) return 0;
  return std::min<int64_t>(page, 1'000'000);
}

// The same page's address with `page` (and a cursor) replaced, the other parameters kept.
std::string PageLink(const httplib::Request& req, int64_t page, const std::string& cursor = "") {
  std::string out = req.path + "?";
  for (const auto& [k, v] : req.params) {
    if (k == "page" || k == "token" || k == "before" || k == "after") continue;
    out += UrlEncode(k) + "=" + UrlEncode(v) + "&";
  }
  return out + cursor + "page=" + std::to_string(page);
}

std::string Pager(const httplib::Request& req, int64_t page, bool more) {
  std::string out = "<p>";
  if (page > 0) out += Link(PageLink(req, page - 1), "← previous") + " ";
  out += fmt::format("<span class=\"muted\">page {}</span>", page + 1);
  if (more) out += " " + Link(PageLink(req, page + 1), "next →");
  return out + "</p>";
}

std::string ArtifactLink(const std::string& uid, const std::optional<std::string>& key) {
  return Link("/artifact/" + uid, key ? *key : uid);
}

std::vector<std::string> ArtifactCells(const Artifact& a) {
  return {ArtifactLink(a.uid, a.key), Opt(a.description),
          a.size ? Escape(Bytes(*a.size)) : "–", Escape(a.suffix),
          "<code>" + Escape(a.uid) + "</code>", Escape(a.created_at.substr(0, 19))};
}
const std::vector<std::string> kArtifactHeader = {"key", "description", "size", "suffix", "uid",
                                                  "created"};

std::string ArtifactTable(const std::vector<Artifact>& artifacts) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : artifacts) rows.push_back(ArtifactCells(a));
  return rows.empty() ? "<p class=\"muted\">none</p>" : Table(kArtifactHeader, rows);
}

std::string FieldText(const Record& r, std::string_view field) {
  const FieldValue* v = r.Get(field);
  if (!v) return "";
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return x;
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else {
          return fmt::format("{}", x);
        }
      },
      *v);
}

// The artifacts list: ?q= ranked search, ?key= a key prefix, ?suffix=, ?sort=, ?page=.
// Newest and oldest first (by id, the order rows were made) page with a cursor (?before= or
// ?after= the last id shown), so that any page costs what the first does; the other orders
// page by offset.
Result<std::string> ArtifactsPage(Instance& inst, const httplib::Request& req) {
  static const std::vector<std::pair<std::string, std::string>> kSorts = {
      {"-id", "newest"}, {"id", "oldest"}, {"key", "key"},
      {"-size", "largest"},      {"size", "smallest"}};
  const std::string q = req.get_param_value("q"), key = req.get_param_value("key"),
                    suffix = req.get_param_value("suffix");
  std::string sort = req.get_param_value("sort");
  if (std::none_of(kSorts.begin(), kSorts.end(), [&](auto& s) { return s.first == sort; })) {
    sort = "-id";
  }
  const int64_t page = PageParam(req);
  const bool by_id = sort == "-id" || sort == "id";
  const char* cursor_name = sort == "-id" ? "before" : "after";
  int64_t cursor = -1;
  if (by_id && req.has_param(cursor_name)) {
    std::string text = req.get_param_value(cursor_name);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cursor);
    if (ec != std::errc() || end != text.data() + text.size() || cursor < 0) cursor = -1;
  }
  std::vector<Artifact> rows;
  if (!q.empty()) {
    // Search ranks the whole registry: this page's slice of the best hits (the best 10,000 at
    // most, so that a deep page cannot make one request rank millions).
    constexpr int64_t kMaxSearchPages = 200;
    if (page >= kMaxSearchPages) {
      return Page("Artifacts", "<p>search shows the best " +
                                   std::to_string(kMaxSearchPages * kPageSize) +
                                   " hits: narrow the query</p>");
    }
    SearchOptions options{.limit = (page + 1) * kPageSize + 1};
    LAMIN_ASSIGN_OR_RETURN(auto hits, inst.records().Search("artifact", q, options));
    for (size_t i = page * kPageSize; i < hits.size(); ++i) {
      auto uid = hits[i].record.Text("uid");
      if (!uid) continue;
      LAMIN_ASSIGN_OR_RETURN(Artifact a, inst.artifacts().Get(ArtifactRef::ByUid(*uid)));
      rows.push_back(std::move(a));
    }
  } else {
    Query query;
    if (!key.empty()) query.filters.push_back({"key", "startswith", key});
    if (!suffix.empty()) query.filters.push_back({"suffix", "exact", suffix});
    query.limit = kPageSize + 1;
    if (by_id) {
      query.order_by = {sort};
      if (cursor >= 0) {
        query.filters.push_back({"id", sort == "-id" ? "lt" : "gt", std::to_string(cursor)});
        // A filter on id would show the trash and the archive too: the list shows neither.
        query.filters.push_back({"branch_id", "exact", std::to_string(kBranchMain)});
      }
    } else {
      query.order_by = {sort, "-id"};
      query.offset = page * kPageSize;
    }
    LAMIN_ASSIGN_OR_RETURN(rows, inst.artifacts().List(query));
  }
  bool more = static_cast<int64_t>(rows.size()) > kPageSize;
  if (more) rows.resize(kPageSize);
  std::string pager;
  if (by_id && q.empty()) {
    pager = "<p>";
    if (cursor >= 0) pager += Link(PageLink(req, 0), "↺ first page") + " ";
    pager += fmt::format("<span class=\"muted\">page {}</span>", page + 1);
    if (more) {
      std::string next = fmt::format("{}={}&", cursor_name, rows.back().id);
      pager += " " + Link(PageLink(req, page + 1, next), "next →");
    }
    pager += "</p>";
  } else {
    pager = Pager(req, page, more);
  }
  std::string options;
  for (const auto& [value, label] : kSorts) {
    options += fmt::format("<option value=\"{}\"{}>{}</option>", Escape(value),
                           value == sort ? " selected" : "", Escape(label));
  }
  std::string form = fmt::format(
      "<form method=\"get\" action=\"/artifacts\">"
      "<input name=\"q\" placeholder=\"search\" value=\"{}\">"
      "<input name=\"key\" placeholder=\"key starts with\" value=\"{}\">"
      "<input name=\"suffix\" placeholder=\".csv\" size=\"6\" value=\"{}\">"
      "<select name=\"sort\">{}</select><button type=\"submit\">show</button></form>",
      Escape(q), Escape(key), Escape(suffix), options);
  return Page("Artifacts", form + ArtifactTable(rows) + pager);
}

std::string LineageSvg(const LineageGraph& graph) {
  auto svg = render::LineageSvg(graph, [](const LineageNode& n) {
    return n.kind == LineageNode::Kind::kRun ? "/run/" + n.uid : "/artifact/" + n.uid;
  });
  if (!svg.ok()) return "<p class=\"muted\">" + Escape(svg.status().message()) + "</p>";
  // Inline, without the XML prologue: Graphviz writes the labels as escaped XML text, and the
  // only links are the ones made above.
  size_t start = svg->find("<svg");
  return "<div class=\"lineage\">" + (start == std::string::npos ? "" : svg->substr(start)) +
         "</div>";
}

// The files of a folder artifact (names and sizes, the first kMaxListed), read from its
// stored copy; links are not followed.
std::string FolderListing(Instance& inst, const Artifact& a) {
  constexpr size_t kMaxListed = 200;
  auto folder = inst.artifacts().Load(ArtifactRef::ByUid(a.uid));
  if (!folder.ok()) return "<p class=\"muted\">" + Escape(folder.status().message()) + "</p>";
  std::vector<std::pair<std::string, std::string>> files;
  std::error_code ec;
  size_t seen = 0;
  for (std::filesystem::recursive_directory_iterator it(*folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (++seen > kMaxListed) continue;
    files.emplace_back(std::filesystem::relative(it->path(), *folder, ec).string(),
                       Bytes(static_cast<int64_t>(it->file_size(ec))));
  }
  std::sort(files.begin(), files.end());
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, size] : files) rows.push_back({Escape(name), Escape(size)});
  std::string out = Table({"file", "size"}, rows);
  if (seen > kMaxListed) out += fmt::format("<p class=\"muted\">and {} more</p>", seen - kMaxListed);
  return out + "<p class=\"muted\">a folder is fetched with <code>lamin load</code></p>";
}

Result<std::string> ArtifactPage(Instance& inst, const std::string& uid) {
  LAMIN_ASSIGN_OR_RETURN(Artifact a, inst.artifacts().Get(ArtifactRef::ByUid(uid)));
  const char* branch = a.branch_id == kBranchTrash     ? "trash"
                       : a.branch_id == kBranchArchive ? "archive"
                                                       : "main";
  std::vector<std::pair<std::string, std::string>> fields = {
      {"uid", "<code>" + Escape(a.uid) + "</code>"},
      {"key", Opt(a.key)},
      {"description", Opt(a.description)},
      {"suffix", Escape(a.suffix)},
      {"kind", Opt(a.kind)},
      {"size", a.size ? Escape(fmt::format("{} ({} bytes)", Bytes(*a.size), *a.size)) : "–"},
      {"files", a.n_files ? std::to_string(*a.n_files) : "–"},
      {"hash", a.hash ? "<code>" + Escape(*a.hash) + "</code> " + Opt(a.hash_type) : "–"},
      {"version", Opt(a.version_tag)},
      {"latest", a.is_latest ? "yes" : "no"},
      {"branch", branch},
      {"storage", Escape(a.storage_root + "/" + a.StorageKey())},
      {"created", Escape(a.created_at + " by " + a.created_by_handle)},
  };
  std::string body = Fields(fields);
  if (!a.n_files) {
    body += "<p>" + Link("/artifact/" + a.uid + "/download", "download (verified)") + "</p>";
  } else {
    body += "<h2>Files</h2>" + FolderListing(inst, a);
  }
  Query versions;
  versions.filters.push_back({"uid", "startswith", a.stem()});
  versions.order_by = {"id"};
  LAMIN_ASSIGN_OR_RETURN(auto family, inst.artifacts().List(versions));
  body += "<h2>Versions</h2>" + ArtifactTable(family);

  LAMIN_ASSIGN_OR_RETURN(auto annotations, inst.annotations().Of(a));
  std::vector<std::vector<std::string>> labels, features;
  for (const auto& l : annotations.labels) {
    labels.push_back({Escape(l.registry), Escape(l.name), l.feature ? Escape(*l.feature) : "–"});
  }
  for (const auto& f : annotations.features) {
    std::string values;
    for (const auto& v : f.values) values += (values.empty() ? "" : ", ") + Escape(v);
    features.push_back({Escape(f.feature), Escape(f.dtype), values});
  }
  body += "<h2>Labels</h2>" +
          (labels.empty() ? "<p class=\"muted\">none</p>"
                          : Table({"registry", "label", "feature"}, labels));
  body += "<h2>Features</h2>" +
          (features.empty() ? "<p class=\"muted\">none</p>"
                            : Table({"feature", "dtype", "values"}, features));
  Query holders;
  holders.filters.push_back({"artifacts__uid", "exact", a.uid});
  LAMIN_ASSIGN_OR_RETURN(auto collections, inst.collections().List(holders));
  std::vector<std::vector<std::string>> crows;
  for (const auto& c : collections) crows.push_back({Link("/collection/" + c.uid, c.key), Escape(c.uid)});
  body += "<h2>Collections</h2>" +
          (crows.empty() ? "<p class=\"muted\">none</p>" : Table({"key", "uid"}, crows));

  LAMIN_ASSIGN_OR_RETURN(auto lineage, inst.lineage().OfArtifact(a));
  body += "<h2>Lineage</h2>";
  if (lineage.run && lineage.transform) {
    body += "<p>made by run " + Link("/run/" + lineage.run->uid, lineage.run->uid) + " of " +
            Escape(lineage.transform->key) + " (" + Escape(RunStatusName(lineage.run->status)) +
            ")</p>";
  }
  LAMIN_ASSIGN_OR_RETURN(auto graph, inst.lineage().Graph(a, {.depth = 3}));
  body += graph.nodes.size() > 1 ? LineageSvg(graph) : "<p class=\"muted\">no run made or read it</p>";
  return Page(a.key ? *a.key : a.uid, body);
}

Result<std::string> RunsPage(Instance& inst, const httplib::Request& req) {
  const int64_t page = PageParam(req);
  Query query;
  std::string transform = req.get_param_value("transform");
  if (!transform.empty()) query.filters.push_back({"transform__uid", "exact", transform});
  query.order_by = {"-id"};
  query.limit = kPageSize + 1;
  query.offset = page * kPageSize;
  LAMIN_ASSIGN_OR_RETURN(auto records, inst.records().List("run", query));
  bool more = static_cast<int64_t>(records.size()) > kPageSize;
  if (more) records.resize(kPageSize);
  // The rows have every field the table shows; transforms are looked up once each.
  std::map<int64_t, std::string> transform_keys;
  std::vector<std::vector<std::string>> rows;
  for (const auto& rec : records) {
    const std::string uid = FieldText(rec, "uid");
    const int64_t transform_id = rec.Int("transform_id").value_or(0);
    if (!transform_keys.count(transform_id)) {
      auto t = inst.lineage().GetTransform(transform_id);
      transform_keys[transform_id] = t.ok() ? t->key : "?";
    }
    auto status = static_cast<RunStatus>(rec.Int("_status_code").value_or(-3));
    std::string finished = FieldText(rec, "finished_at");
    rows.push_back({Link("/run/" + uid, uid), Escape(transform_keys[transform_id]),
                    Escape(RunStatusName(status)), Escape(FieldText(rec, "started_at").substr(0, 19)),
                    finished.empty() ? "–" : Escape(finished.substr(0, 19))});
  }
  return Page("Runs", (rows.empty() ? "<p class=\"muted\">none</p>"
                                    : Table({"run", "transform", "status", "started", "finished"}, rows)) +
                          Pager(req, page, more));
}

// The text of a run's report (its log), at most kMaxReportBytes.
std::string ReportText(Instance& inst, int64_t report_id) {
  Query q;
  q.filters.push_back({"id", "exact", std::to_string(report_id)});
  auto found = inst.artifacts().List(q);
  if (!found.ok() || found->empty()) return "";
  auto path = inst.artifacts().Load(ArtifactRef::ByUid((*found)[0].uid));
  if (!path.ok()) return "(" + path.status().message() + ")";
  std::ifstream in(*path, std::ios::binary);
  std::string text(kMaxReportBytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

Result<std::string> RunPage(Instance& inst, const std::string& uid) {
  LAMIN_ASSIGN_OR_RETURN(Run r, inst.lineage().GetRun(uid));
  LAMIN_ASSIGN_OR_RETURN(Transform t, inst.lineage().GetTransform(r.transform_id));
  std::string body = Fields({
      {"uid", "<code>" + Escape(r.uid) + "</code>"},
      {"transform", Escape(t.key + " (" + t.kind + ", " + t.uid + ")") + " " +
                        Link("/runs?transform=" + UrlEncode(t.uid), "all runs")},
      {"status", Escape(RunStatusName(r.status))},
      {"started", Escape(r.started_at)},
      {"finished", Opt(r.finished_at)},
      {"params", r.params ? "<code>" + Escape(*r.params) + "</code>" : "–"},
      {"command line", Opt(r.cli_args)},
  });
  LAMIN_ASSIGN_OR_RETURN(auto inputs, inst.lineage().InputsOf(r));
  LAMIN_ASSIGN_OR_RETURN(auto outputs, inst.lineage().OutputsOf(r));
  body += "<h2>Inputs</h2>" + ArtifactTable(inputs) + "<h2>Outputs</h2>" + ArtifactTable(outputs);
  if (r.report_id) {
    body += "<h2>Report</h2><pre>" + Escape(ReportText(inst, *r.report_id)) + "</pre>";
  }
  if (t.source_code) body += "<h2>Source</h2><pre>" + Escape(*t.source_code) + "</pre>";
  return Page("Run " + r.uid, body);
}

// A registry's records as a table of the given fields (the first links to `link_prefix` + uid
// when one is given).
Result<std::string> RecordsPage(Instance& inst, const httplib::Request& req,
                                const std::string& registry, const std::string& title,
                                const std::vector<std::string>& fields,
                                const std::string& link_prefix) {
  const int64_t page = PageParam(req);
  Query query;
  query.order_by = {"-id"};
  query.limit = kPageSize + 1;
  query.offset = page * kPageSize;
  LAMIN_ASSIGN_OR_RETURN(auto records, inst.records().List(registry, query));
  bool more = static_cast<int64_t>(records.size()) > kPageSize;
  if (more) records.resize(kPageSize);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : records) {
    std::vector<std::string> cells;
    for (const auto& f : fields) {
      std::string text = FieldText(r, f);
      if (cells.empty() && !link_prefix.empty()) {
        cells.push_back(Link(link_prefix + FieldText(r, "uid"), text));
      } else {
        cells.push_back(Escape(text));
      }
    }
    rows.push_back(std::move(cells));
  }
  return Page(title, (rows.empty() ? "<p class=\"muted\">none</p>" : Table(fields, rows)) +
                         Pager(req, page, more));
}

Result<std::string> CollectionPage(Instance& inst, const std::string& uid) {
  LAMIN_ASSIGN_OR_RETURN(Collection c, inst.collections().Get(ArtifactRef::ByUid(uid)));
  LAMIN_ASSIGN_OR_RETURN(auto members, inst.collections().Members(c));
  LAMIN_ASSIGN_OR_RETURN(auto versions, inst.collections().Versions(c));
  std::vector<std::vector<std::string>> vrows;
  for (const auto& v : versions) {
    vrows.push_back({Link("/collection/" + v.uid, v.uid), v.is_latest ? "latest" : "",
                     Escape(v.created_at.substr(0, 19))});
  }
  std::string body = Fields({{"uid", "<code>" + Escape(c.uid) + "</code>"},
                             {"key", Escape(c.key)},
                             {"description", Opt(c.description)},
                             {"hash", Opt(c.hash)},
                             {"created", Escape(c.created_at)}});
  body += "<h2>Members</h2>" + ArtifactTable(members);
  body += "<h2>Versions</h2>" + Table({"uid", "", "created"}, vrows);
  return Page(c.key, body);
}

using Renderer = std::function<Result<std::string>(Instance&, const httplib::Request&)>;

void Html(httplib::Server& server, Site& site, const std::string& pattern, Renderer render) {
  server.Get(pattern, [&site, render](const httplib::Request& req, httplib::Response& res) {
    Answer(site, res, false, [&](Instance& inst) { return render(inst, req); });
  });
}

}  // namespace

void AddPages(httplib::Server& server, Site& site) {
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/artifacts");
  });
  Html(server, site, "/artifacts", ArtifactsPage);
  Html(server, site, std::string("/artifact/") + kUid,
       [](Instance& inst, const httplib::Request& req) { return ArtifactPage(inst, req.matches[1]); });
  Html(server, site, "/runs", RunsPage);
  Html(server, site, std::string("/run/") + kUid,
       [](Instance& inst, const httplib::Request& req) { return RunPage(inst, req.matches[1]); });
  Html(server, site, "/transforms", [](Instance& inst, const httplib::Request& req) {
    return RecordsPage(inst, req, "transform", "Transforms",
                       {"key", "kind", "uid", "is_latest", "created_at"}, "");
  });
  Html(server, site, "/collections", [](Instance& inst, const httplib::Request& req) {
    return RecordsPage(inst, req, "collection", "Collections",
                       {"key", "description", "uid", "is_latest", "created_at"}, "/collection/");
  });
  Html(server, site, std::string("/collection/") + kUid,
       [](Instance& inst, const httplib::Request& req) { return CollectionPage(inst, req.matches[1]); });
  Html(server, site, "/ulabels", [](Instance& inst, const httplib::Request& req) {
    return RecordsPage(inst, req, "ulabel", "ULabels",
                       {"name", "description", "uid", "is_type", "created_at"}, "");
  });
  Html(server, site, "/features", [](Instance& inst, const httplib::Request& req) {
    return RecordsPage(inst, req, "feature", "Features",
                       {"name", "_dtype_str", "unit", "description", "uid"}, "");
  });
}

}  // namespace lamin::web
