// The static files of carelog's web pages (GOV.UK Frontend's CSS, carelog.css),
// compiled into the binary so that `carelog serve --http` serves them without
// reading anything from disk or the network.
#ifndef CARELOG_TOOLS_WEB_LOOK_ASSETS_H_
#define CARELOG_TOOLS_WEB_LOOK_ASSETS_H_

#include <string_view>
#include <vector>

namespace carelog::web {

// The URL paths the layout links (RenderPage): serve them with FindAsset.
inline constexpr std::string_view kGovukFrontendCssPath = "/assets/govuk-frontend.min.css";
inline constexpr std::string_view kCarelogCssPath = "/assets/carelog.css";

// One static file. All views point into static storage that lives as long as
// the program.
struct Asset {
  std::string_view path;          // the URL path it is served at
  std::string_view content_type;  // the Content-Type header's value
  std::string_view body;          // the bytes to send
  // A strong entity tag for the ETag header, quoted: '"' + the first 32 hex
  // digits of SHA-256(body) + '"'. A body change changes it, so a browser's
  // If-None-Match compares with it exactly (RFC 9110 strong comparison).
  std::string_view etag;
};

// The asset served at `path` (the URL path, no query: "/assets/carelog.css"),
// or nullptr if there is none. ETags are worked out on the first call. Safe
// from any thread; the pointer stays valid for the life of the program.
const Asset* FindAsset(std::string_view path);

// Every asset, for listing and tests. Same lifetime and threading as FindAsset.
const std::vector<Asset>& AllAssets();

}  // namespace carelog::web

#endif  // CARELOG_TOOLS_WEB_LOOK_ASSETS_H_
