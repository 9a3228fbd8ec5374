// lamin list artifact: a query with Django-style filters.
#include <iostream>

#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddListCommand(CLI::App& app, Session& s) {
  struct Args {
    std::string registry;
    std::vector<std::string> filters, order_by;
    int64_t limit = -1;
  };
  auto args = std::make_shared<Args>();
  auto* list = app.add_subcommand("list", "query artifacts");
  list->add_option("registry", args->registry, "what to list")
      ->required()
      ->check(CLI::IsMember({"artifact", "artifacts"}));
  list->add_option("--filter", args->filters, "FIELD__LOOKUP=VALUE (repeatable)");
  list->add_option("--order-by", args->order_by, "[-]FIELD (repeatable)");
  list->add_option("--limit", args->limit, "at most N artifacts")
      ->check(CLI::Validator(
          [](const std::string& v) -> std::string {
            return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos
                       ? ""
                       : "--limit must be a whole number, 0 or more (got '" + v + "')";
          },
          "N"));
  s.AddJsonFlag(list);

  auto run = [args, &s] {
    ArtifactQuery query;
    for (const auto& f : args->filters) {
      auto parsed = Filter::Parse(f);
      if (!parsed.ok()) return s.Fail(parsed.status());
      query.filters.push_back(*parsed);
    }
    query.order_by = args->order_by;
    if (args->limit >= 0) query.limit = args->limit;
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto rows = (*inst)->List(query);
    if (!rows.ok()) return s.Fail(rows.status());
    if (s.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& a : *rows) out.push_back(ArtifactJson(a));
      s.PrintJson(out);
      return kExitOk;
    }
    for (const auto& a : *rows) std::cout << SummaryLine(a) << "\n";
    std::cerr << rows->size() << " artifact(s)\n";
    return kExitOk;
  };
  return {{list, run}};
}

}  // namespace lamin::cli
