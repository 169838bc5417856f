#include "tools/gen.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/calendar.h"

namespace carelog {
namespace {

constexpr Division kDiv = Division::kEnglandAndWales;
constexpr int64_t kDayMin = 1440;
constexpr int kOpenMin = 8 * 60 + 30;    // 08:30 UTC: office hours in London
constexpr int kCloseMin = 16 * 60 + 30;  // 16:30 UTC (17:30 BST at the latest)

const absl::CivilDay& Epoch() {
  static const absl::CivilDay e(1970, 1, 1);
  return e;
}
int64_t DayNum(absl::CivilDay d) { return d - Epoch(); }
absl::CivilDay DayOf(int64_t t) { return Epoch() + t / kDayMin; }

// ------------------------------------------------------------------ PRNG ---

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256**; integer-only helpers so output never depends on libm.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& w : s_) w = SplitMix64(x);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1))); }
  // True with probability pct/100.
  bool Pct(int pct) { return Below(100) < static_cast<uint64_t>(pct); }
  // True with probability pm/1000.
  bool PerMille(int pm) { return Below(1000) < static_cast<uint64_t>(pm); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

struct Weighted {
  const char* v;
  int w;
};
template <size_t N>
const char* Pick(Rng& r, const Weighted (&t)[N]) {
  int total = 0;
  for (const Weighted& e : t) total += e.w;
  int x = static_cast<int>(r.Below(static_cast<uint64_t>(total)));
  for (const Weighted& e : t) {
    if (x < e.w) return e.v;
    x -= e.w;
  }
  return t[N - 1].v;
}

// ------------------------------------------------------------ formatting ---

void Append2(std::string& s, int v) {
  s.push_back(static_cast<char>('0' + v / 10));
  s.push_back(static_cast<char>('0' + v % 10));
}
void AppendDate(std::string& s, absl::CivilDay d) {
  const int y = static_cast<int>(d.year());
  Append2(s, y / 100);
  Append2(s, y % 100);
  s.push_back('-');
  Append2(s, d.month());
  s.push_back('-');
  Append2(s, d.day());
}
std::string DateStr(absl::CivilDay d) {
  std::string s;
  AppendDate(s, d);
  return s;
}
void AppendInstant(std::string& s, int64_t t) {
  AppendDate(s, DayOf(t));
  const int m = static_cast<int>(t % kDayMin);
  s.push_back('T');
  Append2(s, m / 60);
  s.push_back(':');
  Append2(s, m % 60);
  s.append(":00Z");
}
// JSON string body escaping (the generator's own texts are plain ASCII, but
// keep lines valid whatever they contain).
void AppendEscaped(std::string& s, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '"': s.append("\\\""); break;
      case '\\': s.append("\\\\"); break;
      case '\n': s.append("\\n"); break;
      case '\t': s.append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          s.append("\\u00");
          s.push_back(kHex[(c >> 4) & 0xf]);
          s.push_back(kHex[c & 0xf]);
        } else {
          s.push_back(c);
        }
    }
  }
}
std::string Q(std::string_view v) {
  std::string s = "\"";
  AppendEscaped(s, v);
  s.push_back('"');
  return s;
}
const char* Bool(bool b) { return b ? "true" : "false"; }

int CollectionYearOf(absl::CivilDay d) {
  return d.month() >= 4 ? static_cast<int>(d.year()) : static_cast<int>(d.year()) - 1;
}

// ---------------------------------------------------------------- tables ---

constexpr Weighted kEntryLs[] = {{"C2", 30}, {"V2", 28}, {"C1", 22}, {"L1", 6},
                                 {"L2", 3},  {"E1", 3},  {"D1", 1}};
constexpr Weighted kChildPlace[] = {{"U1", 8}, {"U2", 6}, {"U3", 4}, {"U4", 26}, {"U5", 20},
                                    {"U6", 14}, {"K2", 8}, {"R1", 3}, {"P1", 4}, {"S1", 2},
                                    {"Z", 2},   {"K1", 1}, {"R2", 1}, {"T", 1}};
constexpr Weighted kBabyPlace[] = {{"U4", 40}, {"U5", 25}, {"U1", 15}, {"U2", 5},
                                   {"P1", 8},  {"R1", 4},  {"Z", 3}};
constexpr Weighted kTeenPlace[] = {{"H5", 22}, {"U4", 20}, {"U5", 14}, {"U6", 10}, {"K2", 20},
                                   {"R1", 5},  {"S1", 3},  {"Z", 4},   {"R5", 2}};
constexpr Weighted kPaceLs2Place[] = {{"K2", 40}, {"U4", 30}, {"U6", 20}, {"T", 10}};
constexpr Weighted kZ25[] = {{"Z11", 40}, {"Z12", 25}, {"Z13", 20}, {"Z14", 15}};
constexpr Weighted kTemp[] = {{"T0", 20}, {"T1", 25}, {"T2", 25}, {"T3", 15}, {"T4", 15}};
constexpr Weighted kPnOver4[] = {{"PN1", 46}, {"PN4", 14}, {"PN3", 10}, {"PN2", 9},
                                 {"PN5", 8},  {"PN6", 6},  {"PN7", 7}};
constexpr Weighted kShortRec[] = {{"E4A", 60}, {"E4B", 15}, {"E13", 12}, {"E8", 5},
                                  {"E3", 4},   {"E16", 2},  {"E15", 2}};
constexpr Weighted kAgeOutRec[] = {{"E17", 30}, {"E5", 35}, {"E6", 15}, {"E8", 12}, {"E7", 5},
                                   {"E9", 3}};
constexpr Weighted kSigKind[] = {
    {"MISSING", 15},        {"HEALTH_EVENT", 13},  {"CHANGE_OF_PLAN", 11},
    {"COMPLAINT", 8},       {"SCHOOL_EXCLUSION", 8}, {"CONTACT_CHANGE", 9},
    {"FAMILY_EVENT", 9},    {"OFFENCE", 5},        {"SECTION_47", 4},
    {"DECISIONS_NOT_IMPLEMENTED", 4}, {"PLACEMENT_DISRUPTION", 6}, {"PANEL_DECISION", 2}};
constexpr Weighted kPostponeReason[] = {
    {"Social worker unwell", 20}, {"Child unavailable (school exams)", 12},
    {"Carer unavailable", 12},    {"Key reports not ready", 18},
    {"Clash with court hearing", 10}, {"Parent requested a new date", 10},
    {"IRO unwell", 12},          {"Interpreter unavailable", 6}};
constexpr Weighted kConsultMethod[] = {{"visit", 45}, {"consultation form", 25},
                                       {"Mind of My Own app", 15}, {"advocate", 10},
                                       {"telephone", 5}};
constexpr Weighted kReasonPlaceChange[] = {{"CARPL", 35}, {"CHILD", 12}, {"CREQB", 8},
                                           {"STAND", 15}, {"CLOSE", 8},  {"LAREQ", 8},
                                           {"ALLEG", 4},  {"OTHER", 10}};
constexpr Weighted kProvider[] = {{"PR1", 55}, {"PR4", 30}, {"PR5", 8}, {"PR2", 5}, {"PR3", 2}};
constexpr Weighted kOutOfArea[] = {{"IN_AREA", 65}, {"OUT_OF_AREA", 25}, {"DISTANT", 10}};
constexpr Weighted kAuthority[] = {{"801", 50}, {"355", 30}, {"876", 20}};

