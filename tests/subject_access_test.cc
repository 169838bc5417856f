// The subject access bundle (projections/subject_access.h) and its query
// (Queries::SubjectAccess): the whole record of one case and nothing of
// another, corrections shown against what they change, a JSON whose proofs
// verify against its head (and stop verifying when a byte changes), escaped
// free text, UK dates, and the bundle's own read in the access log.
#include "projections/subject_access.h"

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/access_log.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "projections/views/queries.h"
#include "store/base/clock.h"
#include "store/base/deterministic.h"
#include "store/base/hex.h"
#include "store/merkle.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::Envelope;
using ::carelog::testing::OpenTestStore;
using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

namespace pb = ::google::protobuf;

constexpr char kScript[] = "<script>alert('x')</script> & \"quoted\"";

class SubjectAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    // C-1: accommodated (with a hostile comment), notified, an IRO allocated
    // in summer, a correction of the first event, a withdrawal of the third.
    v1::Event e1 = testing::Accommodated("e1", "C-1", "2024-03-01T10:00:00Z");
    e1.set_comment(kScript);
    v1::Event e2 = Envelope("e2", "C-1", "2024-03-04T10:00:00Z");
    e2.mutable_iro_service_notified();
    v1::Event e3 = Envelope("e3", "C-1", "2024-07-01T08:30:00Z", v1::IRO_MANAGER);
    e3.mutable_iro_allocated()->set_iro_id("iro-7");
    v1::Event e4 = Envelope("e4", "C-1", "2024-07-02T09:00:00Z");
    e4.mutable_event_corrected()->set_event_id("e1");
    e4.mutable_event_corrected()->set_reason("the legal status was C1, not C2");
    auto* rep = e4.mutable_event_corrected()->mutable_replacement()->mutable_child_accommodated();
    rep->set_legal_status("C1");
    rep->set_placement_type("U1");
    v1::Event e5 = Envelope("e5", "C-1", "2024-07-03T09:00:00Z");
    e5.mutable_event_retracted()->set_event_id("e3");
    e5.mutable_event_retracted()->set_reason("allocated to the wrong child");
    // C-2: another child, whose record must not appear.
    v1::Event x1 = testing::Accommodated("x1", "C-2", "2024-03-02T10:00:00Z");
    x1.set_comment("other-child-comment");
    for (const v1::Event& e : {e1, e2, x1, e3, e4, e5}) Append(e);
    // Earlier reads: one of C-1 by the service, one of C-2 only.
    Read("svc-reader-c1", "ReadCase", "C-1");
    Read("svc-reader-c2", "ReadCase", "C-2");
    auto q = Queries::WithEmbeddedPacks(store_.get());
    ASSERT_TRUE(q.ok()) << q.status();
    queries_ = std::move(*q);
  }

  void Append(const v1::Event& e) {
    clock_.Advance(absl::Hours(1));
    AppendRequest req;
    req.records.push_back(NewRecord{e.case_id(), e.event_id(), DeterministicBytes(e)});
    ASSERT_TRUE(store_->Append(std::move(req)).ok());
  }

  void Read(const std::string& who, const std::string& method, const std::string& case_id) {
    v1::AccessRecord r;
    r.set_token_name(who);
    r.set_role("reader");
    r.set_method(method);
    r.set_case_id(case_id);
    r.mutable_at()->set_seconds(absl::ToUnixSeconds(T("2024-08-01T12:00:00Z")));
    ASSERT_TRUE(RecordAccess(store_.get(), r).ok());
  }

  // A SAR read as `carelog sar` records it, at 15 January 2025 14:05 UTC.
  v1::AccessRecord SarRead() {
    v1::AccessRecord r;
    r.set_token_name("cli:alice");
    r.set_role("operator");
    r.set_method("carelog sar (reference SAR-17)");
    r.set_peer("local:test");
    r.mutable_at()->set_seconds(absl::ToUnixSeconds(T("2025-01-15T14:05:00Z")));
    return r;
  }

  SubjectAccess Sar() {
    auto sar = queries_->SubjectAccess("C-1", SarRead());
    EXPECT_TRUE(sar.ok()) << sar.status();
    return sar.ok() ? *std::move(sar) : SubjectAccess{};
  }

  static pb::Struct ParseJson(const std::string& json) {
    pb::Struct s;
    const auto status = pb::util::JsonStringToMessage(json, &s);
    EXPECT_TRUE(status.ok()) << status;
    return s;
  }

  TempDir dir_;
  FakeClock clock_{T("2024-08-01T00:00:00Z")};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Queries> queries_;
};

