// A small S3 client: SigV4-signed requests over libcurl, path-style addressing for custom
// endpoints. Why our own: Debian's libs3 signs only with SigV2, and curl 7.88's built-in signer
// neither adds x-amz-content-sha256 nor canonicalises the query string.
// Thread-safety: safe to use from several threads; each thread keeps its own curl handle (and
// so its own reused connection).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin::storage {

struct S3Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty if none
  // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the AWS_PROFILE (or
  // "default") section of ~/.aws/credentials. Result: FailedPrecondition naming what is missing.
  static Result<S3Credentials> FromEnvironment();
};

// "s3://bucket/prefix" with LaminDB's optional "?endpoint_url=http://host:port".
struct S3Location {
  std::string bucket;
  std::string prefix;    // without leading or trailing '/'; may be empty
  std::string endpoint;  // e.g. http://127.0.0.1:9000; empty: AWS (https://s3.REGION.amazonaws.com)
  // Result: InvalidArgument naming what is wrong with the URL.
  static Result<S3Location> Parse(const std::string& url);
  // The root as LaminDB writes it in lamindb_storage.root.
  std::string Root() const;
};

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without quotes
};

// AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region in ~/.aws/config, else us-east-1.
std::string RegionFromEnvironment();
// AWS_ENDPOINT_URL, if set.
std::string EndpointFromEnvironment();

class S3Client {
 public:
  S3Client(S3Credentials credentials, std::string endpoint, std::string region);

  // Uploads `data` as one object. Returns its ETag. With `if_absent`, the server is asked to
  // refuse a key that exists (If-None-Match: *; AWS honours it, some servers ignore it):
  // AlreadyExists then.
  Result<std::string> Put(const std::string& bucket, const std::string& key,
                          std::span<const char> data, bool if_absent = false);
  // Writes `length` bytes of the object from `offset` (a ranged GET) into the open file `fd` at
  // the same offset, without buffering them.
  Status GetRangeToFile(const std::string& bucket, const std::string& key, uint64_t offset,
                        uint64_t length, int fd);
  // Size and ETag, or nullopt if there is no such object.
  Result<std::optional<S3Object>> Head(const std::string& bucket, const std::string& key);
  // Downloads an object into `path` (replaced). Result: NotFound.
  Status GetToFile(const std::string& bucket, const std::string& key,
                   const std::filesystem::path& path);
  // OK if the object does not exist.
  Status Delete(const std::string& bucket, const std::string& key);
  // Every object below `prefix` (ListObjectsV2, all pages); with `limit`, at most that many.
  Result<std::vector<S3Object>> List(const std::string& bucket, const std::string& prefix,
                                     size_t limit = 0);

  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key);
  // Returns the part's ETag.
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id, int part_number,
                                 std::span<const char> data);
  // `if_absent` as for Put.
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id,
                                              const std::vector<std::string>& part_etags,
                                              bool if_absent = false);
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id);

  // Signs requests as if the local clock were `seconds` ahead. A server that finds the request
  // time too far from its own (RequestTimeTooSkewed) corrects the offset by itself; this is for
  // tests of that.
  void SkewClockBy(int64_t seconds) { *clock_offset_ += seconds; }

  // "s3://bucket/key", for messages.
  static std::string Url(const std::string& bucket, const std::string& key) {
    return "s3://" + bucket + "/" + key;
  }

 private:
  struct Response {
    long status = 0;
    std::string body;                            // with a FileSink: only an error document
    std::map<std::string, std::string> headers;  // lower-case names
    uint64_t written = 0;                        // bytes written to the FileSink
  };
  // A successful response's body goes to `fd` at `offset` (pwrite), not into memory.
  struct FileSink {
    int fd = -1;
    uint64_t offset = 0;
  };
  using Headers = std::map<std::string, std::string>;  // lower-case names, all signed
  // One signed request, retried with backoff on 5xx, throttling and transport errors.
  Result<Response> Send(const std::string& method, const std::string& bucket,
                        const std::string& key, const std::map<std::string, std::string>& query,
                        std::span<const char> body, const FileSink* sink,
                        const Headers& extra = {});
  Result<Response> SendOnce(const std::string& method, const std::string& bucket,
                            const std::string& key, const std::map<std::string, std::string>& query,
                            std::span<const char> body, const FileSink* sink, const Headers& extra);
  // The conditional-write header, unless the server answered it with 501 Not Implemented once.
  Headers IfAbsentHeaders(bool if_absent) const;
  void NoteIfAbsentUnsupported(long status);

  S3Credentials credentials_;
  std::string endpoint_;  // scheme://host[:port], no trailing '/'
  std::string host_;      // host[:port] as sent in the Host header
  std::string region_;
  std::shared_ptr<std::atomic<bool>> if_absent_unsupported_ =
      std::make_shared<std::atomic<bool>>(false);
  // Seconds added to the local clock when signing: learnt from a server's RequestTimeTooSkewed.
  std::shared_ptr<std::atomic<int64_t>> clock_offset_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace lamin::storage
