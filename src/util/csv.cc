#include "util/csv.h"

namespace lamin::util {

Result<bool> DelimitedReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  int c = in_.get();
  if (c == std::char_traits<char>::eof()) return false;
  record_line_ = line_;
  std::string field;
  bool quoted = false, was_quoted = false;
  while (true) {
    if (c == std::char_traits<char>::eof()) {
      if (quoted) {
        return Status::InvalidArgument("a quoted field opened on line " +
                                       std::to_string(record_line_) + " is never closed");
      }
      fields->push_back(std::move(field));
      return true;
    }
    const char ch = static_cast<char>(c);
    if (quoted) {
      if (ch == '"') {
        if (in_.peek() == '"') {
          field += '"';
          in_.get();
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line_;
        field += ch;
      }
    } else if (ch == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (ch == delimiter_) {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && in_.peek() == '\n') in_.get();
      ++line_;
      fields->push_back(std::move(field));
      return true;
    } else {
      field += ch;
    }
    c = in_.get();
  }
}

}  // namespace lamin::util
