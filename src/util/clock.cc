#include "util/clock.h"

#include <chrono>
#include <cstdint>
#include <ctime>

#include <fmt/format.h>

namespace lamin::util {

namespace {

struct Now {
  std::tm tm{};
  int64_t micros = 0;  // within the second
};

Now UtcNow() {
  auto since_epoch = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  Now now;
  std::time_t secs = static_cast<std::time_t>(since_epoch / 1000000);
  gmtime_r(&secs, &now.tm);
  now.micros = since_epoch % 1000000;
  return now;
}

std::string Seconds(const std::tm& tm) {
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

std::string NowUtcText() {
  // Milliseconds written with 6 digits, as the rows Python LaminDB saves read (Django writes
  // back the value its database default gave, which has millisecond precision).
  Now now = UtcNow();
  return Seconds(now.tm) + fmt::format(".{:03}000", now.micros / 1000);
}

std::string NowUtcMicrosText() {
  Now now = UtcNow();
  return now.micros ? Seconds(now.tm) + fmt::format(".{:06}", now.micros) : Seconds(now.tm);
}

namespace {

bool Digits(const std::string& s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(const std::string& s, size_t pos, size_t n) { return std::stoi(s.substr(pos, n)); }

// "YYYY-MM-DD?HH:MM:SS[.f*]" (any separator at 10) -> its parts, with the zone suffix (if
// any) in `zone`. False when the text does not have that shape.
bool SplitTimestamp(const std::string& t, std::string* fraction, std::string* zone) {
  if (t.size() < 19 || !Digits(t, 0, 4) || t[4] != '-' || !Digits(t, 5, 2) || t[7] != '-' ||
      !Digits(t, 8, 2) || !Digits(t, 11, 2) || t[13] != ':' || !Digits(t, 14, 2) ||
      t[16] != ':' || !Digits(t, 17, 2)) {
    return false;
  }
  size_t pos = 19;
  fraction->clear();
  if (pos < t.size() && t[pos] == '.') {
    size_t end = pos + 1;
    while (end < t.size() && t[end] >= '0' && t[end] <= '9') ++end;
    *fraction = t.substr(pos + 1, end - pos - 1);
    pos = end;
  }
  *zone = t.substr(pos);
  return true;
}

}  // namespace

std::string CanonicalTimestamp(const std::string& stored) {
  std::string fraction, zone;
  if (!SplitTimestamp(stored, &fraction, &zone)) return stored;
  if (!zone.empty() && zone != "+00" && zone != "+00:00" && zone != "Z") return stored;
  if (fraction.size() > 6) fraction.resize(6);
  fraction.append(6 - fraction.size(), '0');
  return stored.substr(0, 10) + " " + stored.substr(11, 8) + "." + fraction;
}

std::optional<std::string> ParseUserTimestamp(const std::string& input) {
  std::string t = input;
  for (const char* zone : {"Z", "+00:00", "+00"}) {
    if (t.size() > 10 && t.ends_with(zone)) {
      t.resize(t.size() - std::string(zone).size());
      break;
    }
  }
  if (t.size() < 10 || !Digits(t, 0, 4) || t[4] != '-' || !Digits(t, 5, 2) || t[7] != '-' ||
      !Digits(t, 8, 2)) {
    return std::nullopt;
  }
  int month = Num(t, 5, 2), day = Num(t, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (t.size() == 10) return t;
  if (t[10] != ' ' && t[10] != 'T') return std::nullopt;
  t[10] = ' ';
  if (t.size() == 16) t += ":00";
  std::string fraction, zone;
  if (!SplitTimestamp(t, &fraction, &zone) || !zone.empty()) return std::nullopt;
  if (Num(t, 11, 2) > 23 || Num(t, 14, 2) > 59 || Num(t, 17, 2) > 60) return std::nullopt;
  if (!fraction.empty() || (t.size() > 19 && t[19] == '.')) {
    if (fraction.empty()) return std::nullopt;
    return CanonicalTimestamp(t);
  }
  return t;
}

}  // namespace lamin::util
