#include "engine/access_log.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/base/deterministic.h"
#include "store/base/hex.h"

namespace carelog {
namespace {

// `keep` (when set) chooses which records of the stream to return.
absl::Status ReadInto(const EventStoreReader& store, const std::string& stream,
                      std::vector<v1::AccessRecord>* out,
                      const std::function<bool(const v1::AccessRecord&)>& keep = nullptr) {
  auto records = store.ReadStream(stream);
  if (!records.ok()) return records.status();
  for (const StoredRecord& rec : *records) {
    v1::AccessRecord r;
    if (!r.ParseFromString(rec.payload)) {
      return absl::DataLossError(
          absl::StrCat("position ", rec.position, ": access record does not parse"));
    }
    if (keep && !keep(r)) continue;
    r.set_position(rec.position);
    out->push_back(std::move(r));
  }
  return absl::OkStatus();
}

}  // namespace

std::string AccessIdText(std::string_view id) {
  constexpr size_t kMaxBytes = 128;
  std::string out;
  for (size_t i = 0; i < id.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    std::string piece;
    if (c == '\\') {
      piece = "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      piece.push_back(static_cast<char>(c));
    } else {
      piece = absl::StrFormat("\\x%02x", c);
    }
    if (out.size() + piece.size() > kMaxBytes) {
      absl::StrAppend(&out, " ... (", id.size(), " bytes)");
      return out;
    }
    out += piece;
  }
  return out;
}

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
  std::string id = absl::StrCat("$access:", HexOf(rnd, sizeof rnd));
  // A miss gets no stream of its own; nor does a proof of a system record.
  const bool own_stream = record.outcome().empty() && !record.case_id().empty();
  std::string stream = own_stream ? AccessStream(record.case_id()) : kAccessStream;
  AppendRequest req;
  req.records.push_back(NewRecord{std::move(stream), std::move(id), DeterministicBytes(record)});
  req.sync = true;
  auto result = store->Append(std::move(req));
  if (!result.ok()) return result.status();
  return result->positions.front();
}

absl::StatusOr<std::vector<v1::AccessRecord>> ReadAccessLog(const EventStoreReader& store,
                                                            std::string_view case_id) {
  std::vector<v1::AccessRecord> out;
  if (!case_id.empty()) {
    if (auto s = ReadInto(store, AccessStream(case_id), &out); !s.ok()) return s;
    const std::string wanted(case_id);
    auto about_this_case = [&](const v1::AccessRecord& r) {
      if (r.case_id().empty()) return r.event_id().empty();  // all cases, not a system proof
      return r.case_id() == wanted;                          // a miss of this id
    };
    if (auto s = ReadInto(store, kAccessStream, &out, about_this_case); !s.ok()) return s;
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

}  // namespace carelog
