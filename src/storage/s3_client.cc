#include "storage/s3_client.h"

// Calls go through pointers (util/lazy_library.h): no type-checking macro around curl_easy_setopt.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <pugixml.hpp>
#include <regex>
#include <thread>

#include "util/encoding.h"
#include "util/fs.h"
#include "util/lazy_library.h"
#include "util/numbers.h"

namespace lamin::storage {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string HomeFile(const char* env_override, const char* relative) {
  std::string o = Env(env_override);
  if (!o.empty()) return o;
  return Env("HOME") + "/" + relative;
}

// [section] key = value from an AWS-style ini file.
std::map<std::string, std::string> IniSection(const std::string& path, const std::string& section) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line, current;
  while (std::getline(in, line)) {
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq != std::string::npos && current == section) {
      out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
  }
  return out;
}

std::string Profile() {
  std::string p = Env("AWS_PROFILE");
  return p.empty() ? "default" : p;
}

std::string Hex(const unsigned char* d, size_t n) {
  return util::HexEncode(std::span<const uint8_t>(d, n));
}

std::string Sha256Hex(std::span<const char> data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  return Hex(d, sizeof(d));
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// RFC 3986 percent-encoding as SigV4 wants it; '/' kept in paths.
std::string UriEncode(const std::string& s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// libcurl, loaded by the first request (util/lazy_library.h says why); the functions lamin calls.
#define LAMIN_LIBCURL_FUNCTIONS(X)                                                          \
  X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_reset)            \
  X(curl_easy_setopt) X(curl_easy_perform) X(curl_easy_getinfo) X(curl_easy_strerror)      \
  X(curl_slist_append) X(curl_slist_free_all)

struct LibCurl {
  LAMIN_LIBCURL_FUNCTIONS(LAMIN_LAZY_FUNCTION)
};

Result<const LibCurl*> LoadLibCurl() {
  static const Result<LibCurl> loaded = []() -> Result<LibCurl> {
    LAMIN_ASSIGN_OR_RETURN(auto library,
                           util::LazyLibrary::Open(LAMIN_LIBCURL_SONAME, "libcurl4"));
    LibCurl table;
    LAMIN_LIBCURL_FUNCTIONS(LAMIN_LAZY_RESOLVE)
    table.curl_global_init(CURL_GLOBAL_DEFAULT);
    return table;
  }();
  if (!loaded.ok()) return loaded.status().WithContext("S3");
  return &loaded.value();
}

// REQUIRES: LoadLibCurl() succeeded (every request starts with it).
const LibCurl& Curl() { return **LoadLibCurl(); }

// A body bound for a file: written at its offset while the response is a success, kept in
// memory (for the message) when it is an error document.
struct SinkState {
  CURL* curl;
  int fd;
  uint64_t offset;
  uint64_t written = 0;
  std::string* error_body;
  int error = 0;  // errno of a failed write
};
size_t WriteSinkBody(char* data, size_t size, size_t n, void* out) {
  auto* st = static_cast<SinkState*>(out);
  long code = 0;
  Curl().curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &code);
  size_t len = size * n;
  if (code >= 300) {
    st->error_body->append(data, len);
    return len;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t w = ::pwrite(st->fd, data + done, len - done,
                         static_cast<off_t>(st->offset + st->written + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      st->error = errno;
      return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    done += static_cast<size_t>(w);
  }
  st->written += len;
  return len;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of(" \r\n") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

struct ReadState {
  std::span<const char> data;
  size_t offset = 0;
};
size_t ReadBody(char* buf, size_t size, size_t n, void* in) {
  auto* st = static_cast<ReadState*>(in);
  size_t len = std::min(size * n, st->data.size() - st->offset);
  std::memcpy(buf, st->data.data() + st->offset, len);
  st->offset += len;
  return len;
}

std::string StripQuotes(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// The S3 error of a response as a Status, from its XML <Code> (namespace ignored).
Status S3Error(long status, const std::string& body, const std::string& what) {
  pugi::xml_document doc;
  std::string code, message;
  if (doc.load_string(body.c_str())) {
    pugi::xml_node err = doc.child("Error");
    code = err.child_value("Code");
    message = err.child_value("Message");
  }
  std::string text = what + ": HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) +
                     (message.empty() ? "" : " (" + message + ")");
  if (code == "NoSuchBucket") return Status::NotFound(text + ": the bucket does not exist");
  if (code == "NoSuchKey" || code == "NoSuchUpload" || status == 404) return Status::NotFound(text);
  if (code == "AccessDenied" || code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" ||
      status == 403) {
    return Status::PermissionDenied(text + ": check the credentials and the bucket's permissions");
  }
  if (code == "RequestTimeTooSkewed") {
    return Status::Unavailable(text + ": this machine's clock differs from the server's");
  }
  if (status >= 500 || code == "SlowDown") return Status::Unavailable(text);
  return Status::IOError(text);
}

// The <ServerTime> of a RequestTimeTooSkewed error (ISO 8601, UTC), as seconds since the epoch.
std::optional<int64_t> ServerTime(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_string(body.c_str())) return std::nullopt;
  std::string text = doc.child("Error").child_value("ServerTime");
  std::tm tm{};
  if (text.empty() || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

CURL* ThreadCurl() {
  // One handle per thread: libcurl keeps its connections open between requests.
  thread_local std::unique_ptr<CURL, decltype(LibCurl::curl_easy_cleanup)> handle(
      Curl().curl_easy_init(), Curl().curl_easy_cleanup);
  return handle.get();
}

}  // namespace

Result<S3Credentials> S3Credentials::FromEnvironment() {
  S3Credentials c{Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), Env("AWS_SESSION_TOKEN")};
  if (!c.access_key.empty() && !c.secret_key.empty()) return c;
  std::string file = HomeFile("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  auto section = IniSection(file, Profile());
  c = {section["aws_access_key_id"], section["aws_secret_access_key"],
       section["aws_session_token"]};
  if (!c.access_key.empty() && !c.secret_key.empty()) return c;
  return Status::FailedPrecondition(
      "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile '" +
      Profile() + "' in " + file);
}

std::string RegionFromEnvironment() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (!Env(name).empty()) return Env(name);
  }
  std::string p = Profile();
  auto section =
      IniSection(HomeFile("AWS_CONFIG_FILE", ".aws/config"), p == "default" ? p : "profile " + p);
  return section.count("region") ? section["region"] : "us-east-1";
}

std::string EndpointFromEnvironment() { return Env("AWS_ENDPOINT_URL"); }

Result<S3Location> S3Location::Parse(const std::string& url) {
  static const std::regex kUrl(R"(^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(/[^?]*)?(\?(.*))?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    return Status::InvalidArgument("'" + url +
                                   "' is not an S3 location: use s3://BUCKET[/PREFIX] (bucket "
                                   "names: 3-63 lower-case letters, digits, '.', '-')");
  }
  S3Location loc;
  loc.bucket = m[1];
  loc.prefix = m[2];
  while (!loc.prefix.empty() && loc.prefix.front() == '/') loc.prefix.erase(0, 1);
  while (!loc.prefix.empty() && loc.prefix.back() == '/') loc.prefix.pop_back();
  // The prefix names cache folders too: no empty, "." or ".." parts.
  for (size_t start = 0; !loc.prefix.empty() && start <= loc.prefix.size();) {
    size_t end = loc.prefix.find('/', start);
    if (end == std::string::npos) end = loc.prefix.size();
    std::string part = loc.prefix.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Status::InvalidArgument("'" + url +
                                     "': the prefix may not contain empty, '.' or "
                                     "'..' parts");
    }
    start = end + 1;
  }
  std::string query = m[4];
  if (!query.empty()) {
    if (query.rfind("endpoint_url=", 0) != 0) {
      return Status::InvalidArgument("'" + url +
                                     "': the only query LaminDB writes is ?endpoint_url=");
    }
    loc.endpoint = query.substr(13);
    if (loc.endpoint.rfind("http://", 0) != 0 && loc.endpoint.rfind("https://", 0) != 0) {
      return Status::InvalidArgument("'" + url +
                                     "': endpoint_url must start with http:// or https://");
    }
    while (!loc.endpoint.empty() && loc.endpoint.back() == '/') loc.endpoint.pop_back();
  }
  return loc;
}

