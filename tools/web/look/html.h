// HTML text for the web pages: escaping, and the types that keep escaped and
// unescaped text apart. Pure; thread-safe.
//
// Every function of the look library that takes text (std::string_view)
// escapes it; only an Html value is inserted as it is. An Html is made by
// the look library's own functions (or by a page from their output), never
// from data, so text from the store cannot become markup.
#ifndef CARELOG_TOOLS_WEB_LOOK_HTML_H_
#define CARELOG_TOOLS_WEB_LOOK_HTML_H_

#include <string>
#include <string_view>

namespace carelog::web {

// `text` made safe as HTML element content and as a double- or single-quoted
// attribute value: & < > " ' become character references. Other bytes are
// unchanged (pages are UTF-8; a byte that is not UTF-8 is shown by the
// browser as U+FFFD, never as markup).
[[nodiscard]] std::string EscapeHtml(std::string_view text);
// Appends EscapeHtml(text) to *out.
void AppendEscapedHtml(std::string_view text, std::string* out);

// Markup that is already safe to insert: output of the look library's
// functions, or a page's composition of them.
struct Html {
  std::string value;

  Html& operator+=(const Html& more) {
    value += more.value;
    return *this;
  }
};

// What a component shows in a slot that may hold either text or markup (a
// table cell, a summary list value): text is escaped when the Content is
// made, Html is kept as it is. Implicit from both, so a caller writes
// `{"Overdue"}` or `{Tag("Overdue", TagColour::kRed)}` alike.
class Content {
 public:
  Content() = default;
  Content(std::string_view text) : html_(EscapeHtml(text)) {}    // NOLINT
  Content(const char* text) : Content(std::string_view(text)) {}  // NOLINT
  Content(const std::string& text) : Content(std::string_view(text)) {}  // NOLINT
  Content(Html html) : html_(std::move(html.value)) {}           // NOLINT

  // The markup to insert.
  const std::string& html() const { return html_; }
  bool empty() const { return html_.empty(); }

 private:
  std::string html_;
};

}  // namespace carelog::web

#endif  // CARELOG_TOOLS_WEB_LOOK_HTML_H_
