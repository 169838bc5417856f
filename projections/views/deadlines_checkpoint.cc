// The deadlines checkpoint: every name and byte of it.
//
// Names (EventStore checkpoints, 'P' keys in store/record_format.cc):
//
//   "deadlines/case/" caseId     -> main       the case's fold without findings
//   "deadlines/findings/" caseId -> findings   the same fold's findings
//   "deadlines/index/" caseId    -> index      what catch-up reads, not main
//   "deadlines/head"             -> head       the log position all reflect
//
// Values:
//
//   main     := fingerprint case_version crc body
//   findings := fingerprint case_version crc body
//   body     := CaseDeadlinesCheckpoint    (in main)
//             | CheckpointFindings         (in findings)
//               (proto/carelog/v1/checkpoint.proto, deterministic serialization)
//   crc      := crc32(fingerprint || case_version || body):fixed32
//   index    := fingerprint case_version   (main's first kDeadlinesIndexBytes)
//   head     := position:fixed64 cases:fixed64 written_at_micros:fixed64
//   case_version := fixed64: the case's stream version the fold reflects
//
// A checkpoint is a main value and a findings value with the same
// fingerprint and case version. The head says up to which log position every
// case's checkpoint was brought up to date; catch-up starts after it.
//
//   fingerprint := SHA-256(fold || pack || calendar)[0..16)   (kDeadlinesFingerprintBytes)
//     fold     := "carelog.deadlines.fold/" decimal(kDeadlinesFoldVersion)
//                 " checkpoint/" decimal(kCheckpointFormat)
//                 " state/" decimal(kCarePlanStateFoldVersion)
//                 (the case's care-plan state value, state_checkpoint.cc,
//                 carries the same fingerprint: one checkpoint, three values)
//     pack     := name, division, then per version: effective_from, number,
//                 and each rule's deterministic protobuf bytes, each part
//                 length-prefixed (fixed64) so no two packs hash alike
//     calendar := CalendarDigest: SHA-256 over every division's bank holidays
//                 1900-2100, first 16 bytes
//
// Fixed-width integers are little-endian. The fingerprint and version come
// first and unparsed so that a reader can tell whether a checkpoint is current
// without decoding the fold, and so that the index is a prefix of the main
// value. The checksum catches a damaged value, which is then rebuilt from the
// log like a missing one: a checkpoint is derived data, never the record.
#include "projections/views/deadlines_checkpoint.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "carelog/v1/checkpoint.pb.h"
#include "projections/care_plan_state.h"
#include "store/base/deterministic.h"
#include "google/protobuf/arena.h"
#include "store/base/coding.h"
#include "store/base/sha256.h"

namespace carelog {
namespace {

// Bump when the value layout or checkpoint.proto changes meaning: it is part
// of the fingerprint, so values of another layout are rebuilt, never misread.
constexpr int kCheckpointFormat = 3;
// Where the header's parts start in a main or findings value.
constexpr size_t kCaseVersionAt = kDeadlinesFingerprintBytes;
constexpr size_t kChecksumAt = kDeadlinesIndexBytes;
static_assert(kDeadlinesValueHeaderBytes == kChecksumAt + kDeadlinesChecksumBytes);
const absl::CivilDay kEpoch(1970, 1, 1);

// SHA-256 over length-prefixed parts, so that ("ab","c") and ("a","bc") differ.
class FingerprintHash {
 public:
  void Part(std::string_view bytes) {
    Fixed(bytes.size());
    h_.Update(bytes);
  }
  void Fixed(uint64_t v) {
    char b[8];
    EncodeFixed64(b, v);
    h_.Update(std::string_view(b, sizeof b));
  }
  // The digest's first kDeadlinesFingerprintBytes.
  std::string Finish() { return DigestBytes(h_.Finish()).substr(0, kDeadlinesFingerprintBytes); }

 private:
  Sha256 h_;
};

uint32_t Crc(std::string_view a, std::string_view b) {
  uLong c = crc32(0L, Z_NULL, 0);
  c = crc32(c, reinterpret_cast<const Bytef*>(a.data()), static_cast<uInt>(a.size()));
  c = crc32(c, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size()));
  return static_cast<uint32_t>(c);
}

int64_t Days(absl::CivilDay d) { return d - kEpoch; }
absl::CivilDay Day(int64_t days) { return kEpoch + days; }

}  // namespace

