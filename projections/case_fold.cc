// The obligation bookkeeping of CaseFold (case_fold.h): opening, meeting and
// closing obligations, findings, and what starts and ends a period of care
// or a review.
#include "projections/case_fold.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/event_time.h"

namespace carelog::case_fold {

const google::protobuf::OneofDescriptor* PayloadOneof() {
  static const auto* oneof = Event::descriptor()->FindOneofByName("payload");
  return oneof;
}

namespace {

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

}  // namespace

absl::CivilDay CaseFold::DateByRule(absl::CivilDay d, const Rule& r) const {
  const int n = r.direction() == carelog::v1::BEFORE ? -r.amount() : r.amount();
  switch (r.unit()) {
    case carelog::v1::WORKING_DAYS: return calendar_.AddWorkingDays(pack_.division, d, n);
    case carelog::v1::DAYS: return d + n;
    case carelog::v1::WEEKS: return d + 7 * n;
    case carelog::v1::MONTHS: return AddMonths(d, n);
    default: return d;  // HOURS: handled by OpenObligation
  }
}

TrackedObligation& CaseFold::OpenObligation(const Rule& rule, int version,
                                            ObligationKind kind, const OrderedEvent& trigger,
                                            absl::CivilDay anchor, std::string review_id,
                                            bool scoped) {
  TrackedObligation tracked;
  tracked.rule = &rule;
  tracked.kind = kind;
  tracked.period = period_ ? period_->index : 0;
  tracked.scoped = scoped && !review_id.empty();
  // The row's case, rule and source strings are filled in by Finish, for
  // the rows it reports only.
  tracked.row.review_id = std::move(review_id);
  if (rule.unit() == carelog::v1::HOURS) {
    tracked.row.due_at = trigger.at + absl::Hours(rule.amount());
    tracked.row.due = LondonToday(*tracked.row.due_at);
  } else {
    tracked.row.due = DateByRule(anchor, rule);
  }
  tracked.row.trigger_position = trigger.event->position();
  tracked.row.pack_version = version;
  // Conditions and groups: a rule that does not open keeps a row no one sees.
  if (rule.placement_scoped()) {
    if (period_ && period_->placement) tracked.placement_serial = period_->placement->serial;
    else tracked.not_applicable = true;  // no current placement: no obligation
  }
  if (!tracked.not_applicable && !RuleOpens(rule, trigger, anchor, tracked.row.due))
    tracked.not_applicable = true;
  tracked.done = tracked.not_applicable;
  obligations_.push_back(std::move(tracked));
  return obligations_.back();
}

void CaseFold::MarkMet(TrackedObligation& tracked, const OrderedEvent& act) {
  if (tracked.done) return;
  tracked.done = true;
  tracked.row.met_on = act.date;
  tracked.met_at = act.at;
  tracked.row.met_by_position = act.event->position();
}

void CaseFold::MarkClosed(TrackedObligation& tracked, absl::CivilDay on) {
  if (tracked.done) return;
  tracked.done = true;
  tracked.row.closed_on = on;
}

void CaseFold::AddFinding(const Rule& rule, int version, const OrderedEvent& current,
                          std::string review_id, std::string detail) {
  if (!RuleApplies(rule, current, current.date)) return;  // conditions on the event's day
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
  PeriodOfCare p;
  p.index = ++periods_started_;
  p.started = current.date;
  p.start_seq = current.seq;
  p.last_held_seq = current.seq;
  period_ = std::move(p);
  first_act_in_period_.clear();
  FirePeriodStarted(current);
  acts_before_period_.clear();
}

void CaseFold::FirePeriodStarted(const OrderedEvent& current) {
  ForObligationRules(current.date, carelog::v1::PERIOD_STARTED, [&](const Rule& r, int version) {
    if (r.met_by() == "reviewHeld") {
      OpenObligation(r, version, ObligationKind::kReviewChain, current, current.date, "", false);
      return;
    }
    TrackedObligation& tracked =
        OpenObligation(r, version, ObligationKind::kFirstAct, current, current.date, "", false);
    if (tracked.not_applicable || r.prior_act_window_working_days() <= 0) return;
    // An act dated while no period was open counts if the child became looked
    // after within the window after current (001 §4.1 "preferably before").
    for (const OrderedEvent& act : acts_before_period_) {
      if (act.type != r.met_by()) continue;
      if (current.date >
          calendar_.AddWorkingDays(pack_.division, act.date, r.prior_act_window_working_days()))
        continue;
      // `tracked` may move when FireIroNotified grows obligations_: work on a copy index.
      const size_t index = &tracked - obligations_.data();
      MarkMet(obligations_[index], act);
      if (act.type == "iroServiceNotified" && !period_->iro_notified) {
        period_->iro_notified = true;
        const size_t first_new = obligations_.size();
        FireIroNotified(act, current.date);
        // Acts after the notification, before the period, count toward them.
        for (const OrderedEvent& later : acts_before_period_) {
          if (later.seq <= act.seq) continue;
          for (size_t i = first_new; i < obligations_.size(); ++i) {
            if (!obligations_[i].done && obligations_[i].rule->met_by() == later.type)
              MarkMet(obligations_[i], later);
          }
        }
      }
      break;
    }
  });
}

void CaseFold::FireIroNotified(const OrderedEvent& trigger, absl::CivilDay anchor) {
  ForObligationRules(anchor, carelog::v1::IRO_NOTIFIED, [&](const Rule& r, int version) {
    OpenObligation(r, version, ObligationKind::kFirstAct, trigger, anchor, "", false);
  });
}

void CaseFold::EndPeriod(const OrderedEvent& current) {
  if (!period_) return;
  ForOpenObligations([&](TrackedObligation& tracked) { MarkClosed(tracked, current.date); });
  period_.reset();
  acts_before_period_.clear();
}

void CaseFold::FinishReview(const std::string& review_id, absl::CivilDay on) {
  ForOpenObligations([&](TrackedObligation& tracked) {
    if ((tracked.kind == ObligationKind::kPreReview ||
         tracked.kind == ObligationKind::kPostponement) &&
        tracked.row.review_id == review_id)
      MarkClosed(tracked, on);
  });
}

void CaseFold::ScheduleReview(const OrderedEvent& current, const std::string& review_id,
                              absl::CivilDay date, carelog::v1::ReviewFormat format) {
  ReviewState& review = reviews_[review_id];
  if (review.finished()) return;  // recorded, creates and meets nothing
  const bool redating = review.scheduled.has_value();
  review.scheduled = date;
  if (current.event->has_review_scheduled() &&
      current.event->review_scheduled().stage() != carelog::v1::REVIEW_STAGE_UNSPECIFIED)
    review.stage = current.event->review_scheduled().stage();
  // A re-dating (no format) keeps the review's format.
  if (format == carelog::v1::MEETING || format == carelog::v1::CONSULTATION) review.format = format;
  if (!period_) return;
  if (redating) {
    ForOpenObligations([&](TrackedObligation& tracked) {
      if (tracked.kind == ObligationKind::kPreReview && tracked.row.review_id == review_id)
        MarkClosed(tracked, current.date);
    });
    const TrackedObligation* chain = nullptr;
    for (const TrackedObligation& tracked : obligations_) {
      if (!tracked.done && tracked.period == period_->index &&
          tracked.kind == ObligationKind::kReviewChain && tracked.rule->review_number() == 0)
        chain = &tracked;
    }
    if (chain != nullptr && date > chain->row.due) {
      const absl::CivilDay due = chain->row.due;
      const std::string& chain_rule = chain->rule->id();
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
      MarkMet(tracked, current);
  });
  ForObligationRules(current.date, carelog::v1::REVIEW_SCHEDULED_DATE,
                     [&](const Rule& r, int version) {
    if (r.review_format() != carelog::v1::REVIEW_FORMAT_UNSPECIFIED &&
        r.review_format() != review.format)
      return;
    // A review booked without a stage is counted as the next one to be held.
    if (!IsRulesReview(r, review.stage, period_->reviews_held + 1)) return;
    TrackedObligation& tracked =
        OpenObligation(r, version, ObligationKind::kPreReview, current, date, review_id, true);
    ApplyShortNotice(tracked, current.date, date);
  });
}

void CaseFold::ReviewHeld(const OrderedEvent& current) {
  const std::string review_id = ReviewIdOf(*current.event);
  ReviewState& review = reviews_[review_id];
  if (review.held) return;  // a second record of the same review
  const carelog::v1::ReviewFormat format = review.format;
  review.held = true;
  if (current.event->review_held().stage() != carelog::v1::REVIEW_STAGE_UNSPECIFIED)
    review.stage = current.event->review_held().stage();
  const carelog::v1::ReviewStage stage = review.stage;
  if (!period_) return;
  FinishReview(review_id, current.date);
  CloseUntilNextReview(current);

  ForFindingRules(current.date, carelog::v1::CARE_PLAN_AUTHORISED, [&](const Rule& r, int version) {
    const absl::CivilDay limit = DateByRule(current.date, r);
    const bool ok = std::any_of(period_->authorisations.begin(), period_->authorisations.end(),
                                [&](const CarePlanAuthorisation& a) {
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
                      const absl::CivilDay limit = DateByRule(current.date, r);
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
    if (IsRulesReview(*tracked.rule, stage, number)) {
      MarkMet(tracked, current);
      tracked.row.review_id = review_id;
    }
  });
  const carelog::v1::Trigger chain_trigger =
      number == 1 ? carelog::v1::FIRST_REVIEW_HELD : carelog::v1::LATER_REVIEW_HELD;
  // Chain and review-held rules open in one pass, in pack order.
  const VersionRuleIndex& in_force = rules_.On(current.date);
  for (const Rule* rule : in_force.review_held) {
    const Rule& r = *rule;
    const int version = in_force.version->number;
    if (r.trigger() == chain_trigger) {
      OpenObligation(r, version, ObligationKind::kReviewChain, current, current.date, "", false);
    } else if (r.trigger() == carelog::v1::REVIEW_HELD) {
      if (!IsRulesReview(r, stage, number)) continue;
      if (r.review_format() != carelog::v1::REVIEW_FORMAT_UNSPECIFIED &&
          r.review_format() != format)
        continue;
      if (r.until_next_review()) continue;  // below, once the next chain obligation is open
      // Met by a later review: any review held next (this one is held already).
      TrackedObligation& tracked =
          OpenObligation(r, version, ObligationKind::kFirstAct, current, current.date, review_id,
                         TypeHasReviewId(r.met_by()) && r.met_by() != current.type);
      MeetByEarlierAct(tracked);
    }
  }
  ForObligationRules(current.date, carelog::v1::REVIEW_HELD, [&](const Rule& r, int version) {
    if (!r.until_next_review() || !IsRulesReview(r, stage, number)) return;
    if (r.review_format() != carelog::v1::REVIEW_FORMAT_UNSPECIFIED && r.review_format() != format)
      return;
    TrackedObligation& tracked = OpenObligation(r, version, ObligationKind::kFirstAct, current,
                                                current.date, review_id, false);
    if (!DueAtNextReview(tracked)) {
      obligations_.pop_back();  // no statutory chain open: no next review to be due before
      return;
    }
    MeetByEarlierAct(tracked);
  });
  if (format == carelog::v1::MEETING) period_->last_meeting = current.date;
  period_->last_held_seq = current.seq;
}

void CaseFold::MeetByAct(const OrderedEvent& current) {
  const std::string review_id = ReviewIdOf(*current.event);
  if (current.event->has_review_held()) {
    // A second record of a review already held is no further review.
    auto it = reviews_.find(review_id);
    if (it != reviews_.end() && it->second.held) return;
  }
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (tracked.rule->met_by() != current.type) return;
    switch (tracked.kind) {
      case ObligationKind::kReviewChain:
      case ObligationKind::kPostponement: return;  // met by ReviewHeld / ScheduleReview
      case ObligationKind::kEarlyReview: {
        const std::string& named = current.event->early_review_considered().significant_event_id();
        if (named.empty() || named == tracked.match_event_id) MarkMet(tracked, current);
        return;
      }
      case ObligationKind::kPreReview:
      case ObligationKind::kFirstAct:
        if (tracked.scoped && review_id != tracked.row.review_id) return;
        MarkMet(tracked, current);
        return;
    }
  });
}

void CaseFold::FireEventTriggers(const OrderedEvent& current) {
  const VersionRuleIndex& in_force = rules_.On(current.date);
  const std::vector<const Rule*>& triggered = in_force.TriggeredBy(current.type);
  if (triggered.empty()) return;  // most events trigger nothing
  const std::string review_id = ReviewIdOf(*current.event);
  for (const Rule* r : triggered) {
    OpenObligation(*r, in_force.version->number, ObligationKind::kFirstAct, current, current.date,
                   review_id, TypeHasReviewId(r->met_by()));
  }
}

void CaseFold::CheckReducedMeetingEligibility(const OrderedEvent& current) {
  const auto& change = current.event->review_arrangement_changed();
  ForFindingRules(
      current.date, carelog::v1::REDUCED_MEETING_ELIGIBILITY, [&](const Rule& r, int version) {
        std::vector<std::string> problems;
        const std::optional<CurrentPlacement>& placement = period_->placement;
        if (!placement) {
          problems.push_back("no placement recorded");
        } else {
          if (r.require_long_term() && !placement->long_term)
            problems.push_back("placement not designated long-term");
          if (r.exclude_connected_person() && placement->connected_person)
            problems.push_back("placement with family, friends or a connected person");
          if (r.amount() > 0 && placement->started >= DateByRule(current.date, r))
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

}  // namespace carelog::case_fold
