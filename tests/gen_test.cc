// `carelog gen`: determinism, contract validity of every line, the importer's
// in-line-order checks, code lists per collection year, and loose realism
// bounds; and what an SSDA903 return and its validator ask of a history.
#include "engine/gen/generate_histories.h"

#include <google/protobuf/util/json_util.h>

#include <map>
#include <set>
#include <optional>
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
    std::optional<absl::CivilDay> ceased_on;
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
        // A return to care comes in a later collection year than the leaving
        // (the 903 validator's SW12STG2 cannot pass one within a year).
        if (cs.ceased_on) {
          EXPECT_NE(CollectionYear(day), CollectionYear(*cs.ceased_on))
              << "re-entry in the year the child left: " << line;
        }
        ++s.ls[e.child_accommodated().legal_status()];
        ++s.place[e.child_accommodated().placement_type()];
        break;
      case Event::kChildCeasedLookedAfter:
        ASSERT_TRUE(cs.looked_after) << "ceased while not looked after: " << line;
        ASSERT_FALSE(e.child_ceased_looked_after().reason().empty());
        cs.looked_after = false;
        cs.ceased_on = day;
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

// ---- What a council's SSDA903 return needs of a history (issue 17) ----

// Age in whole years on `d` of a child born on `dob`.
int AgeOn(absl::CivilDay dob, absl::CivilDay d) {
  int a = static_cast<int>(d.year() - dob.year());
  if (d.month() < dob.month() || (d.month() == dob.month() && d.day() < dob.day())) --a;
  return a;
}

// A UPN as the DfE defines it: check letter, then 12 digits whose weighted
// sum (weights 2..13) modulo 23 names the letter; or a not-known code.
bool ValidUpn(const std::string& upn) {
  if (upn == "UN1" || upn == "UN2" || upn == "UN3" || upn == "UN4" || upn == "UN5") return true;
  if (upn.size() != 13) return false;
  int sum = 0;
  for (size_t i = 1; i < 13; ++i) {
    if (upn[i] < '0' || upn[i] > '9') return false;
    sum += (upn[i] - '0') * static_cast<int>(i + 1);
  }
  return upn[0] == "ABCDEFGHJKLMNPQRTUVWXYZ"[sum % 23];
}

// PLACE_PROVIDER against PLACE, as validator rules 178, 213, 527-531 and 550
// state them (written out here, not taken from the generator).
bool ProviderAllowed(const std::string& provider, const std::string& place) {
  if (place[0] == 'T' || place[0] == 'Z') return provider.empty();
  if (place == "P1") return provider == "PR0";
  if (provider.empty() || provider == "PR0") return false;
  if ((place == "R2" || place == "R5") && (provider == "PR1" || provider == "PR2")) return false;
  const bool pr3_barred = place[0] == 'A' || place[0] == 'U' || place == "K1" || place == "K2";
  return !(provider == "PR3" && pr3_barred);
}

// Placements Ofsted does not register (validator 218, 222): "XXXXXXX".
bool UrnNotApplicable(const std::string& place) {
  return place == "P1" || place == "P2" || place == "P3" || place == "R1" || place == "R2" ||
         place == "R5" || place[0] == 'T' || place[0] == 'Z';
}

struct Return903Stats {
  int children = 0, upn_unknown = 0, mothers = 0, prev_perm_orders = 0;
  int adoptions = 0, decisions = 0, reversals = 0, same_carers = 0;
  int full_years = 0, full_years_with_health = 0, sdq = 0, convicted = 0;
  std::map<std::string, int> ethnicity, cin;
};

