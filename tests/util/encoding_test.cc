#include "util/encoding.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace lamin::util {
namespace {

TEST(Base62, RandomUsesTheAlphabetAndLength) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string s = RandomBase62(16);
    ASSERT_EQ(s.size(), 16u);
    for (char c : s) ASSERT_NE(kBase62Alphabet.find(c), std::string_view::npos) << s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 200u);
}

// A batch's uids: as many as asked, each of the length asked, all distinct, and every character
// about equally likely (without the rejection of bytes 248-255, the first 8 characters would
// come 25 % more often than the others).
TEST(Base62, ABatchOfRandomStringsIsUniform) {
  const auto batch = RandomBase62Strings(10000, 16);
  ASSERT_EQ(batch.size(), 10000u);
  std::set<std::string> distinct(batch.begin(), batch.end());
  EXPECT_EQ(distinct.size(), batch.size());
  std::map<char, int> counts;
  for (const std::string& s : batch) {
    ASSERT_EQ(s.size(), 16u);
    for (char c : s) ++counts[c];
  }
  ASSERT_EQ(counts.size(), kBase62Alphabet.size());
  const double expected = 10000.0 * 16 / 62;  // about 2,581; one standard deviation is ~50
  for (auto [c, n] : counts) {
    EXPECT_GT(n, expected * 0.9) << c;
    EXPECT_LT(n, expected * 1.1) << c;
  }
  EXPECT_TRUE(RandomBase62Strings(0, 16).empty());
}

// The fast path writes plain ASCII as it is; everything must come out as nlohmann's dump.
TEST(Json, StringArrayIsWhatDumpWrites) {
  const std::vector<std::string> items = {"",         "plain/key.txt", "quote\"d",
                                          "back\\slash", "tab\tand\nnewline", "\x01\x1f\x7f",
                                          "\xc3\xbcnic\xc3\xb6" "de", "sp ace", "/"};
  EXPECT_EQ(JsonStringArray(items), nlohmann::json(items).dump());
  for (const auto& item : items) {
    EXPECT_EQ(JsonStringArray({item}), nlohmann::json(std::vector<std::string>{item}).dump());
  }
  EXPECT_EQ(JsonStringArray({}), "[]");
  EXPECT_THROW(JsonStringArray({"\xff"}), nlohmann::json::exception);
}

TEST(Base62, VersionCounterIncrements) {
  EXPECT_EQ(IncrementBase62("0000").value(), "0001");
  EXPECT_EQ(IncrementBase62("0009").value(), "000A");
  EXPECT_EQ(IncrementBase62("000Z").value(), "000a");
  EXPECT_EQ(IncrementBase62("000z").value(), "0010");
  EXPECT_FALSE(IncrementBase62("zzzz").ok());
  EXPECT_FALSE(IncrementBase62("00-0").ok());
}

TEST(Base62, EncodesBytesLikePybase62) {
  // Values computed with the pybase62 scheme (leading zero bytes as "0" + count).
  const uint8_t a[] = {0x00, 0x01, 0x02};
  EXPECT_EQ(Base62EncodeBytes(a), "014A");
  const uint8_t b[] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(Base62EncodeBytes(b), "4gfFC3");
}

TEST(Uuid5, MatchesPythonUuid5) {
  // python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'anonymous/data').hex)"
  EXPECT_EQ(Uuid5UrlHex("anonymous/data"), "e137f67e636b5afd9c29bb210c687952");
}

TEST(Base64Url, NoPaddingUrlSafe) {
  const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  const uint8_t one[] = {'a'};
  EXPECT_EQ(Base64UrlEncode(one), "YQ");
}

TEST(TruncateChars, CutsAtCharactersNotBytesAndSaysSo) {
  EXPECT_EQ(util::TruncateChars("short", 10), "short");
  EXPECT_EQ(util::TruncateChars("0123456789", 10), "0123456789");
  EXPECT_EQ(util::TruncateChars("0123456789A", 10), "0123456...");
  // Two-byte characters count once; a cut never splits one.
  std::string umlauts;
  for (int i = 0; i < 20; ++i) umlauts += "\xc3\xa4";
  std::string cut = util::TruncateChars(umlauts, 10);
  EXPECT_EQ(cut, umlauts.substr(0, 14) + "...");
  EXPECT_EQ(util::TruncateChars(umlauts, 20), umlauts);
}

}  // namespace
}  // namespace lamin::util
