// Timestamps read from either backend in one form, and dates given by users checked.
#include <gtest/gtest.h>

#include <regex>

#include "util/clock.h"

namespace lamin::util {
namespace {

TEST(Clock, NowIsWrittenAsDjangoAndAsPythonWriteIt) {
  // A database default's milliseconds written back by Django, and a Python datetime's str().
  EXPECT_TRUE(std::regex_match(NowUtcText(),
                               std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}000)")));
  std::string micros = NowUtcMicrosText();
  EXPECT_TRUE(std::regex_match(micros,
                               std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?)")))
      << micros;
}

TEST(Clock, TimestampsOfBothBackendsReadAlike) {
  EXPECT_EQ(CanonicalTimestamp("2026-12-01 19:01:07.781000"), "2026-12-01 19:01:07.781000");
  EXPECT_EQ(CanonicalTimestamp("2026-12-01 19:01:07.781"), "2026-12-01 19:01:07.781000");
  EXPECT_EQ(CanonicalTimestamp("2026-12-01 19:01:07.78+00"), "2026-12-01 19:01:07.780000");
  EXPECT_EQ(CanonicalTimestamp("2026-12-01 19:01:07+00"), "2026-12-01 19:01:07.000000");
  EXPECT_EQ(CanonicalTimestamp("2026-12-01T19:01:07.1234567+00:00"), "2026-12-01 19:01:07.123456");
  EXPECT_EQ(CanonicalTimestamp("not a time"), "not a time");
  EXPECT_EQ(CanonicalTimestamp("2026-12-01 19:01:07+02"), "2026-12-01 19:01:07+02");
}

TEST(Clock, UserDatesAreCheckedAndNormalised) {
  EXPECT_EQ(ParseUserTimestamp("2026-12-01").value(), "2026-12-01");
  EXPECT_EQ(ParseUserTimestamp("2026-12-01T10:30").value(), "2026-12-01 10:30:00");
  EXPECT_EQ(ParseUserTimestamp("2026-12-01 10:30:05Z").value(), "2026-12-01 10:30:05");
  EXPECT_EQ(ParseUserTimestamp("2026-12-01 10:30:05.5").value(), "2026-12-01 10:30:05.500000");
  for (const char* bad : {"garbage", "", "2026-13-01", "2026-12-32", "2026-12-01 25:00",
                          "2026-12-01x10:00", "2026-12-01 10:30:05.", "12/01/2026",
                          "2026-12-01 10:30:05+02"}) {
    EXPECT_FALSE(ParseUserTimestamp(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace lamin::util
