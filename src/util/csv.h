// Reading delimited text (CSV, TSV) one record at a time, as RFC 4180 has it: fields in double
// quotes may hold the delimiter, line breaks and doubled quotes; CRLF or LF ends a record.
// Written here because the job is small and streaming: Debian's libcsv would add a callback
// layer bigger than this reader, and no other parser in our dependency set reads CSV.
// Thread-safety: one reader per thread.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin::util {

class DelimitedReader {
 public:
  DelimitedReader(std::istream& in, char delimiter) : in_(in), delimiter_(delimiter) {}
  // The next record into `fields`. Returns false at the end of the input.
  // Result: InvalidArgument for a quote left open at the end (naming the line it opened on).
  Result<bool> Next(std::vector<std::string>* fields);
  // The line the last record started on (1-based).
  int64_t line() const { return record_line_; }

 private:
  std::istream& in_;
  char delimiter_;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
};

}  // namespace lamin::util
