// The care-plan state checkpoint value (projections/views/state_checkpoint.h):
// a state with every field the value carries set decodes to the same state,
// an empty one to an empty one; the case id is the key's, the fingerprint
// and case version the frame's; the bytes are deterministic; and every
// damaged value — any byte flipped, any truncation, a body with a date
// outside years 0001-9999, an unknown review format or role — is kDataLoss
// naming the case, never a wrong state.
#include "projections/views/state_checkpoint.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "carelog/v1/checkpoint.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/views/deadlines_checkpoint.h"
#include "store/base/deterministic.h"

namespace carelog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }
int64_t Days(absl::CivilDay d) { return d - absl::CivilDay(1970, 1, 1); }

constexpr char kFingerprint[] = "fp-0123456789abc";  // 16 bytes
constexpr uint64_t kVersion = 0x0102030405060708;

// Every field the value carries set, each to a value of its own (no two
// dates alike, no string empty, no number 0 or 1), so a field read into
// another's place shows.
StateCheckpoint Full() {
  StateCheckpoint c;
  c.fingerprint = kFingerprint;
  c.case_version = kVersion;
  CarePlanState& s = c.state;
  s.case_id = "C-7";
  s.as_of = D(2025, 1, 1);
  s.child.date_of_birth = D(2015, 3, 2);
  s.child.sex = "2";
  s.child.authority = "801";
  s.looked_after = true;
  s.periods = 3;
  s.period_started = D(2024, 1, 15);
  s.period_ended = D(2023, 9, 1);
  s.ceased_reason = "E13";
  s.legal_status = "C2";
  s.legal_status_since = D(2024, 2, 20);
  CarePlanPlacement pl;
  pl.type = "U6";
  pl.provider = "PR2";
  pl.district = "SW1A";
  pl.placement_id = "P-3";
  pl.started = D(2024, 3, 1);
  pl.position = 19;
  s.placement = pl;
  s.placements_in_period = 4;
  s.placement_spans = {{D(2023, 1, 10), D(2023, 1, 11)},
                       {D(2023, 1, 11), D(2023, 9, 1)},
                       {D(2024, 3, 1), std::nullopt}};
  s.social_worker = "sw-2";
  s.team = "Team B";
  s.iro = "iro-1";
  s.social_worker_since = D(2023, 5, 1);
  s.team_since = D(2023, 5, 2);
  s.iro_since = D(2023, 1, 16);
  s.reduced_meetings = true;
  s.arrangement_since = D(2024, 4, 1);
  s.arrangement_agreed_by = {v1::IRO, v1::CARER, v1::SYSTEM};
  s.permanence.recommended_plan = "LONG_TERM_FOSTER";
  s.permanence.recommended_on = D(2024, 6, 1);
  s.permanence.panel = "FOSTERING";
  s.permanence.panel_decision = "APPROVED";
  s.permanence.panel_plan = "SGO";
  s.permanence.panel_on = D(2024, 7, 1);
  s.permanence.milestones = {{"permanencyPlanningMeetingHeld", D(2024, 6, 15), 14},
                             {"laterLifeLetterWritten", D(2024, 8, 2), 16}};
  s.reviews_held_in_period = 5;
  CarePlanReview r;
  r.review_id = "R-9";
  r.held_on = D(2024, 9, 3);
  r.format = v1::CONSULTATION;
  r.participation = "PN4";
  r.position = 23;
  s.last_review = r;
  s.history = {{D(2023, 1, 10), 3, "period of care", "", "V2"},
               {D(2024, 3, 1), 19, "placement", "U4 PR1", "U6 PR2"}};
  s.last_event_day = D(2024, 9, 4);
  CaseSummary& cs = c.summary;
  cs.case_id = "C-7";
  cs.events = 27;
  cs.periods_of_care = 2;
  cs.looked_after = true;
  cs.looked_after_since = D(2024, 1, 14);
  cs.reviews_held = 6;
  cs.last_review = D(2024, 9, 5);
  cs.last_event = D(2024, 9, 6);
  return c;
}