std::string S3Location::Root() const {
  std::string root = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
  if (!endpoint.empty()) root += "?endpoint_url=" + endpoint;
  return root;
}

S3Client::S3Client(S3Credentials credentials, std::string endpoint, std::string region)
    : credentials_(std::move(credentials)), region_(std::move(region)) {
  endpoint_ = endpoint.empty() ? "https://s3." + region_ + ".amazonaws.com" : endpoint;
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  host_ = endpoint_.substr(endpoint_.find("://") + 3);
}

Result<S3Client::Response> S3Client::Send(const std::string& method, const std::string& bucket,
                                          const std::string& key,
                                          const std::map<std::string, std::string>& query,
                                          std::span<const char> body, const FileSink* sink,
                                          const Headers& extra) {
  constexpr int kAttempts = 4;
  bool clock_corrected = false;
  for (int attempt = 1;; ++attempt) {
    auto r = SendOnce(method, bucket, key, query, body, sink, extra);
    if (r.ok() && r->status == 403 && !clock_corrected &&
        r->body.find("RequestTimeTooSkewed") != std::string::npos) {
      // The server says our clock is off: sign with its time from now on (as AWS SDKs do).
      if (auto server = ServerTime(r->body)) {
        *clock_offset_ = *server - static_cast<int64_t>(std::time(nullptr));
        clock_corrected = true;
        continue;
      }
    }
    bool retry = !r.ok() ? r.status().code() == StatusCode::kUnavailable
                         : ((r->status >= 500 && r->status != 501) || r->status == 429 ||
                            r->body.find("<Code>SlowDown</Code>") != std::string::npos);
    if (!retry || attempt == kAttempts) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
  }
}

