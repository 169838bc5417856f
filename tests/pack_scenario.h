// Helpers for the fold's scenario tests (deadlines_test.cc, the *_pack_test.cc,
// short_notice_test.cc): a child's log written as text-format payloads on
// dates, folded under an embedded pack, and the rows looked up by rule id.
#ifndef CARELOG_TESTS_PACK_SCENARIO_H_
#define CARELOG_TESTS_PACK_SCENARIO_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/text_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/deadlines.h"
#include "projections/deadlines_format.h"

namespace carelog::scenario {

using S = ObligationStatus;

inline absl::CivilDay D(const std::string& text) { return *ParseDate(text); }

inline const PolicyRegistry& Registry() {
  static const auto* reg = new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  return *reg;
}

// One child's log, appended in the order of the calls.
struct Case {
  std::vector<carelog::v1::Event> events;
  int tick = 0;

  // `payload` (text format) on `date`, at 12:00 UTC (+ a second per event)
  // unless `time` ("HH:MM:SS", UTC) is given.
  Case& On(const std::string& date, const std::string& payload,
           carelog::v1::Role role = carelog::v1::SOCIAL_WORKER, const std::string& time = "") {
    carelog::v1::Event e;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(payload, &e)) << payload;
    e.set_case_id("C-1");
    e.set_position(events.size() + 1);
    e.set_event_id(absl::StrCat("e", e.position()));
    e.mutable_actor()->set_role(role);
    absl::Time t;
    if (time.empty()) {
      t = absl::FromCivil(absl::CivilSecond(D(date)), absl::UTCTimeZone()) + absl::Hours(12) +
          absl::Seconds(++tick);
    } else {
      std::string err;
      EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, date + "T" + time + "Z", &t, &err)) << err;
    }
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
    events.push_back(e);
    return *this;
  }
};

inline CaseDeadlines Fold(const Case& c, const std::string& as_of,
                         const std::string& pack = "england") {
  auto p = Registry().Find(pack);
  EXPECT_TRUE(p.ok()) << p.status();
  return FoldDeadlines("C-1", c.events, **p, Calendar::Default(), D(as_of));
}

// The rows of `rule`, in the fold's order.
inline std::vector<Obligation> Rows(const CaseDeadlines& d, const std::string& rule) {
  std::vector<Obligation> out;
  for (const Obligation& o : d.obligations)
    if (o.rule_id == rule) out.push_back(o);
  return out;
}

inline std::vector<Finding> Findings(const CaseDeadlines& d, const std::string& rule) {
  std::vector<Finding> out;
  for (const Finding& f : d.findings)
    if (f.rule_id == rule) out.push_back(f);
  return out;
}

// "status due [met_on]" of a row, e.g. "MET 2024-09-09 2024-09-06".
inline std::string Row(const Obligation& o) {
  std::string s = absl::StrCat(std::string(ObligationStatusName(o.status)), " ", FormatDate(o.due));
  if (o.met_on) absl::StrAppend(&s, " ", FormatDate(*o.met_on));
  return s;
}

// Every row of `rule` as Row() strings.
inline std::vector<std::string> RowsOf(const CaseDeadlines& d, const std::string& rule) {
  std::vector<std::string> out;
  for (const Obligation& o : Rows(d, rule)) out.push_back(Row(o));
  return out;
}

}  // namespace carelog::scenario

#endif  // CARELOG_TESTS_PACK_SCENARIO_H_