// Every field the value carries, compared one by one (as_of, known_at and
// the fields RestateCarePlanState sets are not carried).
void ExpectSameCarried(const StateCheckpoint& got, const StateCheckpoint& want) {
  EXPECT_EQ(got.fingerprint, want.fingerprint);
  EXPECT_EQ(got.case_version, want.case_version);
  const CarePlanState& a = got.state;
  const CarePlanState& b = want.state;
  EXPECT_EQ(a.case_id, b.case_id);
  EXPECT_EQ(a.child.date_of_birth, b.child.date_of_birth);
  EXPECT_EQ(a.child.sex, b.child.sex);
  EXPECT_EQ(a.child.authority, b.child.authority);
  EXPECT_EQ(a.looked_after, b.looked_after);
  EXPECT_EQ(a.periods, b.periods);
  EXPECT_EQ(a.period_started, b.period_started);
  EXPECT_EQ(a.period_ended, b.period_ended);
  EXPECT_EQ(a.ceased_reason, b.ceased_reason);
  EXPECT_EQ(a.legal_status, b.legal_status);
  EXPECT_EQ(a.legal_status_since, b.legal_status_since);
  ASSERT_EQ(a.placement.has_value(), b.placement.has_value());
  if (a.placement) {
    EXPECT_EQ(a.placement->type, b.placement->type);
    EXPECT_EQ(a.placement->provider, b.placement->provider);
    EXPECT_EQ(a.placement->district, b.placement->district);
    EXPECT_EQ(a.placement->placement_id, b.placement->placement_id);
    EXPECT_EQ(a.placement->started, b.placement->started);
    EXPECT_EQ(a.placement->position, b.placement->position);
  }
  EXPECT_EQ(a.placements_in_period, b.placements_in_period);
  ASSERT_EQ(a.placement_spans.size(), b.placement_spans.size());
  for (size_t i = 0; i < a.placement_spans.size(); ++i) {
    EXPECT_EQ(a.placement_spans[i].start, b.placement_spans[i].start) << i;
    EXPECT_EQ(a.placement_spans[i].end, b.placement_spans[i].end) << i;
  }
  EXPECT_EQ(a.social_worker, b.social_worker);
  EXPECT_EQ(a.team, b.team);
  EXPECT_EQ(a.iro, b.iro);
  EXPECT_EQ(a.social_worker_since, b.social_worker_since);
  EXPECT_EQ(a.team_since, b.team_since);
  EXPECT_EQ(a.iro_since, b.iro_since);
  EXPECT_EQ(a.reduced_meetings, b.reduced_meetings);
  EXPECT_EQ(a.arrangement_since, b.arrangement_since);
  EXPECT_EQ(a.arrangement_agreed_by, b.arrangement_agreed_by);
  EXPECT_EQ(a.permanence.recommended_plan, b.permanence.recommended_plan);
  EXPECT_EQ(a.permanence.recommended_on, b.permanence.recommended_on);
  EXPECT_EQ(a.permanence.panel, b.permanence.panel);
  EXPECT_EQ(a.permanence.panel_decision, b.permanence.panel_decision);
  EXPECT_EQ(a.permanence.panel_plan, b.permanence.panel_plan);
  EXPECT_EQ(a.permanence.panel_on, b.permanence.panel_on);
  ASSERT_EQ(a.permanence.milestones.size(), b.permanence.milestones.size());
  for (size_t i = 0; i < a.permanence.milestones.size(); ++i) {
    EXPECT_EQ(a.permanence.milestones[i].name, b.permanence.milestones[i].name) << i;
    EXPECT_EQ(a.permanence.milestones[i].on, b.permanence.milestones[i].on) << i;
    EXPECT_EQ(a.permanence.milestones[i].position, b.permanence.milestones[i].position) << i;
  }
  EXPECT_EQ(a.reviews_held_in_period, b.reviews_held_in_period);
  ASSERT_EQ(a.last_review.has_value(), b.last_review.has_value());
  if (a.last_review) {
    EXPECT_EQ(a.last_review->review_id, b.last_review->review_id);
    EXPECT_EQ(a.last_review->held_on, b.last_review->held_on);
    EXPECT_EQ(a.last_review->format, b.last_review->format);
    EXPECT_EQ(a.last_review->participation, b.last_review->participation);
    EXPECT_EQ(a.last_review->position, b.last_review->position);
  }
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(a.history[i].on, b.history[i].on) << i;
    EXPECT_EQ(a.history[i].position, b.history[i].position) << i;
    EXPECT_EQ(a.history[i].what, b.history[i].what) << i;
    EXPECT_EQ(a.history[i].from, b.history[i].from) << i;
    EXPECT_EQ(a.history[i].to, b.history[i].to) << i;
  }
  EXPECT_EQ(a.last_event_day, b.last_event_day);
  const CaseSummary& x = got.summary;
  const CaseSummary& y = want.summary;
  EXPECT_EQ(x.case_id, y.case_id);
  EXPECT_EQ(x.events, y.events);
  EXPECT_EQ(x.periods_of_care, y.periods_of_care);
  EXPECT_EQ(x.looked_after, y.looked_after);
  EXPECT_EQ(x.looked_after_since, y.looked_after_since);
  EXPECT_EQ(x.reviews_held, y.reviews_held);
  EXPECT_EQ(x.last_review, y.last_review);
  EXPECT_EQ(x.last_event, y.last_event);
}

