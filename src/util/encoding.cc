#include "util/encoding.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace lamin::util {

std::vector<std::string> RandomBase62Strings(size_t count, size_t n) {
  std::vector<std::string> out(count);
  // Rejection sampling keeps the distribution uniform: 248 = 4 * 62 is the largest multiple of 62
  // below 256.
  std::array<uint8_t, 256> buf{};
  size_t used = buf.size();
  for (std::string& s : out) {
    s.reserve(n);
    while (s.size() < n) {
      if (used == buf.size()) {
        // The kernel's CSPRNG itself: OpenSSL's RAND_bytes seeded its DRBG at the first call of
        // every process (~0.7 ms of a `lamin get`). Up to 256 bytes never return short
        // (getrandom(2)); one call serves about 15 uids of 16 characters, where a call per uid
        // was 10,000 system calls in a batch of 10,000 files. Nothing is kept between calls, so
        // a forked child never replays its parent's bytes.
        if (getrandom(buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) {
          throw std::runtime_error("getrandom failed: no entropy for uids");
        }
        used = 0;
      }
      const uint8_t b = buf[used++];
      if (b < 248) s.push_back(kBase62Alphabet[b % 62]);
    }
  }
  return out;
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  // Plain ASCII without quotes, backslashes or control characters is written as it is, which is
  // what dump writes for it; anything else goes through dump. Building a json array and dumping
  // it took 7 ms for 10,000 keys, on a save's critical path.
  std::string out = "[";
  size_t size = 2;
  for (const std::string& s : items) size += s.size() + 3;
  out.reserve(size);
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
    });
    if (plain) {
      out += '"';
      out += s;
      out += '"';
    } else {
      out += nlohmann::json(s).dump();
    }
  }
  out += ']';
  return out;
}

std::string RandomBase62(size_t n) { return std::move(RandomBase62Strings(1, n)[0]); }

std::string Base62EncodeBytes(std::span<const uint8_t> bytes) {
  size_t leading_zeros = 0;
  while (leading_zeros < bytes.size() && bytes[leading_zeros] == 0) ++leading_zeros;
  std::string padding;
  for (size_t n = leading_zeros / 61; n > 0; --n) padding += std::string("0") + kBase62Alphabet[61];
  if (leading_zeros % 61 != 0) padding += std::string("0") + kBase62Alphabet[leading_zeros % 61];
  if (leading_zeros == bytes.size()) return padding;
  // Repeated division of a big-endian byte string by 62.
  std::vector<uint8_t> number(bytes.begin() + static_cast<long>(leading_zeros), bytes.end());
  std::string digits;
  while (!number.empty()) {
    unsigned remainder = 0;
    std::vector<uint8_t> quotient;
    for (uint8_t b : number) {
      unsigned acc = remainder * 256 + b;
      uint8_t q = static_cast<uint8_t>(acc / 62);
      remainder = acc % 62;
      if (!quotient.empty() || q != 0) quotient.push_back(q);
    }
    digits.push_back(kBase62Alphabet[remainder]);
    number = std::move(quotient);
  }
  std::reverse(digits.begin(), digits.end());
  return padding + digits;
}

Result<std::string> IncrementBase62(std::string_view counter) {
  std::string out(counter);
  if (out.empty() || out.find_first_not_of(kBase62Alphabet) != std::string::npos) {
    return Status::InvalidArgument("version counter '" + out + "' is not base62");
  }
  for (size_t i = out.size(); i-- > 0;) {
    size_t pos = kBase62Alphabet.find(out[i]);
    if (pos + 1 < kBase62Alphabet.size()) {
      out[i] = kBase62Alphabet[pos + 1];
      return out;
    }
    out[i] = kBase62Alphabet[0];
  }
  return Status::InvalidArgument("version counter '" + std::string(counter) +
                                 "' has no next value");
}

std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = bytes[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

Result<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return Status::InvalidArgument("odd number of hex digits");
  std::vector<uint8_t> out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("'" + std::string(hex) + "' is not hex");
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Uuid5UrlHex(std::string_view name) {
  // RFC 4122 namespace for URLs: 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
  static constexpr uint8_t kNamespaceUrl[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  std::vector<uint8_t> input(kNamespaceUrl, kNamespaceUrl + 16);
  input.insert(input.end(), name.begin(), name.end());
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(input.data(), input.size(), digest);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3f) | 0x80);
  return HexEncode(std::span<const uint8_t>(digest, 16));
}

std::string EscapeControl(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string TruncateChars(std::string_view text, size_t max_chars) {
  auto is_lead = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  size_t chars = 0;
  for (char c : text) chars += is_lead(c);
  if (chars <= max_chars) return std::string(text);
  const size_t keep = max_chars >= 3 ? max_chars - 3 : 0;
  size_t end = 0;
  for (size_t seen = 0; end < text.size(); ++end) {
    if (is_lead(text[end]) && seen++ == keep) break;
  }
  return std::string(text.substr(0, end)) + std::string("...").substr(0, max_chars - keep);
}

}  // namespace lamin::util
