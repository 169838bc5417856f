#include "projections/escape.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace carelog {
namespace {

// The length of the UTF-8 sequence at s[i] (1-4) and its code point, or 0 if
// the bytes there are not UTF-8 (stray continuation, overlong form,
// surrogate, beyond U+10FFFF, cut short).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2, v = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, v = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// Code points that change how a terminal or a text view shows what follows.
bool IsControlPoint(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string Sanitize(std::string_view s, bool keep_newlines) {
  std::string out;
  size_t plain = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(s, i, &cp);
    if (n > 0 && (!IsControlPoint(cp) || (keep_newlines && cp == '\n'))) {
      i += n;
      continue;
    }
    if (out.empty()) out.reserve(s.size() + 16);
    out.append(s.data() + plain, i - plain);
    if (n == 0) {
      absl::StrAppendFormat(&out, "\\x%02X", c);
      i += 1;
    } else if (cp == '\n') {
      out.append("\\n"), i += n;
    } else if (cp == '\t') {
      out.append("\\t"), i += n;
    } else if (cp == '\r') {
      out.append("\\r"), i += n;
    } else if (cp < 0x80) {
      absl::StrAppendFormat(&out, "\\x%02X", cp), i += n;
    } else {
      absl::StrAppendFormat(&out, "\\u%04X", cp), i += n;
    }
    plain = i;
  }
  if (plain == 0) return std::string(s);
  out.append(s.data() + plain, s.size() - plain);
  return out;
}

}  // namespace

std::string TerminalSafe(std::string_view s) { return Sanitize(s, false); }
std::string TerminalSafeLines(std::string_view text) { return Sanitize(text, true); }

void AppendJsonChars(std::string_view s, std::string* out) {
  // Runs of plain characters are appended at once: most text needs no escape.
  size_t plain = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // Valid UTF-8 stays as it is, but for controls and bidirectional
      // overrides; a byte that is not UTF-8 cannot be in JSON at all.
      uint32_t cp = 0;
      const size_t n = DecodeUtf8(s, i, &cp);
      if (n > 0 && !IsControlPoint(cp)) {
        i += n - 1;
        continue;
      }
      out->append(s.data() + plain, i - plain);
      if (n == 0) {
        out->append("\\ufffd");
        plain = i + 1;
      } else {
        absl::StrAppendFormat(out, "\\u%04x", cp);
        i += n - 1;
        plain = i + 1;
      }
      continue;
    }
    if (c != '"' && c != '\\' && u >= 0x20 && u != 0x7F) continue;
    out->append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: absl::StrAppendFormat(out, "\\u%04x", static_cast<int>(c));
    }
  }
  out->append(s.data() + plain, s.size() - plain);
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonChars(s, out);
  out->push_back('"');
}

void AppendCsvField(std::string_view s, std::string* out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace carelog
