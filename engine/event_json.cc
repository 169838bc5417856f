#include "engine/event_json.h"

#include <simdjson.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"

namespace carelog {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
namespace dom = simdjson::dom;

absl::Status FieldError(const std::string& path, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("field '", path, "': ", std::string(reason)));
}

const char* TypeName(dom::element_type t) {
  switch (t) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

// "YYYY-MM-DDTHH:MM:SSZ" with every field in range, read directly: the
// general path below (a std::string copy, absl's format-driven parser, then a
// date printed back and compared) was ~4% of an import, and senders almost
// always write this shape. False for anything else, which then takes the
// general path; that path alone decides what is refused and how, and gives
// the same instant for every string accepted here.
bool ParseCommonInstant(std::string_view text, google::protobuf::Timestamp* ts) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return false;
  }
  int v[6];
  constexpr int kAt[6] = {0, 5, 8, 11, 14, 17};
  for (int i = 0; i < 6; ++i) {
    const int len = i == 0 ? 4 : 2;
    int n = 0;
    for (int j = kAt[i]; j < kAt[i] + len; ++j) {
      if (text[j] < '0' || text[j] > '9') return false;
      n = n * 10 + (text[j] - '0');
    }
    v[i] = n;
  }
  const int year = v[0], month = v[1], day = v[2];
  if (year < 1 || month < 1 || month > 12 || day < 1 || v[3] > 23 || v[4] > 59 || v[5] > 59) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
  // Civil-day arithmetic, not absl::FromCivil in UTC: that asks the time
  // zone library each time (~0.5% of an import) for the same seconds.
  const int64_t days = absl::CivilDay(year, month, day) - absl::CivilDay(1970, 1, 1);
  ts->set_seconds(days * 86400 + v[3] * 3600 + v[4] * 60 + v[5]);
  ts->set_nanos(0);
  return true;
}

// RFC 3339 instant, as protobuf's JSON mapping writes it.
absl::Status ParseInstant(std::string_view text, const std::string& path,
                          google::protobuf::Timestamp* ts) {
  if (ParseCommonInstant(text, ts)) return absl::OkStatus();
  // absl::ParseTime skips white space around the text; RFC 3339 has none,
  // and "…Z " would be stored as if the sender had written "…Z".
  if (text.find_first_of(" \t\r\n\f\v") != std::string_view::npos) {
    return FieldError(path, absl::StrCat("bad instant '", std::string(text),
                                         "': no spaces allowed; want RFC 3339 like "
                                         "2024-03-01T14:05:00Z"));
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) {
    return FieldError(path, absl::StrCat("bad instant '", std::string(text),
                                         "': want RFC 3339 like 2024-03-01T14:05:00Z"));
  }
  // RFC 3339 years have four digits, and protobuf's Timestamp (and so its
  // JSON printer) holds 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z only.
  const int64_t secs = absl::ToUnixSeconds(t);
  const bool four_digit_year = text.size() > 4 && std::isdigit(static_cast<unsigned char>(text[0])) &&
                               std::isdigit(static_cast<unsigned char>(text[1])) &&
                               std::isdigit(static_cast<unsigned char>(text[2])) &&
                               std::isdigit(static_cast<unsigned char>(text[3])) && text[4] == '-';
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (!four_digit_year || secs < kMinSeconds || secs > kMaxSeconds) {
    return FieldError(path, absl::StrCat("bad instant '", std::string(text),
                                         "': outside years 0001 to 9999"));
  }
  // absl normalises out-of-range fields (Feb 30 -> Mar 1); refuse those by
  // checking that the date part prints back the same.
  const std::string date(text.substr(0, std::min<size_t>(10, text.size())));
  absl::CivilDay day;
  if (!absl::ParseCivilTime(date, &day) ||
      absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day()) != date) {
    return FieldError(path, absl::StrCat("bad instant '", std::string(text), "': no such date"));
  }
  ts->set_seconds(secs);
  ts->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(secs)) / absl::Nanoseconds(1)));
  return absl::OkStatus();
}