TEST(StateCheckpoint, AFullStateDecodesToTheSameState) {
  const StateCheckpoint want = Full();
  const std::string bytes = EncodeStateCheckpoint(want);
  const absl::StatusOr<StateCheckpoint> got = DecodeStateCheckpoint("C-7", bytes);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameCarried(*got, want);
  // Spot checks against the values written above, not only against Full().
  EXPECT_EQ(got->state.child.date_of_birth, D(2015, 3, 2));
  EXPECT_EQ(got->state.placement->started, D(2024, 3, 1));
  EXPECT_EQ(got->state.placement_spans[2].end, std::nullopt);
  EXPECT_EQ(got->state.placement_spans[1].end, D(2023, 9, 1));
  EXPECT_THAT(got->state.arrangement_agreed_by, ElementsAre(v1::IRO, v1::CARER, v1::SYSTEM));
  EXPECT_EQ(got->state.last_review->format, v1::CONSULTATION);
  EXPECT_EQ(got->state.history[1].from, "U4 PR1");
  EXPECT_EQ(got->summary.last_event, D(2024, 9, 6));
  // Not carried: the day is restated by the reader.
  EXPECT_EQ(got->state.as_of, kEndOfTime);
  // And the decoded state encodes to the same bytes.
  EXPECT_EQ(EncodeStateCheckpoint(*got), bytes);
}