// A proof object of the bundle's JSON checked as check-proof does: the
// leaf's hash, then the audit path from it to `root` in a tree of
// `tree_size`.
bool ProofVerifies(const pb::Struct& proof, uint64_t tree_size, const Hash256& root) {
  const auto& f = proof.fields();
  std::string leaf;
  if (!ParseHex(f.at("leaf").string_value(), &leaf)) return false;
  std::vector<Hash256> path;
  for (const pb::Value& v : f.at("auditPath").list_value().values()) {
    Hash256 h;
    if (!merkle::FromHex(v.string_value(), &h)) return false;
    path.push_back(h);
  }
  Hash256 claimed_root;
  if (!merkle::FromHex(f.at("rootHash").string_value(), &claimed_root)) return false;
  if (claimed_root != root) return false;
  if (static_cast<uint64_t>(f.at("treeSize").number_value()) != tree_size) return false;
  return merkle::VerifyInclusion(static_cast<uint64_t>(f.at("leafIndex").number_value()),
                                 tree_size, merkle::LeafHash(leaf), path, root);
}

TEST(SubjectAccessWordsTest, FieldNamesDatesAndTimesForPeople) {
  EXPECT_EQ(HumaniseFieldName("dateOfBirth"), "Date of birth");
  EXPECT_EQ(HumaniseFieldName("iroId"), "IRO ID");
  EXPECT_EQ(HumaniseFieldName("legalStatus"), "Legal status");
  EXPECT_EQ(HumaniseFieldName("childAccommodated"), "Child accommodated");
  EXPECT_EQ(HumaniseFieldName("sdqCompleted"), "SDQ completed");
  EXPECT_EQ(UkDate(absl::CivilDay(2024, 3, 3)), "3 March 2024");
  EXPECT_EQ(UkDate(absl::CivilDay(2025, 12, 31)), "31 December 2025");
  EXPECT_EQ(UkDateTime(T("2024-01-15T14:05:00Z")), "15 January 2024 at 14:05 GMT");
  // Summer time: an hour ahead, and the London date when that crosses midnight.
  EXPECT_EQ(UkDateTime(T("2024-07-01T08:30:00Z")), "1 July 2024 at 09:30 BST");
  EXPECT_EQ(UkDateTime(T("2024-06-30T23:30:00Z")), "1 July 2024 at 00:30 BST");
}