Result<S3Client::Response> S3Client::SendOnce(const std::string& method, const std::string& bucket,
                                              const std::string& key,
                                              const std::map<std::string, std::string>& query,
                                              std::span<const char> body, const FileSink* sink,
                                              const Headers& extra) {
  LAMIN_RETURN_IF_ERROR(LoadLibCurl().status());
  // SigV4: canonical request -> string to sign -> signature (HMAC chain over date/region/s3).
  std::time_t now = std::time(nullptr) + static_cast<std::time_t>(clock_offset_->load());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char amz_date[17], date[9];
  std::strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
  std::strftime(date, sizeof(date), "%Y%m%d", &tm);
  std::string path =
      "/" + UriEncode(bucket, false) + (key.empty() ? "" : "/" + UriEncode(key, true));
  std::string canonical_query;
  for (const auto& [k, v] : query) {  // std::map: sorted by name, as SigV4 requires
    canonical_query +=
        (canonical_query.empty() ? "" : "&") + UriEncode(k, false) + "=" + UriEncode(v, false);
  }
  std::string payload_hash = Sha256Hex(body);
  std::map<std::string, std::string> headers = extra;
  headers["host"] = host_;
  headers["x-amz-content-sha256"] = payload_hash;
  headers["x-amz-date"] = amz_date;
  if (!credentials_.session_token.empty()) {
    headers["x-amz-security-token"] = credentials_.session_token;
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + v + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + k;
  }
  std::string canonical = method + "\n" + path + "\n" + canonical_query + "\n" + canonical_headers +
                          "\n" + signed_headers + "\n" + payload_hash;
  std::string scope = std::string(date) + "/" + region_ + "/s3/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" +
                        Sha256Hex(std::span<const char>(canonical.data(), canonical.size()));
  std::string key_date = Hmac("AWS4" + credentials_.secret_key, date);
  std::string signing_key = Hmac(Hmac(Hmac(key_date, region_), "s3"), "aws4_request");
  std::string sig_raw = Hmac(signing_key, to_sign);
  std::string signature =
      Hex(reinterpret_cast<const unsigned char*>(sig_raw.data()), sig_raw.size());

  CURL* curl = ThreadCurl();
  Curl().curl_easy_reset(curl);
  std::string url = endpoint_ + path + (canonical_query.empty() ? "" : "?" + canonical_query);
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) {
    if (k != "host") list = Curl().curl_slist_append(list, (k + ": " + v).c_str());
  }
  list = Curl().curl_slist_append(
      list, ("Authorization: AWS4-HMAC-SHA256 Credential=" + credentials_.access_key + "/" + scope +
             ", SignedHeaders=" + signed_headers + ", Signature=" + signature)
                .c_str());
  list = Curl().curl_slist_append(list, "Content-Type:");  // no form encoding for POST
  list = Curl().curl_slist_append(list, "Expect:");        // no 100-continue round trip
  Response resp;
  ReadState upload{body, 0};
  SinkState sink_state{curl, sink ? sink->fd : -1, sink ? sink->offset : 0, 0, &resp.body, 0};
  Curl().curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  Curl().curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  Curl().curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  Curl().curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  Curl().curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  Curl().curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  Curl().curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  Curl().curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp.headers);
  if (method == "HEAD") {
    Curl().curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method == "PUT" || method == "POST") {
    if (method == "PUT") {
      Curl().curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    } else {
      Curl().curl_easy_setopt(curl, CURLOPT_POST, 1L);
    }
    Curl().curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    Curl().curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    if (method == "PUT") {
      Curl().curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else {
      Curl().curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
  } else if (method != "GET") {
    Curl().curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  Curl().curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink ? WriteSinkBody : AppendBody);
  Curl().curl_easy_setopt(curl, CURLOPT_WRITEDATA,
                   sink ? static_cast<void*>(&sink_state) : static_cast<void*>(&resp.body));
  CURLcode rc = Curl().curl_easy_perform(curl);
  Curl().curl_slist_free_all(list);
  if (rc == CURLE_WRITE_ERROR && sink_state.error != 0) {
    return util::ErrnoStatus(sink_state.error, "cannot write the download of", Url(bucket, key));
  }
  if (rc != CURLE_OK) {
    return Status::Unavailable("S3 request to " + endpoint_ + " for " + Url(bucket, key) +
                               " failed: " + Curl().curl_easy_strerror(rc));
  }
  Curl().curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp.status);
  resp.written = sink_state.written;
  return resp;
}

