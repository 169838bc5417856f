// Renderings of the deadlines projection (cli.md `carelog deadlines`).
#include "projections/deadlines_format.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace carelog {
namespace {

Obligation Make(const std::string& case_id, const std::string& rule, const std::string& due,
                ObligationStatus status, const std::string& review = "",
                const std::string& met_on = "") {
  Obligation o;
  o.case_id = case_id;
  o.rule_id = rule;
  o.review_id = review;
  o.due = *ParseDate(due);
  o.status = status;
  if (!met_on.empty()) o.met_on = *ParseDate(met_on);
  o.source_document = "001_73579c9466dfdbf3.txt";
  o.source_section = "4.1";
  return o;
}

TEST(DeadlinesFormat, JsonIsOneArrayAcrossCases) {
  CaseDeadlines a, b;
  a.obligations.push_back(
      Make("C-1", "iro.notify", "2024-09-04", ObligationStatus::kMet, "", "2024-09-03"));
  b.obligations.push_back(
      Make("C-\"2\"", "review.invitations", "2024-09-13", ObligationStatus::kOverdue, "R1"));
  std::string out = "[";
  bool first = true;
  AppendDeadlinesJson(a, &out, &first);
  AppendDeadlinesJson(CaseDeadlines(), &out, &first);
  AppendDeadlinesJson(b, &out, &first);
  out += "]";
  EXPECT_EQ(out,
            "[{\"caseId\":\"C-1\",\"rule\":\"iro.notify\",\"due\":\"2024-09-04\",\"status\":\"MET\","
            "\"metOn\":\"2024-09-03\",\"source\":\"001_73579c9466dfdbf3.txt, 4.1\"},"
            "{\"caseId\":\"C-\\\"2\\\"\",\"rule\":\"review.invitations\",\"due\":\"2024-09-13\","
            "\"status\":\"OVERDUE\",\"reviewId\":\"R1\",\"source\":\"001_73579c9466dfdbf3.txt, "
            "4.1\"}]");
}

// Cases rendered apart and joined give the bytes of one rendering.
TEST(DeadlinesFormat, JoinedCaseTextsAreOneArray) {
  CaseDeadlines a, b;
  a.obligations.push_back(
      Make("C-1", "iro.notify", "2024-09-04", ObligationStatus::kMet, "", "2024-09-03"));
  a.obligations.push_back(Make("C-1", "review.first", "2024-09-20", ObligationStatus::kOpen));
  b.obligations.push_back(
      Make("C-2", "review.invitations", "2024-09-13", ObligationStatus::kOverdue, "R1"));
  const CaseDeadlines none;
  std::string whole = "[";
  bool first = true;
  for (const CaseDeadlines* d : std::vector<const CaseDeadlines*>{&none, &a, &none, &b}) {
    AppendDeadlinesJson(*d, &whole, &first);
  }
  std::string joined = "[";
  DeadlinesJsonJoin join;
  join.Add(DeadlinesJsonJoin::CaseText(none), &joined);
  join.Add(DeadlinesJsonJoin::CaseText(a), &joined);
  join.Add(DeadlinesJsonJoin::CaseText(none), &joined);
  join.Add(DeadlinesJsonJoin::CaseText(b), &joined);
  EXPECT_EQ(joined, whole);
}

TEST(DeadlinesFormat, EmptyJsonArray) {
  std::string out = "[";
  bool first = true;
  AppendDeadlinesJson(CaseDeadlines(), &out, &first);
  EXPECT_EQ(out + "]", "[]");
  EXPECT_TRUE(first);
}

TEST(DeadlinesFormat, StatusNames) {
  EXPECT_EQ(ObligationStatusName(ObligationStatus::kOpen), "OPEN");
  EXPECT_EQ(ObligationStatusName(ObligationStatus::kMet), "MET");
  EXPECT_EQ(ObligationStatusName(ObligationStatus::kMetLate), "MET_LATE");
  EXPECT_EQ(ObligationStatusName(ObligationStatus::kOverdue), "OVERDUE");
  EXPECT_EQ(ObligationStatusName(ObligationStatus::kClosed), "CLOSED");
}

TEST(DeadlinesFormat, CsvQuotes) {
  CaseDeadlines d;
  d.obligations.push_back(Make("C-1", "review.minutes", "2024-10-18", ObligationStatus::kMetLate,
                               "R,1", "2024-10-21"));
  d.obligations.back().source_section = "7 \"After the Review\"";
  std::string out;
  AppendDeadlinesCsvHeader(&out);
  AppendDeadlinesCsv(d, &out);
  EXPECT_EQ(out,
            "caseId,rule,due,status,metOn,reviewId,source\n"
            "C-1,review.minutes,2024-10-18,MET_LATE,2024-10-21,\"R,1\","
            "\"001_73579c9466dfdbf3.txt, 7 \"\"After the Review\"\"\"\n");
}

TEST(DeadlinesFormat, TableOverdueFirstThenDueSoon) {
  CaseDeadlines a;
  a.case_id = "C-1";
  a.obligations.push_back(Make("C-1", "review.initial", "2024-09-30", ObligationStatus::kOverdue));
  a.obligations.push_back(Make("C-1", "iro.notify", "2024-10-08", ObligationStatus::kOverdue));
  a.obligations.push_back(Make("C-1", "review.second", "2025-01-07", ObligationStatus::kOpen));
  a.obligations.push_back(Make("C-1", "review.minutes", "2024-10-14", ObligationStatus::kOpen, "R1"));
  a.obligations.push_back(Make("C-1", "review.decisions", "2024-10-04", ObligationStatus::kMet, "R1",
                               "2024-10-01"));
  const std::string t = RenderDeadlinesTable({a}, absl::CivilDay(2024, 10, 10), Calendar::Default());
  const size_t overdue = t.find("OVERDUE (2)");
  const size_t initial = t.find("review.initial");
  const size_t notify = t.find("iro.notify");
  const size_t soon = t.find("DUE IN THE NEXT 10 WORKING DAYS (1)");
  const size_t minutes = t.find("review.minutes");
  ASSERT_NE(overdue, std::string::npos) << t;
  ASSERT_NE(soon, std::string::npos) << t;
  EXPECT_LT(overdue, initial);
  EXPECT_LT(initial, notify);  // most days overdue first
  EXPECT_LT(notify, soon);
  EXPECT_LT(soon, minutes);
  EXPECT_NE(t.find("10  001_"), std::string::npos) << t;  // 10 days overdue
  EXPECT_NE(t.find("1 open later, 1 met, 0 met late, 0 closed"), std::string::npos) << t;
}

}  // namespace
}  // namespace carelog
