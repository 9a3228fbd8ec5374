// lamin serve on an instance of N artifacts (default 100,000): latency of the artifact list
// page (the first page, and a deep one at offset N/2), one artifact's page, and
// /api/artifacts?limit=50, under 16 concurrent keep-alive clients; against the server's own
// floor in the same run (a request that reaches no handler: HTTP, the thread pool, the access
// rules), so the ratio is what the instance's work adds. p50 and p99 in ms, and requests/s.
// usage: serve_bench PATH/TO/lamin [N] [SECONDS_PER_ENDPOINT]
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "bench_instance.h"

namespace {

using namespace lamin;
using namespace lamin::bench;

struct Latencies {
  double p50 = 0, p99 = 0, per_second = 0;
};

Latencies Load(const std::string& host, int port, const std::string& path, int expect,
               int clients, double seconds) {
  std::vector<std::vector<double>> per_client(clients);
  std::atomic<bool> failed{false};
  auto until = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(30, 0);
      while (Clock::now() < until) {
        auto t0 = Clock::now();
        auto res = client.Get(path);
        if (!res || res->status != expect) {
          failed = true;
          return;
        }
        per_client[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) {
    std::cerr << "requests to " << path << " failed\n";
    std::exit(1);
  }
  std::vector<double> all;
  for (auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  return {all[all.size() / 2], all[std::min(all.size() - 1, all.size() * 99 / 100)],
          static_cast<double>(all.size()) / seconds};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: serve_bench PATH/TO/lamin [N] [SECONDS]\n";
    return 2;
  }
  const std::string lamin = fs::absolute(argv[1]).string();
  const size_t n = argc > 2 ? std::stoul(argv[2]) : 100000;
  const double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;
  fs::path root = fs::temp_directory_path() / fmt::format("lamin-serve-bench-{}", getpid());
  BenchInstance inst = Build(root, n, "");

  int out[2];
  if (pipe(out) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(lamin.c_str(), lamin.c_str(), "serve", "--port", "0", "--threads", "16", nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string line;
  for (char ch; read(out[0], &ch, 1) == 1 && ch != '\n';) line += ch;
  const std::string prefix = "serving http://127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) {
    std::cerr << "lamin serve did not start: " << line << "\n";
    return 1;
  }
  const int port = std::stoi(line.substr(prefix.size()));
  const std::string some_uid = inst.uids[inst.uids.size() / 3];
  struct Endpoint {
    std::string label, path;
    int expect = 200;
  };
  const std::vector<Endpoint> endpoints = {
      {"server floor (no handler, 404)", "/nothing-here", 404},
      {"/artifacts (page 1)", "/artifacts"},
      {fmt::format("/artifacts?sort=key&page={} (offset {})", n / 100, n / 2),
       fmt::format("/artifacts?sort=key&page={}", n / 100)},
      {fmt::format("/artifacts?before={} (newest, half-way)", n / 2),
       fmt::format("/artifacts?before={}", n / 2)},
      {"/artifact/<uid>", "/artifact/" + some_uid},
      {"/api/artifacts?limit=50", "/api/artifacts?limit=50"},
      {"/api/artifacts?key__startswith=project7/&limit=50",
       "/api/artifacts?key__startswith=project7/&limit=50"},
  };
  std::cout << fmt::format("lamin serve, {} artifacts (SQLite), 16 concurrent clients, {} s each\n",
                           n, seconds);
  std::cout << fmt::format("{:<58} {:>9} {:>9} {:>10} {:>9} {:>12}\n", "endpoint", "p50 ms",
                           "p99 ms", "req/s", "p50 ratio", "1 client p50");
  double floor_p50 = 0;
  for (const auto& e : endpoints) {
    Load("127.0.0.1", port, e.path, e.expect, 16, 0.3);  // warm up
    Latencies l = Load("127.0.0.1", port, e.path, e.expect, 16, seconds);
    Latencies one = Load("127.0.0.1", port, e.path, e.expect, 1, seconds / 3);
    if (floor_p50 == 0) floor_p50 = l.p50;
    std::cout << fmt::format("{:<58} {:>9.2f} {:>9.2f} {:>10.0f} {:>8.1f}× {:>12.2f}\n", e.label,
                             l.p50, l.p99, l.per_second, l.p50 / floor_p50, one.p50);
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  fs::remove_all(root);
  return 0;
}
