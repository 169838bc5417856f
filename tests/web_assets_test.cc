// The web pages' static files as compiled into the binary (tools/web/look/assets.h).
#include "tools/web/look/assets.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "store/base/sha256.h"

namespace carelog::web {
namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CARELOG_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WebAssetsTest, TheLinkedStylesheetsAreFoundWithTheirFilesBytes) {
  const Asset* govuk = FindAsset(kGovukFrontendCssPath);
  ASSERT_NE(govuk, nullptr);
  const std::string vendored =
      ReadSourceFile("tools/web/look/vendor/govuk-frontend-6.6.0/govuk-frontend.min.css");
  ASSERT_FALSE(vendored.empty());
  // Byte for byte, BOM and all: the embedding must not lose or add a byte.
  EXPECT_EQ(govuk->body, vendored);
  EXPECT_EQ(govuk->path, kGovukFrontendCssPath);

  const Asset* ours = FindAsset(kCarelogCssPath);
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->body, ReadSourceFile("tools/web/look/carelog.css"));
}

TEST(WebAssetsTest, EveryAssetIsFoundAtItsOwnPath) {
  ASSERT_GE(AllAssets().size(), 2u);
  for (const Asset& a : AllAssets()) {
    const Asset* found = FindAsset(a.path);
    ASSERT_NE(found, nullptr) << a.path;
    EXPECT_EQ(found, &a) << a.path;
    EXPECT_FALSE(a.body.empty()) << a.path;
  }
}

TEST(WebAssetsTest, ContentTypesFollowTheExtension) {
  for (const Asset& a : AllAssets()) {
    if (a.path.ends_with(".css")) {
      EXPECT_EQ(a.content_type, "text/css; charset=utf-8") << a.path;
    } else {
      ADD_FAILURE() << "no expected content type for " << a.path;
    }
  }
}

TEST(WebAssetsTest, ETagsAreQuotedPrefixesOfTheBodysSha256AndDifferWhenBodiesDiffer) {
  std::set<std::string_view> bodies, etags;
  for (const Asset& a : AllAssets()) {
    ASSERT_EQ(a.etag.size(), 34u) << a.path;
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.etag.back(), '"');
    EXPECT_EQ(a.etag.substr(1, 32), Sha256Hex(a.body).substr(0, 32)) << a.path;
    bodies.insert(a.body);
    etags.insert(a.etag);
  }
  EXPECT_EQ(etags.size(), bodies.size());
  // Stable across calls: the same views each time.
  EXPECT_EQ(FindAsset(kCarelogCssPath)->etag.data(), FindAsset(kCarelogCssPath)->etag.data());
}

TEST(WebAssetsTest, UnknownPathsAreNotFound) {
  EXPECT_EQ(FindAsset("/assets/nothing.css"), nullptr);
  EXPECT_EQ(FindAsset(""), nullptr);
  EXPECT_EQ(FindAsset("/assets/carelog.css?v=1"), nullptr);  // the caller strips the query
  EXPECT_EQ(FindAsset("/assets/carelog.cs"), nullptr);
  EXPECT_EQ(FindAsset("assets/carelog.css"), nullptr);
  EXPECT_EQ(FindAsset("/ASSETS/CARELOG.CSS"), nullptr);
}

TEST(WebAssetsTest, TheStylesheetsUseNoGdsTransportAndLoadNoFonts) {
  for (const Asset& a : AllAssets()) {
    EXPECT_EQ(a.body.find("@font-face"), std::string_view::npos) << a.path;
    EXPECT_EQ(a.body.find("GDS Transport"), std::string_view::npos) << a.path;
    EXPECT_EQ(a.body.find(".woff"), std::string_view::npos) << a.path;
    // Nothing from another origin (the CSP would block it anyway): every
    // url() is one of our own /assets/ paths or a data: URL.
    for (size_t at = a.body.find("url("); at != std::string_view::npos;
         at = a.body.find("url(", at + 1)) {
      std::string_view arg = a.body.substr(at + 4);
      if (arg.starts_with('"') || arg.starts_with('\'')) arg.remove_prefix(1);
      EXPECT_TRUE(arg.starts_with("/assets/") || arg.starts_with("data:"))
          << a.path << ": " << a.body.substr(at, 60);
    }
  }
  const Asset* govuk = FindAsset(kGovukFrontendCssPath);
  ASSERT_NE(govuk, nullptr);
  EXPECT_NE(govuk->body.find("font-family:arial,helvetica,sans-serif"), std::string_view::npos);
  EXPECT_NE(govuk->body.find("--govuk-frontend-version: \"6.6.0\""), std::string_view::npos);
}

// PercentBar (govuk_components.h) writes .clg-bar-0 ... .clg-bar-100 in
// steps of 5: each must have its width in carelog.css.
TEST(WebAssetsTest, CarelogCssHasEveryBarWidth) {
  const Asset* ours = FindAsset(kCarelogCssPath);
  ASSERT_NE(ours, nullptr);
  for (int p = 0; p <= 100; p += 5) {
    const std::string rule = ".clg-bar-" + std::to_string(p) + " { width: " + std::to_string(p) + "%; }";
    EXPECT_NE(ours->body.find(rule), std::string_view::npos) << rule;
  }
}

}  // namespace
}  // namespace carelog::web
