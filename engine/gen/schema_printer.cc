#include "engine/gen/schema_printer.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/gen/json_text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace carelog::gen {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The bools stated even when false (schema_printer.h says why), in a line and in
// a replacement. Found by field number through the generated constants, so
// a renamed or removed field fails the build here.
template <typename M>
const FieldDescriptor* FieldOf(int number) {
  return M::descriptor()->FindFieldByNumber(number);
}

struct StatedFalse {
  std::vector<const FieldDescriptor*> in_line;
  std::vector<const FieldDescriptor*> in_replacement;
};

StatedFalse StatedFalseBools() {
  const FieldDescriptor* long_term =
      FieldOf<v1::PlacementStarted>(v1::PlacementStarted::kLongTermFieldNumber);
  const FieldDescriptor* seen_alone =
      FieldOf<v1::StatutoryVisit>(v1::StatutoryVisit::kSeenAloneFieldNumber);
  return StatedFalse{
      {long_term, FieldOf<v1::PlacementStarted>(v1::PlacementStarted::kConnectedPersonFieldNumber),
       FieldOf<v1::PlacementEnded>(v1::PlacementEnded::kUnplannedFieldNumber), seen_alone,
       FieldOf<v1::EarlyReviewConsidered>(v1::EarlyReviewConsidered::kBringForwardFieldNumber),
       FieldOf<v1::ManagerResponded>(v1::ManagerResponded::kAgreedFieldNumber),
       FieldOf<v1::ImmunisationsChecked>(v1::ImmunisationsChecked::kUpToDateFieldNumber),
       FieldOf<v1::SubstanceMisuseIdentified>(
           v1::SubstanceMisuseIdentified::kInterventionOfferedFieldNumber),
       FieldOf<v1::SubstanceMisuseIdentified>(
           v1::SubstanceMisuseIdentified::kInterventionReceivedFieldNumber)},
      {long_term, seen_alone}};
}

// Which bools are stated when false where the printer is.
enum class Within { kLine, kReplacement };

// How one message type is printed, worked out once per type (asking each of
// Event's 60 fields through reflection on every line tripled the generator's
// time): its members in declaration order, a oneof as one member (a oneof's
// fields are contiguous in a .proto, so the order is kept).
struct Member {
  const FieldDescriptor* field = nullptr;  // a field outside any oneof, or
  const google::protobuf::OneofDescriptor* oneof = nullptr;
  bool stated_false[2] = {false, false};  // indexed by Within
};
using Plan = std::vector<Member>;

// Keyed by the type's Reflection: one virtual call a message instead of two.
const absl::flat_hash_map<const Reflection*, Plan>& Plans() {
  static const auto* const plans = [] {
    auto* out = new absl::flat_hash_map<const Reflection*, Plan>();
    const StatedFalse bools = StatedFalseBools();
    auto stated = [](const std::vector<const FieldDescriptor*>& v, const FieldDescriptor* f) {
      return std::find(v.begin(), v.end(), f) != v.end();
    };
    std::vector<const Descriptor*> todo = {v1::Event::descriptor()};
    while (!todo.empty()) {
      const Descriptor* d = todo.back();
      todo.pop_back();
      const Reflection* reflection =
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->GetReflection();
      if (out->contains(reflection)) continue;
      Plan& plan = (*out)[reflection];
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        if (f->message_type() != nullptr) todo.push_back(f->message_type());
        const auto* oneof = f->real_containing_oneof();
        if (oneof != nullptr) {
          if (oneof->field(0) == f) plan.push_back(Member{nullptr, oneof, {false, false}});
          continue;
        }
        plan.push_back(Member{f, nullptr,
                              {stated(bools.in_line, f), stated(bools.in_replacement, f)}});
      }
    }
    return out;
  }();
  return *plans;
}

void AppendQuoted(std::string& s, std::string_view v) {
  s.push_back('"');
  AppendEscaped(s, v);
  s.push_back('"');
}

void AppendTimestamp(std::string& s, const google::protobuf::Timestamp& ts) {
  s.push_back('"');
  if (ts.seconds() >= 0 && ts.seconds() % 60 == 0 && ts.nanos() == 0) {
    AppendInstant(s, ts.seconds() / 60);  // the generator's instants are whole minutes
  } else {
    const absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
    s.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone()));
  }
  s.push_back('"');
}

void AppendMessage(std::string& s, const Message& m, Within within);