// Checks every case of `text` in effective order against what the 903
// return and its validator ask of the history.
void CheckFor903(const std::string& text, absl::CivilDay end, Return903Stats* out) {
  Return903Stats& st = *out;
  std::map<std::string, std::vector<Event>> cases;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    Event e;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &e).ok());
    cases[e.case_id()].push_back(std::move(e));
  }
  for (auto& [id, events] : cases) {
    SCOPED_TRACE(id);
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return a.occurred_at().seconds() < b.occurred_at().seconds();
    });
    ++st.children;
    ASSERT_TRUE(events[0].has_child_registered());
    const auto& reg = events[0].child_registered();
    const absl::CivilDay dob = *ParseDate(reg.date_of_birth());
    // Header: sex, ethnicity, UPN, mother.
    EXPECT_TRUE(reg.sex() == "1" || reg.sex() == "2") << reg.sex();
    EXPECT_TRUE(IsValidCode(CodeList::kEthnicity, reg.ethnicity(), dob)) << reg.ethnicity();
    ++st.ethnicity[reg.ethnicity()];
    EXPECT_TRUE(ValidUpn(reg.upn())) << reg.upn();
    if (reg.upn() == "UN1") {
      ++st.upn_unknown;
      // Not of school age in any collection year the window covers (209).
      const int last_year = end.month() >= 4 ? static_cast<int>(end.year()) : end.year() - 1;
      EXPECT_GT(AddMonths(dob, 48), absl::CivilDay(last_year - 1, 8, 31)) << reg.date_of_birth();
    }
    if (reg.sex() == "1") {
      EXPECT_TRUE(reg.mother().empty());
      EXPECT_TRUE(reg.mother_child_dob().empty());
    } else {
      EXPECT_TRUE(reg.mother() == "0" || reg.mother() == "1") << "'" << reg.mother() << "'";
      EXPECT_EQ(reg.mother() == "1", !reg.mother_child_dob().empty());
      if (reg.mother() == "1") {
        ++st.mothers;
        const absl::CivilDay born = *ParseDate(reg.mother_child_dob());
        EXPECT_GE(AgeOn(dob, born), 12);
        EXPECT_LE(born, DayOf(events[0].occurred_at()));
      }
    }

    bool looked_after = false;
    absl::CivilDay accommodated, last_allocation(1900, 1, 1), ceased(1900, 1, 1);
    std::string legal_status, place, cin, home, last_reason_ceased;
    std::vector<std::string> where;  // PLACE, PL_POST, URN, PLACE_PROVIDER
    absl::CivilDay ls_since;
    bool decided = false, placed_for_adoption = false, ever_adopted = false;
    std::map<std::string, std::string> registration_of;
    std::set<int> sdq_years, health_years;
    std::vector<std::pair<absl::CivilDay, absl::CivilDay>> periods;
    auto check_place = [&](const std::string& type, const std::string& provider,
                           const std::string& pl_post, const std::string& urn,
                           const std::string& line) {
      EXPECT_TRUE(ProviderAllowed(provider, type)) << type << " with '" << provider << "' " << line;
      EXPECT_EQ(urn == "XXXXXXX", UrnNotApplicable(type)) << type << " URN " << urn;
      if (urn != "XXXXXXX") { EXPECT_TRUE(urn.size() == 8 && urn.rfind("SC", 0) == 0) << urn; }
      EXPECT_FALSE(pl_post.empty());
      EXPECT_EQ(pl_post == home, type == "P1") << type << " " << pl_post << " home " << home;
      // With parents only under a care order (378); ages for the type (370-374).
      EXPECT_FALSE(type == "P1" && legal_status == "V2") << line;
    };
    // The legal status in force since `ls_since`: police protection at most
    // 72 hours, an emergency protection order at most 8 days.
    auto leave_status = [&](absl::CivilDay d) {
      if (legal_status == "L1") { EXPECT_LE(d - ls_since, 3) << "L1 from " << ls_since; }
      if (legal_status == "L2") { EXPECT_LE(d - ls_since, 8) << "L2 from " << ls_since; }
    };
    for (const Event& e : events) {
      const absl::CivilDay day = DayOf(e.occurred_at());
      const std::string line = e.ShortDebugString();
      switch (e.payload_case()) {
        case Event::kChildAccommodated: {
          const auto& a = e.child_accommodated();
          // The child has a social worker from the day the period begins.
          EXPECT_LE(last_allocation, day);
          EXPECT_FALSE(ever_adopted) << "back in care after an adoption (199)";
          looked_after = true;
          accommodated = day;
          legal_status = a.legal_status();
          ls_since = day;
          place = a.placement_type();
          cin = a.cin();
          home = a.home_postcode();
          where = {place, a.placement_postcode(), a.urn(), a.provider()};
          decided = placed_for_adoption = false;
          sdq_years.clear();  // one SDQ a year in each period
          EXPECT_TRUE(IsValidCode(CodeList::kCategoryOfNeed, cin, day)) << line;
          ++st.cin[cin];
          EXPECT_FALSE(home.empty());
          check_place(place, a.provider(), a.placement_postcode(), a.urn(), line);
          EXPECT_TRUE(IsValidCode(CodeList::kPreviousPermanence, a.previous_permanence(), day));
          if (a.previous_permanence() != "Z1") {
            ++st.prev_perm_orders;
            ASSERT_TRUE(ParseDate(a.previous_permanence_date()).ok()) << line;
            EXPECT_LT(*ParseDate(a.previous_permanence_date()), day);
            EXPECT_FALSE(a.previous_permanence_authority().empty());
          }
          // Back after a special guardianship order: P2 (630).
          const std::string& prev = last_reason_ceased;
          if (prev == "E45" || prev == "E46" || prev == "E47" || prev == "E48") {
            EXPECT_EQ(a.previous_permanence(), "P2") << line;
          }
          break;
        }
        case Event::kLegalStatusChanged:
          ASSERT_TRUE(looked_after) << line;
          leave_status(day);
          legal_status = e.legal_status_changed().legal_status();
          ls_since = day;
          // A placement order follows the decision that the child should be
          // placed for adoption (554).
          if (legal_status == "E1") { EXPECT_TRUE(decided) << line; }
          break;
        case Event::kPlacementStarted: {
          ASSERT_TRUE(looked_after) << line;
          const auto& p = e.placement_started();
          place = p.placement_type();
          check_place(place, p.provider(), p.placement_postcode(), p.urn(), line);
          // A new placement differs from the last in type, address, URN or
          // provider (435); the same carers keep their address.
          const std::vector<std::string> now = {place, p.placement_postcode(), p.urn(),
                                                p.provider()};
          EXPECT_NE(now, where) << "a placement change that changes nothing: " << line;
          if (p.same_carers()) { EXPECT_EQ(now[1], where[1]) << line; }
          where = now;
          EXPECT_EQ(p.cin(), cin) << "CIN changed within a period (504)";
          EXPECT_EQ(p.home_postcode(), home);
          EXPECT_TRUE(IsValidCode(CodeList::kReasonPlaceChange, p.reason_place_change(), day))
              << line;
          if (place == "A3" || place == "A5") { EXPECT_TRUE(p.same_carers()) << line; }
          if (p.same_carers()) ++st.same_carers;
          if (place[0] == 'A') {
            EXPECT_TRUE(decided) << line;
            if (place == "A5" || place == "A6") { EXPECT_EQ(legal_status, "E1") << line; }
            placed_for_adoption = true;
          }
          const int age = AgeOn(dob, day);
          if (place == "H5") { EXPECT_GE(age, 16) << line; }
          if (place == "S1") { EXPECT_GE(age, 4) << line; }
          if (place == "R5" || place == "K1") { EXPECT_GE(age, 10) << line; }
          EXPECT_NE(place[0], 'T') << "temporary placement with no return (380, 383)";
          break;
        }
        case Event::kChildCeasedLookedAfter: {
          ASSERT_TRUE(looked_after);
          leave_status(day);
          const std::string& why = e.child_ceased_looked_after().reason();
          if (why == "E11" || why == "E12") {
            ++st.adoptions;
            EXPECT_TRUE(decided && placed_for_adoption) << "adopted without an adoption placement";
            ever_adopted = true;
          }
          if (why == "E45" || why == "E46") { EXPECT_EQ(place[0], 'U') << "516: " << place; }
          last_reason_ceased = why;
          looked_after = false;
          periods.emplace_back(accommodated, day);
          ceased = day;
          break;
        }
        case Event::kAdoptionDecisionMade:
          ASSERT_TRUE(looked_after) << line;
          EXPECT_EQ(e.actor().role(), v1::AGENCY_DECISION_MAKER);
          EXPECT_FALSE(decided) << "a second decision while one stands (583)";
          decided = true;
          ++st.decisions;
          break;
        case Event::kAdoptionDecisionReversed:
          EXPECT_TRUE(decided) << line;
          EXPECT_TRUE(IsValidCode(CodeList::kAdoptionDecisionReversed,
                                  e.adoption_decision_reversed().reason(), day));
          decided = false;
          ++st.reversals;
          break;
        case Event::kSocialWorkerAllocated: {
          const auto& a = e.social_worker_allocated();
          // One allocation a day; in a period, or just before one begins.
          EXPECT_NE(last_allocation, day) << "two allocations on " << day;
          EXPECT_TRUE(looked_after || ceased < accommodated || ceased.year() == 1900 ||
                      day - ceased > 14)
              << "allocated after the period ended: " << line;
          last_allocation = day;
          EXPECT_TRUE(IsValidCode(CodeList::kSocialWorkerChange, a.reason(), day)) << line;
          const std::string& reg_no = a.registration_number();
          EXPECT_TRUE(reg_no.size() > 2 && reg_no.rfind("SW", 0) == 0) << reg_no;
          auto [it, fresh] = registration_of.emplace(a.social_worker_id(), reg_no);
          EXPECT_EQ(it->second, reg_no) << "registration number changed for " << it->first;
          break;
        }
        case Event::kReviewHeld: {
          const bool under_4 = AgeOn(dob, day) < 4;
          EXPECT_EQ(e.review_held().participation() == "PN0", under_4) << line << " born " << dob;
          break;
        }
        case Event::kHealthAssessmentCompleted:
          ASSERT_TRUE(looked_after) << line;
          health_years.insert(day.month() >= 4 ? day.year() : day.year() - 1);
          break;
        case Event::kDevelopmentalCheckCompleted: {
          ASSERT_TRUE(looked_after) << line;
          const int year = day.month() >= 4 ? day.year() : day.year() - 1;
          EXPECT_LT(AgeOn(dob, absl::CivilDay(year + 1, 3, 31)), 5) << line;  // 546
          break;
        }
        case Event::kSdqCompleted: {
          ASSERT_TRUE(looked_after) << line;
          const auto& q = e.sdq_completed();
          const int year = day.month() >= 4 ? day.year() : day.year() - 1;
          EXPECT_TRUE(sdq_years.insert(year).second) << "two SDQs in a year in a period";
          EXPECT_GE(AgeOn(dob, absl::CivilDay(year + 1, 3, 31)), 4) << line;  // 188
          EXPECT_LT(AgeOn(dob, absl::CivilDay(year, 3, 31)), 17) << line;      // 189
          if (q.has_score()) {
            EXPECT_GE(AgeOn(dob, day), 4) << line;
            EXPECT_TRUE(q.score() >= 0 && q.score() <= 40) << line;
            EXPECT_TRUE(q.reason_not_done().empty());
          } else if (AgeOn(dob, day) < 4) {
            EXPECT_EQ(q.reason_not_done(), "SDQ1") << line;  // under 4 when it was due
          } else {
            EXPECT_TRUE(q.reason_not_done() >= "SDQ2" && q.reason_not_done() <= "SDQ5") << line;
          }
          ++st.sdq;
          break;
        }
        case Event::kSubstanceMisuseIdentified: {
          ASSERT_TRUE(looked_after) << line;
          EXPECT_GE(AgeOn(dob, day), 11) << line;
          const auto& m = e.substance_misuse_identified();
          EXPECT_FALSE(m.intervention_received() && !m.intervention_offered()) << line;
          break;
        }
        case Event::kChildConvicted:
          ASSERT_TRUE(looked_after) << line;
          EXPECT_GE(AgeOn(dob, day), 10) << line;  // 542
          ++st.convicted;
          break;
        default: break;
      }
    }
    if (looked_after) periods.emplace_back(accommodated, end + 1);
    // Child-years looked after throughout (April to March, in the window).
    for (const auto& [from, to] : periods) {
      for (int y = static_cast<int>(from.year()) - 1; y <= to.year(); ++y) {
        if (from <= absl::CivilDay(y, 4, 1) && absl::CivilDay(y + 1, 3, 31) < to &&
            absl::CivilDay(y + 1, 3, 31) <= end) {
          ++st.full_years;
          if (health_years.contains(y)) ++st.full_years_with_health;
        }
      }
    }
  }
}

