#include "projections/deadlines.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/event_time.h"

namespace carelog {
namespace {

using carelog::v1::Event;
using carelog::v1::Rule;

const google::protobuf::OneofDescriptor* PayloadOneof() {
  static const auto* oneof = Event::descriptor()->FindOneofByName("payload");
  return oneof;
}

// For each payload type (by its index in the oneof), its review_id field or
// nullptr; built once, because looking fields up by name per event was a
// measurable share of a replay.
const std::vector<const google::protobuf::FieldDescriptor*>& ReviewIdFields() {
  static const auto* fields = [] {
    auto* v = new std::vector<const google::protobuf::FieldDescriptor*>();
    for (int i = 0; i < PayloadOneof()->field_count(); ++i) {
      const auto* fd = PayloadOneof()->field(i)->message_type()->FindFieldByName("review_id");
      v->push_back(fd != nullptr && fd->type() == google::protobuf::FieldDescriptor::TYPE_STRING
                       ? fd
                       : nullptr);
    }
    return v;
  }();
  return *fields;
}

// The payload's review_id, or "" when it has none.
std::string ReviewIdOf(const Event& e) {
  const auto* field = e.GetReflection()->GetOneofFieldDescriptor(e, PayloadOneof());
  if (field == nullptr) return "";
  const auto* fd = ReviewIdFields()[field->index_in_oneof()];
  if (fd == nullptr) return "";
  const google::protobuf::Message& m = e.GetReflection()->GetMessage(e, field);
  return m.GetReflection()->GetString(m, fd);
}

// True if the payload of event type `name` carries a review_id.
bool TypeHasReviewId(std::string_view name) {
  static const auto* types = [] {
    auto* set = new absl::flat_hash_set<std::string_view>();
    for (int i = 0; i < PayloadOneof()->field_count(); ++i) {
      if (ReviewIdFields()[i] != nullptr) set->insert(PayloadOneof()->field(i)->json_name());
    }
    return set;
  }();
  return types->contains(name);
}

// One event of the case as the fold sees it: in effective order (date, time,
// position), with its London date and payload name worked out once.
struct OrderedEvent {
  const Event* event;
  absl::CivilDay date;
  absl::Time at;
  std::string_view type;  // payload name, e.g. "reviewHeld"
  size_t seq;             // 1-based index in effective order
};

// How an obligation is met (or closed): the structural semantics the pack
// cannot say (policy.proto's header).
enum class ObligationKind {
  kReviewChain,   // met by the next (or N-th) review held in the period
  kPreReview,     // one scheduled date of one review
  kPostponement,  // met by re-dating the review
  kEarlyReview,   // met by earlyReviewConsidered naming the report
  kFirstAct,      // met by the first later `met_by` act (same review if scoped)
};

// An obligation while the fold runs: the row it will report plus what
// deciding its fate needs.
struct TrackedObligation {
  Obligation row;  // what FoldDeadlines reports
  const Rule* rule;
  ObligationKind kind;
  int period;
  bool scoped = false;          // only acts on row.review_id count
  std::string match_event_id;   // kEarlyReview
  std::optional<absl::Time> met_at;
  bool done = false;            // met or closed
};

struct ReviewState {
  std::optional<absl::CivilDay> scheduled;
  carelog::v1::ReviewFormat format = carelog::v1::MEETING;
  bool held = false;
  bool cancelled = false;
  bool finished() const { return held || cancelled; }
};

struct Authorisation {
  absl::CivilDay date;
  std::string review_id;
  size_t seq;
};

struct Placement {
  absl::CivilDay started;
  std::string id;
  bool long_term = false;
  bool connected_person = false;
};

struct Period {
  int index = 0;
  absl::CivilDay started;
  size_t start_seq = 0;
  int reviews_held = 0;
  bool iro_notified = false;
  size_t last_held_seq = 0;
  std::optional<absl::CivilDay> last_meeting;
  bool reduced_meetings = false;
  std::vector<Authorisation> authorisations;
  std::optional<Placement> placement;
  bool panel_approved = false;
};

// The status of an obligation neither met nor closed at the end of `as_of`.
ObligationStatus UnmetStatus(const Obligation& o, absl::CivilDay as_of) {
  return as_of > o.due ? ObligationStatus::kOverdue : ObligationStatus::kOpen;
}

// Folds one case's events, in effective order, into its obligations and
// findings under `pack` (FoldDeadlines).
class CaseFold {
 public:
  CaseFold(std::string_view case_id, const ResolvedPack& pack, const Calendar& cal,
           absl::CivilDay as_of)
      : case_id_(case_id), pack_(pack), calendar_(cal), as_of_(as_of) {}

