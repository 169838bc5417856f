// `carelog cases`: the cases in the store, as a table or JSON.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "projections/case_summary.h"
#include "projections/escape.h"
#include "projections/views/queries.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {
namespace {

std::string DateOrDash(const std::optional<absl::CivilDay>& d) {
  return d.has_value() ? absl::FormatCivilTime(*d) : "-";
}

}  // namespace

int RunCases(const Args& args) {
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "table" && format != "json") return UsageError("--format must be table or json");
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  Queries queries(store->get(), PolicyRegistry());  // a summary needs no packs
  std::string out = format == "json" ? "[" : "";
  if (format == "table") {
    out = absl::StrFormat("%-12s %7s %7s %-12s %-14s %7s %-12s\n", "case", "events", "periods",
                          "looked after", "since", "reviews", "last review");
  }
  bool first = true;
  absl::Status listed = queries.Cases([&](const CaseSummary& s) {
    if (format == "table") {
      // Ids of stores written before the id alphabet may hold anything.
      absl::StrAppend(&out, absl::StrFormat("%-12s %7d %7d %-12s %-14s %7d %-12s\n",
                                            TerminalSafe(s.case_id),
                                            s.events, s.periods_of_care,
                                            s.looked_after ? "yes" : "no",
                                            DateOrDash(s.looked_after_since), s.reviews_held,
                                            DateOrDash(s.last_review)));
    } else {
      absl::StrAppend(&out, first ? "" : ",", "\n  {\"caseId\":");
      AppendJsonString(s.case_id, &out);
      absl::StrAppend(&out, ",\"events\":", s.events, ",\"periodsOfCare\":", s.periods_of_care,
                      ",\"lookedAfter\":", s.looked_after ? "true" : "false",
                      ",\"reviewsHeld\":", s.reviews_held, "}");
    }
    first = false;
    return absl::OkStatus();
  });
  if (!listed.ok()) return ReportError(listed);
  if (format == "json") absl::StrAppend(&out, "\n]\n");
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
