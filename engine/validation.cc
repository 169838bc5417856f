#include "engine/validation.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/calendar.h"
#include "engine/code_lists.h"
#include "engine/event_json.h"
#include "engine/event_time.h"
#include "engine/limits.h"
#include "google/protobuf/descriptor.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The field rules of every payload, as data: which fields a sender must
// give, which hold dates, which hold SSDA903 codes. Names are the JSON names.
struct FieldRule {
  std::string_view payload;
  std::string_view field;
  // kKnownEnum: optional; when given, one of the enum's declared values (a
  // binary sender can put any number in an open enum).
  // kOptionalCode: an SSDA903 code when given (issue 17's fields).
  enum Kind {
    kRequired,
    kDate,
    kRequiredDate,
    kCode,
    kOptionalCode,
    kSignificantKind,
    kKnownEnum
  } kind;
  CodeList list = CodeList::kLegalStatus;
  // For dates: the plausible range (engine/limits.h says why each).
  // kPast: on or before the event's own day (kBirth's bounds, for dates
  // that are not births).
  enum class Range { kAny, kBirth, kBirthOrExpected, kOtherBirth, kSchedule, kPast } range =
      Range::kAny;
};
using Range = FieldRule::Range;

constexpr FieldRule kFieldRules[] = {
    {"childAccommodated", "legalStatus", FieldRule::kCode, CodeList::kLegalStatus},
    {"childAccommodated", "placementType", FieldRule::kCode, CodeList::kPlacement},
    {"childAccommodated", "dateOfBirth", FieldRule::kDate, {}, Range::kBirth},
    {"childAccommodated", "cin", FieldRule::kOptionalCode, CodeList::kCategoryOfNeed},
    {"childAccommodated", "provider", FieldRule::kOptionalCode, CodeList::kProvider},
    {"childAccommodated", "previousPermanence", FieldRule::kOptionalCode,
     CodeList::kPreviousPermanence},
    {"childAccommodated", "previousPermanenceDate", FieldRule::kDate, {}, Range::kPast},
    {"childCeasedLookedAfter", "reason", FieldRule::kCode, CodeList::kReasonCeased},
    {"iroAllocated", "iroId", FieldRule::kRequired},
    {"reviewScheduled", "reviewId", FieldRule::kRequired},
    {"reviewScheduled", "scheduledFor", FieldRule::kRequiredDate, {}, Range::kSchedule},
    {"reviewScheduled", "format", FieldRule::kRequired},
    {"reviewScheduled", "stage", FieldRule::kKnownEnum},
    {"invitationsSent", "reviewId", FieldRule::kRequired},
    {"reviewDocumentsProvided", "reviewId", FieldRule::kRequired},
    {"reviewHeld", "reviewId", FieldRule::kRequired},
    {"reviewHeld", "participation", FieldRule::kCode, CodeList::kParticipation},
    {"reviewHeld", "stage", FieldRule::kKnownEnum},
    {"reviewDecisionsRecorded", "reviewId", FieldRule::kRequired},
    {"reviewMinutesCompleted", "reviewId", FieldRule::kRequired},
    {"reviewPostponementRequested", "reviewId", FieldRule::kRequired},
    {"reviewPostponementRequested", "requestedBy", FieldRule::kRequired},
    {"reviewPostponementRequested", "reason", FieldRule::kRequired},
    {"reviewPostponementApproved", "reviewId", FieldRule::kRequired},
    {"reviewPostponementRejected", "reviewId", FieldRule::kRequired},
    {"reviewRearranged", "reviewId", FieldRule::kRequired},
    {"reviewRearranged", "newDate", FieldRule::kRequiredDate, {}, Range::kSchedule},
    {"reviewCancelled", "reviewId", FieldRule::kRequired},
    {"reviewCancelled", "reason", FieldRule::kRequired},
    {"childRegistered", "dateOfBirth", FieldRule::kRequiredDate, {}, Range::kBirthOrExpected},
    {"childRegistered", "motherChildDob", FieldRule::kDate, {}, Range::kOtherBirth},
    {"legalStatusChanged", "legalStatus", FieldRule::kCode, CodeList::kLegalStatus},
    {"placementStarted", "placementType", FieldRule::kCode, CodeList::kPlacement},
    {"socialWorkerAllocated", "socialWorkerId", FieldRule::kRequired},
    {"socialWorkerAllocated", "reason", FieldRule::kOptionalCode, CodeList::kSocialWorkerChange},
    {"adoptionDecisionReversed", "reason", FieldRule::kCode, CodeList::kAdoptionDecisionReversed},
    {"significantEventReported", "kind", FieldRule::kSignificantKind},
    {"earlyReviewConsidered", "significantEventId", FieldRule::kRequired},
    {"disputeRaised", "reviewId", FieldRule::kRequired},
    {"disputeResolved", "reviewId", FieldRule::kRequired},
    {"managerResponded", "reviewId", FieldRule::kRequired},
    {"permanenceRecommended", "plan", FieldRule::kRequired},
    {"panelDecision", "decision", FieldRule::kRequired},
    {"eventRetracted", "eventId", FieldRule::kRequired},
    {"eventRetracted", "reason", FieldRule::kRequired},
    {"eventCorrected", "eventId", FieldRule::kRequired},
    {"eventCorrected", "reason", FieldRule::kRequired},
    {"eventCorrected", "replacement", FieldRule::kRequired},
};

