#include "tools/web/look/url_escape.h"

#include "absl/strings/str_cat.h"

namespace carelog::web {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string EscapeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    absl::StrAppend(&out, out.empty() ? "" : "&", EscapeQueryValue(name), "=", EscapeQueryValue(value));
  }
  return out;
}

std::string UrlWithQuery(std::string_view path,
                         const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) return std::string(path);
  return absl::StrCat(std::string(path), "?", QueryString(params));
}

}  // namespace carelog::web