const char* kRetractReasons[] = {"Recorded on the wrong child's record",
                                 "Entered in error", "Did not take place"};

enum Flags : uint32_t {
  kLateOk = 1,       // may be recorded late: moved a few lines later
  kRetractDup = 2,   // a duplicate entry, retracted a few lines later
  kRetractable = 4,  // may be retracted as entered in error
  kFirst = 8,        // childRegistered: always the first line of the block
};

struct Ev {
  int64_t t = 0;
  uint32_t seq = 0;
  uint32_t flags = 0;
  int32_t ref = -1;         // seq of the event whose eventId goes between body and body2
  const char* role = "";
  std::string actor;
  std::string body;   // `"payloadName":{...` JSON member(s)
  std::string body2;  // after the referenced id (when ref >= 0)
  std::string alt;    // replacement Event members for an eventCorrected; empty if none
  int64_t key = 0;    // line-order key
};

struct Ctx {
  absl::CivilDay start;  // first day of the window
  absl::CivilDay end;    // last day
  int64_t end_t;         // last minute of `end`
  int sw_pool, tm_pool, sm_pool, iro_pool;
  std::string id_prefix;  // "g<seed>-"
  const Calendar* cal;
};

struct Placement {
  absl::CivilDay start;
  std::string type;
  std::string id;
  bool foster;
};

class ChildGen {
 public:
  ChildGen(const Ctx& ctx, int child, uint64_t seed, std::vector<Ev>& evs)
      : c_(ctx), child_(child), rng_(seed), evs_(evs) {}

  void Run();

 private:
  // --- calendar helpers
  absl::CivilDay WD(absl::CivilDay d) const {
    return c_.cal->IsWorkingDay(kDiv, d) ? d : c_.cal->AddWorkingDays(kDiv, d, 1);
  }
  absl::CivilDay PrevWD(absl::CivilDay d) const {
    return c_.cal->IsWorkingDay(kDiv, d) ? d : c_.cal->AddWorkingDays(kDiv, d, -1);
  }
  absl::CivilDay AddWD(absl::CivilDay d, int n) const { return c_.cal->AddWorkingDays(kDiv, d, n); }
  int64_t T(absl::CivilDay d) { return DayNum(d) * kDayMin + rng_.Range(kOpenMin, kCloseMin); }
  int64_t TAfter(absl::CivilDay d, int64_t t0) {
    int64_t t = T(d);
    if (t <= t0) t = t0 + rng_.Range(1, 20);
    return t;
  }
  int Age(absl::CivilDay d) const {
    int a = static_cast<int>(d.year() - dob_.year());
    if (d.month() < dob_.month() || (d.month() == dob_.month() && d.day() < dob_.day())) --a;
    return a;
  }
  bool InPeriod(absl::CivilDay d) const { return d < cease_ && d <= c_.end; }

  // --- emitting
  int Emit(int64_t t, const char* role, std::string actor, std::string body, uint32_t flags = 0) {
    Ev& e = evs_.emplace_back();
    e.t = t;
    e.seq = static_cast<uint32_t>(evs_.size() - 1);
    e.flags = flags;
    e.role = role;
    e.actor = std::move(actor);
    e.body = std::move(body);
    return static_cast<int>(e.seq);
  }
  std::string Sw(absl::CivilDay d) const {
    std::string id = sws_.front().second;
    for (const auto& [from, sw] : sws_) {
      if (from <= d) id = sw;
    }
    return id;
  }
  std::string Pool(const char* prefix, int n) { return absl::StrCat(prefix, 1 + rng_.Below(n)); }
  std::string PlaceCode(std::string_view kind, absl::CivilDay on) {
    if (kind == "Z") return CollectionYearOf(on) >= 2025 ? Pick(rng_, kZ25) : "Z1";
    if (kind == "T") return Pick(rng_, kTemp);
    return std::string(kind);
  }

  void Period(absl::CivilDay a, bool first);
  void StartPlacement(int64_t t, const std::string& type, bool long_term, bool connected,
                      const char* reason);
  void EndPlacement(int64_t t, const char* reason, bool unplanned);
  int Significant(absl::CivilDay d, const char* kind);
  void Reviews();
  void Visits();

  const Ctx& c_;
  int child_;
  Rng rng_;
  std::vector<Ev>& evs_;

  absl::CivilDay dob_;
  std::string iro_;
  std::vector<std::pair<absl::CivilDay, std::string>> sws_;
  int review_n_ = 0;
  int placement_n_ = 0;

  // Current period.
  absl::CivilDay a_;      // accommodated
  int64_t a_t_ = 0;
  absl::CivilDay cease_;  // cease day, or a day after the window end
  int64_t cease_t_ = 0;
  std::vector<Placement> placements_;  // this period's, in order
  std::vector<absl::CivilDay> bring_forward_;
  absl::CivilDay reduced_from_;  // reduced-meeting arrangement applies from; far future if none
  std::string pending_review_;   // scheduled, not held when the period ended
  int64_t pending_t_ = 0;
};

void ChildGen::StartPlacement(int64_t t, const std::string& type, bool long_term, bool connected,
                              const char* reason) {
  Placement p;
  p.start = DayOf(t);
  p.type = type;
  p.id = absl::StrCat("P-", ++placement_n_);
  p.foster = type[0] == 'U' || type[0] == 'A';
  std::string b = absl::StrCat(
      "\"placementStarted\":{\"placementType\":\"", type, "\",\"longTerm\":", Bool(long_term),
      ",\"connectedPerson\":", Bool(connected), ",\"outOfArea\":\"", Pick(rng_, kOutOfArea),
      "\",\"provider\":\"", Pick(rng_, kProvider), "\",\"reasonPlaceChange\":\"", reason,
      "\",\"placementId\":\"", p.id, "\"}");
  const int seq = Emit(t, "SOCIAL_WORKER", Sw(p.start), std::move(b));
  // A placement type recorded wrongly and corrected later (same date, so the
  // code list is the same).
  const char* alt_type = type == "U4" ? "U5" : type == "U5" ? "U4" : nullptr;
  if (alt_type != nullptr) {
    evs_[seq].alt = absl::StrCat("\"placementStarted\":{\"placementType\":\"", alt_type,
                                 "\",\"longTerm\":", Bool(long_term), ",\"placementId\":\"", p.id,
                                 "\"}");
  }
  placements_.push_back(std::move(p));
}

void ChildGen::EndPlacement(int64_t t, const char* reason, bool unplanned) {
  if (placements_.empty()) return;
  Emit(t, "SOCIAL_WORKER", Sw(DayOf(t)),
       absl::StrCat("\"placementEnded\":{\"placementId\":\"", placements_.back().id,
                    "\",\"reason\":\"", reason, "\",\"unplanned\":", Bool(unplanned), "}"));
}