// 001 §2.3: the circumstances in which an IRO considers an early review.
constexpr std::string_view kSignificantKinds[] = {
    "CHANGE_OF_PLAN",  "DECISIONS_NOT_IMPLEMENTED", "CONTACT_CHANGE", "CHANGE_OF_SOCIAL_WORKER",
    "SECTION_47",      "COMPLAINT",     "PLACEMENT_DISRUPTION", "FAMILY_EVENT",
    "OFFENCE",         "SCHOOL_EXCLUSION", "MISSING",       "HEALTH_EVENT",
    "PANEL_DECISION",
};

// Payloads that act on a review introduced earlier (reviewScheduled and
// reviewHeld introduce one).
constexpr std::string_view kReviewActs[] = {
    "invitationsSent",          "reviewDocumentsProvided",     "reviewDecisionsRecorded",
    "reviewMinutesCompleted",   "reviewPostponementRequested", "reviewPostponementApproved",
    "reviewPostponementRejected", "reviewRearranged",          "reviewCancelled",
};
// Payloads whose reviewId is optional (the act need not be for one review)
// but, when given, names a review introduced earlier, like the acts above.
constexpr std::string_view kOptionalReviewActs[] = {
    "prePermanenceReportSent",
    "reportsSentToLegalAndParents",
};

absl::Status FieldError(std::string_view path, std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("field '", std::string(path), "': ", std::string(reason)));
}

// A byte of the id alphabet of engine/limits.h: printable ASCII, no space.
constexpr bool IsIdByte(unsigned char c) { return c >= 0x21 && c <= 0x7e; }

// CheckId's verdict without its message: the common case, checked for
// every id of every event before any path is spelled out.
bool IdIsPlain(std::string_view id) {
  return id.size() <= kMaxIdBytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return IsIdByte(static_cast<unsigned char>(c)); });
}

// The id alphabet of engine/limits.h. The message names the first byte
// refused by position and value, never the byte itself: it may be an escape
// sequence meant for the terminal that shows the message.
absl::Status CheckId(std::string_view path, std::string_view id) {
  static constexpr char kAlphabet[] =
      "ids are 1 to 128 bytes of printable ASCII (letters, digits, punctuation; no spaces, "
      "control characters or accented letters)";
  static_assert(kMaxIdBytes == 128, "update the message above");
  if (id.size() > kMaxIdBytes) {
    return FieldError(path, absl::StrCat(id.size(), " bytes long: ", kAlphabet));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (IsIdByte(c)) continue;
    const std::string what =
        c == ' '    ? "a space"
        : c < 0x20 || c == 0x7f ? absl::StrFormat("control character 0x%02X", c)
                                : absl::StrFormat("byte 0x%02X (not ASCII)", c);
    return FieldError(path, absl::StrCat(what, " at byte ", i + 1, ": ", kAlphabet,
                                         c >= 0x80 ? "; the same name can be encoded in several "
                                                     "ways outside ASCII, which would make two "
                                                     "streams of one"
                                                   : ""));
  }
  return absl::OkStatus();
}