  void Apply(const OrderedEvent& current);
  CaseDeadlines Finish();

 private:
  // `d` moved by the rule's amount/unit in its direction (not HOURS).
  absl::CivilDay CountFrom(absl::CivilDay d, const Rule& r) const;
  TrackedObligation& Create(const Rule& rule, int version, ObligationKind kind,
                            const OrderedEvent& trigger, absl::CivilDay anchor,
                            std::string review_id, bool scoped);
  void Meet(TrackedObligation& tracked, const OrderedEvent& act);
  static void Close(TrackedObligation& tracked, absl::CivilDay on);
  void AddFinding(const Rule& rule, int version, const OrderedEvent& current, std::string review_id,
                  std::string detail);
  template <typename F>
  void ForRules(absl::CivilDay on, F f);  // f(const Rule&, int version)
  template <typename F>
  void ForFindingRules(absl::CivilDay on, carelog::v1::Check check, F f);
  template <typename F>
  void ForOpenObligations(F f);  // open obligations of the current period

  void StartPeriod(const OrderedEvent& current);
  void EndPeriod(const OrderedEvent& current);
  void FirePeriodStarted(const OrderedEvent& current);
  void FireIroNotified(const OrderedEvent& trigger, absl::CivilDay anchor);
  void ScheduleReview(const OrderedEvent& current, const std::string& review_id,
                      absl::CivilDay date, carelog::v1::ReviewFormat format);
  void ReviewHeld(const OrderedEvent& current);
  void FinishReview(const std::string& review_id, absl::CivilDay on);
  void MeetByAct(const OrderedEvent& current);
  void FireEventTriggers(const OrderedEvent& current);
  void CheckReducedMeetingEligibility(const OrderedEvent& current);