int ChildGen::Significant(absl::CivilDay d, const char* kind) {
  const int64_t t = T(d);
  const bool carer = std::string_view(kind) == "MISSING" && rng_.Pct(40);
  const int se = Emit(t, carer ? "CARER" : "SOCIAL_WORKER",
                      carer ? absl::StrCat("carer-", child_) : Sw(d),
                      absl::StrCat("\"significantEventReported\":{\"kind\":\"", kind, "\"}"),
                      kRetractable);
  if (rng_.Pct(88)) {
    const absl::CivilDay cd = AddWD(d, rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 15));
    const bool forward = rng_.Pct(12);
    if (forward && InPeriod(cd)) bring_forward_.push_back(cd);
    Ev& e = evs_[Emit(TAfter(cd, t), "IRO", iro_, "\"earlyReviewConsidered\":{\"significantEventId\":")];
    e.ref = se;
    e.body2 = absl::StrCat(",\"bringForward\":", Bool(forward), ",\"rationale\":\"",
                           forward ? "Review brought forward to consider the change"
                                   : "Can be considered at the next scheduled review",
                           "\"}");
  }
  return se;
}

void ChildGen::Visits() {
  for (size_t i = 0; i < placements_.size(); ++i) {
    const absl::CivilDay s = placements_[i].start;
    const absl::CivilDay e = i + 1 < placements_.size() ? placements_[i + 1].start : cease_;
    absl::CivilDay d = s + (rng_.Pct(90) ? rng_.Range(1, 7) : rng_.Range(8, 20));
    while (true) {
      d = WD(d);
      if (d >= e || !InPeriod(d)) break;
      const int age = Age(d);
      const int seq = Emit(T(d), "SOCIAL_WORKER", Sw(d),
                           absl::StrCat("\"statutoryVisit\":{\"seenAlone\":",
                                        Bool(age >= 5 && rng_.Pct(65)), "}"),
                           kLateOk | kRetractable);
      if (rng_.PerMille(8)) {  // entered twice
        Ev dup = evs_[seq];
        dup.t += rng_.Range(1, 90);
        dup.seq = static_cast<uint32_t>(evs_.size());
        dup.flags = kRetractDup;
        evs_.push_back(std::move(dup));
      } else {
        // Date entered wrongly: corrected to a day or two earlier.
        const absl::CivilDay wrong = AddWD(d, -rng_.Range(1, 2));
        evs_[seq].alt = absl::StrCat("\"occurredAt\":\"");
        AppendInstant(evs_[seq].alt, DayNum(wrong) * kDayMin + rng_.Range(kOpenMin, kCloseMin));
        absl::StrAppend(&evs_[seq].alt, "\",\"statutoryVisit\":{\"seenAlone\":", Bool(age >= 5), "}");
      }
      const bool early_year = (d - a_) < 365;
      int gap;
      if (age >= 16) {
        gap = rng_.Pct(90) ? rng_.Range(30, 56) : rng_.Range(57, 80);
      } else if (early_year) {
        gap = rng_.Pct(90) ? rng_.Range(26, 42) : rng_.Range(43, 65);
      } else {
        gap = rng_.Pct(90) ? rng_.Range(28, 45) : rng_.Range(46, 80);
      }
      d += gap;
    }
  }
}