std::string DeadlinesCaseName(std::string_view case_id) {
  return absl::StrCat(kDeadlinesCaseCheckpoint, std::string(case_id));
}
std::string DeadlinesFindingsName(std::string_view case_id) {
  return absl::StrCat(kDeadlinesFindingsCheckpoint, std::string(case_id));
}
std::string DeadlinesIndexName(std::string_view case_id) {
  return absl::StrCat(kDeadlinesIndexCheckpoint, std::string(case_id));
}
std::optional<std::string_view> CaseOfDeadlinesIndexName(std::string_view name) {
  if (!name.starts_with(kDeadlinesIndexCheckpoint)) return std::nullopt;
  return name.substr(sizeof(kDeadlinesIndexCheckpoint) - 1);
}

std::string DeadlinesIndexValue(std::string_view main) {
  return std::string(main.substr(0, kDeadlinesIndexBytes));
}
std::optional<std::string> FingerprintOfDeadlinesIndex(std::string_view index) {
  if (index.size() != kDeadlinesIndexBytes) return std::nullopt;
  return std::string(index.substr(0, kDeadlinesFingerprintBytes));
}

std::string EncodeDeadlinesHead(const DeadlinesHead& head) {
  std::string out;
  out.reserve(kDeadlinesHeadBytes);
  PutFixed64(&out, head.position);
  PutFixed64(&out, head.cases);
  PutFixed64(&out, static_cast<uint64_t>(head.written_at_micros));
  return out;
}

absl::StatusOr<DeadlinesHead> DecodeDeadlinesHead(std::string_view bytes) {
  if (bytes.size() != kDeadlinesHeadBytes) {
    return absl::DataLossError(absl::StrCat("checkpoint '", kDeadlinesHeadCheckpoint, "' is ",
                                            bytes.size(), " bytes, not ", kDeadlinesHeadBytes));
  }
  DeadlinesHead head;
  head.position = DecodeFixed64(bytes.data());
  head.cases = DecodeFixed64(bytes.data() + 8);
  head.written_at_micros = static_cast<int64_t>(DecodeFixed64(bytes.data() + 16));
  return head;
}

std::string CalendarDigest(const Calendar& cal) {
  FingerprintHash h;
  for (Division d : {Division::kEnglandAndWales, Division::kScotland, Division::kNorthernIreland}) {
    h.Fixed(static_cast<uint64_t>(d));
    for (int year = 1900; year <= 2100; ++year) {
      const std::vector<absl::CivilDay> days = cal.BankHolidays(d, year);
      h.Fixed(days.size());
      for (absl::CivilDay day : days) h.Fixed(static_cast<uint64_t>(Days(day)));
    }
  }
  return h.Finish();
}

std::string DeadlinesFingerprint(const ResolvedPack& pack, std::string_view calendar_digest) {
  FingerprintHash h;
  h.Part(absl::StrCat("carelog.deadlines.fold/", kDeadlinesFoldVersion, " checkpoint/",
                      kCheckpointFormat, " state/", kCarePlanStateFoldVersion));
  h.Part(pack.name);
  h.Fixed(static_cast<uint64_t>(pack.division));
  h.Fixed(pack.versions.size());
  for (const PolicyRuleSet& v : pack.versions) {
    h.Fixed(static_cast<uint64_t>(Days(v.effective_from)));
    h.Fixed(static_cast<uint64_t>(v.number));
    h.Fixed(v.rules.size());
    for (const v1::Rule& r : v.rules) h.Part(DeterministicBytes(r));
  }
  h.Part(calendar_digest);
  return h.Finish();
}

std::string FrameCheckpointValue(std::string_view fingerprint, uint64_t case_version,
                                 std::string_view body) {
  std::string out;
  out.reserve(kDeadlinesValueHeaderBytes + body.size());
  out.append(fingerprint.substr(0, kDeadlinesFingerprintBytes));
  out.resize(kDeadlinesFingerprintBytes, '\0');
  PutFixed64(&out, case_version);
  PutFixed32(&out, Crc(out, body));
  out.append(body);
  return out;
}

