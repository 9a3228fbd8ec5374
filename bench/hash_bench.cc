// Throughput of the streaming content hasher against raw OpenSSL MD5 on the same buffer: the
// hasher should cost no more than the digest it wraps.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <vector>

#include "hash/content_hash.h"

namespace {

std::vector<char> Buffer() { return std::vector<char>(1 << 20, 'x'); }

void BM_RawMd5(benchmark::State& state) {
  auto buf = Buffer();
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    for (int i = 0; i < 32; ++i) EVP_DigestUpdate(ctx, buf.data(), buf.size());
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, out, &len);
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * 32 * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_RawMd5);

void BM_ContentHasherSmall(benchmark::State& state) {
  auto buf = Buffer();
  for (auto _ : state) {
    lamin::hash::ContentHasher h(32ull * buf.size());
    for (int i = 0; i < 32; ++i) h.Update(buf.data(), buf.size());
    benchmark::DoNotOptimize(h.Finish());
  }
  state.SetBytesProcessed(state.iterations() * 32 * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_ContentHasherSmall);

// A 200 MiB file: only the first and last 50 MiB are digested (sha1-fl).
void BM_ContentHasherLarge(benchmark::State& state) {
  auto buf = Buffer();
  for (auto _ : state) {
    lamin::hash::ContentHasher h(200ull * buf.size());
    for (int i = 0; i < 200; ++i) h.Update(buf.data(), buf.size());
    benchmark::DoNotOptimize(h.Finish());
  }
  state.SetBytesProcessed(state.iterations() * 200 * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_ContentHasherLarge);

}  // namespace

BENCHMARK_MAIN();