S3Client::Headers S3Client::IfAbsentHeaders(bool if_absent) const {
  if (!if_absent || *if_absent_unsupported_) return {};
  return {{"if-none-match", "*"}};
}

void S3Client::NoteIfAbsentUnsupported(long status) {
  // A server without conditional writes may refuse the header instead of ignoring it; the
  // instance's journal still keeps two writers off one key (core/save.cc).
  if (status == 501) *if_absent_unsupported_ = true;
}

Result<std::string> S3Client::Put(const std::string& bucket, const std::string& key,
                                  std::span<const char> data, bool if_absent) {
  for (int tries = 0;; ++tries) {
    Headers headers = IfAbsentHeaders(if_absent);
    LAMIN_ASSIGN_OR_RETURN(Response r, Send("PUT", bucket, key, {}, data, nullptr, headers));
    if (r.status == 412) return Status::AlreadyExists(Url(bucket, key) + " exists already");
    if (r.status == 501 && !headers.empty() && tries == 0) {
      NoteIfAbsentUnsupported(r.status);
      continue;
    }
    if (r.status != 200) return S3Error(r.status, r.body, "upload of " + Url(bucket, key));
    return StripQuotes(r.headers["etag"]);
  }
}

Status S3Client::GetRangeToFile(const std::string& bucket, const std::string& key, uint64_t offset,
                                uint64_t length, int fd) {
  if (length == 0) return Status::OK();
  Headers range = {
      {"range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}};
  FileSink sink{fd, offset};
  LAMIN_ASSIGN_OR_RETURN(Response r, Send("GET", bucket, key, {}, {}, &sink, range));
  if (r.status != 206) return S3Error(r.status, r.body, "download of " + Url(bucket, key));
  if (r.written != length) {
    return Status::IOError("download of " + Url(bucket, key) + ": the server sent " +
                           std::to_string(r.written) + " bytes of a " + std::to_string(length) +
                           "-byte range (did the object change?)");
  }
  return Status::OK();
}

Result<std::optional<S3Object>> S3Client::Head(const std::string& bucket, const std::string& key) {
  LAMIN_ASSIGN_OR_RETURN(Response r, Send("HEAD", bucket, key, {}, {}, nullptr));
  if (r.status == 404) return std::optional<S3Object>();
  if (r.status != 200) return S3Error(r.status, r.body, "HEAD of " + Url(bucket, key));
  auto size = util::ParseUint64(r.headers["content-length"]);
  if (!size) {
    return Status::IOError("HEAD of " + Url(bucket, key) + ": the server sent no valid length ('" +
                           r.headers["content-length"] + "')");
  }
  return std::optional<S3Object>(S3Object{key, *size, StripQuotes(r.headers["etag"])});
}

Status S3Client::GetToFile(const std::string& bucket, const std::string& key,
                           const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return util::ErrnoStatus(errno, "cannot create", path);
  FileSink sink{fd, 0};
  auto r = Send("GET", bucket, key, {}, {}, &sink);
  ::close(fd);
  Status s = !r.ok()            ? r.status()
             : r->status != 200 ? S3Error(r->status, r->body, "download of " + Url(bucket, key))
                                : Status::OK();
  if (!s.ok()) ::unlink(path.c_str());
  return s;
}

Status S3Client::Delete(const std::string& bucket, const std::string& key) {
  LAMIN_ASSIGN_OR_RETURN(Response r, Send("DELETE", bucket, key, {}, {}, nullptr));
  if (r.status != 204 && r.status != 200 && r.status != 404) {
    return S3Error(r.status, r.body, "delete of " + Url(bucket, key));
  }
  return Status::OK();
}

Result<std::vector<S3Object>> S3Client::List(const std::string& bucket, const std::string& prefix,
                                             size_t limit) {
  std::vector<S3Object> out;
  std::string token;
  while (limit == 0 || out.size() < limit) {
    std::map<std::string, std::string> query = {{"list-type", "2"}, {"prefix", prefix}};
    if (limit) query["max-keys"] = std::to_string(std::min<size_t>(limit - out.size(), 1000));
    if (!token.empty()) query["continuation-token"] = token;
    LAMIN_ASSIGN_OR_RETURN(Response r, Send("GET", bucket, "", query, {}, nullptr));
    if (r.status != 200) return S3Error(r.status, r.body, "listing of " + Url(bucket, prefix));
    pugi::xml_document doc;
    if (!doc.load_string(r.body.c_str())) {
      return Status::IOError("listing of " + Url(bucket, prefix) + ": the answer is not XML");
    }
    pugi::xml_node result = doc.child("ListBucketResult");
    for (pugi::xml_node c = result.child("Contents"); c; c = c.next_sibling("Contents")) {
      auto size = util::ParseUint64(c.child_value("Size"));
      if (!size) {
        return Status::IOError("listing of " + Url(bucket, prefix) + ": object '" +
                               c.child_value("Key") + "' has no valid size");
      }
      out.push_back({c.child_value("Key"), *size, StripQuotes(c.child_value("ETag"))});
    }
    if (std::string(result.child_value("IsTruncated")) != "true") break;
    token = result.child_value("NextContinuationToken");
    if (token.empty()) break;
  }
  return out;
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& bucket,
                                                    const std::string& key) {
  LAMIN_ASSIGN_OR_RETURN(Response r, Send("POST", bucket, key, {{"uploads", ""}}, {}, nullptr));
  if (r.status != 200) return S3Error(r.status, r.body, "multipart upload of " + Url(bucket, key));
  pugi::xml_document doc;
  doc.load_string(r.body.c_str());
  std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty())
    return Status::IOError("multipart upload of " + Url(bucket, key) + ": no UploadId");
  return id;
}

Result<std::string> S3Client::UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number,
                                         std::span<const char> data) {
  LAMIN_ASSIGN_OR_RETURN(
      Response r,
      Send("PUT", bucket, key,
           {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}, data, nullptr));
  if (r.status != 200) {
    return S3Error(r.status, r.body,
                   "part " + std::to_string(part_number) + " of " + Url(bucket, key));
  }
  return StripQuotes(r.headers["etag"]);
}

