// lamin list REGISTRY: a query with Django-style filters, across relations.
#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {
namespace {

CLI::Validator WholeNumber(const std::string& flag) {
  return CLI::Validator(
      [flag](const std::string& v) -> std::string {
        return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos
                   ? ""
                   : flag + " must be a whole number, 0 or more (got '" + v + "')";
      },
      "N");
}

}  // namespace

std::vector<Command> AddListCommand(CLI::App& app, Session& s) {
  struct Args {
    std::string registry;
    std::vector<std::string> filters, order_by;
    int64_t limit = -1;
    int64_t offset = -1;
  };
  auto args = std::make_shared<Args>();
  auto* list = app.add_subcommand("list", "query a registry (artifact, ulabel, run, …)");
  list->add_option("registry", args->registry,
                   "artifact, collection, transform, run, ulabel, feature, schema, record, "
                   "project, reference, storage, user, branch, space or jsonvalue")
      ->required();
  list->add_option("--filter", args->filters,
                   "PATH__LOOKUP=VALUE, e.g. key__startswith=raw/ or ulabels__name=T cell "
                   "(repeatable)");
  list->add_option("--order-by", args->order_by, "[-]FIELD (repeatable)");
  list->add_option("--limit", args->limit, "at most N records")->check(WholeNumber("--limit"));
  list->add_option("--offset", args->offset, "skip the first N")->check(WholeNumber("--offset"));
  s.AddJsonFlag(list);

  auto run = [args, &s] {
    Query query;
    for (const auto& f : args->filters) {
      auto parsed = Filter::Parse(f);
      if (!parsed.ok()) return s.Fail(parsed.status());
      query.filters.push_back(*parsed);
    }
    query.order_by = args->order_by;
    if (args->limit >= 0) query.limit = args->limit;
    if (args->offset >= 0) query.offset = args->offset;
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    nlohmann::json out = nlohmann::json::array();
    size_t n = 0;
    if (args->registry == "artifact" || args->registry == "artifacts") {
      auto rows = (*inst)->artifacts().List(query);
      if (!rows.ok()) return s.Fail(rows.status());
      n = rows->size();
      for (const auto& a : *rows) {
        if (s.json) {
          out.push_back(ToJson(a));
        } else {
          std::cout << SummaryLine(a) << "\n";
        }
      }
    } else {
      auto rows = (*inst)->records().List(args->registry, query);
      if (!rows.ok()) return s.Fail(rows.status());
      n = rows->size();
      for (const auto& r : *rows) {
        if (s.json) {
          out.push_back(ToJson(r));
        } else {
          std::cout << SummaryLine(r) << "\n";
        }
      }
    }
    if (s.json) {
      s.PrintJson(out);
    } else {
      std::cerr << n << " record(s)\n";
    }
    return kExitOk;
  };
  return {{list, run}};
}

}  // namespace lamin::cli