void ChildGen::Reviews() {
  absl::CivilDay due = AddWD(a_, 20);
  absl::CivilDay prev_held = a_;
  int64_t prev_t = a_t_;
  int held_n = 0;
  bool cancelled_last = false;
  std::sort(bring_forward_.begin(), bring_forward_.end());
  pending_review_.clear();
  bool meeting_toggle = false;
  while (true) {
    // When the next review is arranged and when it is meant to take place.
    absl::CivilDay sched_day;
    absl::CivilDay planned;
    if (cancelled_last) {
      sched_day = AddWD(DayOf(prev_t), rng_.Range(0, 3));
      planned = AddWD(sched_day, rng_.Range(8, 18));
    } else if (held_n == 0) {
      sched_day = AddWD(a_, rng_.Range(1, 5));
      planned = rng_.Pct(90) ? AddWD(due, -rng_.Range(0, 8)) : AddWD(due, rng_.Range(1, 25));
    } else {
      sched_day = AddWD(prev_held, rng_.Range(1, 12));
      planned = rng_.Pct(88) ? PrevWD(due - rng_.Range(0, 21)) : WD(due + rng_.Range(1, 40));
    }
    cancelled_last = false;
    // An early review after a significant event.
    for (absl::CivilDay bf : bring_forward_) {
      if (bf > prev_held && bf >= sched_day) {
        const absl::CivilDay early = AddWD(bf, rng_.Range(10, 20));
        if (early < planned) planned = early;
        break;
      }
    }
    if (planned <= AddWD(sched_day, 10)) planned = AddWD(sched_day, rng_.Range(10, 14));
    if (!InPeriod(sched_day)) break;

    const std::string rid = absl::StrCat("R-", ++review_n_);
    const std::string rq = absl::StrCat("{\"reviewId\":\"", rid, "\"");
    const bool reduced = planned >= reduced_from_;
    bool meeting;
    if (reduced) {
      meeting = meeting_toggle;
      meeting_toggle = !meeting_toggle;
    } else {
      meeting = rng_.Pct(held_n == 0 ? 95 : 82);
    }
    const bool migrated = rng_.Pct(2);  // held recorded without a schedule
    const int64_t sched_t = migrated ? T(sched_day) : TAfter(sched_day, prev_t);
    absl::CivilDay d = planned;
    if (!migrated) {
      const bool by_iro = rng_.Pct(60);
      Emit(sched_t, by_iro ? "IRO" : "ADMIN", by_iro ? iro_ : Pool("admin-", 4),
           absl::StrCat("\"reviewScheduled\":", rq, ",\"scheduledFor\":\"", DateStr(planned),
                        "\",\"format\":\"", meeting ? "MEETING" : "CONSULTATION", "\"}"));
      // Pre-review acts for date `d`, none before `floor_t`.
      auto pre = [&](absl::CivilDay date, int64_t floor_t) {
        auto act = [&](absl::CivilDay day, const char* role, std::string actor, std::string body,
                       uint32_t flags = 0) {
          if (DayNum(day) * kDayMin + kCloseMin <= floor_t) day = AddWD(DayOf(floor_t), 1);
          if (!InPeriod(day) || day > date) return -1;
          return Emit(TAfter(day, floor_t), role, std::move(actor), std::move(body), flags);
        };
        act(AddWD(date, rng_.Pct(85) ? -rng_.Range(10, 15) : -rng_.Range(3, 9)), "ADMIN",
            Pool("admin-", 4), absl::StrCat("\"invitationsSent\":", rq, "}"), kRetractable);
        if (Age(date) >= 4 && rng_.Pct(80)) {
          act(AddWD(date, -rng_.Range(4, 25)), "SOCIAL_WORKER", Sw(date),
              absl::StrCat("\"childConsulted\":", rq, ",\"method\":\"", Pick(rng_, kConsultMethod),
                           "\"}"),
              kRetractable);
        }
        if (rng_.Pct(60)) {
          act(date - rng_.Range(12, 25), "IRO", iro_,
              absl::StrCat("\"iroContactedSocialWorker\":", rq, "}"));
        }
        if (!placements_.empty() && placements_.back().foster && rng_.Pct(50)) {
          act(AddWD(date, -rng_.Range(3, 9)), "CARER", absl::StrCat("carer-", child_),
              absl::StrCat("\"carerConsultationReceived\":", rq, "}"));
        }
        const int cp = rng_.Range(0, 99);
        if (cp < 86) {
          act(PrevWD(date - rng_.Range(5, 20)), "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
              absl::StrCat("\"carePlanAuthorised\":", rq, "}"));
        } else if (cp < 95) {
          act(PrevWD(date - rng_.Range(1, 4)), "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
              absl::StrCat("\"carePlanAuthorised\":", rq, "}"));
        }
        const int dp = rng_.Range(0, 99);
        if (dp < 97) {
          const int n = dp < 86 ? -rng_.Range(3, 7) : -rng_.Range(0, 2);
          act(AddWD(date, n), "SOCIAL_WORKER", Sw(date),
              absl::StrCat("\"reviewDocumentsProvided\":", rq,
                           rng_.Pct(50) ? ",\"documents\":[\"care plan\",\"social worker report\"]"
                                        : ",\"documents\":[\"care plan\",\"social worker "
                                          "report\",\"placement plan\",\"health assessment\"]",
                           "}"),
              kRetractable);
        }
      };
      pre(d, sched_t);

      // Postponement.
      if (rng_.Pct(9)) {
        const bool iro = rng_.Pct(35);
        absl::CivilDay req = AddWD(d, -(rng_.Pct(70) ? rng_.Range(5, 9) : rng_.Range(0, 4)));
        if (DayNum(req) * kDayMin + kCloseMin <= sched_t) req = AddWD(sched_day, 1);
        if (InPeriod(req) && req <= d) {
          const bool emergency = iro && req == d && rng_.Pct(60);
          const int64_t req_t = TAfter(req, sched_t);
          Emit(req_t, iro ? "IRO" : "SOCIAL_WORKER", iro ? iro_ : Sw(req),
               absl::StrCat("\"reviewPostponementRequested\":", rq, ",\"requestedBy\":\"",
                            iro ? "IRO" : "SOCIAL_WORKER", "\",\"reason\":",
                            Q(iro ? (rng_.Pct(70) ? "IRO unwell" : "IRO travel disruption")
                                  : Pick(rng_, kPostponeReason)),
                            emergency ? ",\"emergency\":true}" : "}"));
          const absl::CivilDay dec = AddWD(req, rng_.Range(0, 2));
          const int64_t dec_t = TAfter(dec, req_t);
          if (rng_.Pct(88)) {
            const int r = rng_.Range(0, 99);
            const char* role = r < 76 ? "SERVICE_MANAGER" : r < 95 ? "TEAM_MANAGER" : "PRACTICE_LEAD";
            const std::string who = r < 76 ? Pool("sm-", c_.sm_pool) : Pool("tm-", c_.tm_pool);
            const int ic = rng_.Range(0, 99);
            Emit(dec_t, role, who,
                 absl::StrCat("\"reviewPostponementApproved\":", rq,
                              ic < 70 ? ",\"iroConsulted\":true}"
                                      : ic < 82 ? ",\"iroConsulted\":false}" : "}"));
            const absl::CivilDay re =
                AddWD(dec, rng_.Pct(80) ? rng_.Range(0, 3) : rng_.Range(4, 12));
            absl::CivilDay nd = AddWD(d, rng_.Range(4, 22));
            if (nd <= AddWD(re, 2)) nd = AddWD(re, rng_.Range(3, 10));
            const int64_t re_t = TAfter(re, dec_t);
            Emit(re_t, "IRO", iro_,
                 absl::StrCat("\"reviewRearranged\":", rq, ",\"newDate\":\"", DateStr(nd), "\"}"));
            d = nd;
            pre(d, re_t);
          } else {
            Emit(dec_t, "SERVICE_MANAGER", Pool("sm-", c_.sm_pool),
                 absl::StrCat("\"reviewPostponementRejected\":", rq, "}"));
          }
        }
      }

      // Cancelled: a new review is arranged in its place.
      if (rng_.Pct(3) && InPeriod(d)) {
        const absl::CivilDay cd = std::max(AddWD(d, -rng_.Range(0, 4)), AddWD(sched_day, 1));
        if (InPeriod(cd)) {
          prev_t = TAfter(cd, sched_t + 30);
          Emit(prev_t, "IRO", iro_,
               absl::StrCat("\"reviewCancelled\":", rq, ",\"reason\":\"",
                            rng_.Pct(50) ? "Care plan not authorised before the review"
                                         : "Key participants unable to attend; review re-arranged",
                            "\"}"));
          cancelled_last = true;
          continue;
        }
      }
    }
    if (!InPeriod(d)) {  // the period ends (or the window closes) first
      if (!migrated && d >= cease_) {
        pending_review_ = rid;
        pending_t_ = sched_t;
      }
      break;
    }

    // Held.
    const int64_t held_t = TAfter(d, migrated ? prev_t : sched_t);
    const int age = Age(d);
    const char* pn = age < 4 ? (rng_.Pct(92) ? "PN0" : "PN1") : Pick(rng_, kPnOver4);
    const int held_seq = Emit(held_t, "IRO", iro_,
                              absl::StrCat("\"reviewHeld\":", rq, ",\"participation\":\"", pn, "\"}"),
                              migrated ? 0u : static_cast<uint32_t>(kLateOk));
    if (age >= 4) {
      evs_[held_seq].alt = absl::StrCat("\"reviewHeld\":", rq, ",\"participation\":\"",
                                        std::string_view(pn) == "PN1" ? "PN4" : "PN1", "\"}");
    }
    const absl::CivilDay dec = AddWD(d, rng_.Pct(86) ? rng_.Range(1, 5) : rng_.Range(6, 15));
    Emit(TAfter(dec, held_t), "IRO", iro_, absl::StrCat("\"reviewDecisionsRecorded\":", rq, "}"));
    const absl::CivilDay mins = AddWD(d, rng_.Pct(80) ? rng_.Range(5, 15) : rng_.Range(16, 35));
    const int64_t mins_t = TAfter(mins, held_t);
    Emit(mins_t, "IRO", iro_, absl::StrCat("\"reviewMinutesCompleted\":", rq, "}"));
    if (rng_.Pct(40)) {
      const absl::CivilDay mr = AddWD(mins, rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 12));
      Emit(TAfter(mr, mins_t), "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
           absl::StrCat("\"managerResponded\":", rq, ",\"agreed\":", Bool(rng_.Pct(92)), "}"));
    }
    if (rng_.Pct(2)) {
      const absl::CivilDay dr = AddWD(mins, rng_.Range(5, 12));
      const int64_t dr_t = TAfter(dr, mins_t);
      Emit(dr_t, "IRO", iro_,
           absl::StrCat("\"disputeRaised\":", rq,
                        ",\"issue\":\"Care plan actions not progressed\",\"stage\":\"INFORMAL\"}"));
      if (rng_.Pct(75)) {
        Emit(TAfter(AddWD(dr, rng_.Range(3, 15)), dr_t), "SERVICE_MANAGER",
             Pool("sm-", c_.sm_pool),
             absl::StrCat("\"disputeResolved\":", rq, ",\"outcome\":\"Agreed actions and timescales\"}"));
      }
    }
    // The IRO's monitoring between reviews.
    for (int k = rng_.Range(1, 2), w = 5; k > 0; --k, w += rng_.Range(6, 9)) {
      const absl::CivilDay ic = WD(d + 7 * w + rng_.Range(0, 6));
      if (InPeriod(ic)) {
        Emit(T(ic), "IRO", iro_, absl::StrCat("\"iroContactedSocialWorker\":", rq, "}"));
      }
    }
    if (reduced && rng_.Pct(70)) {
      const absl::CivilDay mid = WD(AddMonths(d, 3) + rng_.Range(-10, 10));
      if (InPeriod(mid)) {
        Emit(T(mid), "IRO", iro_,
             "\"midwayReviewHeld\":{\"note\":\"Arrangement revisited; remains appropriate\"}");
      }
    }
    due = AddMonths(d, held_n == 0 ? 3 : 6);
    prev_held = d;
    prev_t = held_t;
    ++held_n;
  }
}