  std::string case_id_;
  const ResolvedPack& pack_;
  const Calendar& calendar_;
  absl::CivilDay as_of_;
  std::vector<TrackedObligation> obligations_;
  std::vector<Finding> findings_;
  std::optional<Period> period_;  // the open period of care, if any
  int periods_started_ = 0;
  std::vector<OrderedEvent> prior_acts_;  // while no period is open
  absl::flat_hash_map<std::string, ReviewState> reviews_;
};

absl::CivilDay CaseFold::CountFrom(absl::CivilDay d, const Rule& r) const {
  const int n = r.direction() == carelog::v1::BEFORE ? -r.amount() : r.amount();
  switch (r.unit()) {
    case carelog::v1::WORKING_DAYS: return calendar_.AddWorkingDays(pack_.division, d, n);
    case carelog::v1::DAYS: return d + n;
    case carelog::v1::WEEKS: return d + 7 * n;
    case carelog::v1::MONTHS: return AddMonths(d, n);
    default: return d;  // HOURS: handled by Create
  }
}

template <typename F>
void CaseFold::ForRules(absl::CivilDay on, F f) {
  const PolicyRuleSet& v = pack_.VersionOn(on);
  for (const Rule& r : v.rules) f(r, v.number);
}

template <typename F>
void CaseFold::ForFindingRules(absl::CivilDay on, carelog::v1::Check check, F f) {
  ForRules(on, [&](const Rule& r, int version) {
    if (r.kind() == carelog::v1::FINDING && r.check() == check) f(r, version);
  });
}

template <typename F>
void CaseFold::ForOpenObligations(F f) {
  if (!period_) return;
  for (TrackedObligation& tracked : obligations_) {
    if (!tracked.done && tracked.period == period_->index) f(tracked);
  }
}

TrackedObligation& CaseFold::Create(const Rule& rule, int version, ObligationKind kind,
                                    const OrderedEvent& trigger, absl::CivilDay anchor,
                                    std::string review_id, bool scoped) {
  TrackedObligation tracked;
  tracked.rule = &rule;
  tracked.kind = kind;
  tracked.period = period_ ? period_->index : 0;
  tracked.scoped = scoped && !review_id.empty();
  tracked.row.case_id = case_id_;
  tracked.row.rule_id = rule.id();
  tracked.row.review_id = std::move(review_id);
  if (rule.unit() == carelog::v1::HOURS) {
    tracked.row.due_at = trigger.at + absl::Hours(rule.amount());
    tracked.row.due = LondonToday(*tracked.row.due_at);
  } else {
    tracked.row.due = CountFrom(anchor, rule);
  }
  tracked.row.source_document = rule.source().document();
  tracked.row.source_section = rule.source().section();
  tracked.row.trigger_position = trigger.event->position();
  tracked.row.pack_version = version;
  obligations_.push_back(std::move(tracked));
  return obligations_.back();
}

void CaseFold::Meet(TrackedObligation& tracked, const OrderedEvent& act) {
  if (tracked.done) return;
  tracked.done = true;
  tracked.row.met_on = act.date;
  tracked.met_at = act.at;
  tracked.row.met_by_position = act.event->position();
}

void CaseFold::Close(TrackedObligation& tracked, absl::CivilDay on) {
  if (tracked.done) return;
  tracked.done = true;
  tracked.row.closed_on = on;
}

void CaseFold::AddFinding(const Rule& rule, int version, const OrderedEvent& current,
                          std::string review_id, std::string detail) {
  Finding f;
  f.case_id = case_id_;
  f.rule_id = rule.id();
  f.review_id = std::move(review_id);
  f.detail = std::move(detail);
  f.on = current.date;
  f.position = current.event->position();
  f.source_document = rule.source().document();
  f.source_section = rule.source().section();
  f.pack_version = version;
  findings_.push_back(std::move(f));
}

void CaseFold::StartPeriod(const OrderedEvent& current) {
  if (period_) return;  // already looked after: refused upstream; nothing to do
  Period p;
  p.index = ++periods_started_;
  p.started = current.date;
  p.start_seq = current.seq;
  p.last_held_seq = current.seq;
  period_ = std::move(p);
  FirePeriodStarted(current);
  prior_acts_.clear();
}

void CaseFold::FirePeriodStarted(const OrderedEvent& current) {
  ForRules(current.date, [&](const Rule& r, int version) {
    if (r.kind() != carelog::v1::OBLIGATION || r.trigger() != carelog::v1::PERIOD_STARTED) return;
    if (r.met_by() == "reviewHeld") {
      Create(r, version, ObligationKind::kReviewChain, current, current.date, "", false);
      return;
    }
    TrackedObligation& tracked =
        Create(r, version, ObligationKind::kFirstAct, current, current.date, "", false);
    if (r.prior_act_window_working_days() <= 0) return;
    // An act dated while no period was open counts if the child became looked
    // after within the window after current (001 §4.1 "preferably before").
    for (const OrderedEvent& act : prior_acts_) {
      if (act.type != r.met_by()) continue;
      if (current.date >
          calendar_.AddWorkingDays(pack_.division, act.date, r.prior_act_window_working_days()))
        continue;
      // `tracked` may move when FireIroNotified grows obligations_: work on a copy index.
      const size_t index = &tracked - obligations_.data();
      Meet(obligations_[index], act);
      if (act.type == "iroServiceNotified" && !period_->iro_notified) {
        period_->iro_notified = true;
        const size_t first_new = obligations_.size();
        FireIroNotified(act, current.date);
        // Acts after the notification, before the period, count toward them.
        for (const OrderedEvent& later : prior_acts_) {
          if (later.seq <= act.seq) continue;
          for (size_t i = first_new; i < obligations_.size(); ++i) {
            if (!obligations_[i].done && obligations_[i].rule->met_by() == later.type)
              Meet(obligations_[i], later);
          }
        }
      }
      break;
    }
  });
}

void CaseFold::FireIroNotified(const OrderedEvent& trigger, absl::CivilDay anchor) {
  ForRules(anchor, [&](const Rule& r, int version) {
    if (r.kind() == carelog::v1::OBLIGATION && r.trigger() == carelog::v1::IRO_NOTIFIED)
      Create(r, version, ObligationKind::kFirstAct, trigger, anchor, "", false);
  });
}

void CaseFold::EndPeriod(const OrderedEvent& current) {
  if (!period_) return;
  ForOpenObligations([&](TrackedObligation& tracked) { Close(tracked, current.date); });
  period_.reset();
  prior_acts_.clear();
}

void CaseFold::FinishReview(const std::string& review_id, absl::CivilDay on) {
  ForOpenObligations([&](TrackedObligation& tracked) {
    if ((tracked.kind == ObligationKind::kPreReview ||
         tracked.kind == ObligationKind::kPostponement) &&
        tracked.row.review_id == review_id)
      Close(tracked, on);
  });
}

void CaseFold::ScheduleReview(const OrderedEvent& current, const std::string& review_id,
                              absl::CivilDay date, carelog::v1::ReviewFormat format) {
  ReviewState& review = reviews_[review_id];
  if (review.finished()) return;  // recorded, creates and meets nothing
  const bool redating = review.scheduled.has_value();
  review.scheduled = date;
  // A re-dating (no format) keeps the review's format.
  if (format == carelog::v1::MEETING || format == carelog::v1::CONSULTATION) review.format = format;
  if (!period_) return;
  if (redating) {
    ForOpenObligations([&](TrackedObligation& tracked) {
      if (tracked.kind == ObligationKind::kPreReview && tracked.row.review_id == review_id)
        Close(tracked, current.date);
    });
    const TrackedObligation* chain = nullptr;
    for (const TrackedObligation& tracked : obligations_) {
      if (!tracked.done && tracked.period == period_->index &&
          tracked.kind == ObligationKind::kReviewChain && tracked.rule->review_number() == 0)
        chain = &tracked;
    }
    if (chain != nullptr && date > chain->row.due) {
      const absl::CivilDay due = chain->row.due;
      const std::string chain_rule = chain->row.rule_id;
      ForFindingRules(current.date, carelog::v1::REDATED_AFTER_STATUTORY_DUE,
                      [&](const Rule& r, int version) {
                        AddFinding(r, version, current, review_id,
                                   absl::StrCat("re-dated to ", FormatDate(date), ", after ",
                                                chain_rule, " due ", FormatDate(due)));
                      });
    }
  }
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (tracked.kind == ObligationKind::kPostponement && tracked.row.review_id == review_id)
      Meet(tracked, current);
  });
  ForRules(current.date, [&](const Rule& r, int version) {
    if (r.kind() != carelog::v1::OBLIGATION || r.trigger() != carelog::v1::REVIEW_SCHEDULED_DATE)
      return;
    if (r.review_format() != carelog::v1::REVIEW_FORMAT_UNSPECIFIED &&
        r.review_format() != review.format)
      return;
    Create(r, version, ObligationKind::kPreReview, current, date, review_id, true);
  });
}

