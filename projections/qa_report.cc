#include "projections/qa_report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/event_time.h"

namespace carelog {
namespace {

// The pack whose review-chain and task rules the report always lists, even
// when none fell due; also the rules of a case given without its pack.
const ResolvedPack& LayoutPack() {
  // Both kept for the life of the process: the pack lives inside the
  // registry, so the registry itself must stay reachable.
  static const PolicyRegistry* const registry =
      new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  static const ResolvedPack* const pack = *registry->Find("england");
  return *pack;
}

void AddOnce(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

bool In(absl::CivilDay d, absl::CivilDay from, absl::CivilDay to) { return d >= from && d <= to; }

}  // namespace

QaReportBuilder::PackRules QaReportBuilder::PackRules::Of(const ResolvedPack& pack) {
  PackRules out;
  for (const PolicyRuleSet& v : pack.versions) {
    for (const v1::Rule& r : v.rules) {
      // The statutory chain is structural (deadlines.cc): an obligation met
      // by the next review held.
      if (r.kind() == v1::OBLIGATION && r.met_by() == "reviewHeld") {
        AddOnce(out.chain_order, r.id());
        out.chain.insert(r.id());
      }
      if (r.qa() == v1::QA_TASK) AddOnce(out.tasks, r.id());
      if (r.qa() != v1::QA_TAG_UNSPECIFIED) out.tag[r.id()] = r.qa();
    }
  }
  return out;
}

v1::QaTag QaReportBuilder::PackRules::TagOf(const std::string& rule_id) const {
  auto it = tag.find(rule_id);
  return it == tag.end() ? v1::QA_TAG_UNSPECIFIED : it->second;
}

const QaReportBuilder::PackRules& QaReportBuilder::RulesOf(const ResolvedPack* pack) {
  if (pack == nullptr) pack = &LayoutPack();
  auto it = rules_of_.find(pack);
  if (it == rules_of_.end()) {
    it = rules_of_.emplace(pack, PackRules::Of(*pack)).first;
    for (const std::string& t : it->second.tasks) task_lines_[t].rule = t;
  }
  return it->second;
}

std::optional<double> Percent(int64_t num, int64_t den) {
  if (den <= 0) return std::nullopt;
  return std::round(1000.0 * static_cast<double>(num) / static_cast<double>(den)) / 10.0;
}

QaReportBuilder::QaReportBuilder(absl::CivilDay from, absl::CivilDay to, const Calendar& cal)
    : from_(from), to_(to), cal_(cal) {
  r_.from = from;
  r_.to = to;
  r_.stability.year_from = StabilityYearFrom(to);
  r_.stability.to = to;
  layout_ = &RulesOf(&LayoutPack());
  for (absl::CivilMonth m(from); m <= absl::CivilMonth(to); ++m) {
    months_[{static_cast<int>(m.year()), m.month()}] = {static_cast<int>(m.year()), m.month()};
  }
}

QaReport ComputeQaReport(const std::vector<QaCase>& cases, absl::CivilDay from,
                         absl::CivilDay to, const Calendar& cal) {
  QaReportBuilder builder(from, to, cal);
  for (const QaCase& c : cases) builder.Add(c);
  return builder.Finish();
}

QaReportBuilder::Prepared QaReportBuilder::Prepare(const QaCase& c, absl::CivilDay to) {
  Prepared p;
  std::vector<const v1::Event*> events;
  events.reserve(c.events.size());
  for (const v1::Event& e : c.events) events.push_back(&e);
  events = ApplyCorrectionsByPointer(std::move(events), &p.corrected);
  p.items.reserve(events.size());
  for (const v1::Event* e : events) p.items.push_back({LondonDate(e->occurred_at()), e});
  // As InEffectiveOrder sorts.
  SortInEffectiveOrder(
      p.items, [](const DatedEvent& d) { return d.day; },
      [](const DatedEvent& d) -> const v1::Event& { return *d.event; });
  p.stability = StabilityOf(p.items, to);
  return p;
}

void QaReportBuilder::Add(const QaCase& c) { Add(c, Prepare(c, to_)); }

void QaReportBuilder::Add(const QaCase& c, const Prepared& prepared) {
  QaReport& r = r_;
  const absl::CivilDay from = from_, to = to_;
  const Calendar& cal = cal_;
  auto& review_lines = review_lines_;
  auto& task_lines = task_lines_;
  auto& months = months_;
  {
    const PackRules& rules = RulesOf(c.pack);
    const std::set<std::string>& chain = rules.chain;
    // Events after corrections, in effective order.
    const std::vector<DatedEvent>& items = prepared.items;
    AddStability(prepared.stability, &r.stability);

    // Periods of care, IRO and team as of `to`, reviews, postponements.
    std::vector<std::pair<absl::CivilDay, std::optional<absl::CivilDay>>> periods;
    std::string iro, team;
    absl::flat_hash_set<std::string> seen_reviews;
    absl::flat_hash_set<uint64_t> chain_met_positions;
    for (const Obligation& o : c.deadlines.obligations) {
      if (chain.count(o.rule_id) && o.met_by_position) chain_met_positions.insert(*o.met_by_position);
    }
    absl::flat_hash_set<uint64_t> notice_findings;
    absl::flat_hash_set<std::string> out_of_timescale_reviews;
    for (const Finding& f : c.deadlines.findings) {
      switch (rules.TagOf(f.rule_id)) {
        case v1::QA_POSTPONEMENT_NOTICE: notice_findings.insert(f.position); break;
        case v1::QA_POSTPONEMENT_OUT_OF_TIMESCALE:
          out_of_timescale_reviews.insert(f.review_id);
          break;
        default: break;
      }
      if (In(f.on, from, to)) ++r.findings[f.rule_id];
    }
    std::set<std::string> postponed;
    for (const DatedEvent& it : items) {
      const v1::Event& e = *it.event;
      if (it.day > to) break;
      switch (e.payload_case()) {
        case v1::Event::kChildAccommodated:
          if (periods.empty() || periods.back().second) periods.push_back({it.day, std::nullopt});
          break;
        case v1::Event::kChildCeasedLookedAfter:
          if (!periods.empty() && !periods.back().second) periods.back().second = it.day;
          break;
        case v1::Event::kIroAllocated: iro = e.iro_allocated().iro_id(); break;
        case v1::Event::kSocialWorkerAllocated: team = e.social_worker_allocated().team(); break;
        case v1::Event::kReviewHeld: {
          if (!seen_reviews.insert(e.review_held().review_id()).second) break;
          if (!In(it.day, from, to)) break;
          ++r.participation[e.review_held().participation()];
          if (!chain_met_positions.contains(e.position())) {
            ++r.reviews_outside_period;
            ++r.findings[kOutsidePeriodRule];
          }
          break;
        }
        case v1::Event::kReviewPostponementRequested: {
          if (!In(it.day, from, to)) break;
          const auto& q = e.review_postponement_requested();
          ++r.postponements.requested;
          ++r.postponements.by_requester[v1::Role_Name(q.requested_by())];
          if (!notice_findings.contains(e.position())) ++r.postponements.with_notice;
          postponed.insert(q.review_id());
          break;
        }
        case v1::Event::kReviewPostponementApproved:
          if (!In(it.day, from, to)) break;
          ++r.postponements.approvals;
          if (e.actor().role() == v1::SERVICE_MANAGER)
            ++r.postponements.approved_by_service_manager;
          break;
        default: break;
      }
    }
    r.postponements.postponed_reviews += postponed.size();
    for (const std::string& rid : postponed)
      if (out_of_timescale_reviews.count(rid)) ++r.postponements.out_of_timescale;

    // NI 66 shape.
    bool eligible = false;
    for (const auto& [start, end] : periods) {
      const absl::CivilDay a = std::max(start, from);
      const absl::CivilDay b = std::min(end.value_or(to), to);
      if (b - a >= 28) eligible = true;
    }
    bool all_on_time = true;

    for (const Obligation& o : c.deadlines.obligations) {
      const bool is_chain = chain.count(o.rule_id) > 0;
      if (is_chain) {
        if (In(o.due, from, to) &&
            (o.status == ObligationStatus::kMetLate || o.status == ObligationStatus::kOverdue))
          all_on_time = false;
        if (o.met_on && In(*o.met_on, from, to)) {
          auto& line = review_lines[o.rule_id];
          line.rule = o.rule_id;
          const bool on_time = o.status == ObligationStatus::kMet;
          ++line.held;
          line.on_time += on_time;
          auto& m = months[{static_cast<int>(o.met_on->year()), o.met_on->month()}];
          ++m.held;
          m.on_time += on_time;
        }
      }
      const v1::QaTag tag = rules.TagOf(o.rule_id);
      auto tl = tag == v1::QA_TASK ? task_lines.find(o.rule_id) : task_lines.end();
      const bool is_redate = tag == v1::QA_POSTPONEMENT_REDATED;
      if ((tl != task_lines.end() || is_redate) && In(o.due, from, to)) {
        const bool met = o.status == ObligationStatus::kMet;
        const bool late = o.status == ObligationStatus::kMetLate;
        const bool overdue = o.status == ObligationStatus::kOverdue;
        if (met || late || overdue) {
          if (is_redate) {
            ++r.postponements.redate_due;
            r.postponements.redated_on_time += met;
          } else if (o.short_notice) {
            // Born after its counted due date: not a late task (TaskLine).
            ++tl->second.short_notice;
            tl->second.short_notice_met_before_review += met;
          } else {
            ++tl->second.due;
            tl->second.met += met;
            tl->second.met_late += late;
            tl->second.overdue += overdue;
          }
        }
      }
      // Pending now: overdue and not stopped, or open and due soon.
      const std::string who_iro = iro.empty() ? "unallocated" : iro;
      const std::string who_team = team.empty() ? "unallocated" : team;
      if (o.status == ObligationStatus::kOverdue && !o.closed_on && !o.met_on) {
        r.pending.push_back({c.case_id, o.rule_id, o.review_id, o.due, true, to - o.due, who_iro,
                             who_team});
        ++r.by_iro[who_iro].overdue;
        ++r.by_team[who_team].overdue;
        ++r.overdue_now;
      } else if (o.status == ObligationStatus::kOpen && o.due >= to &&
                 o.due <= cal.AddWorkingDays(c.deadlines.division, to, kDueSoonWorkingDays)) {
        r.pending.push_back({c.case_id, o.rule_id, o.review_id, o.due, false, 0, who_iro,
                             who_team});
        ++r.by_iro[who_iro].due_soon;
        ++r.by_team[who_team].due_soon;
        ++r.due_soon;
      }
    }
    if (eligible) {
      ++r.ni66_children;
      r.ni66_on_time += all_on_time;
    }
  }
}

QaReport QaReportBuilder::Finish() {
  QaReport r = std::move(r_);
  auto& review_lines = review_lines_;
  auto& task_lines = task_lines_;
  auto& months = months_;
  const std::vector<std::string>& chain = layout_->chain_order;
  for (const std::string& id : chain) {
    auto it = review_lines.find(id);
    r.reviews.push_back(it == review_lines.end() ? QaReport::ReviewLine{id, 0, 0} : it->second);
  }
  for (const auto& [id, line] : review_lines) {
    if (std::find(chain.begin(), chain.end(), id) == chain.end()) r.reviews.push_back(line);
  }
  for (const auto& line : r.reviews) {
    r.reviews_held += line.held;
    r.reviews_on_time += line.on_time;
  }
  // The layout's task lines in its order, then those only other packs tag.
  std::vector<std::string> tasks = layout_->tasks;
  for (const auto& [id, line] : task_lines) AddOnce(tasks, id);
  for (const std::string& t : tasks) {
    r.tasks.push_back(task_lines[t]);
    r.tasks_due += task_lines[t].due;
    r.tasks_met += task_lines[t].met;
    r.tasks_short_notice += task_lines[t].short_notice;
    r.tasks_short_notice_met_before_review += task_lines[t].short_notice_met_before_review;
  }
  for (const auto& [k, m] : months) r.trend.push_back(m);
  std::stable_sort(r.pending.begin(), r.pending.end(),
                   [](const QaReport::Pending& a, const QaReport::Pending& b) {
                     if (a.overdue != b.overdue) return a.overdue;
                     if (a.overdue) {
                       if (a.days_overdue != b.days_overdue) return a.days_overdue > b.days_overdue;
                     } else if (a.due != b.due) {
                       return a.due < b.due;
                     }
                     if (a.case_id != b.case_id) return a.case_id < b.case_id;
                     return a.rule < b.rule;
                   });
  return r;
}

const std::vector<std::pair<std::string, std::string>>& QaDefinitions() {
  static const auto* d = new std::vector<std::pair<std::string, std::string>>{
      {"reviewsHeld",
       "Reviews held in the period that count in a child's review chain (review.initial: 20 "
       "working days after becoming looked after; review.second: 3 months after the first; "
       "review.subsequent: 6 months after the previous). Within timescale = held on or before "
       "the due date (status MET); held after it = MET_LATE."},
      {"reviewsOutsidePeriod",
       "Reviews held in the period while the child had no open period of care (no episode): "
       "not judged for timeliness; each is a finding review.outside_period_of_care."},
      {"ni66",
       "NI 66 shape: children looked after for at least 4 weeks (28 days) of the period in one "
       "period of care; on time = every review-chain obligation due in the period was met on or "
       "before its due date (none MET_LATE or OVERDUE)."},
      {"tasks",
       "Pre- and post-review tasks (iro.notify, iro.allocate, review.invitations, "
       "review.documents, review.decisions, review.minutes) that fell due in the period and did "
       "not stop applying: on time = MET by the due date; late = MET_LATE; still undone = "
       "OVERDUE. A task counted back from a review booked at shorter notice than that (a pack rule "
       "with short_notice: DUE_BEFORE_REVIEW re-dates it to the day before the review) is "
       "counted apart as booked at short notice, with how many were met before the review: "
       "not as late, and in none of the other counts."},
      {"postponements",
       "Postponement requests dated in the period, by the role that asked. Notice: no "
       "postponement.notice finding (at least 5 working days before the review date). Service "
       "Manager: approvals dated in the period whose actor was a SERVICE_MANAGER. Re-dated "
       "within 3 working days: postponement.rearranged obligations due in the period that were "
       "MET. Out of timescale: postponed reviews with a postponement.out_of_timescale finding "
       "(re-dated after the statutory due date)."},
      {"participation",
       "Reviews held in the period (each reviewId once, in or outside a period of care) by "
       "SSDA903 participation code PN0-PN7."},
      {"findings", "Findings (practice breaches, rules.md) dated in the period, by rule id."},
      {"pending",
       "Obligations overdue at the end of the period and not stopped (days overdue = period end "
       "- due date), and open ones due within the next 10 working days; by the child's current "
       "IRO (iroAllocated) and social-work team (socialWorkerAllocated), else \"unallocated\"."},
      {"trend", "Per calendar month: reviews held (as in reviewsHeld) and the % within timescale."},
      {"placements3Plus",
       "Placement stability, short term (the DfE's children looked after measure: 3 or more "
       "placements during the year): of the children looked after at the end of the report's end "
       "date, those who were in 3 or more placements in the year. The year is the 12 months "
       "ending on the end date, whatever the report's period, because the measure is annual (a "
       "report to 31 March counts the DfE's April to March year). Counted: the placement the "
       "child was in when the year began and every placement that started in it while the child "
       "was looked after, in any period of care (a re-entry's placements count too). A period's "
       "first placement is the one the child was accommodated into (childAccommodated's "
       "placement type; a placementStarted the same day is that placement recorded again, as "
       "import-903 writes it); a placementStarted with RNE L (change of legal status only) or "
       "the current placement's own placementId continues that placement. Corrected events "
       "count as corrected (type and date); retracted ones not at all."},
      {"longTermStability",
       "Placement stability, long term (the DfE's children looked after long-term stability "
       "measure): of the children under 16 at the end date who had been looked after "
       "continuously for at least 2.5 years (their period of care started on or before the end "
       "date less 30 months; the denominator), those who have been in the same placement for at "
       "least 2 years (it started on or before the end date less 24 months, counted as in "
       "placements3Plus) or are placed for adoption (current placement type A3-A6). Age is from "
       "the date of birth on childRegistered or childAccommodated; a child looked after 2.5 "
       "years or more with none recorded is counted apart (noDateOfBirth), in neither figure. "
       "The DfE also adds an adoptive placement's time to the placement before it; carelog "
       "counts every child placed for adoption."},
  };
  return *d;
}

}  // namespace carelog
