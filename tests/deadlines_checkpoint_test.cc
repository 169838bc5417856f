// The checkpoint's bytes and the two facts checkpoints rest on: a fold of the
// whole history, re-judged at a later date (RestateAt), equals the fold as of
// that date; and the fingerprint changes whenever the pack, the calendar or
// the fold does.
#include "projections/views/deadlines_checkpoint.h"

#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/event_json.h"
#include "engine/event_time.h"
#include "gtest/gtest.h"
#include "projections/deadlines.h"
#include "engine/gen/generate_histories.h"

namespace carelog {
namespace {

using v1::Event;

// Every field of a fold, one line per obligation and finding.
std::string Describe(const CaseDeadlines& d) {
  auto day = [](const std::optional<absl::CivilDay>& x) { return x ? FormatDate(*x) : "-"; };
  std::string s = absl::StrCat(d.case_id, " ", static_cast<int>(d.division), " last ",
                               day(d.last_event_day), "\n");
  for (const Obligation& o : d.obligations) {
    absl::StrAppend(&s, "O ", o.case_id, " ", o.rule_id, " ", o.review_id, " ", FormatDate(o.due),
                    " ", o.due_at ? absl::FormatTime(*o.due_at, absl::UTCTimeZone()) : "-", " ",
                    std::string(ObligationStatusName(o.status)), " ", day(o.met_on), " ", day(o.closed_on), " ",
                    o.source_document, " ", o.source_section, " ", o.trigger_position, " ",
                    o.met_by_position ? absl::StrCat(*o.met_by_position) : "-", " v",
                    o.pack_version, "\n");
  }
  for (const Finding& f : d.findings) {
    absl::StrAppend(&s, "F ", f.case_id, " ", f.rule_id, " ", f.review_id, " ", f.detail, " ",
                    FormatDate(f.on), " ", f.position, " ", f.source_document, " ",
                    f.source_section, " v", f.pack_version, "\n");
  }
  return s;
}

class DeadlinesCheckpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ostringstream text;
    GenOptions opts;
    opts.children = 400;
    opts.years = 3;
    opts.seed = 5;
    ASSERT_TRUE(GenerateHistories(opts, text).ok());
    end_ = opts.end;
    std::istringstream in(text.str());
    std::string line;
    EventJsonParser parser;
    uint64_t pos = 0;
    cases_ = new std::map<std::string, std::vector<Event>>();
    while (std::getline(in, line)) {
      Event e;
      ASSERT_TRUE(parser.Parse(line, &e).ok()) << line;
      e.set_position(++pos);
      (*cases_)[e.case_id()].push_back(std::move(e));
    }
    auto registry = PolicyRegistry::LoadEmbedded();
    ASSERT_TRUE(registry.ok());
    registry_ = new PolicyRegistry(std::move(*registry));
  }
  const ResolvedPack& Pack(const std::string& name) { return **registry_->Find(name); }

  static std::map<std::string, std::vector<Event>>* cases_;
  static PolicyRegistry* registry_;
  static absl::CivilDay end_;
};
std::map<std::string, std::vector<Event>>* DeadlinesCheckpointTest::cases_ = nullptr;
PolicyRegistry* DeadlinesCheckpointTest::registry_ = nullptr;
absl::CivilDay DeadlinesCheckpointTest::end_;

