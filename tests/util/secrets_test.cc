// Every form in which a secret reached a message once (issue: the masking missed a password in
// the query, a keyword conninfo, a password with an unencoded '@', userinfo in an S3
// endpoint_url, and libpq's own error text echoing the URI). The class: a secret in any text a
// Status carries; the test builds Statuses, the one place every message passes through.
#include <gtest/gtest.h>

#include "lamin/status.h"
#include "util/secrets.h"

namespace lamin {
namespace {

void ExpectMasked(const std::string& text, const std::string& secret) {
  Status s = Status::Unavailable("cannot connect: " + text);
  EXPECT_EQ(s.message().find(secret), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("***"), std::string::npos) << s.message();
  Status wrapped = Status::IOError("x").WithContext(text);
  EXPECT_EQ(wrapped.message().find(secret), std::string::npos) << wrapped.message();
}

TEST(Secrets, EveryFormIsMasked) {
  ExpectMasked("postgresql://me:s3cr3t@db:5432/lamin", "s3cr3t");
  ExpectMasked("postgres://me:p@ss@word@db/lamin", "ss@word");
  ExpectMasked("postgresql://db/lamin?user=me&password=s3cr3t&sslmode=require", "s3cr3t");
  ExpectMasked("host=db port=5432 user=me password=s3cr3t dbname=lamin", "s3cr3t");
  ExpectMasked("host=db password='with space' dbname=x", "with space");
  ExpectMasked("PASSWORD = s3cr3t", "s3cr3t");
  ExpectMasked("s3://bucket/prefix?endpoint_url=http://key:s3cr3t@127.0.0.1:9000", "s3cr3t");
  ExpectMasked(
      "connection to server at \"db\" failed: FATAL: password authentication failed for "
      "postgresql://me:s3cr3t@db/lamin",
      "s3cr3t");
  ExpectMasked("https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123&X-Amz-Date=1", "abcdef0123");
  ExpectMasked("aws_secret_access_key=AbCdEf", "AbCdEf");
}

TEST(Secrets, OrdinaryTextStaysAsItIs) {
  for (const char* plain :
       {"postgresql://me@db/lamin", "s3://bucket/prefix?endpoint_url=http://127.0.0.1:9000",
        "key 'raw/reads.fasta' contains '..'", "filter size__gt=100 token", "a=b c=d",
        "http://host:8080/path"}) {
    EXPECT_EQ(util::MaskSecrets(plain), plain);
  }
  EXPECT_EQ(util::MaskSecrets("postgresql://me:***@db/x"), "postgresql://me:***@db/x");
}

}  // namespace
}  // namespace lamin
