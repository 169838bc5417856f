// `carelog gen`: determinism, contract validity of every line, the importer's
// in-line-order checks, code lists per collection year, and loose realism
// bounds.
#include "engine/gen/generate_histories.h"

#include <google/protobuf/util/json_util.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "engine/calendar.h"
#include "engine/code_lists.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using carelog::v1::Event;

std::string Gen(const GenOptions& o, uint64_t* n = nullptr) {
  std::ostringstream out;
  auto r = GenerateHistories(o, out);
  EXPECT_TRUE(r.ok()) << r.status();
  if (n != nullptr && r.ok()) *n = *r;
  return out.str();
}

absl::CivilDay DayOf(const google::protobuf::Timestamp& ts) {
  return absl::CivilDay(absl::ToCivilSecond(absl::FromUnixSeconds(ts.seconds()), absl::UTCTimeZone()));
}
int HourOf(const google::protobuf::Timestamp& ts) {
  return absl::ToCivilSecond(absl::FromUnixSeconds(ts.seconds()), absl::UTCTimeZone()).hour();
}

struct Stats {
  uint64_t lines = 0;
  int children = 0;
  int reviews_held = 0;
  int reviews_on_time = 0;
  int postponements = 0;
  int wrong_approver = 0;
  int rearranged = 0;
  int cancelled = 0;
  int corrected = 0;
  int retracted = 0;
  int out_of_order = 0;
  int reentries = 0;
  int ceased = 0;
  int notified = 0;
  int notified_on_time = 0;
  int significant = 0;
  int early_considered = 0;
  int visits = 0;
  int permanence = 0;
  std::map<std::string, int> ls, place, pn;
  std::map<std::string, int> formats;
};

void CheckCodeOn(CodeList list, const std::string& code, absl::CivilDay day, int line_no) {
  EXPECT_TRUE(IsValidCode(list, code, day))
      << "line " << line_no << ": " << CodeListName(list) << " '" << code << "' on " << day;
}

void CheckCodes(const Event& e, absl::CivilDay day, int line_no) {
  switch (e.payload_case()) {
    case Event::kChildAccommodated:
      CheckCodeOn(CodeList::kLegalStatus, e.child_accommodated().legal_status(), day, line_no);
      CheckCodeOn(CodeList::kPlacement, e.child_accommodated().placement_type(), day, line_no);
      break;
    case Event::kChildCeasedLookedAfter:
      CheckCodeOn(CodeList::kReasonCeased, e.child_ceased_looked_after().reason(), day, line_no);
      break;
    case Event::kReviewHeld:
      CheckCodeOn(CodeList::kParticipation, e.review_held().participation(), day, line_no);
      break;
    case Event::kLegalStatusChanged:
      CheckCodeOn(CodeList::kLegalStatus, e.legal_status_changed().legal_status(), day, line_no);
      break;
    case Event::kPlacementStarted:
      CheckCodeOn(CodeList::kPlacement, e.placement_started().placement_type(), day, line_no);
      break;
    default:
      break;
  }
}

