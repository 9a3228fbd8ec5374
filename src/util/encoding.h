// Text encodings LaminDB uses for identifiers and hashes.
// Thread-safety: pure functions, plus a CSPRNG that is safe to call from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lamin/status.h"

namespace lamin::util {

// The base62 alphabet LaminDB uses: digits, then upper case, then lower case.
inline constexpr std::string_view kBase62Alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// `n` characters drawn uniformly from the base62 alphabet with the kernel's CSPRNG (getrandom).
std::string RandomBase62(size_t n);
// `count` such strings of `n` characters each, from a system call per ~250 characters (for a
// batch's uids).
std::vector<std::string> RandomBase62Strings(size_t count, size_t n);

// The JSON text of a list of strings, as nlohmann's dump writes it (for a batch's keys or hashes
// bound as one parameter, read by json_each / jsonb). Throws as dump does on invalid UTF-8.
std::string JsonStringArray(const std::vector<std::string>& items);

// Bytes as one big-endian number in base62, with leading zero bytes written as "0" + a count
// character (the scheme of the pybase62 package LaminDB uses for instance uids).
std::string Base62EncodeBytes(std::span<const uint8_t> bytes);

// The next version counter: "0000" -> "0001", "0009" -> "000A", "000z" -> "0010".
// Result: InvalidArgument when `counter` holds a character outside the alphabet or overflows.
Result<std::string> IncrementBase62(std::string_view counter);

// URL-safe base64 without padding.
std::string Base64UrlEncode(std::span<const uint8_t> bytes);

std::string HexEncode(std::span<const uint8_t> bytes);
// Upper or lower case. Result: InvalidArgument for an odd length or a non-hex character.
Result<std::vector<uint8_t>> HexDecode(std::string_view hex);

// uuid5 (RFC 4122, SHA-1 based) of `name` in the URL namespace, as 32 lower-case hex digits:
// LaminDB's instance id for instances that are not on a hub.
std::string Uuid5UrlHex(std::string_view name);

// `text` with control characters written as escapes ("\n", "\t", "\x1b", "\x7f"), so that a
// hostile key or description cannot break a line of output or move the terminal's cursor.
std::string EscapeControl(std::string_view text);

// `text` cut to at most `max_chars` characters (UTF-8 code points, as PostgreSQL's varchar(n)
// counts them), its end replaced by "..." when it was cut.
std::string TruncateChars(std::string_view text, size_t max_chars);

}  // namespace lamin::util
