// The care-plan state value of a case's checkpoint.
//
// Name (an EventStore checkpoint, a 'P' key in store/record_format.cc):
//
//   "state/case/" caseId -> state
//
// Value:
//
//   state := fingerprint case_version crc body
//            (deadlines_checkpoint.cc's framing: FrameCheckpointValue)
//   body  := CarePlanStateCheckpoint   (proto/carelog/v1/checkpoint.proto,
//                                       deterministic serialization)
//   fingerprint := the case's DeadlinesFingerprint, which covers
//                  kCarePlanStateFoldVersion
//
// Dates are days since 1970-01-01. A state value is current when its
// fingerprint is today's for the case and its case version is the case's
// stream version, exactly as the deadlines main value beside it; damaged or
// missing, readers fold the log and `checkpoint --check` names the case.
#include "projections/views/state_checkpoint.h"

#include "absl/strings/str_cat.h"
#include "carelog/v1/checkpoint.pb.h"
#include "google/protobuf/arena.h"
#include "projections/views/deadlines_checkpoint.h"
#include "store/base/deterministic.h"

namespace carelog {
namespace {

using Proto = v1::CarePlanStateCheckpoint;

const absl::CivilDay kEpoch(1970, 1, 1);
int64_t Days(absl::CivilDay d) { return d - kEpoch; }
absl::CivilDay Day(int64_t days) { return kEpoch + days; }

// Writes an optional day into a proto3 optional field through its setter.
template <typename Set>
void PutDay(const std::optional<absl::CivilDay>& d, Set set) {
  if (d) set(Days(*d));
}

}  // namespace

std::string StateCaseName(std::string_view case_id) {
  return absl::StrCat(kStateCaseCheckpoint, std::string(case_id));
}

std::string EncodeStateCheckpoint(const StateCheckpoint& c) {
  const CarePlanState& s = c.state;
  Proto p;
  PutDay(s.child.date_of_birth, [&](int64_t d) { p.set_date_of_birth(d); });
  p.set_sex(s.child.sex);
  p.set_authority(s.child.authority);
  p.set_looked_after(s.looked_after);
  p.set_periods(s.periods);
  PutDay(s.period_started, [&](int64_t d) { p.set_period_started(d); });
  PutDay(s.period_ended, [&](int64_t d) { p.set_period_ended(d); });
  p.set_ceased_reason(s.ceased_reason);
  p.set_legal_status(s.legal_status);
  PutDay(s.legal_status_since, [&](int64_t d) { p.set_legal_status_since(d); });
  if (s.placement) {
    Proto::Placement* q = p.mutable_placement();
    q->set_type(s.placement->type);
    q->set_provider(s.placement->provider);
    q->set_district(s.placement->district);
    q->set_placement_id(s.placement->placement_id);
    q->set_started(Days(s.placement->started));
    q->set_position(s.placement->position);
  }
  p.set_placements_in_period(s.placements_in_period);
  for (const PlacementSpan& span : s.placement_spans) {
    Proto::Span* q = p.add_placement_spans();
    q->set_start(Days(span.start));
    PutDay(span.end, [&](int64_t d) { q->set_end(d); });
  }
  p.set_social_worker(s.social_worker);
  p.set_team(s.team);
  p.set_iro(s.iro);
  PutDay(s.social_worker_since, [&](int64_t d) { p.set_social_worker_since(d); });
  PutDay(s.team_since, [&](int64_t d) { p.set_team_since(d); });
  PutDay(s.iro_since, [&](int64_t d) { p.set_iro_since(d); });
  p.set_reduced_meetings(s.reduced_meetings);
  PutDay(s.arrangement_since, [&](int64_t d) { p.set_arrangement_since(d); });
  for (v1::Role r : s.arrangement_agreed_by) p.add_arrangement_agreed_by(r);
  const CarePlanPermanence& pm = s.permanence;
  p.set_recommended_plan(pm.recommended_plan);
  PutDay(pm.recommended_on, [&](int64_t d) { p.set_recommended_on(d); });
  p.set_panel(pm.panel);
  p.set_panel_decision(pm.panel_decision);
  p.set_panel_plan(pm.panel_plan);
  PutDay(pm.panel_on, [&](int64_t d) { p.set_panel_on(d); });
  for (const CarePlanMilestone& m : pm.milestones) {
    Proto::Milestone* q = p.add_milestones();
    q->set_name(m.name);
    q->set_on(Days(m.on));
    q->set_position(m.position);
  }
  p.set_reviews_held_in_period(s.reviews_held_in_period);
  if (s.last_review) {
    Proto::Review* q = p.mutable_last_review();
    q->set_review_id(s.last_review->review_id);
    q->set_held_on(Days(s.last_review->held_on));
    q->set_format(s.last_review->format);
    q->set_participation(s.last_review->participation);
    q->set_position(s.last_review->position);
  }
  for (const CarePlanChange& ch : s.history) {
    Proto::Change* q = p.add_history();
    q->set_on(Days(ch.on));
    q->set_position(ch.position);
    q->set_what(ch.what);
    q->set_from(ch.from);
    q->set_to(ch.to);
  }
  PutDay(s.last_event_day, [&](int64_t d) { p.set_last_event_day(d); });
  const CaseSummary& cs = c.summary;
  Proto::Summary* q = p.mutable_summary();
  q->set_events(cs.events);
  q->set_periods_of_care(cs.periods_of_care);
  q->set_looked_after(cs.looked_after);
  PutDay(cs.looked_after_since, [&](int64_t d) { q->set_looked_after_since(d); });
  q->set_reviews_held(cs.reviews_held);
  PutDay(cs.last_review, [&](int64_t d) { q->set_last_review(d); });
  PutDay(cs.last_event, [&](int64_t d) { q->set_last_event(d); });
  return FrameCheckpointValue(c.fingerprint, c.case_version, DeterministicBytes(p));
}

absl::StatusOr<StateCheckpoint> DecodeStateCheckpoint(std::string_view case_id,
                                                      std::string_view bytes) {
  const auto bad = [&](std::string_view what) {
    return absl::DataLossError(absl::StrCat("state checkpoint of case '", std::string(case_id),
                                            "' ", std::string(what)));
  };
  auto head = PeekDeadlinesCheckpoint(bytes);
  if (!head.ok()) return bad(std::string(head.status().message()));
  const std::string_view body = bytes.substr(kDeadlinesValueHeaderBytes);
  google::protobuf::Arena arena;
  auto& p = *google::protobuf::Arena::CreateMessage<Proto>(&arena);
  if (!p.ParseFromArray(body.data(), static_cast<int>(body.size()))) return bad("does not parse");

  // Every date within years 0001-9999 (kEndOfTime is the last), checked
  // before any is turned into a civil day.
  const int64_t lo = Days(absl::CivilDay(1, 1, 1)), hi = Days(kEndOfTime);
  bool in_range = true;
  const auto check = [&](bool has, int64_t d) {
    if (has && (d < lo || d > hi)) in_range = false;
  };
  check(p.has_date_of_birth(), p.date_of_birth());
  check(p.has_period_started(), p.period_started());
  check(p.has_period_ended(), p.period_ended());
  check(p.has_legal_status_since(), p.legal_status_since());
  check(p.has_placement(), p.placement().started());
  for (const Proto::Span& sp : p.placement_spans()) {
    check(true, sp.start());
    check(sp.has_end(), sp.end());
  }
  check(p.has_social_worker_since(), p.social_worker_since());
  check(p.has_team_since(), p.team_since());
  check(p.has_iro_since(), p.iro_since());
  check(p.has_arrangement_since(), p.arrangement_since());
  check(p.has_recommended_on(), p.recommended_on());
  check(p.has_panel_on(), p.panel_on());
  for (const Proto::Milestone& m : p.milestones()) check(true, m.on());
  check(p.has_last_review(), p.last_review().held_on());
  for (const Proto::Change& ch : p.history()) check(true, ch.on());
  check(p.has_last_event_day(), p.last_event_day());
  check(p.summary().has_looked_after_since(), p.summary().looked_after_since());
  check(p.summary().has_last_review(), p.summary().last_review());
  check(p.summary().has_last_event(), p.summary().last_event());
  if (!in_range) return bad("has a date outside years 0001-9999");
  if (p.has_last_review() && !v1::ReviewFormat_IsValid(p.last_review().format()))
    return bad(absl::StrCat("has an unknown review format ", p.last_review().format()));
  for (int r : p.arrangement_agreed_by()) {
    if (!v1::Role_IsValid(r)) return bad(absl::StrCat("has an unknown role ", r));
  }

  const auto day = [](bool has, int64_t d) {
    return has ? std::optional<absl::CivilDay>(Day(d)) : std::nullopt;
  };
  StateCheckpoint c;
  c.fingerprint = std::move(head->first);
  c.case_version = head->second;
  CarePlanState& s = c.state;
  s.case_id = std::string(case_id);
  s.as_of = kEndOfTime;
  s.child.date_of_birth = day(p.has_date_of_birth(), p.date_of_birth());
  s.child.sex = p.sex();
  s.child.authority = p.authority();
  s.looked_after = p.looked_after();
  s.periods = p.periods();
  s.period_started = day(p.has_period_started(), p.period_started());
  s.period_ended = day(p.has_period_ended(), p.period_ended());
  s.ceased_reason = p.ceased_reason();
  s.legal_status = p.legal_status();
  s.legal_status_since = day(p.has_legal_status_since(), p.legal_status_since());
  if (p.has_placement()) {
    const Proto::Placement& q = p.placement();
    CarePlanPlacement pl;
    pl.type = q.type();
    pl.provider = q.provider();
    pl.district = q.district();
    pl.placement_id = q.placement_id();
    pl.started = Day(q.started());
    pl.position = q.position();
    s.placement = std::move(pl);
  }
  s.placements_in_period = p.placements_in_period();
  s.placement_spans.reserve(p.placement_spans_size());
  for (const Proto::Span& sp : p.placement_spans())
    s.placement_spans.push_back({Day(sp.start()), day(sp.has_end(), sp.end())});
  s.social_worker = p.social_worker();
  s.team = p.team();
  s.iro = p.iro();
  s.social_worker_since = day(p.has_social_worker_since(), p.social_worker_since());
  s.team_since = day(p.has_team_since(), p.team_since());
  s.iro_since = day(p.has_iro_since(), p.iro_since());
  s.reduced_meetings = p.reduced_meetings();
  s.arrangement_since = day(p.has_arrangement_since(), p.arrangement_since());
  for (int r : p.arrangement_agreed_by()) s.arrangement_agreed_by.push_back(static_cast<v1::Role>(r));
  CarePlanPermanence& pm = s.permanence;
  pm.recommended_plan = p.recommended_plan();
  pm.recommended_on = day(p.has_recommended_on(), p.recommended_on());
  pm.panel = p.panel();
  pm.panel_decision = p.panel_decision();
  pm.panel_plan = p.panel_plan();
  pm.panel_on = day(p.has_panel_on(), p.panel_on());
  for (const Proto::Milestone& m : p.milestones())
    pm.milestones.push_back({m.name(), Day(m.on()), m.position()});
  s.reviews_held_in_period = p.reviews_held_in_period();
  if (p.has_last_review()) {
    const Proto::Review& q = p.last_review();
    CarePlanReview r;
    r.review_id = q.review_id();
    r.held_on = Day(q.held_on());
    r.format = static_cast<v1::ReviewFormat>(q.format());
    r.participation = q.participation();
    r.position = q.position();
    s.last_review = std::move(r);
  }
  s.history.reserve(p.history_size());
  for (const Proto::Change& ch : p.history())
    s.history.push_back({Day(ch.on()), ch.position(), ch.what(), ch.from(), ch.to()});
  s.last_event_day = day(p.has_last_event_day(), p.last_event_day());
  const Proto::Summary& q = p.summary();
  CaseSummary& cs = c.summary;
  cs.case_id = std::string(case_id);
  cs.events = q.events();
  cs.periods_of_care = q.periods_of_care();
  cs.looked_after = q.looked_after();
  cs.looked_after_since = day(q.has_looked_after_since(), q.looked_after_since());
  cs.reviews_held = q.reviews_held();
  cs.last_review = day(q.has_last_review(), q.last_review());
  cs.last_event = day(q.has_last_event(), q.last_event());
  return c;
}

}  // namespace carelog
