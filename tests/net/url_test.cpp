#include "net/url.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ie::net {
namespace {

// The message of the ie::Error that parsing `text` throws; fails the test when nothing is thrown.
std::string parse_error(std::string_view text) {
  try {
    parse_url(text);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::invalid_input);
    return error.what();
  }
  ADD_FAILURE() << "parse_url accepted " << text;
  return "";
}

TEST(ParseUrl, HttpWithoutPortDefaultsTo80) {
  Url url = parse_url("http://localhost");
  EXPECT_EQ(url.scheme, "http");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.base_path, "");
  EXPECT_FALSE(url.is_tls());
}

TEST(ParseUrl, HttpsWithoutPortDefaultsTo443) {
  Url url = parse_url("https://api.example.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_TRUE(url.is_tls());
}

TEST(ParseUrl, ExplicitPortIsKept) {
  Url url = parse_url("http://127.0.0.1:8000");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 8000);
}

TEST(ParseUrl, Ipv6LiteralLosesItsBrackets) {
  Url url = parse_url("http://[::1]:8000");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 8000);
  EXPECT_EQ(url.host_header(), "[::1]:8000");
  EXPECT_EQ(url.to_string(), "http://[::1]:8000");
}

TEST(ParseUrl, Ipv6LiteralWithoutPortUsesDefault) {
  Url url = parse_url("https://[2001:db8::7]/v1");
  EXPECT_EQ(url.host, "2001:db8::7");
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.base_path, "/v1");
  EXPECT_EQ(url.host_header(), "[2001:db8::7]");
}

TEST(ParseUrl, TrailingSlashesAreDropped) {
  EXPECT_EQ(parse_url("http://h:1/").base_path, "");
  EXPECT_EQ(parse_url("http://h:1/proxy/").base_path, "/proxy");
  EXPECT_EQ(parse_url("http://h:1/proxy//").base_path, "/proxy");
}

TEST(ParseUrl, BasePathIsKept) {
  Url url = parse_url("http://gateway:9000/team/llm");
  EXPECT_EQ(url.base_path, "/team/llm");
  EXPECT_EQ(url.to_string(), "http://gateway:9000/team/llm");
}

TEST(ParseUrl, UpperCaseSchemeIsAccepted) {
  Url url = parse_url("HTTPS://Example.com:8443");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_TRUE(url.is_tls());
  EXPECT_EQ(url.port, 8443);
}

TEST(ParseUrl, UnsupportedSchemeIsAnError) {
  std::string message = parse_error("ftp://host/file");
  EXPECT_NE(message.find("ftp://host/file"), std::string::npos) << message;
  EXPECT_NE(message.find("unsupported scheme 'ftp'"), std::string::npos) << message;
}

TEST(ParseUrl, MissingSchemeIsAnError) {
  EXPECT_NE(parse_error("localhost:8000").find("missing scheme"), std::string::npos);
  EXPECT_NE(parse_error("://localhost").find("missing scheme"), std::string::npos);
}

TEST(ParseUrl, MissingHostIsAnError) {
  EXPECT_NE(parse_error("http://").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("http://:8000").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("http:///v1").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("http://[]:80").find("missing host"), std::string::npos);
}

TEST(ParseUrl, PortOutOfRangeOrNotANumberIsAnError) {
  EXPECT_NE(parse_error("http://h:0").find("bad port '0'"), std::string::npos);
  EXPECT_NE(parse_error("http://h:70000").find("bad port '70000'"), std::string::npos);
  EXPECT_NE(parse_error("http://h:abc").find("bad port 'abc'"), std::string::npos);
  EXPECT_NE(parse_error("http://h:").find("bad port ''"), std::string::npos);
  EXPECT_NE(parse_error("http://h:80x").find("bad port '80x'"), std::string::npos);
  EXPECT_NE(parse_error("http://h:-1").find("bad port '-1'"), std::string::npos);
  EXPECT_NE(parse_error("http://[::1]:99999").find("bad port"), std::string::npos);
}

