#include "tools/web/look/govuk_components.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace carelog::web {
namespace {

const char* SizeName(TextSize size) {
  switch (size) {
    case TextSize::kXl: return "xl";
    case TextSize::kL: return "l";
    case TextSize::kM: return "m";
    case TextSize::kS: return "s";
  }
  return "m";
}

// Captions stop at m: GOV.UK has no govuk-caption-s.
const char* CaptionSizeName(TextSize size) {
  return size == TextSize::kS ? "m" : SizeName(size);
}

const char* TagClass(TagColour colour) {
  switch (colour) {
    case TagColour::kBlue: return "govuk-tag";
    case TagColour::kGrey: return "govuk-tag govuk-tag--grey";
    case TagColour::kGreen: return "govuk-tag govuk-tag--green";
    case TagColour::kTurquoise: return "govuk-tag govuk-tag--turquoise";
    case TagColour::kTeal: return "govuk-tag govuk-tag--teal";
    case TagColour::kPurple: return "govuk-tag govuk-tag--purple";
    case TagColour::kMagenta: return "govuk-tag govuk-tag--magenta";
    case TagColour::kPink: return "govuk-tag govuk-tag--pink";
    case TagColour::kRed: return "govuk-tag govuk-tag--red";
    case TagColour::kOrange: return "govuk-tag govuk-tag--orange";
    case TagColour::kYellow: return "govuk-tag govuk-tag--yellow";
  }
  return "govuk-tag";
}

const char* ButtonClass(ButtonStyle style) {
  switch (style) {
    case ButtonStyle::kPrimary: return "govuk-button";
    case ButtonStyle::kSecondary: return "govuk-button govuk-button--secondary";
    case ButtonStyle::kWarning: return "govuk-button govuk-button--warning";
  }
  return "govuk-button";
}

const char* WidthClass(InputWidth width) {
  switch (width) {
    case InputWidth::kFull: return "";
    case InputWidth::k20: return " govuk-input--width-20";
    case InputWidth::k10: return " govuk-input--width-10";
    case InputWidth::k5: return " govuk-input--width-5";
    case InputWidth::k4: return " govuk-input--width-4";
    case InputWidth::k3: return " govuk-input--width-3";
    case InputWidth::k2: return " govuk-input--width-2";
  }
  return "";
}

const char* AriaSort(SortState s) {
  switch (s) {
    case SortState::kNone: return "none";
    case SortState::kAscending: return "ascending";
    case SortState::kDescending: return "descending";
  }
  return "none";
}

// The parts every labelled field shares: the form group's opening tag, the
// label (inside an <h1> when it is the page heading), hint and error message;
// and the aria-describedby and error class for the control itself.
struct FieldParts {
  std::string open;         // <div class="govuk-form-group..."> label hint error
  std::string describedby;  // ' aria-describedby="..."' or empty
  bool has_error = false;
};

FieldParts OpenField(const Field& f) {
  FieldParts p;
  p.has_error = !f.error.empty();
  const std::string id = EscapeHtml(f.id);
  absl::StrAppend(&p.open, "<div class=\"govuk-form-group",
                  p.has_error ? " govuk-form-group--error" : "", "\">\n");
  const std::string label =
      absl::StrCat("<label class=\"govuk-label", f.label_is_page_heading ? " govuk-label--l" : "",
                   "\" for=\"", id, "\">", EscapeHtml(f.label), "</label>\n");
  if (f.label_is_page_heading) {
    absl::StrAppend(&p.open, "<h1 class=\"govuk-label-wrapper\">", label, "</h1>\n");
  } else {
    p.open += label;
  }
  std::string ids;
  if (!f.hint.empty()) {
    absl::StrAppend(&p.open, "<div id=\"", id, "-hint\" class=\"govuk-hint\">", EscapeHtml(f.hint),
                    "</div>\n");
    absl::StrAppend(&ids, id, "-hint");
  }
  if (p.has_error) {
    p.open += ErrorMessage(f.id, f.error).value;
    absl::StrAppend(&ids, ids.empty() ? "" : " ", id, "-error");
  }
  if (!ids.empty()) p.describedby = absl::StrCat(" aria-describedby=\"", ids, "\"");
  return p;
}

Html Input(const Field& f, const char* type, const char* extra_class,
           std::string_view autocomplete) {
  FieldParts p = OpenField(f);
  std::string out = std::move(p.open);
  absl::StrAppend(&out, "<input class=\"govuk-input", extra_class,
                  p.has_error ? " govuk-input--error" : "", "\" id=\"", EscapeHtml(f.id),
                  "\" name=\"", EscapeHtml(f.name), "\" type=\"", type, "\" value=\"",
                  EscapeHtml(f.value), "\"", p.describedby);
  if (!autocomplete.empty()) {
    absl::StrAppend(&out, " autocomplete=\"", EscapeHtml(autocomplete), "\"");
  }
  out += ">\n</div>\n";
  return Html{std::move(out)};
}

}  // namespace