TEST_F(DeadlinesCheckpointTest, WholeHistoryFoldRestatedAtALaterDateEqualsTheFoldAsOfThatDate) {
  const Calendar& cal = Calendar::Default();
  int compared = 0, open_to_overdue = 0;
  for (const char* pack_name : {"england", "scotland"}) {
    const ResolvedPack& pack = Pack(pack_name);
    for (const auto& [id, events] : *cases_) {
      const CaseDeadlines whole = FoldDeadlines(id, events, pack, cal, kEndOfTime);
      ASSERT_TRUE(whole.last_event_day.has_value()) << id;
      // The last event's day itself, a few days later, and much later.
      for (int later : {0, 3, 40, 400}) {
        const absl::CivilDay as_of = *whole.last_event_day + later;
        CaseDeadlines restated = whole;
        RestateAt(&restated, as_of);
        const CaseDeadlines direct = FoldDeadlines(id, events, pack, cal, as_of);
        ASSERT_EQ(Describe(restated), Describe(direct))
            << id << " under " << pack_name << " as of " << FormatDate(as_of);
        ++compared;
        for (size_t i = 0; i < whole.obligations.size(); ++i) {
          if (restated.obligations[i].status == ObligationStatus::kOpen &&
              whole.obligations[i].status == ObligationStatus::kOverdue)
            ++open_to_overdue;
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 4 * static_cast<int>(cases_->size()));
  // The restatement did real work: open obligations exist in these views.
  EXPECT_GT(open_to_overdue, 100);
}

TEST_F(DeadlinesCheckpointTest, BeforeTheLastEventTheWholeHistoryIsNotTheAnswer) {
  // Why readers fold from the log for an as-of date before a case's last
  // event: some case's view then differs from the restated whole history.
  int differ = 0;
  for (const auto& [id, events] : *cases_) {
    const CaseDeadlines whole = FoldDeadlines(id, events, Pack("england"), Calendar::Default(),
                                              kEndOfTime);
    const absl::CivilDay before = *whole.last_event_day - 60;
    CaseDeadlines restated = whole;
    RestateAt(&restated, before);
    if (Describe(restated) !=
        Describe(FoldDeadlines(id, events, Pack("england"), Calendar::Default(), before)))
      ++differ;
  }
  EXPECT_GT(differ, 100);
}

TEST_F(DeadlinesCheckpointTest, EncodeDecodeRoundTripsEveryField) {
  int with_due_at = 0, with_findings = 0;
  // england-salford has an HOURS rule (due_at), england findings.
  for (const auto& [id, events] : *cases_) {
    DeadlinesCheckpoint c;
    c.fingerprint = std::string(16, 'f');
    c.case_version = events.size();
    c.deadlines = FoldDeadlines(id, events, Pack(id.back() % 2 ? "england" : "england-salford"),
                                Calendar::Default(), kEndOfTime);
    const DeadlinesCheckpointValues v = EncodeDeadlinesCheckpoint(c);
    const std::string_view findings = v.findings;
    auto back = DecodeDeadlinesCheckpoint(id, v.main, &findings);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->fingerprint, c.fingerprint);
    EXPECT_EQ(back->case_version, c.case_version);
    ASSERT_EQ(Describe(back->deadlines), Describe(c.deadlines)) << id;
    // Without the findings value: the same obligations, no findings.
    auto main_only = DecodeDeadlinesCheckpoint(id, v.main, nullptr);
    ASSERT_TRUE(main_only.ok()) << main_only.status();
    CaseDeadlines no_findings = c.deadlines;
    no_findings.findings.clear();
    ASSERT_EQ(Describe(main_only->deadlines), Describe(no_findings)) << id;
    for (const std::string* bytes : {&v.main, &v.findings}) {
      auto peek = PeekDeadlinesCheckpoint(*bytes);
      ASSERT_TRUE(peek.ok());
      EXPECT_EQ(peek->first, c.fingerprint);
      EXPECT_EQ(peek->second, c.case_version);
    }
    for (const Obligation& o : c.deadlines.obligations) with_due_at += o.due_at.has_value();
    with_findings += !c.deadlines.findings.empty();
  }
  // The generated histories exercise the optional fields.
  EXPECT_GT(with_due_at, 0);
  EXPECT_GT(with_findings, 0);
}

TEST_F(DeadlinesCheckpointTest, DamagedBytesAreDataLossNeverAWrongFold) {
  const auto& [id, events] = *cases_->begin();
  DeadlinesCheckpoint c;
  c.fingerprint = std::string(16, 'x');
  c.case_version = 9;
  c.deadlines = FoldDeadlines(id, events, Pack("england"), Calendar::Default(), kEndOfTime);
  const DeadlinesCheckpointValues v = EncodeDeadlinesCheckpoint(c);
  ASSERT_GT(v.main.size(), 100u);
  ASSERT_FALSE(c.deadlines.findings.empty());
  const std::string_view good_findings = v.findings;
  // Every single flipped byte, in the header or the body of either value, is
  // caught.
  for (size_t i = 0; i < v.main.size(); ++i) {
    std::string bad = v.main;
    bad[i] ^= 0x20;
    auto d = DecodeDeadlinesCheckpoint(id, bad, &good_findings);
    ASSERT_FALSE(d.ok()) << "flip at " << i;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  }
  for (size_t i = 0; i < v.findings.size(); ++i) {
    std::string bad = v.findings;
    bad[i] ^= 0x20;
    const std::string_view bad_view = bad;
    auto d = DecodeDeadlinesCheckpoint(id, v.main, &bad_view);
    ASSERT_FALSE(d.ok()) << "flip at " << i;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  }
  for (size_t n : {size_t{0}, size_t{10}, size_t{27}}) {
    auto d = DecodeDeadlinesCheckpoint(id, v.main.substr(0, n), &good_findings);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(d.status().message().find("shorter than"), std::string::npos) << d.status();
    EXPECT_FALSE(PeekDeadlinesCheckpoint(v.main.substr(0, n)).ok());
  }
  // Findings of another version of the case are not these findings.
  DeadlinesCheckpoint other = c;
  other.case_version = 10;
  const std::string other_findings = EncodeDeadlinesCheckpoint(other).findings;
  const std::string_view other_view = other_findings;
  auto mixed = DecodeDeadlinesCheckpoint(id, v.main, &other_view);
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(mixed.status().message().find("another fingerprint or case version"),
            std::string::npos)
      << mixed.status();
  // Well-formed bytes with a valid checksum but an impossible date.
  DeadlinesCheckpoint far = c;
  ASSERT_FALSE(far.deadlines.obligations.empty());
  far.deadlines.obligations[0].due = absl::CivilDay(12000, 1, 1);
  auto far_back = DecodeDeadlinesCheckpoint(id, EncodeDeadlinesCheckpoint(far).main, nullptr);
  EXPECT_EQ(far_back.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(far_back.status().message().find("outside years 0001-9999"), std::string::npos)
      << far_back.status();
  auto trunc = DecodeDeadlinesCheckpoint(id, v.main.substr(0, v.main.size() - 1), nullptr);
  EXPECT_EQ(trunc.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(trunc.status().message().find(id), std::string::npos) << trunc.status();
}

TEST_F(DeadlinesCheckpointTest, FingerprintNamesThePackTheCalendarAndTheFold) {
  const std::string cal = CalendarDigest(Calendar::Default());
  EXPECT_EQ(cal.size(), 16u);
  EXPECT_EQ(cal, CalendarDigest(Calendar::Default()));  // deterministic
  const std::string england = DeadlinesFingerprint(Pack("england"), cal);
  EXPECT_EQ(england.size(), 16u);
  EXPECT_EQ(england, DeadlinesFingerprint(Pack("england"), cal));
  // Other packs, including an overlay that changes one rule from a date.
  for (const char* other : {"scotland", "england-bristol", "england-salford", "england-000"}) {
    EXPECT_NE(DeadlinesFingerprint(Pack(other), cal), england) << other;
  }
  // A pack whose only change is one rule's number.
  ResolvedPack changed = Pack("england");
  changed.versions.back().rules.front().set_amount(changed.versions.back().rules.front().amount() + 1);
  EXPECT_NE(DeadlinesFingerprint(changed, cal), england);
  // A newly announced bank holiday.
  auto extra = Calendar::WithOverride(R"({"england-and-wales":{"division":"england-and-wales",
      "events":[{"title":"Extra","date":"2026-06-15"},{"title":"New Year","date":"2026-01-01"}]}})");
  ASSERT_TRUE(extra.ok()) << extra.status();
  const std::string cal2 = CalendarDigest(*extra);
  EXPECT_NE(cal2, cal);
  EXPECT_NE(DeadlinesFingerprint(Pack("england"), cal2), england);
}

}  // namespace
}  // namespace carelog
