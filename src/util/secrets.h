// Masking of secrets in text that lamin shows: every Status message passes through MaskSecrets
// (util/status.cc), so a password can reach no output, whichever layer wrote the message.
// Thread-safety: pure function.
#pragma once

#include <string>

namespace lamin::util {

// `text` with secrets replaced by "***":
//   the password of a URL's userinfo (scheme://user:***@host), also when it holds an unencoded
//   '@' (the last '@' before the host ends the userinfo);
//   the value of password=, passwd=, sslpassword=, secret=, token= and the AWS secret and
//   signature parameters, in a URL's query or a keyword conninfo (quoted values too).
std::string MaskSecrets(std::string text);

}  // namespace lamin::util
