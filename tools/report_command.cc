// `carelog report qa --from DATE --to DATE [--format html|csv|json] [--out FILE]`.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/event_time.h"
#include "projections/qa_html.h"
#include "projections/qa_report.h"
#include "projections/views/queries.h"
#include "tools/commands.h"

namespace carelog {

int RunReport(const Args& args) {
  if (args.positional.size() != 1 || args.positional[0] != "qa") {
    std::fprintf(stderr, "carelog: usage: report qa --from DATE --to DATE [--format html|csv|json] [--out FILE]\n");
    return 2;
  }
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "html";
  if (format != "html" && format != "csv" && format != "json") {
    std::fprintf(stderr, "carelog: --format must be html, csv or json\n");
    return 2;
  }
  absl::CivilDay day[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto it = args.flags.find(names[i]);
    if (it == args.flags.end()) {
      std::fprintf(stderr, "carelog: report qa needs --%s DATE\n", names[i]);
      return 2;
    }
    auto d = ParseDate(it->second);
    if (!d.ok()) {
      std::fprintf(stderr, "carelog: --%s: %s\n", names[i], std::string(d.status().message()).c_str());
      return 2;
    }
    day[i] = *d;
  }
  if (day[1] < day[0]) {
    std::fprintf(stderr, "carelog: --to is before --from\n");
    return 2;
  }
  const std::string out_path = args.flags.count("out") ? args.flags.at("out") : "";
  if (format == "csv" && out_path.empty()) {
    std::fprintf(stderr, "carelog: --format csv writes one file per table: give --out DIR\n");
    return 2;
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto qa = (*queries)->Qa(day[0], day[1]);
  if (!qa.ok()) return ReportError(qa.status());
  const QaReport& report = *qa;
  if (format == "csv") {
    std::error_code ec;
    std::filesystem::create_directories(out_path, ec);
    for (const auto& [name, text] : RenderQaCsv(report)) {
      const std::string path = out_path + "/" + name;
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f << text;
      if (!f) return ReportError(absl::InternalError(absl::StrCat("cannot write ", path)));
    }
    std::printf("%s: %zu tables\n", out_path.c_str(), RenderQaCsv(report).size());
    return 0;
  }
  const std::string text = format == "json" ? RenderQaJson(report) : RenderQaHtml(report);
  if (out_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) return ReportError(absl::InternalError(absl::StrCat("cannot write ", out_path)));
  return 0;
}

}  // namespace carelog