// Parses and checks `text` as the importer would (in line order), and
// gathers statistics.
void Check(const std::string& text, absl::CivilDay end, Stats* out) {
  Stats& s = *out;
  const Calendar& cal = Calendar::Default();
  struct CaseState {
    bool looked_after = false;
    absl::flat_hash_set<std::string> reviews;
    absl::flat_hash_set<std::string> ids;
    absl::flat_hash_set<std::string> significant;
    absl::flat_hash_map<std::string, absl::CivilDay> id_day;
    int64_t last_seconds = 0;
    int periods = 0;
    std::vector<Event> events;
  };
  std::map<std::string, CaseState> cases;
  absl::flat_hash_set<std::string> all_ids;
  std::string prev_case;
  int line_no = 0;
  const int64_t end_seconds =
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(end + 1), absl::UTCTimeZone()));
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    Event e;
    const auto st = google::protobuf::util::JsonStringToMessage(std::string(line), &e);
    ASSERT_TRUE(st.ok()) << "line " << line_no << ": " << st.ToString() << "\n" << line;
    ASSERT_NE(e.payload_case(), Event::PAYLOAD_NOT_SET) << line;
    ++s.lines;
    ASSERT_FALSE(e.event_id().empty());
    ASSERT_TRUE(all_ids.insert(e.event_id()).second) << "duplicate eventId " << e.event_id();
    ASSERT_FALSE(e.case_id().empty());
    ASSERT_NE(e.actor().role(), v1::ROLE_UNSPECIFIED) << line;
    ASSERT_FALSE(e.actor().id().empty()) << line;
    ASSERT_TRUE(e.has_occurred_at()) << line;
    ASSERT_LT(e.occurred_at().seconds(), end_seconds) << "after end: " << line;
    const int hour = HourOf(e.occurred_at());
    // Office hours in UTC keep the UTC date equal to the Europe/London date.
    ASSERT_GE(hour, 8) << line;
    ASSERT_LE(hour, 17) << line;
    const absl::CivilDay day = DayOf(e.occurred_at());
    EXPECT_FALSE(e.has_recorded_at());
    EXPECT_EQ(e.position(), 0u);

    const bool new_case = !cases.contains(e.case_id());
    CaseState& cs = cases[e.case_id()];
    if (new_case) {
      ++s.children;
      ASSERT_EQ(e.payload_case(), Event::kChildRegistered) << "first line of a case: " << line;
      EXPECT_FALSE(e.child_registered().date_of_birth().empty());
      EXPECT_FALSE(e.child_registered().authority_code().empty());
      EXPECT_FALSE(e.child_registered().sex().empty());
      ASSERT_TRUE(ParseDate(e.child_registered().date_of_birth()).ok());
    } else {
      // Blocks: a case's lines are contiguous.
      ASSERT_EQ(prev_case, e.case_id()) << "case block interrupted at line " << line_no;
      if (e.occurred_at().seconds() < cs.last_seconds) ++s.out_of_order;
    }
    prev_case = e.case_id();
    cs.last_seconds = std::max<int64_t>(cs.last_seconds, e.occurred_at().seconds());
    CheckCodes(e, day, line_no);

    auto need_review = [&](const std::string& rid) {
      ASSERT_FALSE(rid.empty()) << "missing reviewId: " << line;
      ASSERT_TRUE(cs.reviews.contains(rid)) << "review not introduced: " << line;
    };
    switch (e.payload_case()) {
      case Event::kChildAccommodated:
        ASSERT_FALSE(cs.looked_after) << "accommodated while looked after: " << line;
        ASSERT_FALSE(e.child_accommodated().legal_status().empty());
        ASSERT_FALSE(e.child_accommodated().placement_type().empty());
        cs.looked_after = true;
        if (++cs.periods > 1) ++s.reentries;
        ++s.ls[e.child_accommodated().legal_status()];
        ++s.place[e.child_accommodated().placement_type()];
        break;
      case Event::kChildCeasedLookedAfter:
        ASSERT_TRUE(cs.looked_after) << "ceased while not looked after: " << line;
        ASSERT_FALSE(e.child_ceased_looked_after().reason().empty());
        cs.looked_after = false;
        ++s.ceased;
        break;
      case Event::kReviewScheduled:
        ASSERT_FALSE(e.review_scheduled().review_id().empty());
        ASSERT_TRUE(ParseDate(e.review_scheduled().scheduled_for()).ok()) << line;
        ASSERT_NE(e.review_scheduled().format(), v1::REVIEW_FORMAT_UNSPECIFIED);
        ++s.formats[v1::ReviewFormat_Name(e.review_scheduled().format())];
        cs.reviews.insert(e.review_scheduled().review_id());
        break;
      case Event::kReviewHeld:
        ASSERT_FALSE(e.review_held().review_id().empty());
        ASSERT_FALSE(e.review_held().participation().empty());
        cs.reviews.insert(e.review_held().review_id());
        ++s.pn[e.review_held().participation()];
        break;
      case Event::kInvitationsSent: need_review(e.invitations_sent().review_id()); break;
      case Event::kReviewDocumentsProvided:
        need_review(e.review_documents_provided().review_id());
        break;
      case Event::kReviewDecisionsRecorded:
        need_review(e.review_decisions_recorded().review_id());
        break;
      case Event::kReviewMinutesCompleted:
        need_review(e.review_minutes_completed().review_id());
        break;
      case Event::kReviewPostponementRequested:
        need_review(e.review_postponement_requested().review_id());
        EXPECT_NE(e.review_postponement_requested().requested_by(), v1::ROLE_UNSPECIFIED);
        EXPECT_FALSE(e.review_postponement_requested().reason().empty());
        ++s.postponements;
        break;
      case Event::kReviewPostponementApproved:
        need_review(e.review_postponement_approved().review_id());
        if (e.actor().role() != v1::SERVICE_MANAGER) ++s.wrong_approver;
        break;
      case Event::kReviewPostponementRejected:
        need_review(e.review_postponement_rejected().review_id());
        break;
      case Event::kReviewRearranged:
        need_review(e.review_rearranged().review_id());
        ASSERT_TRUE(ParseDate(e.review_rearranged().new_date()).ok()) << line;
        ++s.rearranged;
        break;
      case Event::kReviewCancelled:
        need_review(e.review_cancelled().review_id());
        EXPECT_FALSE(e.review_cancelled().reason().empty());
        ++s.cancelled;
        break;
      case Event::kEventCorrected: {
        const auto& c = e.event_corrected();
        ASSERT_TRUE(cs.ids.contains(c.event_id())) << "corrects an unknown/later event: " << line;
        ASSERT_TRUE(c.has_replacement());
        ASSERT_NE(c.replacement().payload_case(), Event::PAYLOAD_NOT_SET) << line;
        const absl::CivilDay rday = c.replacement().has_occurred_at()
                                        ? DayOf(c.replacement().occurred_at())
                                        : cs.id_day[c.event_id()];
        CheckCodes(c.replacement(), rday, line_no);
        ++s.corrected;
        break;
      }
      case Event::kEventRetracted:
        ASSERT_TRUE(cs.ids.contains(e.event_retracted().event_id()))
            << "retracts an unknown/later event: " << line;
        EXPECT_FALSE(e.event_retracted().reason().empty());
        ++s.retracted;
        break;
      case Event::kSignificantEventReported:
        EXPECT_FALSE(e.significant_event_reported().kind().empty());
        cs.significant.insert(e.event_id());
        ++s.significant;
        break;
      case Event::kEarlyReviewConsidered:
        ASSERT_TRUE(cs.significant.contains(e.early_review_considered().significant_event_id()))
            << line;
        ++s.early_considered;
        break;
      case Event::kStatutoryVisit: ++s.visits; break;
      case Event::kPanelDecision:
      case Event::kPermanenceRecommended: ++s.permanence; break;
      case Event::kChildConsulted: need_review(e.child_consulted().review_id()); break;
      case Event::kCarePlanAuthorised: need_review(e.care_plan_authorised().review_id()); break;
      default: break;
    }
    cs.ids.insert(e.event_id());
    cs.id_day[e.event_id()] = day;
    cs.events.push_back(e);
  }

  // Effective-order statistics: review chain timeliness, IRO notification.
  for (auto& [id, cs] : cases) {
    std::stable_sort(cs.events.begin(), cs.events.end(), [](const Event& a, const Event& b) {
      return a.occurred_at().seconds() < b.occurred_at().seconds();
    });
    bool la = false;
    int held = 0;
    absl::CivilDay due;
    absl::CivilDay accommodated;
    bool notified = true;
    for (const Event& e : cs.events) {
      const absl::CivilDay day = DayOf(e.occurred_at());
      if (e.payload_case() == Event::kChildAccommodated) {
        la = true;
        held = 0;
        accommodated = day;
        due = cal.AddWorkingDays(Division::kEnglandAndWales, day, 20);
        notified = false;
      } else if (e.payload_case() == Event::kChildCeasedLookedAfter) {
        la = false;
      } else if (e.payload_case() == Event::kIroServiceNotified && la && !notified) {
        notified = true;
        ++s.notified;
        if (day <= cal.AddWorkingDays(Division::kEnglandAndWales, accommodated, 2)) {
          ++s.notified_on_time;
        }
      } else if (e.payload_case() == Event::kReviewHeld && la) {
        ++s.reviews_held;
        if (day <= due) ++s.reviews_on_time;
        due = AddMonths(day, held == 0 ? 3 : 6);
        ++held;
      }
    }
  }
}

