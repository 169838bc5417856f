#include "engine/policy.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "engine/code_lists.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

using carelog::v1::PolicyPack;
using carelog::v1::Rule;

// Checks that count a number of units.
bool CheckNeedsAmount(carelog::v1::Check check) {
  switch (check) {
    case carelog::v1::POSTPONEMENT_NOTICE:
    case carelog::v1::CARE_PLAN_AUTHORISED:
    case carelog::v1::ANNUAL_REVIEW_MEETING:
    case carelog::v1::REDUCED_MEETING_ELIGIBILITY:
    case carelog::v1::RECORDED_LATE:
      return true;
    case carelog::v1::POSTPONEMENT_APPROVER:
    case carelog::v1::POSTPONEMENT_IRO_CONSULTED:
    case carelog::v1::REDATED_AFTER_STATUTORY_DUE:
    case carelog::v1::CEASE_APPROVAL:  // amount/unit optional: the least time looked after
    case carelog::v1::CHECK_UNSPECIFIED:
    // No default: a new check is a -Wswitch warning here until it is placed.
    case carelog::v1::Check_INT_MIN_SENTINEL_DO_NOT_USE_:
    case carelog::v1::Check_INT_MAX_SENTINEL_DO_NOT_USE_:
      return false;
  }
  return false;
}

// How a pack file spelled a value the loader refuses: the value's name, its
// number for a number no name has (`trigger: 42`), or "" when unset.
std::string Spelling(int value, const google::protobuf::EnumDescriptor* type) {
  if (value == 0) return "";
  const auto* v = type->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : v->name();
}

class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!first_.empty()) return;
    at_ = absl::StrCat(line + 1, ":", column + 1);
    message_ = message;
    first_ = absl::StrCat(at_, ": ", message);
  }
  // "line:column: message" of the first error.
  const std::string& first() const { return first_; }
  const std::string& at() const { return at_; }
  const std::string& message() const { return message_; }

 private:
  std::string first_, at_, message_;
};

absl::Status Invalid(const std::string& file, absl::string_view rule_id, absl::string_view problem) {
  if (rule_id.empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": ", problem));
  return absl::InvalidArgumentError(absl::StrCat(file, ": rule '", rule_id, "': ", problem));
}

// A text-format error, as "syntax: line:column: message". A name no
// vocabulary has (`trigger: PERIOD_BEGAN`) is said in the words of the
// loader's other refusals, naming the rule: the parser stops at the bad
// value, so the rule it was reading is the last one parsed, and its id is
// known when the id comes first, as in every pack.
absl::Status ParseError(const std::string& file, const PolicyPack& partial,
                        const ErrorCollector& errors) {
  static constexpr absl::string_view kPrefix = "Unknown enumeration value of \"";
  absl::string_view message = errors.message();
  if (absl::StartsWith(message, kPrefix)) {
    message.remove_prefix(kPrefix.size());
    const size_t value_end = message.find('"');
    static constexpr absl::string_view kField = "\" for field \"";
    if (value_end != absl::string_view::npos &&
        absl::StartsWith(message.substr(value_end), kField)) {
      const absl::string_view value = message.substr(0, value_end);
      absl::string_view field = message.substr(value_end + kField.size());
      field = field.substr(0, field.find('"'));
      if (field == "trigger" || field == "check" || field == "review_format" || field == "qa") {
        std::string rule_id;
        if (!partial.versions().empty() && !partial.versions().rbegin()->rules().empty())
          rule_id = partial.versions().rbegin()->rules().rbegin()->id();
        return Invalid(file, rule_id,
                       absl::StrCat("unknown ", field, " '", value, "' (at ", errors.at(), ")"));
      }
    }
  }
  return Invalid(file, "", absl::StrCat("syntax: ", errors.first()));
}