void CaseFold::ReviewHeld(const OrderedEvent& current) {
  const std::string review_id = ReviewIdOf(*current.event);
  ReviewState& review = reviews_[review_id];
  if (review.held) return;  // a second record of the same review
  const carelog::v1::ReviewFormat format = review.format;
  review.held = true;
  if (!period_) return;
  FinishReview(review_id, current.date);

  ForFindingRules(current.date, carelog::v1::CARE_PLAN_AUTHORISED, [&](const Rule& r, int version) {
    const absl::CivilDay limit = CountFrom(current.date, r);
    const bool ok = std::any_of(period_->authorisations.begin(), period_->authorisations.end(),
                                [&](const Authorisation& a) {
                                  return a.date <= limit &&
                                         (a.review_id == review_id ||
                                          (a.review_id.empty() && a.seq > period_->last_held_seq));
                                });
    if (!ok)
      AddFinding(r, version, current, review_id,
                 absl::StrCat("no care plan authorised on or before ", FormatDate(limit)));
  });
  if (period_->reduced_meetings && format != carelog::v1::MEETING) {
    ForFindingRules(current.date, carelog::v1::ANNUAL_REVIEW_MEETING,
                    [&](const Rule& r, int version) {
                      const absl::CivilDay limit = CountFrom(current.date, r);
                      const absl::CivilDay last = period_->last_meeting.value_or(period_->started);
                      if (last < limit)
                        AddFinding(r, version, current, review_id,
                                   period_->last_meeting
                                       ? absl::StrCat("last review meeting ", FormatDate(last))
                                       : std::string("no review meeting in this period of care"));
                    });
  }

  const int number = ++period_->reviews_held;
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (tracked.kind != ObligationKind::kReviewChain) return;
    const int wanted = tracked.rule->review_number();
    if (wanted == 0 || wanted == number) {
      Meet(tracked, current);
      tracked.row.review_id = review_id;
    }
  });
  const carelog::v1::Trigger chain_trigger =
      number == 1 ? carelog::v1::FIRST_REVIEW_HELD : carelog::v1::LATER_REVIEW_HELD;
  ForRules(current.date, [&](const Rule& r, int version) {
    if (r.kind() != carelog::v1::OBLIGATION) return;
    if (r.trigger() == chain_trigger) {
      Create(r, version, ObligationKind::kReviewChain, current, current.date, "", false);
    } else if (r.trigger() == carelog::v1::REVIEW_HELD) {
      if (r.review_number() != 0 && r.review_number() != number) return;
      if (r.review_format() != carelog::v1::REVIEW_FORMAT_UNSPECIFIED &&
          r.review_format() != format)
        return;
      Create(r, version, ObligationKind::kFirstAct, current, current.date, review_id,
             TypeHasReviewId(r.met_by()));
    }
  });
  if (format == carelog::v1::MEETING) period_->last_meeting = current.date;
  period_->last_held_seq = current.seq;
}