void ChildGen::Period(absl::CivilDay a, bool first) {
  a_ = a;
  placements_.clear();
  bring_forward_.clear();
  reduced_from_ = c_.end + 100000;
  const int age = Age(a);
  const absl::CivilDay adult = AddMonths(dob_, 18 * 12);
  const absl::CivilDay never = c_.end + 100000;

  const char* ls = Pick(rng_, kEntryLs);
  if ((std::string_view(ls) == "E1" || std::string_view(ls) == "D1") && age >= 6) ls = "C2";
  if (age >= 10 && rng_.Pct(6)) ls = "J2";
  const std::string_view lsv(ls);

  // What happens in this period, decided up front.
  absl::CivilDay cease = never;
  const char* rec = "E8";
  bool planned_end = true;
  std::vector<std::pair<absl::CivilDay, std::string>> ls_changes;
  std::string plan;  // permanence plan, if any
  bool permanence = false;
  if (lsv == "J2") {
    cease = a + rng_.Range(1, 6);
    rec = rng_.Pct(50) ? "E4B" : "E13";
    planned_end = false;
  } else if ((lsv == "L1" || lsv == "L2") && rng_.Pct(40)) {
    cease = a + rng_.Range(2, 28);
    rec = Pick(rng_, kShortRec);
  } else if (lsv == "V2" && (rng_.Pct(35) || age >= 16)) {
    cease = a + (rng_.Pct(60) ? rng_.Range(14, 200) : rng_.Range(201, 700));
    rec = Pick(rng_, kShortRec);
    if (age >= 16 && rng_.Pct(50)) cease = never;
  } else {
    permanence = true;
    if (lsv == "L1" || lsv == "L2") ls_changes.emplace_back(a + rng_.Range(1, 8), "C1");
    if (lsv == "V2" && rng_.Pct(25)) ls_changes.emplace_back(a + rng_.Range(20, 140), "C1");
    const int r = rng_.Range(0, 99);
    if (lsv == "E1" || lsv == "D1") {
      plan = "ADOPTION";
    } else if (age < 5) {
      plan = r < 30 ? "ADOPTION" : r < 65 ? "LONG_TERM_FOSTER" : r < 85 ? "KINSHIP" : "RETURN_HOME";
    } else if (age < 13) {
      plan = r < 5 ? "ADOPTION" : r < 65 ? "LONG_TERM_FOSTER" : r < 82 ? "KINSHIP" : "RETURN_HOME";
    } else {
      plan = r < 72 ? "LONG_TERM_FOSTER" : r < 82 ? "KINSHIP" : "RETURN_HOME";
    }
    bool to_c1 = lsv == "C1" || lsv == "L1" || lsv == "L2" || !ls_changes.empty();
    if (to_c1 && rng_.Pct(80)) ls_changes.emplace_back(a + rng_.Range(150, 260), "C2");
  }
  if (adult <= cease) {
    cease = adult;
    rec = Pick(rng_, kAgeOutRec);
    planned_end = true;
  }
  if (std::string_view(rec) == "E4B") planned_end = false;
  cease_ = cease;
  if (cease_ > c_.end) cease_ = never;

  // Notification (sometimes before the child becomes looked after), IRO.
  a_t_ = T(a);
  if (!evs_.empty() && a_t_ <= evs_.back().t && DayOf(evs_.back().t) == a) a_t_ = evs_.back().t + 1;
  absl::CivilDay notify;
  int64_t notify_t;
  const int nr = rng_.Range(0, 99);
  if (nr < 8 && !evs_.empty() && AddWD(a, -3) > DayOf(evs_.back().t)) {
    notify = AddWD(a, -rng_.Range(1, 3));
    notify_t = T(notify);
  } else {
    notify = AddWD(a, nr < 88 ? rng_.Range(0, 2) : rng_.Range(3, 8));
    notify_t = TAfter(notify, a_t_);
  }
  const bool emergency = lsv == "L1" || lsv == "L2" || lsv == "J2" || rng_.Pct(15);
  std::string place;
  if (lsv == "J2") {
    place = PlaceCode(Pick(rng_, kPaceLs2Place), a);
  } else if (lsv == "E1" || lsv == "D1") {
    place = rng_.Pct(50) ? "A5" : "A6";
  } else if (age < 1) {
    place = PlaceCode(Pick(rng_, kBabyPlace), a);
  } else if (age >= 16) {
    place = PlaceCode(Pick(rng_, kTeenPlace), a);
  } else {
    place = PlaceCode(Pick(rng_, kChildPlace), a);
  }
  if (notify_t < a_t_) {
    Emit(notify_t, "SOCIAL_WORKER", Sw(notify), "\"iroServiceNotified\":{}");
  }
  if (!first && rng_.Pct(40)) {
    sws_.emplace_back(a, Pool("sw-", c_.sw_pool));
    Emit(a_t_ - 1, "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
         absl::StrCat("\"socialWorkerAllocated\":{\"socialWorkerId\":\"", sws_.back().second,
                      "\",\"team\":\"Children in Care Team ", 1 + child_ % 6, "\"}"));
  }
  std::string acc = absl::StrCat("\"childAccommodated\":{\"legalStatus\":\"", ls,
                                 "\",\"placementType\":\"", place, "\"");
  if (rng_.Pct(30)) absl::StrAppend(&acc, ",\"dateOfBirth\":\"", DateStr(dob_), "\"");
  if (emergency) acc.append(",\"emergency\":true");
  acc.push_back('}');
  Emit(a_t_, "SOCIAL_WORKER", Sw(a), std::move(acc));
  {
    Placement p;
    p.start = a;
    p.type = place;
    p.id = absl::StrCat("P-", ++placement_n_);
    p.foster = place[0] == 'U' || place[0] == 'A';
    placements_.push_back(std::move(p));
  }
  if (notify_t > a_t_) Emit(notify_t, "SOCIAL_WORKER", Sw(notify), "\"iroServiceNotified\":{}");
  if (first || rng_.Pct(50)) iro_ = Pool("iro-", c_.iro_pool);
  const absl::CivilDay alloc =
      AddWD(std::max(notify, a), rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 14));
  if (InPeriod(alloc)) {
    Emit(TAfter(alloc, std::max(notify_t, a_t_)), "IRO_MANAGER", Pool("irom-", 2),
         absl::StrCat("\"iroAllocated\":{\"iroId\":\"", iro_, "\"}"));
  }
  // Early planning.
  auto milestone = [&](absl::CivilDay d, const char* role, std::string actor, std::string body) {
    d = WD(d);
    if (InPeriod(d)) Emit(TAfter(d, a_t_), role, std::move(actor), std::move(body));
  };
  milestone(a + (rng_.Pct(85) ? rng_.Range(0, 3) : rng_.Range(4, 10)), "SOCIAL_WORKER", Sw(a),
            "\"placementPlanningMeetingHeld\":{}");
  if (lsv == "C1" || lsv == "L1" || lsv == "L2" || lsv == "C2") {
    milestone(AddWD(a, rng_.Pct(80) ? rng_.Range(1, 10) : rng_.Range(11, 20)), "LEGAL",
              Pool("legal-", 3), "\"legalPlanningMeetingHeld\":{}");
  }
  if (rng_.Pct(25)) milestone(a + rng_.Range(14, 60), "SOCIAL_WORKER", Sw(a), "\"familyGroupConferenceHeld\":{}");
  if (rng_.Pct(20)) milestone(a + rng_.Range(7, 40), "SOCIAL_WORKER", Sw(a), "\"kinshipAssessmentReferred\":{}");
  if ((lsv == "C1" || !ls_changes.empty()) && rng_.Pct(50)) {
    milestone(a + rng_.Range(56, 112), "SOCIAL_WORKER", Sw(a), "\"parentingAssessmentCompleted\":{}");
  }

  // Social worker changes.
  for (absl::CivilDay d = a + rng_.Range(60, 500); InPeriod(d); d += rng_.Range(150, 600)) {
    d = WD(d);
    if (!InPeriod(d)) break;
    std::string sw = Pool("sw-", c_.sw_pool);
    sws_.emplace_back(d, sw);
    Emit(T(d), "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
         absl::StrCat("\"socialWorkerAllocated\":{\"socialWorkerId\":\"", sw,
                      "\",\"team\":\"Children in Care Team ", 1 + child_ % 6, "\"}"));
    if (rng_.Pct(50)) Significant(WD(d + 1), "CHANGE_OF_SOCIAL_WORKER");
  }

  for (const auto& [d0, code] : ls_changes) {
    const absl::CivilDay d = WD(d0);
    if (InPeriod(d)) {
      Emit(TAfter(d, a_t_), "SOCIAL_WORKER", Sw(d),
           absl::StrCat("\"legalStatusChanged\":{\"legalStatus\":\"", code, "\"}"));
    }
  }

  // Permanence milestones; they may end the period.
  absl::CivilDay forced_move = never;  // random placement moves stop here
  struct Move {
    absl::CivilDay day;
    std::string type;
    bool long_term;
    bool connected;
  };
  std::vector<Move> moves;
  if (permanence) {
    const absl::CivilDay ppm = WD(a + rng_.Range(35, 80));
    milestone(ppm, "TEAM_MANAGER", Pool("tm-", c_.tm_pool), "\"permanencyPlanningMeetingHeld\":{}");
    const absl::CivilDay fcpm = WD(a + (rng_.Pct(80) ? rng_.Range(126, 182) : rng_.Range(183, 280)));
    milestone(fcpm, "TEAM_MANAGER", Pool("tm-", c_.tm_pool), "\"finalCarePlanningMeetingHeld\":{}");
    const absl::CivilDay recd = WD(fcpm + rng_.Range(7, 42));
    milestone(recd, "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
              absl::StrCat("\"permanenceRecommended\":{\"plan\":\"", plan, "\"}"));
    for (absl::CivilDay pp = WD(fcpm + rng_.Range(335, 395)); InPeriod(pp);
         pp = WD(pp + rng_.Range(335, 395))) {
      Emit(T(pp), "TEAM_MANAGER", Pool("tm-", c_.tm_pool), "\"permanenceProgressMeetingHeld\":{}");
    }
    if (plan == "ADOPTION" || plan == "LONG_TERM_FOSTER") {
      const bool adoption = plan == "ADOPTION";
      const absl::CivilDay panel = WD(recd + rng_.Range(28, 84));
      if (adoption) {
        milestone(panel - rng_.Range(14, 30), "SOCIAL_WORKER", Sw(panel), "\"prePermanenceReportSent\":{}");
      }
      const int pd = rng_.Range(0, 99);
      const bool approved = pd < 86;
      milestone(panel, "PANEL", "panel-1",
                absl::StrCat("\"panelDecision\":{\"panel\":\"",
                             adoption ? "ADOPTION_AND_PERMANENCE" : "FOSTERING",
                             "\",\"decision\":\"", approved ? "APPROVED" : pd < 95 ? "DEFERRED" : "NOT_APPROVED",
                             "\",\"plan\":\"", plan, "\"}"));
      if (approved && adoption) {
        const absl::CivilDay e1 = WD(panel + rng_.Range(20, 80));
        if (lsv != "E1" && lsv != "D1") {
          milestone(e1, "SOCIAL_WORKER", Sw(e1), "\"legalStatusChanged\":{\"legalStatus\":\"E1\"}");
        }
        const absl::CivilDay placed = WD(e1 + rng_.Range(30, 200));
        moves.push_back({placed, rng_.Pct(30) ? "A5" : "A6", true, false});
        forced_move = std::min(forced_move, placed);
        if (placed + 300 < cease_) {
          cease_ = WD(placed + rng_.Range(300, 420));
          rec = rng_.Pct(70) ? "E11" : "E12";
          planned_end = true;
        }
      } else if (approved) {
        const absl::CivilDay match = WD(panel + rng_.Range(7, 60));
        const bool keep = !placements_.empty() && placements_.back().type[0] == 'U';
        moves.push_back({match, keep ? placements_.back().type : std::string(rng_.Pct(50) ? "U4" : "U5"),
                         true, keep && placements_.back().type <= "U3"});
        forced_move = std::min(forced_move, match);
        if (Age(match) >= 6 && rng_.Pct(45)) {
          reduced_from_ = WD(match + rng_.Range(365, 420));
          if (InPeriod(reduced_from_)) {
            Emit(T(reduced_from_), "IRO", iro_,
                 "\"reviewArrangementChanged\":{\"reducedMeetings\":true,\"agreedBy\":[\"IRO\","
                 "\"SOCIAL_WORKER\",\"TEAM_MANAGER\",\"SERVICE_MANAGER\",\"IRO_MANAGER\"],"
                 "\"rationale\":\"Settled long-term foster home over 12 months; the child wishes "
                 "fewer meetings\"}");
          }
        }
      }
    } else if (plan == "KINSHIP") {
      const absl::CivilDay sgo = WD(recd + rng_.Range(150, 540));
      if (sgo < cease_) {
        cease_ = sgo;
        rec = rng_.Pct(60) ? "E45" : "E47";
        planned_end = true;
      }
    } else {  // RETURN_HOME
      const absl::CivilDay home = WD(recd + rng_.Range(14, 60));
      moves.push_back({home, "P1", false, false});
      forced_move = std::min(forced_move, home);
      const absl::CivilDay e = WD(home + rng_.Range(90, 365));
      if (e < cease_) {
        cease_ = e;
        rec = "E4A";
        planned_end = true;
      }
    }
  }
  if (cease_ > c_.end) cease_ = never;

  // Placement moves, stability concerns, disruptions.
  {
    std::vector<Move> all;
    absl::CivilDay d = a + rng_.Range(30, 450);
    while (d < forced_move && InPeriod(d)) {
      if (lsv == "J2") break;
      const absl::CivilDay m = WD(d);
      if (!(m < forced_move && InPeriod(m))) break;
      const int age_m = Age(m);
      std::string type = PlaceCode(age_m >= 16 ? Pick(rng_, kTeenPlace) : Pick(rng_, kChildPlace), m);
      if (type == "P1" && age_m >= 16) type = "H5";
      all.push_back({m, type, false, type <= "U3" && type[0] == 'U'});
      d = m + rng_.Range(120, 900);
    }
    for (Move& mv : moves) all.push_back(mv);
    std::sort(all.begin(), all.end(), [](const Move& x, const Move& y) { return x.day < y.day; });
    absl::CivilDay last = a;
    for (Move& mv : all) {
      if (!InPeriod(mv.day) || mv.day <= last) continue;
      last = mv.day;
      const bool unplanned = !mv.long_term && mv.type != "P1" && rng_.Pct(40);
      if (unplanned) {
        const int k = rng_.Range(0, 99);
        if (k < 45) {
          Significant(PrevWD(mv.day - rng_.Range(1, 5)), "PLACEMENT_DISRUPTION");
        } else if (k < 75) {
          const absl::CivilDay sc = PrevWD(mv.day - rng_.Range(10, 40));
          if (sc > a) {
            Emit(T(sc), "SOCIAL_WORKER", Sw(sc),
                 "\"stabilityConcernRaised\":{\"concern\":\"Carers report escalating behaviour\"}");
            Emit(T(AddWD(sc, rng_.Pct(80) ? rng_.Range(1, 10) : rng_.Range(11, 20))),
                 "TEAM_MANAGER", Pool("tm-", c_.tm_pool), "\"carePlanningMeetingHeld\":{}");
          }
        }
      }
      const int64_t t = T(mv.day);
      EndPlacement(t, unplanned ? "Placement disruption" : "Planned move", unplanned);
      // Placement types must be valid on the move's own date.
      std::string type = mv.type;
      if (type == "Z1" && CollectionYearOf(mv.day) >= 2025) type = "Z11";
      if (type.size() == 3 && type[0] == 'Z' && CollectionYearOf(mv.day) < 2025) type = "Z1";
      StartPlacement(t + 1, type, mv.long_term, mv.connected,
                     mv.long_term ? "CARPL" : unplanned ? "STAND" : Pick(rng_, kReasonPlaceChange));
    }
  }

  // Significant events.
  for (absl::CivilDay d = a + rng_.Range(10, 120); InPeriod(d); d += rng_.Range(40, 200)) {
    const absl::CivilDay w = WD(d);
    if (!InPeriod(w)) break;
    const int ag = Age(w);
    const char* kind = Pick(rng_, kSigKind);
    const std::string_view k(kind);
    if (k == "SCHOOL_EXCLUSION" && (ag < 5 || ag > 16)) kind = "HEALTH_EVENT";
    if (k == "OFFENCE" && ag < 10) kind = "CONTACT_CHANGE";
    if (k == "MISSING" && ag < 8) kind = "FAMILY_EVENT";
    Significant(w, kind);
  }

  Visits();
  Reviews();

  // Ceasing.
  if (cease_ <= c_.end) {
    const absl::CivilDay e = WD(cease_);
    cease_ = e;
    if (e > c_.end) return;
    cease_t_ = T(e);
    if (planned_end && rng_.Pct(65)) {
      const absl::CivilDay ap = AddWD(e, -rng_.Range(1, 8));
      if (ap > a) {
        Emit(T(ap), age < 16 && lsv == "V2" ? "ASSISTANT_DIRECTOR" : "SERVICE_MANAGER",
             age < 16 && lsv == "V2" ? "ad-1" : Pool("sm-", c_.sm_pool),
             absl::StrCat("\"ceaseApproved\":{\"reason\":\"", rec, "\"}"));
      }
    }
    EndPlacement(cease_t_, planned_end ? "Ceased to be looked after" : "Returned home", !planned_end);
    Emit(cease_t_ + 1, "SOCIAL_WORKER", Sw(e),
         absl::StrCat("\"childCeasedLookedAfter\":{\"reason\":\"", rec, "\",\"planned\":",
                      Bool(planned_end), "}"));
    if (!pending_review_.empty()) {
      Emit(cease_t_ + 2, "IRO", iro_,
           absl::StrCat("\"reviewCancelled\":{\"reviewId\":\"", pending_review_,
                        "\",\"reason\":\"Child ceased to be looked after\"}"));
    }
  }
}