// Every id of `m`'s own fields (strings named "id" or "..._id"), when given.
// `m`, of type `d` with reflection `refl`, sits at `prefix` + `name`
// ("eventCorrected.replacement." "reviewHeld"), spelled out only for an error.
absl::Status CheckIdFields(const Message& m, const google::protobuf::Descriptor* d,
                           const google::protobuf::Reflection* refl, std::string_view prefix,
                           std::string_view name) {
  // The id fields of each message type, found once per thread: this runs
  // for every event of an import.
  thread_local absl::flat_hash_map<const google::protobuf::Descriptor*,
                                   std::vector<const FieldDescriptor*>>
      id_fields;
  auto [it, added] = id_fields.try_emplace(d);
  if (added) {
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING || f->is_repeated()) continue;
      const std::string& name = f->name();
      if (name == "id" || (name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0)) {
        it->second.push_back(f);
      }
    }
  }
  for (const FieldDescriptor* f : it->second) {
    const std::string& value = refl->GetStringReference(m, f, nullptr);
    if (value.empty() || IdIsPlain(value)) continue;  // presence is the field rules' business
    RETURN_IF_ERROR(CheckId(
        absl::StrCat(std::string(prefix), std::string(name), ".", f->json_name()), value));
  }
  return absl::OkStatus();
}

// What CheckDate allows for `range`, given the event's date and today.
struct DateBounds {
  absl::CivilDay first, last;
};
DateBounds BoundsFor(Range range, absl::CivilDay event_day, absl::CivilDay today) {
  const absl::CivilDay earliest(kEarliestYear, 1, 1);
  switch (range) {
    case Range::kBirth:
    case Range::kPast: return {earliest, event_day};
    case Range::kBirthOrExpected: return {earliest, event_day + kMaxDaysBeforeBirth};
    case Range::kOtherBirth: return {earliest, today + kMaxDaysBeforeBirth};
    case Range::kSchedule: {
      // Same month and day kScheduleYears away (29 February: the 28th or the 1st).
      const absl::CivilDay back(event_day.year() - kScheduleYears, event_day.month(),
                                event_day.day());
      const absl::CivilDay ahead(event_day.year() + kScheduleYears, event_day.month(),
                                 event_day.day());
      return {std::max(earliest, back), ahead};
    }
    case Range::kAny: break;
  }
  return {earliest, absl::CivilDay(9999, 12, 31)};
}

const Message* PayloadMessage(const v1::Event& e, const FieldDescriptor** field) {
  // Every Event's, kept: asking each event checks that the descriptors are assigned.
  static const google::protobuf::Reflection* const refl = v1::Event::GetReflection();
  static const google::protobuf::OneofDescriptor* const payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  *field = refl->GetOneofFieldDescriptor(e, payload);
  return *field == nullptr ? nullptr : &refl->GetMessage(e, *field);
}

// `refl` is m's reflection (each GetReflection() call checks that the
// descriptors are assigned, and this runs for every rule of every event).
bool HasValue(const Message& m, const google::protobuf::Reflection* refl, const FieldDescriptor* f) {
  if (f->is_repeated()) return refl->FieldSize(m, f) > 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return !refl->GetStringReference(m, f, &scratch).empty();
    }
    case FieldDescriptor::CPPTYPE_ENUM: return refl->GetEnumValue(m, f) != 0;
    case FieldDescriptor::CPPTYPE_MESSAGE: return refl->HasField(m, f);
    default: return true;
  }
}