void CaseFold::MeetByAct(const OrderedEvent& current) {
  const std::string review_id = ReviewIdOf(*current.event);
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (tracked.rule->met_by() != current.type) return;
    switch (tracked.kind) {
      case ObligationKind::kReviewChain:
      case ObligationKind::kPostponement: return;  // met by ReviewHeld / ScheduleReview
      case ObligationKind::kEarlyReview: {
        const std::string& named = current.event->early_review_considered().significant_event_id();
        if (named.empty() || named == tracked.match_event_id) Meet(tracked, current);
        return;
      }
      case ObligationKind::kPreReview:
      case ObligationKind::kFirstAct:
        if (tracked.scoped && review_id != tracked.row.review_id) return;
        Meet(tracked, current);
        return;
    }
  });
}

void CaseFold::FireEventTriggers(const OrderedEvent& current) {
  const std::string review_id = ReviewIdOf(*current.event);
  ForRules(current.date, [&](const Rule& r, int version) {
    if (r.kind() != carelog::v1::OBLIGATION || r.trigger() != carelog::v1::EVENT ||
        r.trigger_event() != current.type)
      return;
    Create(r, version, ObligationKind::kFirstAct, current, current.date, review_id,
           TypeHasReviewId(r.met_by()));
  });
}

void CaseFold::CheckReducedMeetingEligibility(const OrderedEvent& current) {
  const auto& change = current.event->review_arrangement_changed();
  ForFindingRules(
      current.date, carelog::v1::REDUCED_MEETING_ELIGIBILITY, [&](const Rule& r, int version) {
        std::vector<std::string> problems;
        const std::optional<Placement>& placement = period_->placement;
        if (!placement) {
          problems.push_back("no placement recorded");
        } else {
          if (r.require_long_term() && !placement->long_term)
            problems.push_back("placement not designated long-term");
          if (r.exclude_connected_person() && placement->connected_person)
            problems.push_back("placement with family, friends or a connected person");
          if (r.amount() > 0 && placement->started >= CountFrom(current.date, r))
            problems.push_back(
                absl::StrCat("in the placement only since ", FormatDate(placement->started)));
        }
        if (r.require_panel_approval() && !period_->panel_approved)
          problems.push_back("permanent home not approved at panel");
        std::vector<std::string> missing;
        for (const std::string& role : r.roles()) {
          const bool agreed =
              std::any_of(change.agreed_by().begin(), change.agreed_by().end(),
                          [&](int got) { return carelog::v1::Role_Name(got) == role; });
          if (!agreed) missing.push_back(role);
        }
        if (!missing.empty()) problems.push_back("not agreed by " + absl::StrJoin(missing, ", "));
        if (!problems.empty()) AddFinding(r, version, current, "", absl::StrJoin(problems, "; "));
      });
}