TEST(GenTest, SameSeedSameBytes) {
  GenOptions o;
  o.children = 60;
  o.years = 2;
  o.seed = 42;
  o.end = absl::CivilDay(2025, 9, 30);
  uint64_t n1 = 0, n2 = 0;
  const std::string a = Gen(o, &n1);
  const std::string b = Gen(o, &n2);
  EXPECT_EQ(n1, n2);
  EXPECT_GT(n1, 0u);
  EXPECT_TRUE(a == b);
  EXPECT_EQ(static_cast<uint64_t>(std::count(a.begin(), a.end(), '\n')), n1);
}

TEST(GenTest, DifferentSeedDifferentBytes) {
  GenOptions o;
  o.children = 20;
  o.seed = 1;
  const std::string a = Gen(o);
  o.seed = 2;
  const std::string b = Gen(o);
  EXPECT_NE(a, b);
  // Ids carry the seed.
  EXPECT_NE(a.find("\"eventId\":\"g1-1-1\""), std::string::npos);
  EXPECT_NE(b.find("\"eventId\":\"g2-1-1\""), std::string::npos);
}

TEST(GenTest, FirstLineShape) {
  GenOptions o;
  o.children = 1;
  const std::string a = Gen(o);
  EXPECT_EQ(a.rfind("{\"eventId\":\"g1-1-1\",\"caseId\":\"C-000001\",\"occurredAt\":\"", 0), 0u) << a;
}