std::string ReviewIdOf(const Message& payload) {
  const FieldDescriptor* f = payload.GetDescriptor()->FindFieldByName("review_id");
  return f == nullptr ? std::string() : payload.GetReflection()->GetString(payload, f);
}

// kFieldRules for one payload, each with its field: resolved once per
// payload and thread, not per event (finding a field by name, and spelling
// out each rule's path whether or not it failed, were ~4% of an import).
struct ResolvedRule {
  const FieldRule* rule;
  const FieldDescriptor* field;  // null: the schema has no such field
};
const std::vector<ResolvedRule>& RulesFor(const google::protobuf::Descriptor* payload,
                                          std::string_view name) {
  // Node-based: the caller holds one entry while later calls add others.
  thread_local absl::node_hash_map<std::string, std::vector<ResolvedRule>> by_payload;
  const absl::string_view key(name.data(), name.size());
  if (auto it = by_payload.find(key); it != by_payload.end()) return it->second;
  std::vector<ResolvedRule> rules;
  for (const FieldRule& rule : kFieldRules) {
    if (rule.payload != name) continue;
    rules.push_back(ResolvedRule{
        &rule, payload->FindFieldByCamelcaseName(std::string(rule.field))});
  }
  return by_payload.emplace(std::string(name), std::move(rules)).first->second;
}

// `payload` is the Event's field `pf`.
absl::Status CheckPayloadFields(const Message& payload, const FieldDescriptor* pf,
                                absl::CivilDay event_day, absl::CivilDay today,
                                std::string_view prefix) {
  const std::string& name = pf->json_name();
  const google::protobuf::Descriptor* desc = pf->message_type();
  const google::protobuf::Reflection* refl = payload.GetReflection();
  RETURN_IF_ERROR(CheckIdFields(payload, desc, refl, prefix, name));
  for (const auto& [rule_ptr, f] : RulesFor(desc, name)) {
    const FieldRule& rule = *rule_ptr;
    const auto path = [&] {
      return absl::StrCat(std::string(prefix), std::string(name), ".", std::string(rule.field));
    };
    const bool present = f != nullptr && HasValue(payload, refl, f);
    const bool required = rule.kind != FieldRule::kDate && rule.kind != FieldRule::kKnownEnum &&
                          rule.kind != FieldRule::kOptionalCode;
    if (!present) {
      if (required) return FieldError(path(), "missing required field");
      continue;
    }
    if (rule.kind == FieldRule::kKnownEnum) {
      const int number = refl->GetEnumValue(payload, f);
      if (f->enum_type()->FindValueByNumber(number) == nullptr) {
        return FieldError(path(), absl::StrCat("unknown value ", number, " (not a ",
                                               f->enum_type()->name(), ")"));
      }
      continue;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) continue;
    std::string scratch;
    const std::string& value = refl->GetStringReference(payload, f, &scratch);
    switch (rule.kind) {
      case FieldRule::kDate:
      case FieldRule::kRequiredDate: {
        auto day = ParseDate(value);
        if (!day.ok()) return FieldError(path(), absl::StrCat("bad date '", value, "': want YYYY-MM-DD"));
        const DateBounds b = BoundsFor(rule.range, event_day, today);
        if (*day < b.first || *day > b.last) {
          return FieldError(path(), absl::StrCat(value, " is outside ", absl::FormatCivilTime(b.first),
                                               " to ", absl::FormatCivilTime(b.last),
                                               ", the dates accepted here (see engine/limits.h)"));
        }
        break;
      }
      case FieldRule::kCode:
      case FieldRule::kOptionalCode: {
        absl::Status s = CheckCode(rule.list, value, event_day);
        if (!s.ok()) return FieldError(path(), std::string(s.message()));
        break;
      }
      case FieldRule::kSignificantKind: {
        if (std::find(std::begin(kSignificantKinds), std::end(kSignificantKinds), value) !=
            std::end(kSignificantKinds)) {
          break;
        }
        std::string all;
        for (std::string_view k : kSignificantKinds) {
          absl::StrAppend(&all, all.empty() ? "" : ", ", std::string(k));
        }
        return FieldError(path(), absl::StrCat("unknown significant event kind '", value,
                                               "' (001 §2.3 list: ", all, ")"));
      }
      case FieldRule::kRequired:
      case FieldRule::kKnownEnum:
        break;
    }
  }
  return absl::OkStatus();
}