void CaseFold::Apply(const OrderedEvent& current) {
  const Event& e = *current.event;
  // Recording lag is judged on every event, in or out of a period: what the
  // system showed in the meantime was wrong. `roles` lists the actors exempt
  // (SYSTEM: migrated history is recorded late by nature, not by practice).
  if (e.has_recorded_at()) {
    ForFindingRules(current.date, carelog::v1::RECORDED_LATE, [&](const Rule& r, int version) {
      const std::string role = carelog::v1::Role_Name(e.actor().role());
      if (std::find(r.roles().begin(), r.roles().end(), role) != r.roles().end()) return;
      const absl::CivilDay recorded = LondonDate(e.recorded_at());
      const absl::CivilDay latest = CountFrom(current.date, r);
      if (recorded > latest) {
        AddFinding(
            r, version, current, "",
            absl::StrCat(std::string(EventTypeName(e)), " recorded late: ", recorded - current.date,
                         " days (on ", FormatDate(recorded), ", due by ", FormatDate(latest), ")"));
      }
    });
  }
  switch (e.payload_case()) {
    case Event::kChildAccommodated: StartPeriod(current); return;
    case Event::kChildCeasedLookedAfter: EndPeriod(current); return;
    default: break;
  }
  // Review bookkeeping happens in or out of a period; obligations only in one.
  switch (e.payload_case()) {
    case Event::kReviewScheduled:
      if (!period_) {
        ScheduleReview(current, e.review_scheduled().review_id(),
                       ParseDate(e.review_scheduled().scheduled_for()).value_or(current.date),
                       e.review_scheduled().format());
        return;
      }
      break;
    case Event::kReviewRearranged:
      if (!period_) {
        auto d = ParseDate(e.review_rearranged().new_date());
        if (d.ok())
          ScheduleReview(current, e.review_rearranged().review_id(), *d,
                         carelog::v1::REVIEW_FORMAT_UNSPECIFIED);
        return;
      }
      break;
    case Event::kReviewHeld:
      if (!period_) {
        ReviewHeld(current);
        return;
      }
      break;
    case Event::kReviewCancelled:
      if (!period_) {
        reviews_[e.review_cancelled().review_id()].cancelled = true;
        return;
      }
      break;
    default: break;
  }
  if (!period_) {
    prior_acts_.push_back(current);
    return;
  }

  // 1. The acts this event is (acts first: a recurring rule's act meets the
  //    previous obligation before current makes the next).
  MeetByAct(current);

  // 2. What current starts or changes.
  switch (e.payload_case()) {
    case Event::kIroServiceNotified:
      if (!period_->iro_notified) {
        period_->iro_notified = true;
        FireIroNotified(current, current.date);
      }
      break;
    case Event::kReviewScheduled: {
      auto d = ParseDate(e.review_scheduled().scheduled_for());
      if (d.ok())
        ScheduleReview(current, e.review_scheduled().review_id(), *d,
                       e.review_scheduled().format());
      break;
    }
    case Event::kReviewRearranged: {
      auto d = ParseDate(e.review_rearranged().new_date());
      if (d.ok())
        ScheduleReview(current, e.review_rearranged().review_id(), *d,
                       carelog::v1::REVIEW_FORMAT_UNSPECIFIED);
      break;
    }
    case Event::kReviewHeld: ReviewHeld(current); break;
    case Event::kReviewCancelled: {
      ReviewState& review = reviews_[e.review_cancelled().review_id()];
      if (review.finished()) break;
      review.cancelled = true;
      FinishReview(e.review_cancelled().review_id(), current.date);
      break;
    }
    case Event::kReviewPostponementRequested: {
      const auto& request = e.review_postponement_requested();
      const ReviewState& review = reviews_[request.review_id()];
      if (review.finished() || !review.scheduled) break;
      ForFindingRules(
          current.date, carelog::v1::POSTPONEMENT_NOTICE, [&](const Rule& r, int version) {
            if (r.exempt_emergency() && request.emergency()) return;
            const absl::CivilDay latest = CountFrom(*review.scheduled, r);
            if (current.date > latest)
              AddFinding(
                  r, version, current, request.review_id(),
                  absl::StrCat("requested ", FormatDate(current.date), " for the review on ",
                               FormatDate(*review.scheduled), ", notice needed by ",
                               FormatDate(latest), request.emergency() ? " (emergency)" : ""));
          });
      break;
    }
    case Event::kReviewPostponementApproved: {
      const auto& approval = e.review_postponement_approved();
      const std::string review_id = approval.review_id();
      if (reviews_[review_id].finished()) break;
      ForFindingRules(
          current.date, carelog::v1::POSTPONEMENT_APPROVER, [&](const Rule& r, int version) {
            const std::string role = carelog::v1::Role_Name(e.actor().role());
            if (std::find(r.roles().begin(), r.roles().end(), role) == r.roles().end())
              AddFinding(r, version, current, review_id, absl::StrCat("approved by ", role));
          });
      if (!(approval.has_iro_consulted() && approval.iro_consulted())) {
        ForFindingRules(
            current.date, carelog::v1::POSTPONEMENT_IRO_CONSULTED, [&](const Rule& r, int version) {
              AddFinding(r, version, current, review_id, "no discussion with the IRO recorded");
            });
      }
      ForRules(current.date, [&](const Rule& r, int version) {
        if (r.kind() == carelog::v1::OBLIGATION &&
            r.trigger() == carelog::v1::POSTPONEMENT_APPROVED)
          Create(r, version, ObligationKind::kPostponement, current, current.date, review_id, true);
      });
      break;
    }
    case Event::kSignificantEventReported:
      ForRules(current.date, [&](const Rule& r, int version) {
        if (r.kind() != carelog::v1::OBLIGATION || r.trigger() != carelog::v1::SIGNIFICANT_EVENT)
          return;
        TrackedObligation& tracked =
            Create(r, version, ObligationKind::kEarlyReview, current, current.date, "", false);
        tracked.match_event_id = e.event_id();
      });
      break;
    case Event::kCarePlanAuthorised:
      period_->authorisations.push_back(
          {current.date, e.care_plan_authorised().review_id(), current.seq});
      break;
    case Event::kReviewArrangementChanged:
      period_->reduced_meetings = e.review_arrangement_changed().reduced_meetings();
      if (period_->reduced_meetings) CheckReducedMeetingEligibility(current);
      break;
    case Event::kPlacementStarted: {
      const auto& p = e.placement_started();
      period_->placement =
          Placement{current.date, p.placement_id(), p.long_term(), p.connected_person()};
      break;
    }
    case Event::kPlacementEnded:
      if (period_->placement && (e.placement_ended().placement_id().empty() ||
                                 e.placement_ended().placement_id() == period_->placement->id))
        period_->placement.reset();
      break;
    case Event::kPanelDecision:
      if (e.panel_decision().decision() == "APPROVED") period_->panel_approved = true;
      break;
    default: break;
  }

  // 3. Rules any event type can trigger.
  FireEventTriggers(current);
}

