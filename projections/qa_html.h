// Renderers of the QA report (projections/qa_report.h): JSON for programs,
// CSV tables for spreadsheets, and one self-contained HTML page for people
// (inline CSS and SVG charts; no scripts, fonts or anything from the
// network). Pure functions.
#ifndef CARELOG_PROJECTIONS_QA_HTML_H_
#define CARELOG_PROJECTIONS_QA_HTML_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "projections/qa_report.h"

namespace carelog {

// A percentage as the report prints it: "87.5", or "n/a" when undefined.
std::string PercentText(std::optional<double> p);

// The headline figures, {key, text}, in the order the page shows them. The
// HTML carries each as <span data-figure="KEY">TEXT</span>; the JSON has the
// same keys under "headline" (numbers, null for "n/a").
std::vector<std::pair<std::string, std::string>> QaHeadline(const QaReport& r);

std::string RenderQaJson(const QaReport& r);
// {file name, CSV text} per table.
std::vector<std::pair<std::string, std::string>> RenderQaCsv(const QaReport& r);
std::string RenderQaHtml(const QaReport& r);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_QA_HTML_H_
