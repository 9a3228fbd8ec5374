// Uses the installed lamin: an instance in a scratch folder, a save, a query across a relation,
// the JSON form. usage: consumer DIR
#include <fstream>
#include <iostream>

#include "lamin/json.h"
#include "lamin/lamin.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::filesystem::path dir = std::filesystem::absolute(argv[1]);
  lamin::OpenOptions options;
  options.env.settings_parent = dir;
  auto inst = lamin::Instance::Init({dir / "storage", "consumer"}, options);
  if (!inst.ok()) {
    std::cerr << inst.status().ToString() << "\n";
    return 1;
  }
  std::ofstream(dir / "hello.txt") << "hello";
  auto saved = (*inst)->artifacts().Save({{dir / "hello.txt", "hello.txt", std::nullopt}});
  if (!saved.ok()) return 1;
  auto found = (*inst)->artifacts().List({{{"created_by__handle", "exact", "anonymous"}}});
  if (!found.ok() || found->size() != 1) return 1;
  std::cout << lamin::ToJson(found->front())["key"].get<std::string>() << "\n";
  return 0;
}