Html Heading(int level, std::string_view text, TextSize size, std::string_view caption) {
  level = std::clamp(level, 1, 6);
  std::string out = absl::StrCat("<h", level, " class=\"govuk-heading-", SizeName(size), "\">");
  if (!caption.empty()) {
    absl::StrAppend(&out, "<span class=\"govuk-caption-", CaptionSizeName(size), "\">",
                    EscapeHtml(caption), "</span>");
  }
  absl::StrAppend(&out, EscapeHtml(text), "</h", level, ">\n");
  return Html{std::move(out)};
}

Html Paragraph(Content content) {
  return Html{absl::StrCat("<p class=\"govuk-body\">", content.html(), "</p>\n")};
}

Html Link(std::string_view text, std::string_view href) {
  return Html{
      absl::StrCat("<a class=\"govuk-link\" href=\"", EscapeHtml(href), "\">", EscapeHtml(text), "</a>")};
}

Html SummaryList(const std::vector<SummaryRow>& rows) {
  std::string out = "<dl class=\"govuk-summary-list\">\n";
  for (const SummaryRow& r : rows) {
    absl::StrAppend(&out, "<div class=\"govuk-summary-list__row\">\n<dt class=\"govuk-summary-list__key\">",
                    EscapeHtml(r.key), "</dt>\n<dd class=\"govuk-summary-list__value\">",
                    r.value.empty() ? "Not recorded" : r.value.html(), "</dd>\n</div>\n");
  }
  out += "</dl>\n";
  return Html{std::move(out)};
}