TEST(ParseUrl, HighestPortIsAccepted) {
  EXPECT_EQ(parse_url("http://h:65535").port, 65535);
}

TEST(ParseUrl, UserinfoIsRejectedWithAdviceAndWithoutEchoingTheSecretPart) {
  std::string message = parse_error("http://user:hunter2@host:8000");
  EXPECT_NE(message.find("do not embed"), std::string::npos) << message;
  EXPECT_NE(message.find("--api-key"), std::string::npos) << message;
}

TEST(ParseUrl, QueryAndFragmentAreErrors) {
  EXPECT_NE(parse_error("http://h:1/v1?key=x").find("query"), std::string::npos);
  EXPECT_NE(parse_error("http://h:1#top").find("fragment"), std::string::npos);
}

TEST(ParseUrl, InvalidHostCharactersAreErrors) {
  EXPECT_NE(parse_error("http://my host:80").find("invalid character"), std::string::npos);
  EXPECT_NE(parse_error("http://[localhost]:80").find("only for IPv6"), std::string::npos);
  EXPECT_NE(parse_error("http://[::1:80").find("closing ']'"), std::string::npos);
  EXPECT_NE(parse_error("http://[::1]x").find("after the IPv6"), std::string::npos);
}

TEST(UrlHostHeader, OmitsTheSchemesDefaultPort) {
  EXPECT_EQ(parse_url("http://h").host_header(), "h");
  EXPECT_EQ(parse_url("http://h:80").host_header(), "h");
  EXPECT_EQ(parse_url("https://h:443").host_header(), "h");
  EXPECT_EQ(parse_url("http://h:443").host_header(), "h:443");
  EXPECT_EQ(parse_url("https://h:80").host_header(), "h:80");
  EXPECT_EQ(parse_url("http://h:8000").host_header(), "h:8000");
}

TEST(UrlToString, AlwaysNamesThePort) {
  EXPECT_EQ(parse_url("http://h").to_string(), "http://h:80");
  EXPECT_EQ(parse_url("https://h/base/").to_string(), "https://h:443/base");
}

TEST(JoinRoute, RootBasePathGivesAnAbsoluteRoute) {
  EXPECT_EQ(join_route(parse_url("http://h:8000"), "v1/chat/completions"), "/v1/chat/completions");
  EXPECT_EQ(join_route(parse_url("http://h:8000/"), "v1/chat/completions"), "/v1/chat/completions");
}

TEST(JoinRoute, BasePathIsPrefixed) {
  EXPECT_EQ(join_route(parse_url("http://h/proxy"), "v1/chat/completions"), "/proxy/v1/chat/completions");
  EXPECT_EQ(join_route(parse_url("http://h/proxy/"), "/v1/completions"), "/proxy/v1/completions");
}

TEST(JoinRoute, BasePathThatAlreadyEndsWithTheRouteIsKept) {
  EXPECT_EQ(join_route(parse_url("http://h:8000/v1/chat/completions"), "v1/chat/completions"),
            "/v1/chat/completions");
  EXPECT_EQ(join_route(parse_url("http://h/proxy/v1/chat/completions/"), "v1/chat/completions"),
            "/proxy/v1/chat/completions");
}

TEST(JoinRoute, OpenAiStyleBaseUrlEndingInV1DoesNotRepeatIt) {
  EXPECT_EQ(join_route(parse_url("http://h:8000/v1"), "v1/chat/completions"), "/v1/chat/completions");
  EXPECT_EQ(join_route(parse_url("http://h/proxy/v1/"), "v1/completions"), "/proxy/v1/completions");
  EXPECT_EQ(join_route(parse_url("http://h/xv1"), "v1/completions"), "/xv1/v1/completions");
}

TEST(JoinRoute, RouteSuffixMustStartAtAPathSegment) {
  EXPECT_EQ(join_route(parse_url("http://h/xv1/completions"), "v1/completions"),
            "/xv1/completions/v1/completions");
}

}  // namespace
}  // namespace ie::net