// No instant before kEarliestYear (engine/limits.h).
absl::Status CheckEarliest(std::string_view path, absl::Time t) {
  static const absl::Time earliest =
      absl::FromCivil(absl::CivilSecond(kEarliestYear, 1, 1), absl::UTCTimeZone());
  if (t >= earliest) return absl::OkStatus();
  const absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  return FieldError(path, absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ is before %04d-01-01, "
                                          "the earliest instant accepted",
                                          c.year(), c.month(), c.day(), c.hour(), c.minute(),
                                          c.second(), kEarliestYear));
}

}  // namespace

absl::Status ValidateContent(const v1::Event& e, absl::Time now) {
  if (e.event_id().empty()) return FieldError("eventId", "missing required field");
  if (e.case_id().empty()) return FieldError("caseId", "missing required field");
  // By name, not CheckIdFields: the envelope's descriptor also lists every
  // payload, and this runs for every event of an import.
  RETURN_IF_ERROR(CheckId("eventId", e.event_id()));
  RETURN_IF_ERROR(CheckId("caseId", e.case_id()));
  if (!e.correlation_id().empty()) RETURN_IF_ERROR(CheckId("correlationId", e.correlation_id()));
  if (!e.causation_id().empty()) RETURN_IF_ERROR(CheckId("causationId", e.causation_id()));
  // Streams named "$..." are the store's own (e.g. the access log).
  if (e.case_id()[0] == '$') return FieldError("caseId", "must not start with '$' (reserved)");
  // Binary senders (gRPC) could set what only the store sets.
  if (e.has_recorded_at()) return FieldError("recordedAt", "is set by the store; senders must not send it");
  if (e.position() != 0) return FieldError("position", "is set by the store; senders must not send it");
  if (e.version() != 0) return FieldError("version", "is set by the store; senders must not send it");
  if (!e.has_occurred_at()) return FieldError("occurredAt", "missing required field");
  if (!e.has_actor()) return FieldError("actor", "missing required field");
  if (e.actor().id().empty()) return FieldError("actor.id", "missing required field");
  RETURN_IF_ERROR(CheckId("actor.id", e.actor().id()));
  if (e.actor().role() == v1::ROLE_UNSPECIFIED) return FieldError("actor.role", "missing required field");
  const absl::Time occurred = ToTime(e.occurred_at());
  RETURN_IF_ERROR(CheckEarliest("occurredAt", occurred));
  if (occurred > now + kClockSkew) {
    return FieldError("occurredAt",
                      absl::StrCat("in the future (", absl::FormatTime(absl::RFC3339_sec, occurred,
                                                                        absl::UTCTimeZone()),
                                   " is after now + 5 minutes)"));
  }
  const FieldDescriptor* pf = nullptr;
  const Message* payload = PayloadMessage(e, &pf);
  if (payload == nullptr) return absl::InvalidArgumentError("no payload: an event carries exactly one");
  const absl::CivilDay day = LondonDate(e.occurred_at());
  // An import validates every event at one `now`: its London date is kept
  // per thread rather than worked out per event (~0.7% of an import).
  thread_local std::optional<std::pair<absl::Time, absl::CivilDay>> today_of;
  if (!today_of.has_value() || today_of->first != now) today_of.emplace(now, LondonToday(now));
  const absl::CivilDay today = today_of->second;
  absl::Status s = CheckPayloadFields(*payload, pf, day, today, "");
  if (!s.ok()) return s;
  if (e.has_event_corrected()) {
    const v1::Event& r = e.event_corrected().replacement();
    const FieldDescriptor* rf = nullptr;
    const Message* rp = PayloadMessage(r, &rf);
    if (rp == nullptr) {
      return FieldError("eventCorrected.replacement", "carries no payload: give the corrected one");
    }
    if (r.has_event_corrected() || r.has_event_retracted()) {
      return FieldError("eventCorrected.replacement", "cannot itself be a correction");
    }
    if (r.has_occurred_at() && ToTime(r.occurred_at()) > now + kClockSkew) {
      return FieldError("eventCorrected.replacement.occurredAt", "in the future");
    }
    if (r.has_occurred_at()) {
      RETURN_IF_ERROR(CheckEarliest("eventCorrected.replacement.occurredAt", ToTime(r.occurred_at())));
    }
    const absl::CivilDay rday = r.has_occurred_at() ? LondonDate(r.occurred_at()) : day;
    s = CheckPayloadFields(*rp, rf, rday, today, "eventCorrected.replacement.");
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateAgainstState(const v1::Event& e, const CaseState& state) {
  const std::string& name = PayloadName(e);
  if (e.has_child_accommodated() && state.looked_after) {
    return absl::FailedPreconditionError(
        "childAccommodated: the child is already looked after (the open period of care must end "
        "with childCeasedLookedAfter first)");
  }
  if (e.has_child_ceased_looked_after() && !state.looked_after) {
    return absl::FailedPreconditionError(
        "childCeasedLookedAfter: the child is not looked after (no open period of care)");
  }
  const auto is_act = [&name](std::string_view act) { return act == name; };
  const bool review_act = std::any_of(std::begin(kReviewActs), std::end(kReviewActs), is_act);
  const bool optional_review_act =
      std::any_of(std::begin(kOptionalReviewActs), std::end(kOptionalReviewActs), is_act);
  if (review_act || optional_review_act) {
    const FieldDescriptor* pf = nullptr;
    const std::string review = ReviewIdOf(*PayloadMessage(e, &pf));
    if ((review_act || !review.empty()) && !state.reviews.contains(review)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "field '", name, ".reviewId': review '", review,
          "' has not been introduced in this case's log (reviewScheduled or reviewHeld first)"));
    }
  }
  if (e.has_event_retracted() && !state.HasEvent(e.event_retracted().event_id())) {
    return absl::FailedPreconditionError(
        absl::StrCat("field 'eventRetracted.eventId': event '", e.event_retracted().event_id(),
                     "' is not in this case's log"));
  }
  if (e.has_event_corrected() && !state.HasEvent(e.event_corrected().event_id())) {
    return absl::FailedPreconditionError(
        absl::StrCat("field 'eventCorrected.eventId': event '", e.event_corrected().event_id(),
                     "' is not in this case's log"));
  }
  return absl::OkStatus();
}

uint64_t CaseState::IdHash(std::string_view id) {
  // FNV-1a: cheap and allocation-free; ample for one case's ids.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

absl::Status ValidateEvent(const v1::Event& e, const CaseState& state, absl::Time now) {
  absl::Status s = ValidateContent(e, now);
  if (!s.ok()) return s;
  return ValidateAgainstState(e, state);
}

void ApplyToState(const v1::Event& e, CaseState* state) {
  state->AddEvent(e.event_id());
  ApplyFactsToState(e, state);
}

void ApplyFactsToState(const v1::Event& e, CaseState* state) {
  if (e.has_child_accommodated()) state->looked_after = true;
  if (e.has_child_ceased_looked_after()) state->looked_after = false;
  if (e.has_review_scheduled()) state->reviews.insert(e.review_scheduled().review_id());
  if (e.has_review_held()) state->reviews.insert(e.review_held().review_id());
}

}  // namespace carelog