TEST(GenTest, ZeroChildrenWritesNothing) {
  GenOptions o;
  o.children = 0;
  uint64_t n = 7;
  EXPECT_EQ(Gen(o, &n), "");
  EXPECT_EQ(n, 0u);
}

TEST(GenTest, RejectsBadOptions) {
  std::ostringstream out;
  GenOptions o;
  o.children = -1;
  EXPECT_EQ(GenerateHistories(o, out).status().code(), absl::StatusCode::kInvalidArgument);
  o.children = 1;
  o.years = 0;
  EXPECT_EQ(GenerateHistories(o, out).status().code(), absl::StatusCode::kInvalidArgument);
  o.years = 31;
  EXPECT_EQ(GenerateHistories(o, out).status().code(), absl::StatusCode::kInvalidArgument);
}

class GenValidity : public ::testing::TestWithParam<std::tuple<uint64_t, int, int, int>> {};

TEST_P(GenValidity, EveryLineValidInLineOrder) {
  const auto [seed, children, years, end_month] = GetParam();
  GenOptions o;
  o.seed = seed;
  o.children = children;
  o.years = years;
  o.end = absl::CivilDay(2025, end_month, 28);
  uint64_t n = 0;
  const std::string text = Gen(o, &n);
  Stats s;
  Check(text, o.end, &s);
  if (HasFatalFailure()) return;
  EXPECT_EQ(s.lines, n);
  EXPECT_EQ(s.children, children);
}

INSTANTIATE_TEST_SUITE_P(Seeds, GenValidity,
                         ::testing::Values(std::make_tuple(1u, 200, 1, 9),
                                           std::make_tuple(7u, 150, 3, 6),
                                           std::make_tuple(99u, 100, 5, 3),
                                           std::make_tuple(12345u, 300, 2, 12)));

