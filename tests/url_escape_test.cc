// Percent-encoding and query strings (tools/web/look/url_escape.h).
#include "tools/web/look/url_escape.h"

#include <cctype>
#include <string>

#include "gtest/gtest.h"

namespace carelog::web {
namespace {

// The inverse, to check round trips: %XX to the byte.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

TEST(UrlEscapeTest, UnreservedCharactersStayAndEverythingElseIsEncoded) {
  EXPECT_EQ(EscapeQueryValue("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(EscapeQueryValue("a b"), "a%20b");
  EXPECT_EQ(EscapeQueryValue("a+b&c=d#e?f/g%h"), "a%2Bb%26c%3Dd%23e%3Ff%2Fg%25h");
  EXPECT_EQ(EscapeQueryValue("COUNCIL\\jsmith"), "COUNCIL%5Cjsmith");
  EXPECT_EQ(EscapeQueryValue("<\"'>"), "%3C%22%27%3E");
  EXPECT_EQ(EscapeQueryValue(""), "");
}

TEST(UrlEscapeTest, Utf8IsEncodedByteByByteInUpperCaseHex) {
  EXPECT_EQ(EscapeQueryValue("Zoë"), "Zo%C3%AB");
  EXPECT_EQ(EscapeQueryValue(std::string("\0\x7f\xff", 3)), "%00%7F%FF");
}

TEST(UrlEscapeTest, EveryByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string escaped = EscapeQueryValue(all);
  EXPECT_EQ(Unescape(escaped), all);
  for (char c : escaped) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~%").find(c) != std::string_view::npos)
        << c;
  }
}

TEST(UrlEscapeTest, QueryStringJoinsEscapedPairsInOrder) {
  EXPECT_EQ(QueryString({}), "");
  EXPECT_EQ(QueryString({{"sort", "due"}}), "sort=due");
  EXPECT_EQ(QueryString({{"sort", "due"}, {"dir", "desc"}, {"q", "Smith & Sons"}}),
            "sort=due&dir=desc&q=Smith%20%26%20Sons");
  EXPECT_EQ(QueryString({{"as of", ""}, {"a=b", "c"}}), "as%20of=&a%3Db=c");
}

TEST(UrlEscapeTest, UrlWithQueryAddsAQuestionMarkOnlyForPairs) {
  EXPECT_EQ(UrlWithQuery("/cases", {}), "/cases");
  EXPECT_EQ(UrlWithQuery("/cases", {{"page", "2"}}), "/cases?page=2");
}

}  // namespace
}  // namespace carelog::web