Result<std::string> S3Client::CompleteMultipartUpload(const std::string& bucket,
                                                      const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<std::string>& part_etags,
                                                      bool if_absent) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < part_etags.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>\"" + part_etags[i] +
           "\"</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  Response r;
  for (int tries = 0;; ++tries) {
    Headers headers = IfAbsentHeaders(if_absent);
    LAMIN_ASSIGN_OR_RETURN(r,
                           Send("POST", bucket, key, {{"uploadId", upload_id}},
                                std::span<const char>(xml.data(), xml.size()), nullptr, headers));
    if (r.status == 412) return Status::AlreadyExists(Url(bucket, key) + " exists already");
    if (r.status == 501 && !headers.empty() && tries == 0) {
      NoteIfAbsentUnsupported(r.status);
      continue;
    }
    break;
  }
  // S3 may answer 200 with an error document: check the body too.
  if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
    return S3Error(r.status == 200 ? 500 : r.status, r.body,
                   "completing the upload of " + Url(bucket, key));
  }
  pugi::xml_document doc;
  doc.load_string(r.body.c_str());
  return StripQuotes(doc.child("CompleteMultipartUploadResult").child_value("ETag"));
}

Status S3Client::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) {
  LAMIN_ASSIGN_OR_RETURN(Response r,
                         Send("DELETE", bucket, key, {{"uploadId", upload_id}}, {}, nullptr));
  if (r.status != 204 && r.status != 200 && r.status != 404) {
    return S3Error(r.status, r.body, "aborting the upload of " + Url(bucket, key));
  }
  return Status::OK();
}

}  // namespace lamin::storage