TEST(StateCheckpoint, AnEmptyStateDecodesWithEveryOptionalUnset) {
  StateCheckpoint empty;
  empty.fingerprint = kFingerprint;
  const absl::StatusOr<StateCheckpoint> got =
      DecodeStateCheckpoint("C-1", EncodeStateCheckpoint(empty));
  ASSERT_TRUE(got.ok()) << got.status();
  StateCheckpoint want = empty;
  want.state.case_id = "C-1";
  want.summary.case_id = "C-1";
  ExpectSameCarried(*got, want);
  const CarePlanState& s = got->state;
  EXPECT_FALSE(s.child.date_of_birth.has_value());
  EXPECT_FALSE(s.period_started.has_value());
  EXPECT_FALSE(s.period_ended.has_value());
  EXPECT_FALSE(s.legal_status_since.has_value());
  EXPECT_FALSE(s.placement.has_value());
  EXPECT_TRUE(s.placement_spans.empty());
  EXPECT_FALSE(s.social_worker_since.has_value());
  EXPECT_FALSE(s.team_since.has_value());
  EXPECT_FALSE(s.iro_since.has_value());
  EXPECT_FALSE(s.arrangement_since.has_value());
  EXPECT_FALSE(s.permanence.recommended_on.has_value());
  EXPECT_FALSE(s.permanence.panel_on.has_value());
  EXPECT_FALSE(s.last_review.has_value());
  EXPECT_FALSE(s.last_event_day.has_value());
  EXPECT_FALSE(got->summary.looked_after_since.has_value());
  EXPECT_FALSE(got->summary.last_review.has_value());
  EXPECT_FALSE(got->summary.last_event.has_value());
  EXPECT_EQ(got->case_version, 0u);
}

TEST(StateCheckpoint, TheCaseIdIsTheKeysNotTheValues) {
  StateCheckpoint a = Full();
  StateCheckpoint b = Full();
  b.state.case_id = "C-other";
  b.summary.case_id = "C-other";
  const std::string bytes = EncodeStateCheckpoint(a);
  EXPECT_EQ(EncodeStateCheckpoint(b), bytes);  // the id is not in the value
  const absl::StatusOr<StateCheckpoint> got = DecodeStateCheckpoint("C-42", bytes);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state.case_id, "C-42");
  EXPECT_EQ(got->summary.case_id, "C-42");
  EXPECT_EQ(StateCaseName("C-42"), "state/case/C-42");
}

TEST(StateCheckpoint, TheFingerprintAndCaseVersionComeBackAndArePeekable) {
  const std::string bytes = EncodeStateCheckpoint(Full());
  const absl::StatusOr<StateCheckpoint> got = DecodeStateCheckpoint("C-7", bytes);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->fingerprint, kFingerprint);
  EXPECT_EQ(got->case_version, kVersion);
  // The deadlines framing: its peek reads the same head.
  const auto head = PeekDeadlinesCheckpoint(bytes);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->first, kFingerprint);
  EXPECT_EQ(head->second, kVersion);
}

TEST(StateCheckpoint, TheEncodingIsDeterministic) {
  const std::string once = EncodeStateCheckpoint(Full());
  EXPECT_EQ(EncodeStateCheckpoint(Full()), once);
  const StateCheckpoint c = Full();
  EXPECT_EQ(EncodeStateCheckpoint(c), EncodeStateCheckpoint(c));
  // Another version is other bytes.
  StateCheckpoint d = Full();
  d.case_version = kVersion + 1;
  EXPECT_NE(EncodeStateCheckpoint(d), once);
}

TEST(StateCheckpoint, EveryFlippedByteIsDataLoss) {
  const std::string bytes = EncodeStateCheckpoint(Full());
  ASSERT_GT(bytes.size(), kDeadlinesValueHeaderBytes + 200);  // the body is there
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const unsigned char mask : {0x01, 0x80, 0xff}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ mask);
      const absl::StatusOr<StateCheckpoint> got = DecodeStateCheckpoint("C-7", damaged);
      ASSERT_EQ(got.status().code(), absl::StatusCode::kDataLoss)
          << "byte " << i << " of " << bytes.size() << " ^ " << int{mask};
      ASSERT_THAT(got.status().message(), HasSubstr("'C-7'"));
    }
  }
}

TEST(StateCheckpoint, ATruncatedValueIsDataLossNamingTheCase) {
  const std::string bytes = EncodeStateCheckpoint(Full());
  for (size_t n = 0; n < bytes.size(); ++n) {
    const absl::StatusOr<StateCheckpoint> got =
        DecodeStateCheckpoint("C-7", std::string_view(bytes).substr(0, n));
    ASSERT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << n << " bytes";
    ASSERT_THAT(got.status().message(), HasSubstr("state checkpoint of case 'C-7'")) << n;
  }
}

