// A small program on lamin's C++ API: init an instance in a scratch folder, save a file, find it
// by key, load it, version it. Usage: quickstart SCRATCH_DIR
#include <fstream>
#include <iostream>

#include "lamin/lamin.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: quickstart SCRATCH_DIR\n";
    return 2;
  }
  std::filesystem::path dir = std::filesystem::absolute(argv[1]);
  std::filesystem::create_directories(dir);
  lamin::OpenOptions options;
  options.env.settings_parent = dir;  // keep this example's settings out of ~/.lamin

  auto inst = lamin::Instance::Init({dir / "storage", "quickstart"}, options);
  if (!inst.ok()) {
    std::cerr << inst.status().ToString() << "\n";
    return 1;
  }
  std::ofstream(dir / "hello.txt") << "hello world";
  auto saved = (*inst)->artifacts().Save({{dir / "hello.txt", "greetings/hello.txt", "a greeting"}});
  if (!saved.ok()) {
    std::cerr << saved.status().ToString() << "\n";
    return 1;
  }
  std::cout << "saved " << saved->saved[0].artifact.uid << " hash "
            << *saved->saved[0].artifact.hash << "\n";

  std::ofstream(dir / "hello.txt") << "hello again";
  auto v2 = (*inst)->artifacts().Save({{dir / "hello.txt", "greetings/hello.txt", std::nullopt}});
  if (!v2.ok()) return 1;
  std::cout << "new version " << v2->saved[0].artifact.uid << "\n";

  auto latest = (*inst)->artifacts().Get(lamin::ArtifactRef::ByKey("greetings/hello.txt"));
  auto path = (*inst)->artifacts().Load(lamin::ArtifactRef::ByKey("greetings/hello.txt"));
  if (!latest.ok() || !path.ok()) return 1;
  std::cout << "latest " << latest->uid << " at " << path->string() << "\n";

  auto found = (*inst)->artifacts().List({{{"key", "startswith", "greetings/"}}, {}, std::nullopt});
  if (!found.ok()) return 1;
  std::cout << found->size() << " artifact(s) under greetings/\n";
  return 0;
}