DeadlinesCheckpointValues EncodeDeadlinesCheckpoint(const DeadlinesCheckpoint& c) {
  v1::CaseDeadlinesCheckpoint p;
  const CaseDeadlines& d = c.deadlines;
  p.set_division(static_cast<int32_t>(d.division));
  for (const Obligation& o : d.obligations) {
    v1::CheckpointObligation* q = p.add_obligations();
    q->set_rule_id(o.rule_id);
    q->set_review_id(o.review_id);
    q->set_due(Days(o.due));
    if (o.due_at) q->set_due_at_micros(absl::ToUnixMicros(*o.due_at));
    q->set_status(static_cast<int32_t>(o.status));
    if (o.met_on) q->set_met_on(Days(*o.met_on));
    if (o.closed_on) q->set_closed_on(Days(*o.closed_on));
    q->set_source_document(o.source_document);
    q->set_source_section(o.source_section);
    q->set_trigger_position(o.trigger_position);
    if (o.met_by_position) q->set_met_by_position(*o.met_by_position);
    q->set_pack_version(o.pack_version);
    q->set_short_notice(o.short_notice);
  }
  v1::CheckpointFindings findings;
  for (const Finding& f : d.findings) {
    v1::CheckpointFinding* q = findings.add_findings();
    q->set_rule_id(f.rule_id);
    q->set_review_id(f.review_id);
    q->set_detail(f.detail);
    q->set_on(Days(f.on));
    q->set_position(f.position);
    q->set_source_document(f.source_document);
    q->set_source_section(f.source_section);
    q->set_pack_version(f.pack_version);
  }
  if (d.last_event_day) p.set_last_event_day(Days(*d.last_event_day));
  return {FrameCheckpointValue(c.fingerprint, c.case_version, DeterministicBytes(p)),
          FrameCheckpointValue(c.fingerprint, c.case_version, DeterministicBytes(findings))};
}

absl::StatusOr<DeadlinesCheckpointHead> PeekDeadlinesCheckpoint(std::string_view bytes) {
  if (bytes.size() < kDeadlinesValueHeaderBytes) {
    return absl::DataLossError(absl::StrCat("deadlines checkpoint is ", bytes.size(),
                                            " bytes, shorter than its ",
                                            kDeadlinesValueHeaderBytes, "-byte header"));
  }
  const uint32_t want = DecodeFixed32(bytes.data() + kChecksumAt);
  if (Crc(bytes.substr(0, kChecksumAt), bytes.substr(kDeadlinesValueHeaderBytes)) != want) {
    return absl::DataLossError("deadlines checkpoint fails its checksum");
  }
  return std::make_pair(std::string(bytes.substr(0, kDeadlinesFingerprintBytes)),
                        DecodeFixed64(bytes.data() + kCaseVersionAt));
}

absl::StatusOr<DeadlinesCheckpoint> DecodeDeadlinesCheckpoint(std::string_view case_id,
                                                              std::string_view bytes,
                                                              const std::string_view* findings_bytes) {
  auto head = PeekDeadlinesCheckpoint(bytes);
  if (!head.ok()) {
    return absl::DataLossError(absl::StrCat("case '", std::string(case_id), "': ",
                                            std::string(head.status().message())));
  }
  return DecodePeekedDeadlinesCheckpoint(case_id, *std::move(head), bytes, findings_bytes);
}