void ChildGen::Run() {
  const int span = static_cast<int>(c_.end - c_.start);
  // When the child first becomes looked after in the window.
  absl::CivilDay a = rng_.Pct(82) ? c_.start + rng_.Range(0, std::min(30, span / 6))
                                  : c_.start + rng_.Range(0, span * 70 / 100);
  a = WD(a);
  if (a > c_.end) a = c_.start;
  const int age_band = rng_.Range(0, 99);
  const int age = age_band < 14 ? 0 : age_band < 32 ? rng_.Range(1, 4)
                : age_band < 54 ? rng_.Range(5, 9) : age_band < 90 ? rng_.Range(10, 15) : rng_.Range(16, 17);
  dob_ = a - (age * 365 + rng_.Range(age == 0 ? 0 : 0, age == 0 ? 200 : 364));
  absl::CivilDay reg = WD(std::max(c_.start, a - rng_.Range(0, 14)));
  if (reg > a) reg = a;
  const int64_t reg_t = DayNum(reg) * kDayMin + rng_.Range(kOpenMin, kOpenMin + 60);
  sws_.emplace_back(reg, Pool("sw-", c_.sw_pool));
  Emit(reg_t, "SOCIAL_WORKER", sws_.back().second,
       absl::StrCat("\"childRegistered\":{\"dateOfBirth\":\"", DateStr(dob_),
                    "\",\"authorityCode\":\"", Pick(rng_, kAuthority), "\",\"sex\":\"",
                    rng_.Pct(55) ? "1" : "2", "\"}"),
       kFirst);
  Emit(reg_t + rng_.Range(1, 30), "TEAM_MANAGER", Pool("tm-", c_.tm_pool),
       absl::StrCat("\"socialWorkerAllocated\":{\"socialWorkerId\":\"", sws_.back().second,
                    "\",\"team\":\"Children in Care Team ", 1 + child_ % 6, "\"}"));
  bool first = true;
  while (true) {
    Period(a, first);
    first = false;
    if (cease_ > c_.end) break;
    // Re-entry.
    if (Age(cease_) >= 17 || !rng_.Pct(40)) break;
    a = WD(cease_ + rng_.Range(30, 240));
    if (a > c_.end || Age(a) >= 18) break;
  }
}