// A value framed as the encoder frames it (checksum right) around `body`.
absl::StatusOr<StateCheckpoint> DecodeBody(const v1::CarePlanStateCheckpoint& body) {
  return DecodeStateCheckpoint("C-9",
                               FrameCheckpointValue(kFingerprint, kVersion, DeterministicBytes(body)));
}

TEST(StateCheckpoint, AFramedBodyOfGoodValuesDecodes) {
  // The control for the three tests below: the first and last days allowed.
  v1::CarePlanStateCheckpoint p;
  p.set_date_of_birth(Days(D(1, 1, 1)));
  p.add_placement_spans()->set_start(Days(kEndOfTime));
  p.mutable_last_review()->set_format(v1::MEETING);
  p.add_arrangement_agreed_by(v1::SYSTEM);
  const absl::StatusOr<StateCheckpoint> got = DecodeBody(p);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state.child.date_of_birth, D(1, 1, 1));
  EXPECT_EQ(got->state.placement_spans[0].start, D(9999, 12, 31));
  EXPECT_EQ(got->state.last_review->format, v1::MEETING);
  EXPECT_THAT(got->state.arrangement_agreed_by, ElementsAre(v1::SYSTEM));
}

TEST(StateCheckpoint, ADateOutsideYears1To9999IsDataLoss) {
  const int64_t before = Days(D(1, 1, 1)) - 1;
  const int64_t after = Days(kEndOfTime) + 1;
  // One date out of range at a time, in several kinds of field.
  std::vector<std::pair<std::string, v1::CarePlanStateCheckpoint>> bodies;
  {
    v1::CarePlanStateCheckpoint p;
    p.set_date_of_birth(before);
    bodies.push_back({"date of birth", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.set_period_started(after);
    bodies.push_back({"period started", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.mutable_placement()->set_started(after);
    bodies.push_back({"placement started", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    auto* span = p.add_placement_spans();
    span->set_start(Days(D(2024, 1, 1)));
    span->set_end(before);
    bodies.push_back({"span end", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.add_milestones()->set_on(after);
    bodies.push_back({"milestone", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.mutable_last_review()->set_held_on(before);
    bodies.push_back({"last review", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.add_history()->set_on(std::numeric_limits<int64_t>::min());
    bodies.push_back({"history", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.set_last_event_day(std::numeric_limits<int64_t>::max());
    bodies.push_back({"last event day", p});
  }
  {
    v1::CarePlanStateCheckpoint p;
    p.mutable_summary()->set_last_event(after);
    bodies.push_back({"summary's last event", p});
  }
  for (const auto& [what, body] : bodies) {
    const absl::StatusOr<StateCheckpoint> got = DecodeBody(body);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << what;
    EXPECT_THAT(got.status().message(), HasSubstr("'C-9'")) << what;
    EXPECT_THAT(got.status().message(), HasSubstr("outside years 0001-9999")) << what;
  }
}

TEST(StateCheckpoint, AnUnknownReviewFormatIsDataLoss) {
  v1::CarePlanStateCheckpoint p;
  p.mutable_last_review()->set_format(3);
  const absl::StatusOr<StateCheckpoint> got = DecodeBody(p);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("'C-9'"));
  EXPECT_THAT(got.status().message(), HasSubstr("unknown review format 3"));
}

TEST(StateCheckpoint, AnUnknownRoleIsDataLoss) {
  v1::CarePlanStateCheckpoint p;
  p.add_arrangement_agreed_by(v1::IRO);
  p.add_arrangement_agreed_by(16);
  const absl::StatusOr<StateCheckpoint> got = DecodeBody(p);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("'C-9'"));
  EXPECT_THAT(got.status().message(), HasSubstr("unknown role 16"));
}

}  // namespace
}  // namespace carelog