// The fields of issue 14's review semantics (review_stage, short_notice,
// until_next_review, earlier_acts_count, the emergency route): each only
// where the fold gives it a meaning.
absl::Status ValidateReviewFields(const std::string& file, const Rule& r) {
  const std::string& id = r.id();
  const bool obligation = r.kind() == carelog::v1::OBLIGATION;
  const carelog::v1::Trigger trigger = r.trigger();
  const bool milestone = trigger == carelog::v1::PERIOD_STARTED && r.met_by() == "reviewHeld";
  const bool one_review = obligation && (trigger == carelog::v1::REVIEW_SCHEDULED_DATE ||
                                         trigger == carelog::v1::REVIEW_HELD || milestone);
  if (!carelog::v1::ReviewStage_IsValid(r.review_stage()))
    return Invalid(file, id, absl::StrCat("unknown review_stage ", r.review_stage()));
  if (r.review_stage() != carelog::v1::REVIEW_STAGE_UNSPECIFIED) {
    if (!one_review)
      return Invalid(file, id,
                     "review_stage applies to REVIEW_SCHEDULED_DATE, REVIEW_HELD or "
                     "PERIOD_STARTED met by reviewHeld");
    if (r.review_stage() == carelog::v1::ADDITIONAL)
      return Invalid(file, id, "review_stage ADDITIONAL is no milestone a rule can be about");
  }
  if (!carelog::v1::ShortNotice_IsValid(r.short_notice()))
    return Invalid(file, id, absl::StrCat("unknown short_notice ", r.short_notice()));
  if (r.short_notice() != carelog::v1::SHORT_NOTICE_UNSPECIFIED &&
      !(obligation && trigger == carelog::v1::REVIEW_SCHEDULED_DATE))
    return Invalid(file, id, "short_notice applies to REVIEW_SCHEDULED_DATE (BEFORE) rules");
  if (r.until_next_review()) {
    if (!obligation || trigger != carelog::v1::REVIEW_HELD)
      return Invalid(file, id, "until_next_review applies to REVIEW_HELD obligations");
    if (r.met_by() == "reviewHeld")
      return Invalid(file, id, "until_next_review cannot be met by the review that closes it");
    if (r.amount() != 0 || r.unit() != carelog::v1::TIME_UNIT_UNSPECIFIED ||
        r.direction() != carelog::v1::DIRECTION_UNSPECIFIED)
      return Invalid(file, id,
                     "until_next_review takes no amount, unit or direction (due at the next "
                     "review)");
  }
  if (r.earlier_acts_count() &&
      !(obligation && trigger == carelog::v1::REVIEW_HELD && r.met_by() != "reviewHeld"))
    return Invalid(file, id,
                   "earlier_acts_count applies to REVIEW_HELD obligations not met by reviewHeld");
  const bool emergency_trigger = obligation && trigger == carelog::v1::EMERGENCY_POSTPONEMENT;
  if (r.exempt_emergency() &&
      !(r.kind() == carelog::v1::FINDING && r.check() == carelog::v1::POSTPONEMENT_NOTICE))
    return Invalid(file, id, "exempt_emergency applies to POSTPONEMENT_NOTICE");
  if ((r.exempt_emergency() || emergency_trigger) && r.emergency_roles().empty())
    return Invalid(file, id,
                   "the emergency route needs emergency_roles (whose on-the-day postponement it is)");
  if (!r.emergency_roles().empty() && !r.exempt_emergency() && !emergency_trigger)
    return Invalid(file, id,
                   "emergency_roles apply to POSTPONEMENT_NOTICE with exempt_emergency or "
                   "trigger EMERGENCY_POSTPONEMENT");
  return absl::OkStatus();
}

// True if `code` is in `list` in some collection year (a pack outlives the
// year it was written in).
bool KnownCode(CodeList list, const std::string& code) {
  for (int year = 2000; year <= 2040; ++year) {
    if (IsValidCode(list, code, absl::CivilDay(year, 4, 1))) return true;
  }
  return false;
}

// Events during which a placement is current: a placement_scoped rule's
// trigger (childAccommodated, placementEnded and childCeasedLookedAfter have
// none to belong to).
bool PlacementTrigger(const Rule& r) {
  return r.trigger() == carelog::v1::EVENT && r.trigger_event() != "childAccommodated" &&
         r.trigger_event() != "placementEnded" && r.trigger_event() != "childCeasedLookedAfter";
}

