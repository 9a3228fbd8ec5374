// Status and Result<T>: how every fallible call in lamin reports its outcome.
//
// A Status is either OK or carries a canonical code and a message that names what went wrong and,
// where it helps, what to do. Foreign errors (sqlite rc, errno, SQLSTATE, S3 XML) are translated
// once, in the adapter that meets them, keeping the original text in the message.
// Thread-safety: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace lamin {

enum class StatusCode {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kInvalidArgument,
  kFailedPrecondition,  // the instance or environment is not in a state to do this
  kIOError,
  kCorruption,
  kAborted,  // a transaction lost a race or was cancelled; retrying may succeed
  kUnavailable,
  kPermissionDenied,
  kInternal,
};

// Name of a code, e.g. "NotFound".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  // Secrets in `message` (passwords in URLs and conninfo strings, secret keys) are masked here,
  // the one place every message passes through.
  Status(StatusCode code, std::string message);

  static Status OK() { return {}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }

  // "NotFound: message", or "OK".
  std::string ToString() const;

  // The same status with "context: " in front of the message; OK stays OK.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none. REQUIRES: never built from an OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace lamin

#define LAMIN_CONCAT_INNER(a, b) a##b
#define LAMIN_CONCAT(a, b) LAMIN_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define LAMIN_RETURN_IF_ERROR(expr)               \
  do {                                            \
    ::lamin::Status lamin_status_ = (expr);       \
    if (!lamin_status_.ok()) return lamin_status_; \
  } while (0)

// `lhs = value of expr`, or returns its Status from the enclosing function.
#define LAMIN_ASSIGN_OR_RETURN(lhs, expr)                                     \
  auto LAMIN_CONCAT(lamin_result_, __LINE__) = (expr);                        \
  if (!LAMIN_CONCAT(lamin_result_, __LINE__).ok())                            \
    return LAMIN_CONCAT(lamin_result_, __LINE__).status();                    \
  lhs = std::move(LAMIN_CONCAT(lamin_result_, __LINE__)).value()
