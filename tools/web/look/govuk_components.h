// The GOV.UK Design System components carelog's pages use, as HTML strings
// (the markup of GOV.UK Frontend 6.6.0's Nunjucks macros, without the
// JavaScript hooks: the pages work without scripts). Pure; thread-safe.
//
// All text arguments are escaped (html.h); Content arguments take text or
// Html. Ids and names are escaped too, but must be unique in the page and
// should be plain (letters, digits, '-', '_'): the caller chooses them.
// Nothing here writes a style attribute or a script (the pages' CSP allows
// neither).
#ifndef CARELOG_TOOLS_WEB_LOOK_GOVUK_COMPONENTS_H_
#define CARELOG_TOOLS_WEB_LOOK_GOVUK_COMPONENTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "tools/web/look/html.h"

namespace carelog::web {

// GOV.UK's type scale: govuk-heading-xl ... -s, govuk-caption-xl ... -m.
enum class TextSize { kXl, kL, kM, kS };

// <hN class="govuk-heading-SIZE">, `level` 1 to 6 (clamped), with an
// optional caption above the text inside the heading (GOV.UK's "headings
// with captions": the caption is part of the heading for screen readers).
[[nodiscard]] Html Heading(int level, std::string_view text, TextSize size,
                           std::string_view caption = {});

// A paragraph of body text (govuk-body); `content` is inline (text, links,
// tags), not blocks.
[[nodiscard]] Html Paragraph(Content content);

// A link (govuk-link). `href` is escaped, not checked: pages pass paths.
[[nodiscard]] Html Link(std::string_view text, std::string_view href);

// One row of a summary list: a key (text) and its value.
struct SummaryRow {
  std::string key{};
  Content value{};
};
// <dl class="govuk-summary-list">; an empty value is shown as "Not recorded"
// rather than a blank the reader cannot tell from a fault.
[[nodiscard]] Html SummaryList(const std::vector<SummaryRow>& rows);

// How a sortable table column is sorted now (aria-sort on its header).
enum class SortState { kNone, kAscending, kDescending };
struct TableColumn {
  std::string heading{};
  // Right-aligned header and cells (govuk-table__header--numeric,
  // govuk-table__cell--numeric): counts, working days.
  bool numeric = false;
  // When set, the heading is a link to it (a sort the server applies: no
  // JavaScript), and the header carries aria-sort from `sort`.
  std::string sort_href{};
  SortState sort = SortState::kNone;
};
struct Table {
  std::string caption{};                     // required: names the table
  TextSize caption_size = TextSize::kM;    // govuk-table__caption--SIZE
  std::vector<TableColumn> columns{};
  std::vector<std::vector<Content>> rows{};  // each row as many cells as columns
  // The first cell of each row is a row header (<th scope="row">): the case
  // reference of a case list, say.
  bool first_cell_is_row_header = false;
  // The table element's id ("" = none): for links into the page and for
  // scripts and tests that find it.
  std::string id{};
};
// <table class="govuk-table"> in a <div class="clg-table-wrapper">: a
// focusable region named by the caption that scrolls sideways when the table
// is wider than the screen. A row with fewer cells than columns is padded
// with empty cells, one with more is cut to the columns: the table stays
// rectangular, which screen readers' table navigation needs.
[[nodiscard]] Html RenderTable(const Table& table);

// GOV.UK tag colours (govuk-tag--COLOUR; kBlue is the default tag). The
// caller maps its states to colours; by carelog's convention OVERDUE is
// kRed, OPEN and DUE kBlue, MET kGreen, CLOSED kGrey, DUE SOON kYellow.
enum class TagColour {
  kBlue, kGrey, kGreen, kTurquoise, kTeal, kPurple, kMagenta, kPink, kRed, kOrange, kYellow
};
// <strong class="govuk-tag govuk-tag--COLOUR">text</strong>. The text is
// the meaning; the colour only repeats it (WCAG 1.4.1).
[[nodiscard]] Html Tag(std::string_view text, TagColour colour);

// One problem in an error summary: the message, and the id of the field it
// is about (the summary links to "#" + field_id).
struct FieldError {
  std::string field_id{};
  std::string message{};
};
// The error summary at the top of a page whose form failed validation
// (title "There is a problem"). Empty if `errors` is empty. Pages with errors
// also prefix their <title> with "Error: " (PageShell::has_errors).
[[nodiscard]] Html ErrorSummary(const std::vector<FieldError>& errors);
// A field's own error message, with "Error:" for screen readers, id
// `field_id` + "-error" (the field's aria-describedby names it).
[[nodiscard]] Html ErrorMessage(std::string_view field_id, std::string_view message);

// Input width classes (govuk-input--width-N, or full width).
enum class InputWidth { kFull, k20, k10, k5, k4, k3, k2 };
// A labelled form field: text input, date input or select.
struct Field {
  std::string id{};    // the element's id; also the label's for
  std::string name{};  // the form field name
  std::string label{};
  std::string hint{};   // optional, id + "-hint"
  std::string error{};  // optional: the error message, shown above the field
  std::string value{};  // the current value (a date as YYYY-MM-DD)
  // The label is the page's <h1> (GOV.UK's "question pages"): one question
  // a page.
  bool label_is_page_heading = false;
};
// <input class="govuk-input" type="text">. `autocomplete` is the HTML
// autocomplete token when the field asks about the user (WCAG 1.3.5), e.g.
// "name"; empty writes no autocomplete attribute.
[[nodiscard]] Html TextInput(const Field& field, InputWidth width = InputWidth::kFull,
                             std::string_view autocomplete = {});
// <input class="govuk-input" type="password">: never echoed back, so
// field.value should be empty. `autocomplete`: "current-password" on a
// sign-in form, so password managers fill it.
[[nodiscard]] Html PasswordInput(const Field& field, InputWidth width = InputWidth::kFull,
                                 std::string_view autocomplete = {});
// A date as one <input type="date"> (the browser's own date picker; the
// value sent and field.value are always YYYY-MM-DD), not GOV.UK's three-box
// date input: carelog's dates are mostly picked near today, and one field has
// one error. The browser shows the date in its user's locale (day/month/year
// in a British browser), so a hint gives an example that way ("For example,
// 27/11/2026").
[[nodiscard]] Html DateInput(const Field& field);
struct SelectOption {
  std::string value{};
  std::string text{};
};
// <select class="govuk-select">; the option whose value equals field.value
// is selected.
[[nodiscard]] Html Select(const Field& field, const std::vector<SelectOption>& options);

enum class ButtonStyle { kPrimary, kSecondary, kWarning };
// <button type="submit" class="govuk-button">; `name` and `value` are
// written when `name` is set (which of several buttons was pressed).
[[nodiscard]] Html Button(std::string_view text, ButtonStyle style = ButtonStyle::kPrimary,
                          std::string_view name = {}, std::string_view value = {});
// A link that looks like a button (GOV.UK's link button: role="button",
// draggable="false"), for moving to another page rather than submitting.
[[nodiscard]] Html LinkButton(std::string_view text, std::string_view href,
                              ButtonStyle style = ButtonStyle::kPrimary);

// A notification banner: kInformation (role="region") for something the user
// should know, kSuccess (role="alert", green) after an action succeeded.
enum class BannerKind { kInformation, kSuccess };
// `title` is the banner's small title ("Important", "Success"); `heading`
// (optional) its main line; `body` what follows it, inline content (text, a
// link), written as one paragraph. `title_id` is the title's
// id (the banner's aria-labelledby): unique in the page.
[[nodiscard]] Html NotificationBanner(BannerKind kind, std::string_view title,
                                      std::string_view heading, Content body = {},
                                      std::string_view title_id = "govuk-notification-banner-title");

// <div class="govuk-inset-text">.
[[nodiscard]] Html InsetText(Content content);

// <details class="govuk-details">: `summary` is the always-visible line,
// `body` shown when opened (works without JavaScript: native details).
[[nodiscard]] Html Details(std::string_view summary, Content body);

// carelog's own (carelog.css), not GOV.UK's: a horizontal bar for a
// percentage, drawn with a width class (.clg-bar-0 ... .clg-bar-100, step 5:
// the CSP forbids style attributes). `percent` is rounded to the nearest 5
// and clamped to 0..100 (NaN is 0). Hidden from screen readers: the caller
// writes the number beside it as text; the bar only repeats it. `overdue`
// draws it red rather than blue.
[[nodiscard]] Html PercentBar(double percent, bool overdue = false);

}  // namespace carelog::web

#endif  // CARELOG_TOOLS_WEB_LOOK_GOVUK_COMPONENTS_H_
