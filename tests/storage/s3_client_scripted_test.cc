// The S3 client against an endpoint that this test plays itself, for the answers the loopback
// server never gives: throttling and server errors (retried with backoff), a refused
// conditional write, a server that does not implement conditional writes, and a clock-skew
// refusal (the loopback server's skew check cannot parse x-amz-date, so it never fires).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>

#include "lamin/object_store.h"
#include "storage/s3_client.h"

namespace lamin::storage {
namespace {

struct Reply {
  int status;
  std::string body;  // XML error document, or empty
};

// Answers one request per connection with the next scripted reply (the last one repeats) and
// records each request's head.
class ScriptedEndpoint {
 public:
  explicit ScriptedEndpoint(std::vector<Reply> script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listener_, 8);
    socklen_t len = sizeof(addr);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedEndpoint() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (size_t i = 0;; ++i) {
      int c = ::accept(listener_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[65536];
      size_t head_end = std::string::npos;
      while ((head_end = req.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      size_t length = 0;
      if (auto at = req.find("Content-Length: "); at != std::string::npos) {
        length = std::stoul(req.substr(at + 16));
      }
      while (head_end != std::string::npos && req.size() < head_end + 4 + length) {
        ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req.substr(0, head_end));
      }
      const Reply& r = script_[std::min(i, script_.size() - 1)];
      std::string resp = "HTTP/1.1 " + std::to_string(r.status) +
                         " Scripted\r\nETag: \"5eb63bbbe01eeed093cb22bb8f5acdc3\"\r\n"
                         "Content-Length: " +
                         std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n" + r.body;
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  std::vector<Reply> script_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

std::string ErrorXml(const std::string& code, const std::string& extra = "") {
  return "<Error><Code>" + code + "</Code><Message>scripted</Message>" + extra + "</Error>";
}

S3Client ClientOf(const ScriptedEndpoint& e) {
  return S3Client({"KEY", "SECRET", ""}, e.url(), "us-east-1");
}

const std::string kData = "hello world";
std::span<const char> Data() { return {kData.data(), kData.size()}; }

TEST(S3ClientScripted, ThrottlingAndServerErrorsAreRetried) {
  ScriptedEndpoint e({{503, ErrorXml("SlowDown")}, {500, ErrorXml("InternalError")}, {200, ""}});
  S3Client client = ClientOf(e);
  auto etag = client.Put("bucket", "key", Data());
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(*etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(e.requests().size(), 3u);
}

TEST(S3ClientScripted, APersistentServerErrorGivesUpAsUnavailable) {
  ScriptedEndpoint e({{500, ErrorXml("InternalError")}});
  S3Client client = ClientOf(e);
  auto etag = client.Put("bucket", "key", Data());
  EXPECT_EQ(etag.status().code(), StatusCode::kUnavailable) << etag.status().ToString();
  EXPECT_NE(etag.status().message().find("InternalError"), std::string::npos);
  EXPECT_EQ(e.requests().size(), 4u) << "four attempts, then the error";
}

TEST(S3ClientScripted, AnAccessDenialIsNotRetried) {
  ScriptedEndpoint e({{403, ErrorXml("AccessDenied")}});
  S3Client client = ClientOf(e);
  EXPECT_EQ(client.Put("bucket", "key", Data()).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(e.requests().size(), 1u);
}

TEST(S3ClientScripted, ARefusedConditionalWriteIsAlreadyExists) {
  ScriptedEndpoint e({{412, ErrorXml("PreconditionFailed")}});
  S3Client client = ClientOf(e);
  auto r = client.Put("bucket", "key", Data(), /*if_absent=*/true);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists) << r.status().ToString();
  ASSERT_EQ(e.requests().size(), 1u);
  EXPECT_NE(e.requests()[0].find("if-none-match: *"), std::string::npos) << e.requests()[0];
}

TEST(S3ClientScripted, AServerWithoutConditionalWritesIsAskedWithoutThem) {
  ScriptedEndpoint e({{501, ErrorXml("NotImplemented")}, {200, ""}});
  S3Client client = ClientOf(e);
  ASSERT_TRUE(client.Put("bucket", "key", Data(), /*if_absent=*/true).ok());
  ASSERT_TRUE(client.Put("bucket", "key2", Data(), /*if_absent=*/true).ok());
  auto requests = e.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_NE(requests[0].find("if-none-match"), std::string::npos);
  EXPECT_EQ(requests[1].find("if-none-match"), std::string::npos);
  EXPECT_EQ(requests[2].find("if-none-match"), std::string::npos) << "remembered";
}

TEST(S3ClientScripted, ASkewedClockIsCorrectedFromTheServersTime) {
  char now[32];
  std::time_t t = std::time(nullptr);
  std::strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  ScriptedEndpoint e(
      {{403, ErrorXml("RequestTimeTooSkewed", std::string("<ServerTime>") + now + "</ServerTime>")},
       {200, ""}});
  S3Client client = ClientOf(e);
  client.SkewClockBy(-5400);  // an hour and a half behind
  auto etag = client.Put("bucket", "key", Data());
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  auto requests = e.requests();
  ASSERT_EQ(requests.size(), 2u);
  auto signed_at = [](const std::string& request) {
    auto at = request.find("x-amz-date: ");
    std::tm tm{};
    strptime(request.substr(at + 12, 16).c_str(), "%Y%m%dT%H%M%SZ", &tm);
    return static_cast<double>(timegm(&tm));
  };
  double real_now = static_cast<double>(std::time(nullptr));
  EXPECT_NEAR(signed_at(requests[0]), real_now - 5400, 5);
  EXPECT_NEAR(signed_at(requests[1]), real_now, 5) << "the retry is signed with the server's time";
}

// The store's multipart path: a part that fails ends the upload with the part's error and an
// AbortMultipartUpload, so that no parts are left behind.
TEST(S3StoreScripted, AFailedPartAbortsTheMultipartUpload) {
  ScriptedEndpoint e({{404, ""},  // HEAD: the key is free
                      {200,
                       "<InitiateMultipartUploadResult><UploadId>up-1</UploadId>"
                       "</InitiateMultipartUploadResult>"},
                      {403, ErrorXml("AccessDenied")}});  // every part, and the abort
  // Credentials of the test's own, restored afterwards (a run beside a real server has some).
  struct Restore {
    std::string name;
    std::optional<std::string> old;
    ~Restore() { old ? setenv(name.c_str(), old->c_str(), 1) : unsetenv(name.c_str()); }
  };
  std::vector<Restore> restore;
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    const char* old = std::getenv(name);
    restore.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
  }
  setenv("AWS_ACCESS_KEY_ID", "KEY", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "SECRET", 1);
  unsetenv("AWS_SESSION_TOKEN");
  S3StoreOptions options;
  options.part_size = options.multipart_threshold = 5 << 20;
  auto store = OpenS3Store("s3://bucket/p?endpoint_url=" + e.url(), options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::string path = ::testing::TempDir() + "/lamin-scripted-11mib";
  {
    std::string data(11 << 20, 'x');
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
  }
  auto staged = (*store)->StageFile(std::filesystem::path(path), ".lamindb/big.bin", "tok", nullptr);
  std::remove(path.c_str());
  EXPECT_EQ(staged.status().code(), StatusCode::kPermissionDenied) << staged.status().ToString();
  bool aborted = false;
  for (const auto& r : e.requests()) {
    aborted |= r.rfind("DELETE /bucket/p/.lamindb/big.bin?uploadId=up-1", 0) == 0;
  }
  EXPECT_TRUE(aborted) << "no AbortMultipartUpload among " << e.requests().size() << " requests";
}

}  // namespace
}  // namespace lamin::storage