CaseDeadlines CaseFold::Finish() {
  CaseDeadlines out;
  out.case_id = case_id_;
  out.division = pack_.division;
  for (TrackedObligation& tracked : obligations_) {
    Obligation& o = tracked.row;
    if (o.met_on) {
      const bool on_time = o.due_at ? *tracked.met_at <= *o.due_at : *o.met_on <= o.due;
      o.status = on_time ? ObligationStatus::kMet : ObligationStatus::kMetLate;
    } else if (o.closed_on) {
      o.status = *o.closed_on <= o.due ? ObligationStatus::kClosed : ObligationStatus::kOverdue;
    } else {
      o.status = UnmetStatus(o, as_of_);
    }
    out.obligations.push_back(std::move(o));
  }
  out.findings = std::move(findings_);
  return out;
}

}  // namespace

std::string_view ObligationStatusName(ObligationStatus s) {
  switch (s) {
    case ObligationStatus::kOpen: return "OPEN";
    case ObligationStatus::kMet: return "MET";
    case ObligationStatus::kMetLate: return "MET_LATE";
    case ObligationStatus::kOverdue: return "OVERDUE";
    case ObligationStatus::kClosed: return "CLOSED";
  }
  return "OPEN";
}

std::vector<Event> ApplyCorrections(std::vector<Event> events) {
  const auto by_position = [](const Event& a, const Event& b) {
    return a.position() < b.position();
  };
  // A case read from the log is already in position order.
  if (!std::is_sorted(events.begin(), events.end(), by_position)) {
    std::stable_sort(events.begin(), events.end(), by_position);
  }
  // Most cases have nothing to correct: then the maps below are not worth
  // building.
  if (std::none_of(events.begin(), events.end(), [](const Event& e) {
        return e.has_event_retracted() || e.has_event_corrected();
      })) {
    return events;
  }
  absl::flat_hash_set<std::string> targeted;  // ids some retraction names
  for (const Event& e : events) {
    if (e.has_event_retracted()) targeted.insert(e.event_retracted().event_id());
  }
  absl::flat_hash_set<std::string> retracted;
  for (const Event& e : events) {
    if (e.has_event_retracted() && !targeted.contains(e.event_id()))
      retracted.insert(e.event_retracted().event_id());
  }
  absl::flat_hash_map<std::string, size_t> by_id;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].event_id().empty()) by_id.emplace(events[i].event_id(), i);
  }
  for (const Event& e : events) {
    if (!e.has_event_corrected() || retracted.contains(e.event_id())) continue;
    const auto& c = e.event_corrected();
    auto it = by_id.find(c.event_id());
    if (it == by_id.end() || retracted.contains(c.event_id())) continue;
    Event& original = events[it->second];
    if (original.has_event_retracted() || original.has_event_corrected()) continue;
    const Event& repl = c.replacement();
    const auto* field = repl.GetReflection()->GetOneofFieldDescriptor(repl, PayloadOneof());
    if (field != nullptr && !repl.has_event_retracted() && !repl.has_event_corrected()) {
      original.clear_payload();
      original.GetReflection()
          ->MutableMessage(&original, field)
          ->CopyFrom(repl.GetReflection()->GetMessage(repl, field));
    }
    if (repl.has_occurred_at()) *original.mutable_occurred_at() = repl.occurred_at();
  }
  std::vector<Event> out;
  out.reserve(events.size());
  for (Event& e : events) {
    if (e.has_event_retracted() || e.has_event_corrected() || retracted.contains(e.event_id()))
      continue;
    out.push_back(std::move(e));
  }
  return out;
}

CaseDeadlines FoldDeadlines(std::string_view case_id, std::vector<Event> events,
                            const ResolvedPack& pack, const Calendar& cal, absl::CivilDay as_of) {
  std::vector<Event> facts = ApplyCorrections(std::move(events));
  std::vector<OrderedEvent> items;
  items.reserve(facts.size());
  for (const Event& e : facts) {
    const absl::CivilDay date = LondonDate(e.occurred_at());
    if (date > as_of) continue;
    items.push_back({&e, date, ToTime(e.occurred_at()), EventTypeName(e), 0});
  }
  SortInEffectiveOrder(
      items, [](const OrderedEvent& e) { return e.date; },
      [](const OrderedEvent& e) -> const Event& { return *e.event; });
  CaseFold fold(case_id, pack, cal, as_of);
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].seq = i + 1;
    fold.Apply(items[i]);
  }
  CaseDeadlines out = fold.Finish();
  if (!items.empty()) out.last_event_day = items.back().date;
  return out;
}

void RestateAt(CaseDeadlines* d, absl::CivilDay as_of) {
  for (Obligation& o : d->obligations) {
    if (!o.met_on && !o.closed_on) o.status = UnmetStatus(o, as_of);
  }
}

}  // namespace carelog
