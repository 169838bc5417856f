// Building URLs for links and forms: percent-encoding and query strings.
// Pure; thread-safe. The result is a URL, not HTML: the components escape
// it again (& as &amp;) when they write it into an attribute.
#ifndef CARELOG_TOOLS_WEB_LOOK_URL_ESCAPE_H_
#define CARELOG_TOOLS_WEB_LOOK_URL_ESCAPE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carelog::web {

// `value` percent-encoded for a query parameter's name or value, or a path
// segment: every byte but the unreserved A-Z a-z 0-9 - . _ ~ (RFC 3986) as
// %XX, upper-case hex. A space is %20 (never '+', so the same text works in
// a path). UTF-8 is encoded byte by byte.
[[nodiscard]] std::string EscapeQueryValue(std::string_view value);

// "name=value&name=value" from the pairs in order, each part escaped; empty
// for no pairs. A pair with an empty value is written "name=".
[[nodiscard]] std::string QueryString(
    const std::vector<std::pair<std::string, std::string>>& params);

// `path` + "?" + QueryString(params), or `path` alone for no pairs. `path`
// is not escaped: it is the caller's own route ("/cases").
[[nodiscard]] std::string UrlWithQuery(
    std::string_view path, const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace carelog::web

#endif  // CARELOG_TOOLS_WEB_LOOK_URL_ESCAPE_H_
