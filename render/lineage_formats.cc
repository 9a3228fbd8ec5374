#include "lineage_formats.h"

#include <fmt/format.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "util/encoding.h"
#include "util/lazy_library.h"

namespace lamin::render {
namespace {

// Graphviz, loaded by the first drawing (util/lazy_library.h says why). The cgraph functions
// resolve through libgvc, which depends on libcgraph.
#define LAMIN_GRAPHVIZ_FUNCTIONS(X)                                                        \
  X(gvContext) X(gvFreeContext) X(agmemread) X(agclose) X(gvLayout) X(gvRenderData)        \
  X(gvFreeRenderData) X(gvFreeLayout)

struct Graphviz {
  LAMIN_GRAPHVIZ_FUNCTIONS(LAMIN_LAZY_FUNCTION)
};

Result<const Graphviz*> LoadGraphviz() {
  static const Result<Graphviz> loaded = []() -> Result<Graphviz> {
    LAMIN_ASSIGN_OR_RETURN(auto library,
                           util::LazyLibrary::Open(LAMIN_GRAPHVIZ_SONAME, "libgvc6"));
    Graphviz table;
    LAMIN_GRAPHVIZ_FUNCTIONS(LAMIN_LAZY_RESOLVE)
    return table;
  }();
  if (!loaded.ok()) return loaded.status().WithContext("drawing the lineage as SVG");
  return &loaded.value();
}

// Python's view_lineage colours (lamindb/models/has_parents.py).
constexpr const char* kGreenLighter = "#10b981";
constexpr const char* kGreenDarker = "#065f46";
constexpr const char* kGreenFill = "honeydew";
constexpr const char* kRunFill = "#eff2ff";

// "run at 2026-12-01 19:01:09 UTC" from a started_at text.
std::string RunAt(const Run& r) { return "run at " + r.started_at.substr(0, 19) + " UTC"; }

// Text inside a DOT HTML label: keys and descriptions are hostile.
std::string HtmlEscaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "<BR/>"; break;
      default: out += c;
    }
  }
  return out;
}

// A DOT double-quoted string.
std::string DotQuoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

// Mermaid label text: quotes and markup as entity codes, as Mermaid expects them.
std::string MermaidText(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '\n': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

// Keys and labels shown as text: control characters escaped.
std::string Printable(std::string_view text) { return util::EscapeControl(text); }

const LineageNode* Find(const LineageGraph& g, const std::string& id) {
  for (const auto& n : g.nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

}  // namespace

std::string LineageText(const LineageGraph& g) {
  const LineageNode* root = Find(g, g.root);
  std::string out = fmt::format("lineage of {} ({})\n", Printable(root ? root->label : g.root),
                                root ? root->uid : "");
  std::vector<const LineageNode*> runs;
  for (const auto& n : g.nodes) {
    if (n.kind == LineageNode::Kind::kRun) runs.push_back(&n);
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](auto* a, auto* b) { return a->distance < b->distance; });
  if (runs.empty()) return out + "  no run made or read it\n";
  auto names = [&](const std::string& run_id, bool inputs) {
    std::string list;
    for (const auto& e : g.edges) {
      const std::string& other = inputs ? e.from : e.to;
      if ((inputs ? e.to : e.from) != run_id) continue;
      const LineageNode* n = Find(g, other);
      if (!n) continue;
      list += fmt::format("\n      {}{} ({})", n->id == g.root ? "* " : "", Printable(n->label),
                          n->uid);
    }
    return list.empty() ? std::string(" -") : list;
  };
  for (const LineageNode* r : runs) {
    out += fmt::format("  run {} of {} ({}, {}, {})\n", r->uid, Printable(r->label),
                       r->transform ? r->transform->kind : "?",
                       RunStatusName(r->run->status), RunAt(*r->run));
    out += "    read:" + names(r->id, true) + "\n";
    out += "    made:" + names(r->id, false) + "\n";
    if (r->report) out += "    log:  " + r->report->uid + "\n";
  }
  return out;
}

std::string LineageMermaid(const LineageGraph& g) {
  std::string out = "flowchart LR\n";
  for (const auto& n : g.nodes) {
    if (n.kind == LineageNode::Kind::kRun) {
      out += fmt::format("  {}([\"{}<br/><small>{}</small>\"])\n", n.id, MermaidText(n.label),
                         RunAt(*n.run));
    } else {
      out += fmt::format("  {}[\"{}\"]\n", n.id, MermaidText(n.label));
    }
  }
  for (const auto& e : g.edges) out += fmt::format("  {} --> {}\n", e.from, e.to);
  out += fmt::format("  style {} fill:{},color:#fff\n", g.root, kGreenLighter);
  return out;
}

std::string LineageDot(const LineageGraph& g, const NodeLink& link) {
  std::string out = fmt::format(
      "digraph {} {{\n  node [color=\"{}\" fillcolor={} fontname=Helvetica fontsize=10]\n  edge "
      "[arrowsize=0.5]\n",
      DotQuoted(g.root), kGreenDarker, kGreenFill);
  for (const auto& n : g.nodes) {
    std::string url = link ? link(n) : std::string();
    std::string anchor = url.empty() ? "" : fmt::format(" URL={} target=\"_top\"", DotQuoted(url));
    if (n.kind == LineageNode::Kind::kRun) {
      out += fmt::format(
          "  {} [label=<{}<BR/><FONT COLOR=\"GREY\" POINT-SIZE=\"10\">{}</FONT>> "
          "fillcolor=\"{}\" shape=box style=\"rounded,filled\"{}]\n",
          DotQuoted(n.id), HtmlEscaped(n.label), RunAt(*n.run), kRunFill, anchor);
    } else {
      out += fmt::format("  {} [label={} fillcolor=\"{}\" shape=box style=\"rounded,filled\"{}]\n",
                         DotQuoted(n.id), DotQuoted(n.label),
                         n.id == g.root ? kGreenLighter : kGreenFill, anchor);
    }
  }
  for (const auto& e : g.edges) {
    out += fmt::format("  {} -> {} [color=dimgrey]\n", DotQuoted(e.from), DotQuoted(e.to));
  }
  return out + "}\n";
}

Result<std::string> LineageSvg(const LineageGraph& g, const NodeLink& link) {
  std::string dot = LineageDot(g, link);
  LAMIN_ASSIGN_OR_RETURN(const Graphviz* gv, LoadGraphviz());
  static std::mutex graphviz;  // its contexts share global state
  std::lock_guard lock(graphviz);
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gv->gvContext(), gv->gvFreeContext);
  if (!gvc) return Status::Internal("Graphviz could not start");
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(gv->agmemread(dot.c_str()), gv->agclose);
  if (!graph) return Status::Internal("Graphviz could not read the lineage graph");
  if (gv->gvLayout(gvc.get(), graph.get(), "dot") != 0) {
    return Status::Internal("Graphviz could not lay out the graph (is its dot plugin installed?)");
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gv->gvRenderData(gvc.get(), graph.get(), "svg", &data, &length);
  std::string svg = rc == 0 && data ? std::string(data, length) : std::string();
  if (data) gv->gvFreeRenderData(data);
  gv->gvFreeLayout(gvc.get(), graph.get());
  if (rc != 0) return Status::Internal("Graphviz could not draw the graph as SVG");
  return svg;
}

}  // namespace lamin::render