absl::Status ValidateApplies(const std::string& file, const Rule& r) {
  const carelog::v1::Applies& a = r.applies();
  for (const auto* codes : {&a.legal_status(), &a.not_legal_status()}) {
    for (const std::string& code : *codes) {
      if (!KnownCode(CodeList::kLegalStatus, code))
        return Invalid(file, r.id(), absl::StrCat("applies: unknown LS code '", code, "'"));
    }
  }
  for (const std::string& code : a.placement_type()) {
    if (!KnownCode(CodeList::kPlacement, code))
      return Invalid(file, r.id(), absl::StrCat("applies: unknown PLACE code '", code, "'"));
  }
  for (const std::string& code : a.ceased_reason()) {
    if (!KnownCode(CodeList::kReasonCeased, code))
      return Invalid(file, r.id(), absl::StrCat("applies: unknown REC code '", code, "'"));
  }
  if (a.short_term_placement() && a.not_short_term_placement())
    return Invalid(file, r.id(), "applies: short_term_placement and not_short_term_placement");
  if (a.min_age() < 0 || a.max_age() < 0 || a.within_placement_months() < 0 ||
      a.after_placement_months() < 0)
    return Invalid(file, r.id(), "applies: negative age or months");
  if (a.max_age() > 0 && a.max_age() <= a.min_age())
    return Invalid(file, r.id(), "applies: max_age not above min_age");
  const bool ceasing = r.kind() == carelog::v1::FINDING
                           ? r.check() == carelog::v1::CEASE_APPROVAL
                           : r.trigger() == carelog::v1::EVENT &&
                                 r.trigger_event() == "childCeasedLookedAfter";
  if ((a.unplanned_ending() || !a.ceased_reason().empty()) && !ceasing)
    return Invalid(file, r.id(),
                   "applies: unplanned_ending/ceased_reason need a childCeasedLookedAfter trigger");
  const bool review_held = r.kind() == carelog::v1::OBLIGATION &&
                           (r.trigger() == carelog::v1::REVIEW_HELD ||
                            r.trigger() == carelog::v1::FIRST_REVIEW_HELD ||
                            r.trigger() == carelog::v1::LATER_REVIEW_HELD ||
                            (r.trigger() == carelog::v1::EVENT && r.trigger_event() == "reviewHeld"));
  if (a.plan_not_agreed() && !review_held)
    return Invalid(file, r.id(), "applies: plan_not_agreed needs a reviewHeld trigger");
  if ((a.within_placement_months() > 0 || a.after_placement_months() > 0) && !r.placement_scoped())
    return Invalid(file, r.id(),
                   "applies: within/after_placement_months need placement_scoped");
  return absl::OkStatus();
}

