#include "util/encoding.h"

#include <gtest/gtest.h>

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
