#include "tools/web/look/html.h"

namespace carelog::web {

void AppendEscapedHtml(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size());
  for (char c : text) {
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\'': *out += "&#39;"; break;
      default: *out += c;
    }
  }
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  AppendEscapedHtml(text, &out);
  return out;
}

}  // namespace carelog::web