// Puts a child's events in line order, adds late entries and corrections,
// and appends the lines to `buf`. Returns the number of lines.
uint64_t WriteChild(const Ctx& c, int child, Rng& rng, std::vector<Ev>& evs, std::string& buf) {
  // Nothing after the window.
  evs.erase(std::remove_if(evs.begin(), evs.end(), [&](const Ev& e) { return e.t > c.end_t; }),
            evs.end());
  std::sort(evs.begin(), evs.end(), [](const Ev& x, const Ev& y) {
    const bool fx = x.flags & kFirst, fy = y.flags & kFirst;
    if (fx != fy) return fx;
    return x.t != y.t ? x.t < y.t : x.seq < y.seq;
  });
  // Late entries: a few lines appear later than their effective order.
  for (size_t i = 0; i < evs.size(); ++i) {
    evs[i].key = static_cast<int64_t>(i) * 4;
    if ((evs[i].flags & kLateOk) && rng.Pct(4)) {
      evs[i].key = static_cast<int64_t>(i + rng.Range(2, 8)) * 4 + 2;
    }
  }
  std::stable_sort(evs.begin(), evs.end(), [](const Ev& x, const Ev& y) { return x.key < y.key; });

  // Corrections and retractions of earlier lines, a few lines after them.
  struct Insert {
    size_t after;  // inserted after this line index
    Ev ev;
  };
  std::vector<Insert> inserts;
  for (size_t i = 1; i < evs.size(); ++i) {
    const Ev& e = evs[i];
    int kind = 0;  // 1 retract dup, 2 retract error, 3 correct
    if (e.flags & kRetractDup) {
      kind = 1;
    } else if (!e.alt.empty() && rng.PerMille(15)) {
      kind = 3;
    } else if ((e.flags & kRetractable) && rng.PerMille(6)) {
      kind = 2;
    }
    if (kind == 0) continue;
    const size_t after = std::min(evs.size() - 1, i + static_cast<size_t>(rng.Range(0, 5)));
    Insert ins;
    ins.after = after;
    ins.ev.t = std::max(e.t, evs[after].t) + rng.Range(1, 30);
    if (ins.ev.t > c.end_t) continue;
    ins.ev.role = kind == 3 && std::string_view(e.role) == "IRO" ? "IRO" : "TEAM_MANAGER";
    ins.ev.actor = std::string_view(e.role) == "IRO" ? e.actor : absl::StrCat("tm-", 1 + rng.Below(c.tm_pool));
    ins.ev.ref = static_cast<int32_t>(i);  // line index, resolved below
    if (kind == 3) {
      ins.ev.body = "\"eventCorrected\":{\"eventId\":";
      ins.ev.body2 = absl::StrCat(",\"reason\":\"Recorded incorrectly\",\"replacement\":{", e.alt, "}}");
    } else {
      ins.ev.body = "\"eventRetracted\":{\"eventId\":";
      ins.ev.body2 = absl::StrCat(",\"reason\":\"",
                                  kind == 1 ? "Duplicate entry" : kRetractReasons[rng.Below(3)], "\"}");
    }
    inserts.push_back(std::move(ins));
  }
  std::stable_sort(inserts.begin(), inserts.end(),
                   [](const Insert& x, const Insert& y) { return x.after < y.after; });

  // seq -> line id (for earlyReviewConsidered references).
  uint32_t max_seq = 0;
  for (const Ev& e : evs) max_seq = std::max(max_seq, e.seq);
  std::vector<int32_t> seq_line(max_seq + 1, -1);
  char case_id[16];
  std::snprintf(case_id, sizeof case_id, "C-%06d", child);
  const std::string id_base = absl::StrCat(c.id_prefix, child, "-");
  std::vector<std::string> line_id(evs.size());
  uint64_t n = 0;
  auto write = [&](const Ev& e, const std::string* ref_id) {
    std::string id = absl::StrCat(id_base, ++n);
    buf.append("{\"eventId\":\"");
    buf.append(id);
    buf.append("\",\"caseId\":\"");
    buf.append(case_id);
    buf.append("\",\"occurredAt\":\"");
    AppendInstant(buf, e.t);
    buf.append("\",\"actor\":{\"id\":\"");
    AppendEscaped(buf, e.actor);
    buf.append("\",\"role\":\"");
    buf.append(e.role);
    buf.append("\"},");
    buf.append(e.body);
    if (ref_id != nullptr) {
      buf.push_back('"');
      buf.append(*ref_id);
      buf.push_back('"');
      buf.append(e.body2);
    }
    buf.append("}\n");
    return id;
  };
  size_t next_insert = 0;
  for (size_t i = 0; i < evs.size(); ++i) {
    const Ev& e = evs[i];
    const std::string* ref = nullptr;
    bool skip = false;
    if (e.ref >= 0) {
      const int32_t line = seq_line[e.ref];
      // Reports always precede their considerations; never reference a later line.
      if (line < 0) skip = true;
      else ref = &line_id[line];
    }
    if (!skip) {
      line_id[i] = write(e, ref);
      seq_line[e.seq] = static_cast<int32_t>(i);
    }
    while (next_insert < inserts.size() && inserts[next_insert].after == i) {
      const Insert& ins = inserts[next_insert++];
      if (!line_id[ins.ev.ref].empty()) write(ins.ev, &line_id[ins.ev.ref]);
    }
  }
  return n;
}

}  // namespace

