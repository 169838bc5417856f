#include "tools/access_log.h"

#include <algorithm>
#include <cstdio>

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string Deterministic(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream sos(&out);
  google::protobuf::io::CodedOutputStream cos(&sos);
  cos.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&cos);
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

std::string AtText(const v1::AccessRecord& r) {
  const absl::Time t =
      absl::FromUnixSeconds(r.at().seconds()) + absl::Nanoseconds(r.at().nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

absl::Status ReadInto(const EventStore& store, const std::string& stream,
                      std::vector<v1::AccessRecord>* out) {
  auto records = store.ReadStream(stream);
  if (!records.ok()) return records.status();
  for (const StoredRecord& rec : *records) {
    v1::AccessRecord r;
    if (!r.ParseFromString(rec.payload)) {
      return absl::DataLossError(
          absl::StrCat("position ", rec.position, ": access record does not parse"));
    }
    r.set_position(rec.position);
    out->push_back(std::move(r));
  }
  return absl::OkStatus();
}

}  // namespace

std::string AccessStream(std::string_view case_id) {
  if (case_id.empty()) return kAccessStream;
  return absl::StrCat(kAccessStream, "/", std::string(case_id));
}

absl::StatusOr<uint64_t> RecordAccess(EventStore* store, v1::AccessRecord record) {
  if (!record.has_at()) {
    const absl::Time now = absl::Now();
    const int64_t micros = absl::ToUnixMicros(now);
    record.mutable_at()->set_seconds(micros / 1000000);
    record.mutable_at()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  }
  record.clear_position();
  uint8_t rnd[16];
  if (RAND_bytes(rnd, sizeof rnd) != 1) return absl::InternalError("no randomness for an id");
  std::string id = "$access:";
  for (uint8_t b : rnd) absl::StrAppend(&id, absl::Hex(b, absl::kZeroPad2));
  AppendRequest req;
  req.records.push_back(NewRecord{AccessStream(record.case_id()), std::move(id),
                                  Deterministic(record)});
  req.sync = true;
  auto result = store->Append(std::move(req));
  if (!result.ok()) return result.status();
  return result->positions.front();
}

absl::StatusOr<std::vector<v1::AccessRecord>> ReadAccessLog(const EventStore& store,
                                                            std::string_view case_id) {
  std::vector<v1::AccessRecord> out;
  if (!case_id.empty()) {
    if (auto s = ReadInto(store, AccessStream(case_id), &out); !s.ok()) return s;
    if (auto s = ReadInto(store, kAccessStream, &out); !s.ok()) return s;
  } else {
    auto streams = store.Streams(/*include_system=*/true);
    if (!streams.ok()) return streams.status();
    const std::string prefix = absl::StrCat(kAccessStream, "/");
    for (const std::string& s : *streams) {
      if (s == kAccessStream || s.rfind(prefix, 0) == 0) {
        if (auto st = ReadInto(store, s, &out); !st.ok()) return st;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const v1::AccessRecord& a, const v1::AccessRecord& b) {
    return a.position() < b.position();
  });
  return out;
}

std::string RenderAccessText(const std::vector<v1::AccessRecord>& records) {
  std::string out = absl::StrFormat("%-9s %-27s %-16s %-8s %-10s %-14s %s\n", "position", "at",
                                    "token", "role", "method", "case", "peer");
  for (const v1::AccessRecord& r : records) {
    // Token names, case ids and peers come from outside: escaped.
    absl::StrAppend(&out, absl::StrFormat("%-9d %-27s %-16s %-8s %-10s %-14s %s\n", r.position(),
                                          AtText(r), TerminalSafe(r.token_name()),
                                          TerminalSafe(r.role()), TerminalSafe(r.method()),
                                          r.case_id().empty() ? "(all cases)"
                                                              : TerminalSafe(r.case_id()),
                                          TerminalSafe(r.peer())));
  }
  return out;
}

std::string RenderAccessJson(const std::vector<v1::AccessRecord>& records) {
  std::string out = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    const v1::AccessRecord& r = records[i];
    absl::StrAppend(&out, i == 0 ? "\n  " : ",\n  ", "{\"position\":", r.position(),
                    ",\"at\":", JsonString(AtText(r)), ",\"token\":", JsonString(r.token_name()),
                    ",\"role\":", JsonString(r.role()), ",\"method\":", JsonString(r.method()),
                    ",\"caseId\":", JsonString(r.case_id()), ",\"peer\":", JsonString(r.peer()),
                    "}");
  }
  absl::StrAppend(&out, records.empty() ? "]\n" : "\n]\n");
  return out;
}

}  // namespace carelog