class GenFor903 : public ::testing::TestWithParam<std::tuple<uint64_t, int, absl::CivilDay>> {};

TEST_P(GenFor903, HistoriesACouncilCouldHave) {
  const auto [seed, children, end] = GetParam();
  GenOptions o;
  o.seed = seed;
  o.children = children;
  o.years = 6;
  o.end = end;
  Return903Stats st;
  CheckFor903(Gen(o), o.end, &st);
  if (HasFatalFailure()) return;
  EXPECT_EQ(st.children, children);
  // Rough national shapes: White British the largest group, abuse or
  // neglect the commonest need, most children with a UPN.
  int eth_max = 0, cin_max = 0;
  std::string eth_top, cin_top;
  for (const auto& [k, v] : st.ethnicity) if (v > eth_max) eth_max = v, eth_top = k;
  for (const auto& [k, v] : st.cin) if (v > cin_max) cin_max = v, cin_top = k;
  EXPECT_EQ(eth_top, "WBRI");
  EXPECT_GT(st.ethnicity.size(), 6u);
  EXPECT_EQ(cin_top, "N1");
  EXPECT_LT(st.upn_unknown, children / 5);
  // Adoptions happen, each after a decision; some decisions are reversed.
  EXPECT_GT(st.adoptions, 0);
  EXPECT_GE(st.decisions, st.adoptions);
  EXPECT_GT(st.same_carers, 0);
  // Most children looked after for a whole year have their health assessment.
  ASSERT_GT(st.full_years, 50);
  const double with_health = static_cast<double>(st.full_years_with_health) / st.full_years;
  EXPECT_GT(with_health, 0.8);
  EXPECT_LT(with_health, 1.0);
  EXPECT_GT(st.sdq, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, GenFor903,
    ::testing::Values(std::make_tuple(7u, 300, absl::CivilDay(2025, 6, 30)),
                      std::make_tuple(11u, 150, absl::CivilDay(2024, 12, 31)),
                      std::make_tuple(23u, 600, absl::CivilDay(2025, 3, 31))));

TEST(GenTest, SomeAdoptionDecisionsAreReversed) {
  GenOptions o;
  o.seed = 5;
  o.children = 700;
  o.years = 6;
  o.end = absl::CivilDay(2025, 6, 30);
  Return903Stats st;
  CheckFor903(Gen(o), o.end, &st);
  if (HasFatalFailure()) return;
  EXPECT_GT(st.reversals, 0);
  EXPECT_LT(st.reversals, st.decisions / 3);
  EXPECT_GT(st.mothers, 0);
  EXPECT_GT(st.prev_perm_orders, 0);
  EXPECT_GT(st.convicted, 0);
}

}  // namespace
}  // namespace carelog