Html RenderTable(const Table& t) {
  // A wide table scrolls inside its own box rather than widening the page
  // (WCAG 1.4.10: the page reflows at 320 CSS pixels). The box is a named,
  // focusable region so keyboard users can scroll it too (axe's
  // scrollable-region-focusable).
  const std::string caption = EscapeHtml(t.caption);
  std::string out = absl::StrCat(
      "<div class=\"clg-table-wrapper\" role=\"region\" aria-label=\"", caption,
      "\" tabindex=\"0\">\n<table class=\"govuk-table\"",
      t.id.empty() ? "" : absl::StrCat(" id=\"", EscapeHtml(t.id), "\""), ">\n<caption class=\"govuk-table__caption govuk-table__caption--",
      SizeName(t.caption_size), "\">", caption, "</caption>\n");
  out += "<thead class=\"govuk-table__head\">\n<tr class=\"govuk-table__row\">\n";
  for (const TableColumn& c : t.columns) {
    absl::StrAppend(&out, "<th scope=\"col\" class=\"govuk-table__header",
                    c.numeric ? " govuk-table__header--numeric" : "", "\"");
    if (!c.sort_href.empty()) {
      absl::StrAppend(&out, " aria-sort=\"", AriaSort(c.sort), "\"><a class=\"govuk-link\" href=\"",
                      EscapeHtml(c.sort_href), "\">", EscapeHtml(c.heading), "</a></th>\n");
    } else {
      absl::StrAppend(&out, ">", EscapeHtml(c.heading), "</th>\n");
    }
  }
  out += "</tr>\n</thead>\n<tbody class=\"govuk-table__body\">\n";
  static const Content kEmpty;
  for (const std::vector<Content>& row : t.rows) {
    out += "<tr class=\"govuk-table__row\">\n";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const Content& cell = i < row.size() ? row[i] : kEmpty;
      const bool numeric = t.columns[i].numeric;
      if (i == 0 && t.first_cell_is_row_header) {
        absl::StrAppend(&out, "<th scope=\"row\" class=\"govuk-table__header",
                        numeric ? " govuk-table__header--numeric" : "", "\">", cell.html(), "</th>\n");
      } else {
        absl::StrAppend(&out, "<td class=\"govuk-table__cell",
                        numeric ? " govuk-table__cell--numeric" : "", "\">", cell.html(), "</td>\n");
      }
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</div>\n";
  return Html{std::move(out)};
}

Html Tag(std::string_view text, TagColour colour) {
  return Html{absl::StrCat("<strong class=\"", TagClass(colour), "\">", EscapeHtml(text), "</strong>")};
}

Html ErrorSummary(const std::vector<FieldError>& errors) {
  if (errors.empty()) return Html{};
  // Without JavaScript nothing moves focus to the summary; role="alert"
  // still has screen readers announce it when the page loads.
  std::string out =
      "<div class=\"govuk-error-summary\">\n<div role=\"alert\">\n"
      "<h2 class=\"govuk-error-summary__title\">There is a problem</h2>\n"
      "<div class=\"govuk-error-summary__body\">\n<ul class=\"govuk-list govuk-error-summary__list\">\n";
  for (const FieldError& e : errors) {
    absl::StrAppend(&out, "<li><a href=\"#", EscapeHtml(e.field_id), "\">", EscapeHtml(e.message),
                    "</a></li>\n");
  }
  out += "</ul>\n</div>\n</div>\n</div>\n";
  return Html{std::move(out)};
}

Html ErrorMessage(std::string_view field_id, std::string_view message) {
  return Html{absl::StrCat("<p id=\"", EscapeHtml(field_id),
                           "-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> ",
                           EscapeHtml(message), "</p>\n")};
}

Html TextInput(const Field& field, InputWidth width, std::string_view autocomplete) {
  return Input(field, "text", WidthClass(width), autocomplete);
}

Html PasswordInput(const Field& field, InputWidth width, std::string_view autocomplete) {
  return Input(field, "password", WidthClass(width), autocomplete);
}

Html DateInput(const Field& field) {
  // Width 10 fits "dd/mm/yyyy" plus the picker's icon.
  return Input(field, "date", " govuk-input--width-10", {});
}

Html Select(const Field& field, const std::vector<SelectOption>& options) {
  FieldParts p = OpenField(field);
  std::string out = std::move(p.open);
  absl::StrAppend(&out, "<select class=\"govuk-select", p.has_error ? " govuk-select--error" : "",
                  "\" id=\"", EscapeHtml(field.id), "\" name=\"", EscapeHtml(field.name), "\"",
                  p.describedby, ">\n");
  for (const SelectOption& o : options) {
    absl::StrAppend(&out, "<option value=\"", EscapeHtml(o.value), "\"",
                    o.value == field.value ? " selected" : "", ">", EscapeHtml(o.text), "</option>\n");
  }
  out += "</select>\n</div>\n";
  return Html{std::move(out)};
}

Html Button(std::string_view text, ButtonStyle style, std::string_view name, std::string_view value) {
  std::string out = absl::StrCat("<button type=\"submit\" class=\"", ButtonClass(style), "\"");
  if (!name.empty()) {
    absl::StrAppend(&out, " name=\"", EscapeHtml(name), "\" value=\"", EscapeHtml(value), "\"");
  }
  absl::StrAppend(&out, ">", EscapeHtml(text), "</button>\n");
  return Html{std::move(out)};
}

Html LinkButton(std::string_view text, std::string_view href, ButtonStyle style) {
  return Html{absl::StrCat("<a href=\"", EscapeHtml(href), "\" role=\"button\" draggable=\"false\" class=\"",
                           ButtonClass(style), "\">", EscapeHtml(text), "</a>\n")};
}

Html NotificationBanner(BannerKind kind, std::string_view title, std::string_view heading,
                        Content body, std::string_view title_id) {
  const bool success = kind == BannerKind::kSuccess;
  const std::string id = EscapeHtml(title_id);
  std::string out = absl::StrCat(
      "<div class=\"govuk-notification-banner", success ? " govuk-notification-banner--success" : "",
      "\" role=\"", success ? "alert" : "region", "\" aria-labelledby=\"", id,
      "\">\n<div class=\"govuk-notification-banner__header\">\n<h2 class=\"govuk-notification-banner__title\" id=\"",
      id, "\">", EscapeHtml(title), "</h2>\n</div>\n<div class=\"govuk-notification-banner__content\">\n");
  if (!heading.empty()) {
    absl::StrAppend(&out, "<p class=\"govuk-notification-banner__heading\">", EscapeHtml(heading), "</p>\n");
  }
  if (!body.empty()) absl::StrAppend(&out, "<p class=\"govuk-body\">", body.html(), "</p>\n");
  out += "</div>\n</div>\n";
  return Html{std::move(out)};
}

Html InsetText(Content content) {
  return Html{absl::StrCat("<div class=\"govuk-inset-text\">", content.html(), "</div>\n")};
}

Html Details(std::string_view summary, Content body) {
  return Html{absl::StrCat("<details class=\"govuk-details\">\n<summary class=\"govuk-details__summary\">"
                           "<span class=\"govuk-details__summary-text\">",
                           EscapeHtml(summary), "</span></summary>\n<div class=\"govuk-details__text\">",
                           body.html(), "</div>\n</details>\n")};
}

Html PercentBar(double percent, bool overdue) {
  int step = 0;
  if (percent > 0) step = percent >= 100 ? 100 : static_cast<int>(std::lround(percent / 5.0)) * 5;
  return Html{absl::StrCat("<span class=\"clg-bar\" aria-hidden=\"true\"><span class=\"clg-bar__fill",
                           overdue ? " clg-bar__fill--overdue" : "", " clg-bar-", step, "\"></span></span>")};
}

}  // namespace carelog::web
