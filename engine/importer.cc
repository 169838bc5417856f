// Spool file (temporary, deleted after the import):
//   spool  := entry*
//   entry  := fixed32(len) stream fixed32(len) id fixed32(len) payload   (host order)
#include "engine/importer.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/event_json.h"
#include "engine/event_log.h"
#include "engine/validation.h"
#include "store/status_macros.h"

namespace carelog {
namespace {

class Spool {
 public:
  explicit Spool(const std::string& dir)
      : path_((std::filesystem::path(dir) /
               absl::StrCat(".import-", getpid(), "-", reinterpret_cast<uintptr_t>(this), ".spool"))
                  .string()) {}
  ~Spool() {
    out_.close();
    in_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

  absl::Status OpenForWrite() {
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) return absl::InternalError(absl::StrCat("cannot create spool file ", path_));
    return absl::OkStatus();
  }
  void Put(const std::string& a, const std::string& b, const std::string& c) {
    PutOne(a);
    PutOne(b);
    PutOne(c);
  }
  absl::Status FinishWrite() {
    out_.close();
    if (out_.fail()) return absl::InternalError(absl::StrCat("writing spool file ", path_, " failed"));
    in_.open(path_, std::ios::binary);
    if (!in_) return absl::InternalError(absl::StrCat("cannot read spool file ", path_));
    return absl::OkStatus();
  }
  // False at the end.
  bool Next(NewRecord* r) { return GetOne(&r->stream) && GetOne(&r->id) && GetOne(&r->payload); }

 private:
  void PutOne(const std::string& s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    out_.write(reinterpret_cast<const char*>(&n), 4);
    out_.write(s.data(), n);
  }
  bool GetOne(std::string* s) {
    uint32_t n;
    if (!in_.read(reinterpret_cast<char*>(&n), 4)) return false;
    s->resize(n);
    return static_cast<bool>(in_.read(s->data(), n));
  }

  std::string path_;
  std::ofstream out_;
  std::ifstream in_;
};

struct SeenId {
  std::string case_id;
  uint64_t content_hash;
  uint64_t line;
};

}  // namespace

absl::StatusOr<ImportReport> ImportNdjson(EventStore* store, std::istream& in,
                                          const ImportOptions& options) {
  Clock* clock = options.clock != nullptr ? options.clock : SystemClock();
  EventLog log(store, clock);
  const absl::Time now = clock->Now();
  ImportReport report;
  EventJsonParser parser;
  v1::Event event;
  absl::flat_hash_map<std::string, CaseState> cases;
  absl::flat_hash_map<std::string, SeenId> seen;  // eventId -> first line in this file
  Spool spool(store->dir());
  RETURN_IF_ERROR(spool.OpenForWrite());
  uint64_t to_append = 0;

  auto refuse = [&](uint64_t line, const absl::Status& s) {
    ++report.refused;
    if (options.on_refused) options.on_refused(line, s);
  };

  std::string line;
  while (std::getline(in, line)) {
    const uint64_t n = ++report.lines;
    if (options.on_progress && n % 65536 == 0) options.on_progress("checked", n);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    ++report.events;
    absl::Status s = parser.Parse(line, &event);
    if (s.ok()) s = ValidateContent(event, now);
    if (!s.ok()) {
      refuse(n, s);
      continue;
    }
    std::string payload = EncodeEvent(event);
    const uint64_t content_hash = absl::HashOf(payload);

    // Idempotency: an earlier line of this file, then the log.
    if (auto it = seen.find(event.event_id()); it != seen.end()) {
      if (it->second.case_id != event.case_id() || it->second.content_hash != content_hash) {
        refuse(n, absl::AlreadyExistsError(absl::StrCat(
                      "field 'eventId': '", event.event_id(), "' is already used on line ",
                      it->second.line, " with different content")));
      } else {
        ++report.already_present;
      }
      continue;
    }
    auto prior = store->Lookup(event.event_id());
    if (prior.ok()) {
      if (prior->stream != event.case_id() || prior->payload != payload) {
        refuse(n, absl::AlreadyExistsError(absl::StrCat(
                      "field 'eventId': '", event.event_id(), "' is already recorded at position ",
                      prior->position, " with different content")));
      } else {
        ++report.already_present;
        seen.emplace(event.event_id(), SeenId{event.case_id(), content_hash, n});
      }
      continue;
    }
    if (prior.status().code() != absl::StatusCode::kNotFound) return prior.status();

    auto cit = cases.find(event.case_id());
    if (cit == cases.end()) {
      ASSIGN_OR_RETURN(auto loaded, log.LoadState(event.case_id()));
      cit = cases.emplace(event.case_id(), std::move(loaded.first)).first;
    }
    s = ValidateAgainstState(event, cit->second);
    if (!s.ok()) {
      refuse(n, s);
      continue;
    }
    ApplyToState(event, &cit->second);
    seen.emplace(event.event_id(), SeenId{event.case_id(), content_hash, n});
    spool.Put(event.case_id(), event.event_id(), payload);
    ++to_append;
  }
  if (in.bad()) return absl::InternalError("reading the input failed");
  RETURN_IF_ERROR(spool.FinishWrite());
  if (report.refused > 0 || to_append == 0) return report;

  // Pass 2: append in atomic batches; only the last one waits for fsync, which
  // makes every earlier batch durable too (one write-ahead log).
  uint64_t done = 0;
  AppendRequest req;
  auto flush = [&](bool last) -> absl::Status {
    if (req.records.empty()) return absl::OkStatus();
    req.sync = last ? std::optional<bool>() : std::optional<bool>(false);
    ASSIGN_OR_RETURN(AppendResult r, store->Append(std::move(req)));
    for (size_t i = 0; i < r.positions.size(); ++i) {
      if (r.already_present[i]) continue;
      if (report.first_position == 0) report.first_position = r.positions[i];
      report.last_position = r.positions[i];
    }
    report.appended += r.appended;
    report.already_present += r.positions.size() - r.appended;
    done += r.positions.size();
    if (options.on_progress) options.on_progress("appended", done);
    req = AppendRequest();
    return absl::OkStatus();
  };
  NewRecord rec;
  while (spool.Next(&rec)) {
    req.records.push_back(std::move(rec));
    rec = NewRecord();
    if (req.records.size() >= options.batch_events) RETURN_IF_ERROR(flush(false));
  }
  if (!req.records.empty()) {
    RETURN_IF_ERROR(flush(true));
  } else {
    RETURN_IF_ERROR(store->Sync());
  }
  return report;
}

}  // namespace carelog
