#include "config/redact.h"

#include <gtest/gtest.h>

namespace ie::config {
namespace {

TEST(RedactUrl, PlainUrlIsUnchanged) {
  EXPECT_EQ(redact_url("http://127.0.0.1:8000/v1"), "http://127.0.0.1:8000/v1");
  EXPECT_EQ(redact_url("not a url"), "not a url");
}

TEST(RedactUrl, UserinfoIsReplaced) {
  EXPECT_EQ(redact_url("http://user:pw@host:8000/x"), "http://<redacted>@host:8000/x");
  EXPECT_EQ(redact_url("https://token@host"), "https://<redacted>@host");
}

TEST(RedactUrl, AnAtSignInThePathIsNotUserinfo) {
  EXPECT_EQ(redact_url("http://host/a@b"), "http://host/a@b");
}

TEST(RedactUrl, SecretQueryParametersAreReplacedOthersKept) {
  EXPECT_EQ(redact_url("http://h/p?api_key=abc&model=m&token=t#frag"),
            "http://h/p?api_key=<redacted>&model=m&token=<redacted>#frag");
  EXPECT_EQ(redact_url("http://h?X-Amz-Signature=s&Password=p&flag"),
            "http://h?X-Amz-Signature=s&Password=<redacted>&flag");
}

TEST(IsSecretName, CoversTheUsualSpellings) {
  for (const char* name : {"api_key", "API_KEY", "access_token", "client_secret", "password", "key", "token",
                           "Authorization", "sig", "refresh-token"}) {
    EXPECT_TRUE(is_secret_name(name)) << name;
  }
  for (const char* name : {"model", "monkey", "x", "keyboard_layout", "tokens"}) {
    EXPECT_FALSE(is_secret_name(name)) << name;
  }
}

}  // namespace
}  // namespace ie::config