TEST(GenTest, RealisticProportions) {
  GenOptions o;
  o.seed = 3;
  o.children = 400;
  o.years = 3;
  o.end = absl::CivilDay(2025, 9, 30);
  uint64_t n = 0;
  const std::string text = Gen(o, &n);
  Stats s;
  Check(text, o.end, &s);
  if (HasFatalFailure()) return;
  const double per_child_year = static_cast<double>(n) / (o.children * o.years);
  RecordProperty("events_per_child_year", std::to_string(per_child_year));
  std::cout << "events per child-year: " << per_child_year << " reviews held " << s.reviews_held
            << " on time " << s.reviews_on_time << " postponements " << s.postponements
            << " corrected " << s.corrected << " retracted " << s.retracted << " out-of-order "
            << s.out_of_order << " re-entries " << s.reentries << " cancelled " << s.cancelled
            << "\n";
  EXPECT_GE(per_child_year, 30.0);
  EXPECT_LE(per_child_year, 80.0);

  ASSERT_GT(s.reviews_held, 500);
  const double on_time = static_cast<double>(s.reviews_on_time) / s.reviews_held;
  EXPECT_GT(on_time, 0.7);   // mostly on time
  EXPECT_LT(on_time, 0.99);  // but not always
  EXPECT_GT(s.postponements, s.reviews_held / 50);
  EXPECT_LT(s.postponements, s.reviews_held / 4);
  EXPECT_GT(s.wrong_approver, 0);
  EXPECT_GT(s.rearranged, 0);
  EXPECT_GT(s.cancelled, 0);
  EXPECT_GT(s.corrected, 5);
  EXPECT_GT(s.retracted, 5);
  EXPECT_GT(s.out_of_order, 5);
  EXPECT_GT(s.reentries, 5);
  EXPECT_GT(s.ceased, 50);
  EXPECT_GT(s.permanence, 20);
  EXPECT_GT(s.visits, s.reviews_held);

  ASSERT_GT(s.notified, 0);
  EXPECT_GT(static_cast<double>(s.notified_on_time) / s.notified, 0.75);
  EXPECT_GT(static_cast<double>(s.early_considered) / s.significant, 0.7);

  // Mostly meetings; some consultations.
  EXPECT_GT(s.formats.at("MEETING"), 3 * s.formats.at("CONSULTATION"));
  EXPECT_GT(s.formats.at("CONSULTATION"), 0);
  // PN1 the most common participation code; C2 a leading legal status;
  // foster placements dominate.
  int pn_max = 0;
  std::string pn_top;
  for (const auto& [k, v] : s.pn) {
    if (v > pn_max) pn_max = v, pn_top = k;
  }
  EXPECT_EQ(pn_top, "PN1");
  int ls_total = 0;
  for (const auto& [k, v] : s.ls) ls_total += v;
  EXPECT_GT(s.ls.at("C2"), ls_total / 5);
  int foster = 0, place_total = 0;
  for (const auto& [k, v] : s.place) {
    place_total += v;
    if (k[0] == 'U') foster += v;
  }
  EXPECT_GT(foster, place_total / 2);
}

TEST(GenTest, PlacementCodesFollowCollectionYear) {
  // Years either side of 1 April 2025: Z1 only before, Z11-Z14 only after.
  GenOptions o;
  o.seed = 5;
  o.children = 1500;
  o.years = 2;
  o.end = absl::CivilDay(2026, 3, 31);
  const std::string text = Gen(o);
  bool z1 = false, z1x = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    Event e;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &e).ok());
    std::string code;
    if (e.has_child_accommodated()) code = e.child_accommodated().placement_type();
    if (e.has_placement_started()) code = e.placement_started().placement_type();
    if (code.empty() || code[0] != 'Z') continue;
    const absl::CivilDay day = DayOf(e.occurred_at());
    EXPECT_TRUE(IsValidCode(CodeList::kPlacement, code, day)) << line;
    if (code == "Z1") z1 = true;
    else z1x = true;
  }
  EXPECT_TRUE(z1);
  EXPECT_TRUE(z1x);
}

}  // namespace
}  // namespace carelog