// One value of `field` (element `index` if repeated, else -1).
void AppendValue(std::string& s, const Message& m, const Reflection* r,
                 const FieldDescriptor* field, int index, Within within) {
  const bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      AppendQuoted(s, rep ? r->GetRepeatedStringReference(m, field, index, &scratch)
                          : r->GetStringReference(m, field, &scratch));
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool b = rep ? r->GetRepeatedBool(m, field, index) : r->GetBool(m, field);
      s.append(b ? "true" : "false");
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(m, field, index) : r->GetEnumValue(m, field);
      const auto* value = field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        absl::StrAppend(&s, number);
      } else {
        AppendQuoted(s, value->name());
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(&s, rep ? r->GetRepeatedInt32(m, field, index) : r->GetInt32(m, field));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(&s, rep ? r->GetRepeatedUInt32(m, field, index) : r->GetUInt32(m, field));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(&s, "\"", rep ? r->GetRepeatedInt64(m, field, index) : r->GetInt64(m, field),
                      "\"");
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(&s, "\"",
                      rep ? r->GetRepeatedUInt64(m, field, index) : r->GetUInt64(m, field), "\"");
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      absl::StrAppend(&s, rep ? r->GetRepeatedDouble(m, field, index) : r->GetDouble(m, field));
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:
      absl::StrAppend(&s, rep ? r->GetRepeatedFloat(m, field, index) : r->GetFloat(m, field));
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = rep ? r->GetRepeatedMessage(m, field, index) : r->GetMessage(m, field);
      static const Descriptor* const timestamp = google::protobuf::Timestamp::descriptor();
      static const FieldDescriptor* const replacement =
          FieldOf<v1::EventCorrected>(v1::EventCorrected::kReplacementFieldNumber);
      if (field->message_type() == timestamp) {
        AppendTimestamp(s, static_cast<const google::protobuf::Timestamp&>(sub));
        return;
      }
      AppendMessage(s, sub, field == replacement ? Within::kReplacement : within);
      return;
    }
  }
}

// Whether a singular field without presence differs from its default.
bool NonDefault(const Message& m, const Reflection* r, const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return !r->GetStringReference(m, field, &scratch).empty();
    }
    case FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(m, field);
    case FieldDescriptor::CPPTYPE_ENUM: return r->GetEnumValue(m, field) != 0;
    case FieldDescriptor::CPPTYPE_INT32: return r->GetInt32(m, field) != 0;
    case FieldDescriptor::CPPTYPE_UINT32: return r->GetUInt32(m, field) != 0;
    case FieldDescriptor::CPPTYPE_INT64: return r->GetInt64(m, field) != 0;
    case FieldDescriptor::CPPTYPE_UINT64: return r->GetUInt64(m, field) != 0;
    case FieldDescriptor::CPPTYPE_DOUBLE: return r->GetDouble(m, field) != 0;
    case FieldDescriptor::CPPTYPE_FLOAT: return r->GetFloat(m, field) != 0;
    case FieldDescriptor::CPPTYPE_MESSAGE: return r->HasField(m, field);
  }
  return false;
}

void AppendMember(std::string& s, const Message& m, const Reflection* r,
                  const FieldDescriptor* field, Within within, bool& first) {
  if (!first) s.push_back(',');
  first = false;
  s.push_back('"');
  s.append(field->json_name());
  s.append("\":");
  if (field->is_repeated()) {
    const int n = r->FieldSize(m, field);
    s.push_back('[');
    for (int k = 0; k < n; ++k) {
      if (k > 0) s.push_back(',');
      AppendValue(s, m, r, field, k, within);
    }
    s.push_back(']');
  } else {
    AppendValue(s, m, r, field, -1, within);
  }
}

void AppendMessage(std::string& s, const Message& m, Within within) {
  const Reflection* r = m.GetReflection();
  const Plan& plan = Plans().at(r);
  s.push_back('{');
  bool first = true;
  for (const Member& member : plan) {
    if (member.oneof != nullptr) {
      const FieldDescriptor* set = r->GetOneofFieldDescriptor(m, member.oneof);
      if (set != nullptr) AppendMember(s, m, r, set, within, first);
      continue;
    }
    const FieldDescriptor* field = member.field;
    if (field->is_repeated()) {
      if (r->FieldSize(m, field) == 0) continue;
    } else if (field->has_presence()) {
      if (!r->HasField(m, field)) continue;
    } else if (!NonDefault(m, r, field) && !member.stated_false[static_cast<int>(within)]) {
      continue;  // stated_false is set for bools only
    }
    AppendMember(s, m, r, field, within, first);
  }
  s.push_back('}');
}

}  // namespace

void AppendEventJson(std::string& s, const v1::Event& event) {
  AppendMessage(s, event, Within::kLine);
}

}  // namespace carelog::gen