// Where a value sits in the event ("actor.role", "items[2].date"), kept as
// a chain of views on the stack and spelled out only for an error message:
// building each field's path as a string was a heap allocation per field of
// every line of an import.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;  // a JSON key, or empty for an array element
  size_t index = 0;       // of an array element

  std::string ToString() const {
    std::string parent_text = parent != nullptr ? parent->ToString() : std::string();
    if (name.empty()) return absl::StrCat(parent_text, "[", index, "]");
    if (!parent_text.empty()) parent_text += '.';
    parent_text.append(name.data(), name.size());
    return parent_text;
  }
  static std::string Of(const Path* p) { return p != nullptr ? p->ToString() : std::string(); }
};

absl::Status FieldError(const Path& path, std::string_view reason) {
  return FieldError(path.ToString(), reason);
}

// The refusals both fillers give (the reflective Filler below and the
// generated one, event_json_gen.inc), written once so that they cannot
// drift apart.
absl::Status UnknownKeyError(const Path* path, std::string_view key, bool is_event,
                             dom::element value) {
  const Path at{path, key};
  if (is_event && value.type() == dom::element_type::OBJECT) {
    return absl::InvalidArgumentError(absl::StrCat("unknown payload '", at.ToString(), "'"));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown field '", at.ToString(), "'"));
}
absl::Status TwiceError(const Path& fpath) {
  return absl::InvalidArgumentError(absl::StrCat(
      "field '", fpath.ToString(), "' appears twice in one object: give each field once"));
}
absl::Status TwoPayloadsError(const Path* path, std::string_view first, const Path& second) {
  return absl::InvalidArgumentError(absl::StrCat("two payloads '", Path{path, first}.ToString(),
                                                 "' and '", second.ToString(),
                                                 "': an event carries exactly one"));
}
absl::Status NoPayloadError() {
  return absl::InvalidArgumentError(
      "no payload: an event carries exactly one, named after its type (e.g. 'reviewHeld')");
}
// "want a string, got a number"
absl::Status WantError(const Path& fpath, std::string_view want, dom::element got) {
  return FieldError(fpath,
                    absl::StrCat("want ", std::string(want), ", got ", TypeName(got.type())));
}
absl::Status UnknownValueError(const Path& fpath, std::string_view name) {
  return FieldError(fpath, absl::StrCat("unknown value '", std::string(name), "'"));
}
// An integer given as a JSON number or a string of digits.
bool GetInteger(dom::element el, int64_t* v) {
  std::string_view sv;
  if (el.get_int64().get(*v) == simdjson::SUCCESS) return true;
  return el.get_string().get(sv) == simdjson::SUCCESS && absl::SimpleAtoi(std::string(sv), v);
}
// Marks field `index` given in an object; false if it was already.
bool MarkGiven(uint64_t* given, int index) {
  uint64_t& word = given[index / 64];
  const uint64_t bit = uint64_t{1} << (index % 64);
  if ((word & bit) != 0) return false;
  word |= bit;
  return true;
}

// A field as the filler needs it, worked out once per field.
struct FieldInfo {
  const FieldDescriptor* field = nullptr;
  bool store_set = false;   // an Event field only the store sets
  bool payload = false;     // a member of the Event's payload oneof
  bool timestamp = false;   // a google.protobuf.Timestamp
  std::string_view key;     // the JSON key it was found under (the cache's own copy)
  // The field given after this one in the last object of this type, the
  // first guess for the next key: senders write a type's keys in one order.
  FieldInfo* next = nullptr;
  // An enum field's names found so far, to their numbers (never 0): the
  // descriptor's look-up wants a std::string made from the name. Bounded by
  // the enum, as names not found are not kept.
  absl::flat_hash_map<std::string, int> enum_numbers;
};

// JSON key -> field, per message type, as the lookups by camelCase name then
// by field name find it: those lookups (each with a std::string made from the
// key) were ~4% of an import. Only fields found are kept, so the cache is
// bounded by the schema whatever keys the input holds. Each type also
// remembers the order its keys came in last time (FieldInfo::next), so that
// most keys are matched with one comparison and not hashed at all.
class FieldCache {
 public:
  struct Fields {
    // Node-based: FieldInfo pointers and keys stay where they are.
    absl::node_hash_map<std::string, FieldInfo> by_key;
    FieldInfo* first = nullptr;  // the first key of the last object of this type
    // The type's reflection, kept: each GetReflection() (and GetDescriptor())
    // call on a message checks that the descriptors are assigned, ~1% of an
    // import over all the calls of the parser and validation.
    const Reflection* reflection = nullptr;
  };
  Fields& For(const Descriptor* desc) { return by_type_[desc]; }
  // The field given under `key` after `prev` (null: the object's first key),
  // null when `desc` has no such field. Learns the order for the next object.
  static FieldInfo* Next(const Descriptor* desc, Fields& fields, FieldInfo* prev,
                         std::string_view key) {
    FieldInfo*& guess = prev == nullptr ? fields.first : prev->next;
    if (guess != nullptr && guess->key == key) return guess;
    FieldInfo* found = Find(desc, fields, key);
    if (found != nullptr) guess = found;
    return found;
  }

 private:
  static FieldInfo* Find(const Descriptor* desc, Fields& fields, std::string_view key) {
    if (auto it = fields.by_key.find(absl::string_view(key.data(), key.size()));
        it != fields.by_key.end()) {
      return &it->second;
    }
    const FieldDescriptor* f = desc->FindFieldByCamelcaseName(std::string(key));
    if (f == nullptr) f = desc->FindFieldByName(std::string(key));
    if (f == nullptr) return nullptr;
    FieldInfo info;
    info.field = f;
    const bool in_event = desc == v1::Event::descriptor();
    info.store_set = in_event && (f->name() == "recorded_at" || f->name() == "position" ||
                                  f->name() == "version");
    info.payload = in_event && f->containing_oneof() != nullptr;
    info.timestamp = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                     f->message_type()->full_name() == "google.protobuf.Timestamp";
    auto [it, added] = fields.by_key.emplace(std::string(key), info);
    it->second.key = it->first;
    return &it->second;
  }

  // Node-based: Fill holds one type's map while filling nested messages,
  // which may add other types; and FieldInfo pointers stay valid.
  absl::node_hash_map<const Descriptor*, Fields> by_type_;
};

// Payload messages taken off events before they are cleared, by payload
// field, to be put back into the next events with that payload: clearing an
// Event deletes its payload message (a oneof member) with all its strings,
// and filling the next one allocated them again, ~10% of parsing. A cleared
// message keeps its strings' buffers. Bounded per field.
class PayloadPool {
 public:
  ~PayloadPool() {
    for (auto& [field, messages] : by_field_) {
      for (Message* m : messages) delete m;
    }
  }
  // Takes `event`'s payload message, if any, into the pool (event on the heap only).
  void Take(v1::Event* event, const google::protobuf::OneofDescriptor* oneof) {
    const Reflection* refl = event->GetReflection();
    const FieldDescriptor* f = refl->GetOneofFieldDescriptor(*event, oneof);
    if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return;
    std::vector<Message*>& pool = by_field_[f];
    if (pool.size() >= kMaxPerField) return;  // Clear deletes it
    Message* m = refl->ReleaseMessage(event, f);
    m->Clear();
    pool.push_back(m);
  }
  // Sets field `f` of `event` to a pooled message and returns it; null when none.
  Message* Give(v1::Event* event, const FieldDescriptor* f) {
    auto it = by_field_.find(f);
    if (it == by_field_.end() || it->second.empty()) return nullptr;
    Message* m = it->second.back();
    it->second.pop_back();
    event->GetReflection()->SetAllocatedMessage(event, m, f);
    return m;
  }

 private:
  static constexpr size_t kMaxPerField = 256;
  absl::flat_hash_map<const FieldDescriptor*, std::vector<Message*>> by_field_;
};

class Filler {
 public:
  Filler(FieldCache* cache, PayloadPool* pool) : cache_(cache), pool_(pool) {}

  // Fills `msg`, of type `desc`, from `obj`. `path` is where `obj` sits
  // (null at the top). An Event (the envelope, or one inside a correction)
  // has payload rules.
  absl::Status Fill(dom::object obj, Message* msg, const Descriptor* desc, const Path* path) {
    static const Descriptor* const kEvent = v1::Event::descriptor();
    assert(msg->GetDescriptor() == desc);
    const bool is_event = desc == kEvent;
    FieldCache::Fields& fields = cache_->For(desc);
    if (fields.reflection == nullptr) fields.reflection = msg->GetReflection();
    const Reflection* refl = fields.reflection;
    const FieldDescriptor* payload = nullptr;
    // The fields given so far, one bit per field index: a key given twice
    // (under either of its names, a null included) is refused rather than
    // letting the last one win, as a reader that keeps the first would see a
    // different event in the same line. A bit set, not a set of strings: this
    // runs for every key of every line of an import.
    absl::InlinedVector<uint64_t, 4> given((desc->field_count() + 63) / 64, 0);
    FieldInfo* prev = nullptr;
    for (dom::key_value_pair kv : obj) {
      std::string_view key = kv.key;
      FieldInfo* info = FieldCache::Next(desc, fields, prev, key);
      if (info == nullptr) return UnknownKeyError(path, key, is_event, kv.value);
      prev = info;
      const FieldDescriptor* field = info->field;
      const Path fpath{path, field->json_name()};
      if (!MarkGiven(given.data(), field->index())) return TwiceError(fpath);
      if (kv.value.type() == dom::element_type::NULL_VALUE) continue;
      if (info->store_set) return FieldError(fpath, "is set by the store; senders must not send it");
      if (info->payload) {
        if (payload != nullptr) return TwoPayloadsError(path, payload->json_name(), fpath);
        payload = field;
      }
      if (field->is_repeated()) {
        dom::array arr;
        if (kv.value.get_array().get(arr) != simdjson::SUCCESS) {
          return WantError(fpath, "an array", kv.value);
        }
        size_t i = 0;
        for (dom::element el : arr) {
          const Path element{&fpath, {}, i++};
          absl::Status s = SetValue(el, msg, refl, *info, element);
          if (!s.ok()) return s;
        }
        continue;
      }
      // The top-level event's payload message, from the pool when it has one.
      if (info->payload && path == nullptr && msg->GetArena() == nullptr &&
          field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        dom::object sub;
        if (kv.value.get_object().get(sub) == simdjson::SUCCESS) {
          if (Message* child = pool_->Give(static_cast<v1::Event*>(msg), field)) {
            absl::Status s = Fill(sub, child, field->message_type(), &fpath);
            if (!s.ok()) return s;
            continue;
          }
        }
      }
      absl::Status s = SetValue(kv.value, msg, refl, *info, fpath);
      if (!s.ok()) return s;
    }
    if (is_event && payload == nullptr && path == nullptr) return NoPayloadError();
    return absl::OkStatus();
  }

 private:
  absl::Status SetValue(dom::element el, Message* msg, const Reflection* refl, FieldInfo& info,
                        const Path& fpath) {
    const FieldDescriptor* field = info.field;
    const bool rep = field->is_repeated();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string_view v;
        if (el.get_string().get(v) != simdjson::SUCCESS) return WantError(fpath, "a string", el);
        if (rep) {
          refl->AddString(msg, field, std::string(v));
        } else {
          refl->SetString(msg, field, std::string(v));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v;
        if (el.get_bool().get(v) != simdjson::SUCCESS) return WantError(fpath, "true or false", el);
        if (rep) {
          refl->AddBool(msg, field, v);
        } else {
          refl->SetBool(msg, field, v);
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        std::string_view v;
        if (el.get_string().get(v) != simdjson::SUCCESS) return WantError(fpath, "a name", el);
        const int number = EnumNumber(info, v);
        if (number == 0) return UnknownValueError(fpath, v);
        if (rep) {
          refl->AddEnumValue(msg, field, number);
        } else {
          refl->SetEnumValue(msg, field, number);
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT64:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_INT32: {
        int64_t v = 0;
        if (!GetInteger(el, &v)) return WantError(fpath, "an integer", el);
        if (v < 0 && (field->cpp_type() == FieldDescriptor::CPPTYPE_UINT64 ||
                      field->cpp_type() == FieldDescriptor::CPPTYPE_UINT32)) {
          return FieldError(fpath, "must not be negative");
        }
        switch (field->cpp_type()) {
          case FieldDescriptor::CPPTYPE_UINT64: refl->SetUInt64(msg, field, v); break;
          case FieldDescriptor::CPPTYPE_INT64: refl->SetInt64(msg, field, v); break;
          case FieldDescriptor::CPPTYPE_UINT32: refl->SetUInt32(msg, field, v); break;
          default: refl->SetInt32(msg, field, static_cast<int32_t>(v)); break;
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (info.timestamp) {
          std::string_view v;
          if (el.get_string().get(v) != simdjson::SUCCESS) {
            return WantError(fpath, "an RFC 3339 instant string", el);
          }
          auto* ts = static_cast<google::protobuf::Timestamp*>(
              rep ? refl->AddMessage(msg, field) : refl->MutableMessage(msg, field));
          if (ParseCommonInstant(v, ts)) return absl::OkStatus();
          return ParseInstant(v, fpath.ToString(), ts);
        }
        dom::object sub;
        if (el.get_object().get(sub) != simdjson::SUCCESS) return WantError(fpath, "an object", el);
        Message* child = rep ? refl->AddMessage(msg, field) : refl->MutableMessage(msg, field);
        return Fill(sub, child, field->message_type(), &fpath);
      }
      default:
        return FieldError(fpath, "unsupported field type");
    }
  }

  // The number of `info`'s enum value named `name`; 0 when there is none
  // (0 is every enum's "unspecified", which a sender may not name either).
  static int EnumNumber(FieldInfo& info, std::string_view name) {
    const absl::string_view key(name.data(), name.size());
    if (auto it = info.enum_numbers.find(key); it != info.enum_numbers.end()) return it->second;
    const auto* value = info.field->enum_type()->FindValueByName(std::string(name));
    if (value == nullptr || value->number() == 0) return 0;
    info.enum_numbers.emplace(std::string(name), value->number());
    return value->number();
  }

  FieldCache* cache_;
  PayloadPool* pool_;
};

// GenFill_carelog_v1_Event and the rest: engine/codegen/event_json_codegen.cc.
#include "event_json_gen.inc"

}  // namespace

struct EventJsonParser::Impl {
  explicit Impl(EventJsonParser::Filling f) : filling(f) {}
  const EventJsonParser::Filling filling;
  dom::parser parser;
  FieldCache fields;
  PayloadPool payloads;
};

EventJsonParser::EventJsonParser(Filling filling) : impl_(std::make_unique<Impl>(filling)) {}
EventJsonParser::~EventJsonParser() = default;

absl::Status EventJsonParser::Parse(std::string_view line, v1::Event* out) {
  static const google::protobuf::OneofDescriptor* const kPayload =
      v1::Event::descriptor()->FindOneofByName("payload");
  if (out->GetArena() == nullptr) impl_->payloads.Take(out, kPayload);
  out->Clear();
  // Named, or simdjson calls it "improper structure". Only the start of a
  // file may carry one (the importer skips it there).
  if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") {
    return absl::InvalidArgumentError(
        "a UTF-8 byte-order mark (bytes EF BB BF) begins this line: only the start of a file "
        "may carry one; remove it");
  }
  dom::element doc;
  simdjson::error_code err = impl_->parser.parse(line.data(), line.size(), true).get(doc);
  if (err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed JSON: ", simdjson::error_message(err)));
  }
  dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("malformed JSON: an event must be a JSON object");
  }
  if (impl_->filling == Filling::kGenerated) {
    return GenFill_carelog_v1_Event(obj, out, nullptr, &impl_->payloads);
  }
  static const Descriptor* const kEvent = v1::Event::descriptor();
  Filler filler(&impl_->fields, &impl_->payloads);
  return filler.Fill(obj, out, kEvent, nullptr);
}

std::string EventToJson(const v1::Event& event) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = false;
  (void)google::protobuf::util::MessageToJsonString(event, &out, opts);
  return out;
}

const std::string& PayloadName(const v1::Event& event) {
  // By the oneof's case, a field number, in a table made once: asking the
  // event's reflection checks that the descriptors are assigned, and the
  // descriptor's look-up by number hashes; this runs per event.
  static const std::vector<const std::string*>* const kNames = [] {
    static const std::string* const none = new std::string();
    const google::protobuf::OneofDescriptor* oneof =
        v1::Event::descriptor()->FindOneofByName("payload");
    int max = 0;
    for (int i = 0; i < oneof->field_count(); ++i) max = std::max(max, oneof->field(i)->number());
    auto* names = new std::vector<const std::string*>(max + 1, none);
    for (int i = 0; i < oneof->field_count(); ++i) {
      (*names)[oneof->field(i)->number()] = &oneof->field(i)->json_name();
    }
    return names;
  }();
  const size_t number = static_cast<size_t>(event.payload_case());  // 0: none
  return number < kNames->size() ? *(*kNames)[number] : *(*kNames)[0];
}

}  // namespace carelog
