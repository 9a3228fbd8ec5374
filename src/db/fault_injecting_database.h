// A wrapper around a real Database that fails chosen calls, for the fault sweeps: fail call N,
// once or from N on. Query, Execute, ExecuteScript, Begin and Commit count; Rollback never fails,
// as it is the path every failure takes. A failed Commit does not reach the real database, so
// "failed" always means "not committed".
// Thread-safety: as the wrapped database (one thread at a time).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/database.h"

namespace lamin::db {

class FaultInjectingDatabase final : public Database {
 public:
  explicit FaultInjectingDatabase(std::unique_ptr<Database> target) : target_(std::move(target)) {}

  // Fails the n-th counted call (1-based) and, if `persistent`, every one after it. 0 disables.
  void FailAt(int n, bool persistent) {
    fail_at_ = n;
    persistent_ = persistent;
  }
  // Fails every counted call whose statement `predicate` accepts ("BEGIN", "COMMIT" or the SQL).
  void FailWhen(std::function<bool(std::string_view sql)> predicate) {
    predicate_ = std::move(predicate);
  }
  int calls() const { return calls_; }
  int faults() const { return faults_; }

  Dialect dialect() const override { return target_->dialect(); }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    LAMIN_RETURN_IF_ERROR(Check(sql));
    return target_->Query(sql, params);
  }
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    LAMIN_RETURN_IF_ERROR(Check(sql));
    return target_->Execute(sql, params);
  }
  Status ExecuteScript(std::string_view sql) override {
    LAMIN_RETURN_IF_ERROR(Check(sql));
    return target_->ExecuteScript(sql);
  }
  Status Begin() override {
    LAMIN_RETURN_IF_ERROR(Check("BEGIN"));
    return target_->Begin();
  }
  Status Commit() override {
    LAMIN_RETURN_IF_ERROR(Check("COMMIT"));
    return target_->Commit();
  }
  Status Rollback() override { return target_->Rollback(); }

 private:
  Status Check(std::string_view sql) {
    int n = ++calls_;
    bool by_count = fail_at_ > 0 && (n == fail_at_ || (n > fail_at_ && persistent_));
    if (!by_count && !(predicate_ && predicate_(sql))) return Status::OK();
    ++faults_;
    return Status::IOError("injected database fault at call " + std::to_string(n) + " (" +
                           std::string(sql.substr(0, 40)) + ")");
  }

  std::unique_ptr<Database> target_;
  int calls_ = 0;
  int faults_ = 0;
  int fail_at_ = 0;
  bool persistent_ = false;
  std::function<bool(std::string_view)> predicate_;
};

}  // namespace lamin::db