absl::Status ValidateRule(const std::string& file, const Rule& r) {
  const std::string& id = r.id();
  if (id.empty()) return Invalid(file, "", "a rule has no id");
  if (r.source().document().empty()) return Invalid(file, id, "missing source document");
  if (r.source().section().empty()) return Invalid(file, id, "missing source section");
  if (r.basis() == carelog::v1::BASIS_UNSPECIFIED)
    return Invalid(file, id, "missing basis (STATUTORY, PRACTICE or CARELOG_DEFAULT)");
  if (r.amount() < 0) return Invalid(file, id, absl::StrCat("negative amount ", r.amount()));
  if (r.review_number() < 0)
    return Invalid(file, id, absl::StrCat("negative review_number ", r.review_number()));
  if (r.prior_act_window_working_days() < 0)
    return Invalid(file, id, "negative prior_act_window_working_days");
  if (r.review_format() != carelog::v1::REVIEW_FORMAT_UNSPECIFIED &&
      r.review_format() != carelog::v1::MEETING && r.review_format() != carelog::v1::CONSULTATION)
    return Invalid(file, id,
                   absl::StrCat("unknown review_format '",
                                Spelling(r.review_format(), carelog::v1::ReviewFormat_descriptor()),
                                "'"));
  if (!carelog::v1::QaTag_IsValid(r.qa()))
    return Invalid(file, id,
                   absl::StrCat("unknown qa '", Spelling(r.qa(), carelog::v1::QaTag_descriptor()),
                                "'"));
  for (const auto* roles : {&r.roles(), &r.emergency_roles()}) {
    for (const std::string& role : *roles) {
      carelog::v1::Role parsed;
      if (!carelog::v1::Role_Parse(role, &parsed) || parsed == carelog::v1::ROLE_UNSPECIFIED)
        return Invalid(file, id, absl::StrCat("unknown role '", role, "'"));
    }
  }
  RETURN_IF_ERROR(ValidateReviewFields(file, r));
  switch (r.kind()) {
    case carelog::v1::OBLIGATION: {
      const carelog::v1::Trigger trigger = r.trigger();
      if (trigger == carelog::v1::TRIGGER_UNSPECIFIED || !carelog::v1::Trigger_IsValid(trigger))
        return Invalid(file, id,
                       absl::StrCat("unknown trigger '",
                                    Spelling(trigger, carelog::v1::Trigger_descriptor()), "'"));
      if (trigger == carelog::v1::EVENT && !IsEventTypeName(r.trigger_event()))
        return Invalid(file, id, absl::StrCat("unknown trigger_event '", r.trigger_event(), "'"));
      if (trigger != carelog::v1::EVENT && !r.trigger_event().empty())
        return Invalid(file, id, "trigger_event is only for trigger EVENT");
      if (!IsEventTypeName(r.met_by()))
        return Invalid(file, id, absl::StrCat("unknown met_by event '", r.met_by(), "'"));
      if (r.unit() == carelog::v1::TIME_UNIT_UNSPECIFIED && !r.until_next_review())
        return Invalid(file, id, "missing unit");
      if (r.direction() == carelog::v1::DIRECTION_UNSPECIFIED && !r.until_next_review())
        return Invalid(file, id, "missing direction");
      const bool scheduled = trigger == carelog::v1::REVIEW_SCHEDULED_DATE;
      if (r.direction() == carelog::v1::BEFORE && !scheduled)
        return Invalid(file, id, "BEFORE applies only to trigger REVIEW_SCHEDULED_DATE");
      if (r.unit() == carelog::v1::HOURS &&
          (scheduled || r.direction() != carelog::v1::AFTER))
        return Invalid(file, id, "HOURS count only AFTER an event");
      // REVIEW_SCHEDULED_DATE: a BEFORE rule on one review of a track (the
      // review booked without a stage is counted as the next to be held).
      if (r.review_number() > 0 &&
          !(trigger == carelog::v1::REVIEW_HELD || scheduled ||
            (trigger == carelog::v1::PERIOD_STARTED && r.met_by() == "reviewHeld")))
        return Invalid(file, id,
                       "review_number applies to REVIEW_HELD, REVIEW_SCHEDULED_DATE or "
                       "PERIOD_STARTED met by reviewHeld");
      if (r.prior_act_window_working_days() > 0 && trigger != carelog::v1::PERIOD_STARTED)
        return Invalid(file, id, "prior_act_window_working_days applies to PERIOD_STARTED");
      if (r.check() != carelog::v1::CHECK_UNSPECIFIED)
        return Invalid(file, id, "check is only for findings");
      if (r.placement_scoped() && !PlacementTrigger(r))
        return Invalid(file, id,
                       "placement_scoped needs an EVENT trigger during a placement (not "
                       "childAccommodated, placementEnded or childCeasedLookedAfter)");
      break;
    }
    case carelog::v1::FINDING: {
      const carelog::v1::Check check = r.check();
      if (check == carelog::v1::CHECK_UNSPECIFIED || !carelog::v1::Check_IsValid(check))
        return Invalid(file, id,
                       absl::StrCat("unknown check '",
                                    Spelling(check, carelog::v1::Check_descriptor()), "'"));
      if (r.trigger() != carelog::v1::TRIGGER_UNSPECIFIED)
        return Invalid(file, id, "a finding has a check, not a trigger");
      if (CheckNeedsAmount(check) && r.unit() == carelog::v1::TIME_UNIT_UNSPECIFIED)
        return Invalid(file, id, "missing unit");
      if (r.unit() == carelog::v1::HOURS) return Invalid(file, id, "HOURS are not for findings");
      if (check == carelog::v1::POSTPONEMENT_APPROVER && r.roles().empty())
        return Invalid(file, id, "POSTPONEMENT_APPROVER needs roles");
      if (check == carelog::v1::CEASE_APPROVAL && r.roles().empty())
        return Invalid(file, id, "CEASE_APPROVAL needs roles");
      if (r.placement_scoped()) return Invalid(file, id, "placement_scoped is for obligations");
      if (!r.group().empty()) return Invalid(file, id, "group is for obligations");
      break;
    }
    default:
      return Invalid(file, id, "missing kind (OBLIGATION or FINDING)");
  }
  return ValidateApplies(file, r);
}

// Rules of one group make one obligation per trigger: they must share it.
absl::Status ValidateGroups(const std::string& file, const std::vector<const Rule*>& rules) {
  absl::flat_hash_map<std::string, const Rule*> first;
  for (const Rule* r : rules) {
    if (r->group().empty()) continue;
    auto [it, inserted] = first.emplace(r->group(), r);
    const Rule& f = *it->second;
    if (!inserted && (f.trigger() != r->trigger() || f.trigger_event() != r->trigger_event()))
      return Invalid(file, r->id(),
                     absl::StrCat("group '", r->group(), "' has another trigger than rule '",
                                  f.id(), "'"));
  }
  return absl::OkStatus();
}