TEST_F(SubjectAccessTest, EveryEventOfTheCaseAndNothingOfAnother) {
  const SubjectAccess sar = Sar();
  ASSERT_EQ(sar.events.size(), 5u);
  const std::string html = RenderSubjectAccessHtml(sar);
  const std::string json = RenderSubjectAccessJson(sar);
  for (const char* id : {"e1", "e2", "e3", "e4", "e5"}) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat("<code>", id, "</code>"))) << id;
    EXPECT_THAT(json, HasSubstr(absl::StrCat("\"eventId\": \"", id, "\""))) << id;
  }
  for (const std::string& text : {html, json}) {
    EXPECT_THAT(text, Not(HasSubstr("x1")));
    EXPECT_THAT(text, Not(HasSubstr("C-2")));
    EXPECT_THAT(text, Not(HasSubstr("other-child-comment")));
    EXPECT_THAT(text, Not(HasSubstr("svc-reader-c2")));
  }
  // The payload in words, codes kept.
  EXPECT_THAT(html, HasSubstr("<dt>Legal status</dt><dd>C2</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>IRO ID</dt><dd>iro-7</dd>"));
  EXPECT_THAT(html, HasSubstr("Child accommodated"));
  // The plain-language sections.
  for (const char* heading :
       {"About this record", "Everything recorded about you, in date order",
        "Corrections and withdrawals", "Deadlines the council had to meet and whether it met them",
        "Who has looked at your record", "How to check this record has not been changed"}) {
    EXPECT_THAT(html, HasSubstr(heading));
  }
  // Self-contained and printable.
  EXPECT_THAT(html, HasSubstr("@media print"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
}

TEST_F(SubjectAccessTest, CorrectionsAndWithdrawalsShownAgainstWhatTheyChange) {
  const SubjectAccess sar = Sar();
  const std::string html = RenderSubjectAccessHtml(sar);
  // e1 is position 1, e3 position 4 (x1 of C-2 came between).
  EXPECT_THAT(html, HasSubstr("Correction of entry number 1, <code>e1</code>"));
  EXPECT_THAT(html, HasSubstr("Withdrawal of entry number 4, <code>e3</code>"));
  EXPECT_THAT(html, HasSubstr("the legal status was C1, not C2"));
  EXPECT_THAT(html, HasSubstr("allocated to the wrong child"));
  // What the correction made of it.
  EXPECT_THAT(html, HasSubstr("<h4>What the entry says now</h4>"));
  EXPECT_THAT(html, HasSubstr("<dt>Legal status</dt><dd>C1</dd>"));
  EXPECT_THAT(html, HasSubstr("This entry was later corrected."));
  EXPECT_THAT(html, HasSubstr("This entry was later withdrawn."));

  const pb::Struct json = ParseJson(RenderSubjectAccessJson(sar));
  std::map<std::string, pb::Struct> by_id;
  for (const pb::Value& v : json.fields().at("events").list_value().values()) {
    by_id[v.struct_value().fields().at("eventId").string_value()] = v.struct_value();
  }
  ASSERT_EQ(by_id.size(), 5u);
  const auto& e1 = by_id["e1"].fields();
  ASSERT_TRUE(e1.contains("correctedBy"));
  ASSERT_EQ(e1.at("correctedBy").list_value().values_size(), 1);
  EXPECT_EQ(e1.at("correctedBy").list_value().values(0).string_value(), "e4");
  EXPECT_FALSE(e1.contains("retractedBy"));
  const auto& e3 = by_id["e3"].fields();
  ASSERT_TRUE(e3.contains("retractedBy"));
  EXPECT_EQ(e3.at("retractedBy").list_value().values(0).string_value(), "e5");
  EXPECT_EQ(by_id["e4"].fields().at("corrects").string_value(), "e1");
  EXPECT_EQ(by_id["e5"].fields().at("retracts").string_value(), "e3");
  EXPECT_FALSE(by_id["e2"].fields().contains("correctedBy"));
}

TEST_F(SubjectAccessTest, JsonParsesAndEveryProofVerifiesAgainstTheHead) {
  const SubjectAccess sar = Sar();
  const pb::Struct json = ParseJson(RenderSubjectAccessJson(sar));
  EXPECT_EQ(json.fields().at("format").string_value(), kSubjectAccessFormat);
  EXPECT_EQ(json.fields().at("caseId").string_value(), "C-1");
  const auto& head = json.fields().at("head").struct_value().fields();
  const uint64_t tree_size = static_cast<uint64_t>(head.at("treeSize").number_value());
  Hash256 root;
  ASSERT_TRUE(merkle::FromHex(head.at("rootHash").string_value(), &root));
  // The head is the store's after the read was recorded.
  auto store_head = store_->Head();
  ASSERT_TRUE(store_head.ok());
  EXPECT_EQ(tree_size, store_head->size);
  EXPECT_EQ(root, store_head->root);

  int proofs = 0;
  for (const char* list : {"events", "accessRecords"}) {
    for (const pb::Value& v : json.fields().at(list).list_value().values()) {
      const auto& entry = v.struct_value().fields();
      ASSERT_TRUE(entry.contains("proof")) << list;
      const pb::Struct& proof = entry.at("proof").struct_value();
      EXPECT_EQ(proof.fields().at("position").number_value(), entry.at("position").number_value());
      EXPECT_TRUE(ProofVerifies(proof, tree_size, root)) << list;
      ++proofs;

      // One flipped byte of the leaf (the record) or of the audit path: no.
      pb::Struct bad = proof;
      std::string leaf = bad.fields().at("leaf").string_value();
      leaf[leaf.size() / 2] = leaf[leaf.size() / 2] == '0' ? '1' : '0';
      (*bad.mutable_fields())["leaf"].set_string_value(leaf);
      EXPECT_FALSE(ProofVerifies(bad, tree_size, root)) << list;
      if (proof.fields().at("auditPath").list_value().values_size() > 0) {
        pb::Struct bad_path = proof;
        auto* first = (*bad_path.mutable_fields())["auditPath"]
                          .mutable_list_value()
                          ->mutable_values(0);
        std::string h = first->string_value();
        h[0] = h[0] == 'a' ? 'b' : 'a';
        first->set_string_value(h);
        EXPECT_FALSE(ProofVerifies(bad_path, tree_size, root)) << list;
      }
    }
  }
  // 5 events; 2 access records: the service's read of C-1 and this one.
  EXPECT_EQ(proofs, 7);
}

TEST_F(SubjectAccessTest, FreeTextIsEscaped) {
  const SubjectAccess sar = Sar();
  const std::string html = RenderSubjectAccessHtml(sar);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("alert('x')")));
  EXPECT_THAT(html,
              HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"));
  // The JSON keeps the text exactly.
  const pb::Struct json = ParseJson(RenderSubjectAccessJson(sar));
  const auto& first = json.fields().at("events").list_value().values(0).struct_value().fields();
  EXPECT_EQ(first.at("comment").string_value(), kScript);
}