absl::StatusOr<DeadlinesCheckpoint> DecodePeekedDeadlinesCheckpoint(
    std::string_view case_id, DeadlinesCheckpointHead head, std::string_view bytes,
    const std::string_view* findings_bytes) {
  const std::string_view body = bytes.substr(kDeadlinesValueHeaderBytes);
  // On an arena: the parsed strings are freed at once, not one by one (this
  // decode is most of what a checkpointed query costs).
  google::protobuf::Arena arena;
  auto& p = *google::protobuf::Arena::CreateMessage<v1::CaseDeadlinesCheckpoint>(&arena);
  if (!p.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::DataLossError(
        absl::StrCat("deadlines checkpoint of case '", std::string(case_id), "' does not parse"));
  }
  const auto bad = [&](std::string_view what) {
    return absl::DataLossError(absl::StrCat("deadlines checkpoint of case '", std::string(case_id),
                                            "' has ", std::string(what)));
  };
  if (p.division() < 0 || p.division() > static_cast<int>(Division::kNorthernIreland))
    return bad(absl::StrCat("an unknown division ", p.division()));
  // Dates stay within years 0001-9999 (kEndOfTime is the last): civil-day
  // arithmetic on anything else is not meaningful.
  const int64_t lo = Days(absl::CivilDay(1, 1, 1)), hi = Days(kEndOfTime);
  const auto out_of_range = [&](int64_t day) { return day < lo || day > hi; };
  for (const v1::CheckpointObligation& q : p.obligations()) {
    if (q.status() < 0 || q.status() > static_cast<int>(ObligationStatus::kClosed))
      return bad(absl::StrCat("an unknown obligation status ", q.status()));
    if (out_of_range(q.due()) || (q.has_met_on() && out_of_range(q.met_on())) ||
        (q.has_closed_on() && out_of_range(q.closed_on())))
      return bad(absl::StrCat("a date outside years 0001-9999 (rule ", q.rule_id(), ")"));
  }
  auto& findings = *google::protobuf::Arena::CreateMessage<v1::CheckpointFindings>(&arena);
  if (findings_bytes != nullptr) {
    auto fhead = PeekDeadlinesCheckpoint(*findings_bytes);
    if (!fhead.ok()) return bad(absl::StrCat("a findings value: ", fhead.status().message()));
    if (*fhead != head) return bad("a findings value of another fingerprint or case version");
    const std::string_view fbody = findings_bytes->substr(kDeadlinesValueHeaderBytes);
    if (!findings.ParseFromArray(fbody.data(), static_cast<int>(fbody.size())))
      return bad("findings that do not parse");
  }
  for (const v1::CheckpointFinding& q : findings.findings()) {
    if (out_of_range(q.on()))
      return bad(absl::StrCat("a date outside years 0001-9999 (finding ", q.rule_id(), ")"));
  }
  if (p.has_last_event_day() && out_of_range(p.last_event_day()))
    return bad("a last event date outside years 0001-9999");
  DeadlinesCheckpoint c;
  c.fingerprint = std::move(head.first);
  c.case_version = head.second;
  CaseDeadlines& d = c.deadlines;
  d.case_id = std::string(case_id);
  d.division = static_cast<Division>(p.division());
  d.obligations.reserve(p.obligations_size());
  for (const v1::CheckpointObligation& q : p.obligations()) {
    Obligation o;
    o.case_id = d.case_id;
    o.rule_id = q.rule_id();
    o.review_id = q.review_id();
    o.due = Day(q.due());
    if (q.has_due_at_micros()) o.due_at = absl::FromUnixMicros(q.due_at_micros());
    o.status = static_cast<ObligationStatus>(q.status());
    if (q.has_met_on()) o.met_on = Day(q.met_on());
    if (q.has_closed_on()) o.closed_on = Day(q.closed_on());
    o.source_document = q.source_document();
    o.source_section = q.source_section();
    o.trigger_position = q.trigger_position();
    if (q.has_met_by_position()) o.met_by_position = q.met_by_position();
    o.pack_version = q.pack_version();
    o.short_notice = q.short_notice();
    d.obligations.push_back(std::move(o));
  }
  d.findings.reserve(findings.findings_size());
  for (const v1::CheckpointFinding& q : findings.findings()) {
    Finding f;
    f.case_id = d.case_id;
    f.rule_id = q.rule_id();
    f.review_id = q.review_id();
    f.detail = q.detail();
    f.on = Day(q.on());
    f.position = q.position();
    f.source_document = q.source_document();
    f.source_section = q.source_section();
    f.pack_version = q.pack_version();
    d.findings.push_back(std::move(f));
  }
  if (p.has_last_event_day()) d.last_event_day = Day(p.last_event_day());
  return c;
}

}  // namespace carelog