struct ParsedPack {
  std::string file;
  PolicyPack pack;
  std::vector<absl::CivilDay> dates;  // of pack.versions()
};

// A retention rule names itself and its source and keeps a record at least
// as long as the law of either nation does (never 0 years).
absl::Status ValidateRetention(const std::string& file, const carelog::v1::RecordRetention& r) {
  if (r.id().empty()) return Invalid(file, "", "retention has no id");
  if (r.source().document().empty())
    return Invalid(file, r.id(), "retention has no source document");
  if (r.years_after_birth() <= 0 || r.years_after_death() <= 0 || r.died_before_age() <= 0)
    return Invalid(file, r.id(),
                   "retention needs years_after_birth, years_after_death and died_before_age > 0");
  if (r.years_after_birth() > 200 || r.years_after_death() > 200 || r.died_before_age() > 200)
    return Invalid(file, r.id(), "retention years over 200");
  return absl::OkStatus();
}

absl::StatusOr<ParsedPack> ParseAndValidate(const std::string& file, const std::string& text) {
  ParsedPack out;
  out.file = file;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &out.pack)) return ParseError(file, out.pack, errors);
  const PolicyPack& p = out.pack;
  if (p.name().empty()) return Invalid(file, "", "pack has no name");
  if (p.extends().empty() || !p.division().empty()) {
    auto d = ParseDivision(p.division());
    if (!d.ok()) return Invalid(file, "", absl::StrCat("unknown division '", p.division(), "'"));
  }
  if (p.versions().empty()) return Invalid(file, "", "pack has no versions");
  if (p.has_retention()) RETURN_IF_ERROR(ValidateRetention(file, p.retention()));
  for (const auto& v : p.versions()) {
    auto day = ParseDate(v.effective_from());
    if (!day.ok())
      return Invalid(file, "", absl::StrCat("bad effective_from '", v.effective_from(), "'"));
    if (!out.dates.empty() && *day <= out.dates.back())
      return Invalid(file, "",
                     absl::StrCat("versions out of date order at ", v.effective_from()));
    out.dates.push_back(*day);
    if (p.extends().empty() && !v.remove().empty())
      return Invalid(file, "", "remove is only for overlays");
    absl::flat_hash_set<std::string> ids;
    for (const Rule& r : v.rules()) {
      RETURN_IF_ERROR(ValidateRule(file, r));
      if (!ids.insert(r.id()).second)
        return Invalid(file, r.id(),
                       absl::StrCat("duplicate id in version ", v.effective_from()));
    }
    std::vector<const Rule*> rules;
    for (const Rule& r : v.rules()) rules.push_back(&r);
    RETURN_IF_ERROR(ValidateGroups(file, rules));
  }
  return out;
}

// Applies one overlay version on top of a base rule set.
std::vector<Rule> Overlay(const std::vector<Rule>& base, const carelog::v1::PolicyVersion& ov) {
  std::vector<Rule> out;
  for (const Rule& r : base) {
    if (std::find(ov.remove().begin(), ov.remove().end(), r.id()) != ov.remove().end()) continue;
    auto replaced = std::find_if(ov.rules().begin(), ov.rules().end(),
                                 [&](const Rule& o) { return o.id() == r.id(); });
    out.push_back(replaced == ov.rules().end() ? r : *replaced);
  }
  for (const Rule& o : ov.rules()) {
    if (std::none_of(base.begin(), base.end(), [&](const Rule& r) { return r.id() == o.id(); }))
      out.push_back(o);
  }
  return out;
}

}  // namespace

std::string_view EventTypeName(const carelog::v1::Event& event) {
  // Looked up once: a lookup by name costs more than the rest of this call.
  static const auto* oneof = carelog::v1::Event::descriptor()->FindOneofByName("payload");
  const auto* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
  if (field == nullptr) return "";
  return field->json_name();
}

bool IsEventTypeName(std::string_view name) {
  if (name.empty()) return false;
  const auto* oneof = carelog::v1::Event::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < oneof->field_count(); ++i) {
    if (oneof->field(i)->json_name() == name) return true;
  }
  return false;
}

const PolicyRuleSet& ResolvedPack::VersionOn(absl::CivilDay day) const {
  const PolicyRuleSet* best = &versions.front();
  for (const PolicyRuleSet& v : versions) {
    if (v.effective_from <= day) best = &v;
  }
  return *best;
}