TEST_F(SubjectAccessTest, DatesAreUkDatesAndTimesLondonsWithTheZone) {
  const SubjectAccess sar = Sar();
  const std::string html = RenderSubjectAccessHtml(sar);
  EXPECT_THAT(html, HasSubstr("1 March 2024: Child accommodated"));
  EXPECT_THAT(html, HasSubstr("<dt>Happened</dt><dd>1 March 2024 at 10:00 GMT</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Happened</dt><dd>1 July 2024 at 09:30 BST</dd>"));
  EXPECT_THAT(html, HasSubstr("15 January 2025 at 14:05 GMT"));  // when the copy was made
  // No ISO date or instant anywhere a person reads.
  std::smatch iso;
  EXPECT_FALSE(std::regex_search(html, iso, std::regex("[^\n]{0,80}[0-9]{4}-[0-9]{2}-[0-9]{2}")))
      << iso.str();
  // The JSON keeps machine dates.
  EXPECT_THAT(RenderSubjectAccessJson(sar), HasSubstr("\"occurredAt\": \"2024-03-01T10:00:00Z\""));
}

TEST_F(SubjectAccessTest, DeadlinesAndFindingsAreInBoth) {
  const SubjectAccess sar = Sar();
  ASSERT_FALSE(sar.deadlines.obligations.empty());
  const std::string html = RenderSubjectAccessHtml(sar);
  const pb::Struct json = ParseJson(RenderSubjectAccessJson(sar));
  EXPECT_EQ(json.fields().at("obligations").list_value().values_size(),
            static_cast<int>(sar.deadlines.obligations.size()));
  EXPECT_EQ(json.fields().at("findings").list_value().values_size(),
            static_cast<int>(sar.deadlines.findings.size()));
  for (const Obligation& o : sar.deadlines.obligations) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat("<code>", o.rule_id, "</code>")));
    EXPECT_THAT(html, HasSubstr(absl::StrCat("<td>", UkDate(o.due), "</td>")));
    EXPECT_THAT(html, HasSubstr(absl::StrCat("(", std::string(ObligationStatusName(o.status)), ")")));
  }
  // Judged with the correction applied: the withdrawn IRO allocation meets
  // nothing, and the deadlines stand at the date of the read.
  EXPECT_EQ(sar.as_of, absl::CivilDay(2025, 1, 15));
  for (const Obligation& o : sar.deadlines.obligations) {
    if (o.met_by_position.has_value()) {
      EXPECT_NE(*o.met_by_position, 4u) << o.rule_id;
    }
  }
}

TEST_F(SubjectAccessTest, TheSarReadIsRecordedFirstAndListed) {
  const SubjectAccess sar = Sar();
  ASSERT_GT(sar.request.position(), 0u);
  EXPECT_LE(sar.request.position(), sar.head.size);
  ASSERT_EQ(sar.access.size(), 2u);
  EXPECT_EQ(sar.access[0].token_name(), "svc-reader-c1");
  EXPECT_EQ(sar.access[1].position(), sar.request.position());
  EXPECT_EQ(sar.access[1].token_name(), "cli:alice");
  EXPECT_EQ(sar.access[1].method(), "carelog sar (reference SAR-17)");
  EXPECT_EQ(sar.access[1].case_id(), "C-1");
  const std::string html = RenderSubjectAccessHtml(sar);
  EXPECT_THAT(html, HasSubstr("<tr class=\"this-read\"><td>15 January 2025 at 14:05 GMT</td>"
                              "<td>cli:alice</td><td>operator</td><td>carelog sar (reference "
                              "SAR-17)"));
  EXPECT_THAT(RenderSubjectAccessJson(sar), HasSubstr("\"through\": \"carelog sar (reference SAR-17)\""));
  // And in the access log afterwards.
  auto log = ReadAccessLog(*store_, "C-1");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ(log->back().position(), sar.request.position());
  EXPECT_EQ(log->back().token_name(), "cli:alice");
  // A second request lists the first.
  auto again = queries_->SubjectAccess("C-1", SarRead());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->access.size(), 3u);
}

TEST_F(SubjectAccessTest, UnknownCaseIsNotFoundAndRecordedAsAMiss) {
  const uint64_t before = store_->LastPosition();
  auto sar = queries_->SubjectAccess("C-9", SarRead());
  ASSERT_EQ(sar.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sar.status().message(), "no case 'C-9' in the store");
  // One miss, in "$access": no stream of its own.
  EXPECT_EQ(store_->LastPosition(), before + 1);
  auto miss = store_->ReadPosition(before + 1);
  ASSERT_TRUE(miss.ok());
  EXPECT_EQ(miss->stream, kAccessStream);
  auto v = store_->StreamVersion(AccessStream("C-9"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 0u);
  // A system stream is not a case either.
  EXPECT_EQ(queries_->SubjectAccess("$access/C-1", SarRead()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SubjectAccessTest, AReadOnlyStoreIsRefusedAndNothingIsRead) {
  auto registry = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(registry.ok());
  Queries read_only(static_cast<const EventStoreReader*>(store_.get()), *registry);
  const uint64_t before = store_->LastPosition();
  EXPECT_EQ(read_only.SubjectAccess("C-1", SarRead()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->LastPosition(), before);
}

}  // namespace
}  // namespace carelog