absl::StatusOr<uint64_t> GenerateHistories(const GenOptions& opts, std::ostream& out) {
  if (opts.children < 0) return absl::InvalidArgumentError("gen: --children must be >= 0");
  if (opts.years < 1 || opts.years > 30) {
    return absl::InvalidArgumentError("gen: --years must be between 1 and 30");
  }
  if (opts.end.year() < 2000 || opts.end.year() > 2100) {
    return absl::InvalidArgumentError("gen: end date must be between 2000 and 2100");
  }
  Ctx c;
  c.end = opts.end;
  c.start = AddMonths(opts.end, -12 * opts.years) + 1;
  c.end_t = DayNum(opts.end) * kDayMin + kDayMin - 1;
  c.sw_pool = std::max(8, opts.children / 12);
  c.tm_pool = std::max(2, c.sw_pool / 6);
  c.sm_pool = std::max(2, opts.children / 250);
  c.iro_pool = std::max(4, opts.children / 45);
  c.id_prefix = absl::StrCat("g", opts.seed, "-");
  c.cal = &Calendar::Default();

  std::vector<Ev> evs;
  std::string buf;
  buf.reserve(1 << 20);
  uint64_t total = 0;
  uint64_t mix = opts.seed;
  const uint64_t seed_base = SplitMix64(mix);
  for (int child = 1; child <= opts.children; ++child) {
    uint64_t s = seed_base ^ (static_cast<uint64_t>(child) * 0xd1b54a32d192ed03ULL);
    const uint64_t child_seed = SplitMix64(s);
    evs.clear();
    ChildGen g(c, child, child_seed, evs);
    g.Run();
    Rng order_rng(child_seed ^ 0x5851f42d4c957f2dULL);
    total += WriteChild(c, child, order_rng, evs, buf);
    if (buf.size() >= (1 << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
      if (!out) return absl::InternalError("gen: write failed");
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
  if (!out) return absl::InternalError("gen: write failed");
  return total;
}

}  // namespace carelog