absl::StatusOr<PolicyRegistry> PolicyRegistry::LoadEmbedded() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& [name, text] : EmbeddedPacks()) files.emplace_back(name, text);
  return Load(std::move(files));
}

absl::StatusOr<PolicyRegistry> PolicyRegistry::Load(
    std::vector<std::pair<std::string, std::string>> files) {
  std::map<std::string, ParsedPack, std::less<>> parsed;
  for (const auto& [file, text] : files) {
    ASSIGN_OR_RETURN(ParsedPack p, ParseAndValidate(file, text));
    auto it = parsed.find(p.pack.name());
    if (it != parsed.end())
      return Invalid(file, "",
                     absl::StrCat("pack '", p.pack.name(), "' is also defined in ", it->second.file));
    std::string name = p.pack.name();
    parsed.emplace(std::move(name), std::move(p));
  }

  PolicyRegistry registry;
  // Resolves `name`, its bases first; `chain` detects cycles.
  std::function<absl::Status(const std::string&, std::vector<std::string>&)> resolve =
      [&](const std::string& name, std::vector<std::string>& chain) -> absl::Status {
    if (registry.packs_.contains(name)) return absl::OkStatus();
    const ParsedPack& p = parsed.find(name)->second;
    auto pack = std::make_shared<ResolvedPack>();
    pack->name = name;
    if (p.pack.has_retention()) pack->retention = p.pack.retention();
    if (p.pack.extends().empty()) {
      pack->division = *ParseDivision(p.pack.division());
      for (int i = 0; i < p.pack.versions_size(); ++i) {
        const auto& v = p.pack.versions(i);
        pack->versions.push_back(
            {p.dates[i], 0, std::vector<Rule>(v.rules().begin(), v.rules().end())});
      }
    } else {
      const std::string& base_name = p.pack.extends();
      if (!parsed.contains(base_name))
        return Invalid(p.file, "", absl::StrCat("extends unknown pack '", base_name, "'"));
      if (std::find(chain.begin(), chain.end(), base_name) != chain.end())
        return Invalid(p.file, "", absl::StrCat("overlay cycle through '", base_name, "'"));
      chain.push_back(name);
      RETURN_IF_ERROR(resolve(base_name, chain));
      chain.pop_back();
      const ResolvedPack& base = *registry.packs_.find(base_name)->second;
      pack->division = base.division;
      if (!pack->retention) pack->retention = base.retention;
      if (!p.pack.division().empty() && *ParseDivision(p.pack.division()) != base.division)
        return Invalid(p.file, "", "division differs from the base pack's");
      std::set<absl::CivilDay> dates(p.dates.begin(), p.dates.end());
      for (const auto& v : base.versions) dates.insert(v.effective_from);
      for (absl::CivilDay d : dates) {
        const PolicyRuleSet& b = base.VersionOn(d);
        const carelog::v1::PolicyVersion* ov = nullptr;
        for (int i = 0; i < p.pack.versions_size(); ++i) {
          if (p.dates[i] <= d) ov = &p.pack.versions(i);
        }
        pack->versions.push_back({d, 0, ov ? Overlay(b.rules, *ov) : b.rules});
      }
      for (const auto& v : p.pack.versions()) {
        for (const std::string& id : v.remove()) {
          if (std::none_of(base.versions.begin(), base.versions.end(), [&](const auto& bv) {
                return std::any_of(bv.rules.begin(), bv.rules.end(),
                                   [&](const Rule& r) { return r.id() == id; });
              }))
            return Invalid(p.file, id, "removed but not in the base pack");
        }
      }
    }
    for (size_t i = 0; i < pack->versions.size(); ++i) pack->versions[i].number = i + 1;
    registry.packs_.emplace(name, std::move(pack));
    return absl::OkStatus();
  };
  for (const auto& [name, p] : parsed) {
    std::vector<std::string> chain;
    RETURN_IF_ERROR(resolve(name, chain));
  }
  return registry;
}

absl::StatusOr<const ResolvedPack*> PolicyRegistry::Find(std::string_view name) const {
  auto it = packs_.find(name);
  if (it == packs_.end())
    return absl::NotFoundError(absl::StrCat("no policy pack '", absl::string_view(name.data(), name.size()), "' (known: ",
                                            absl::StrJoin(Names(), ", "), ")"));
  return it->second.get();
}

std::vector<std::string> PolicyRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, p] : packs_) names.push_back(name);
  return names;
}

}  // namespace carelog
