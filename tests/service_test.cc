// End-to-end tests of the gRPC service: a server on a loopback port (in this
// process, and the `carelog serve` binary), driven by the generated client
// stubs, as an upstream system would.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "carelog/v1/service.grpc.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "engine/calendar.h"
#include "engine/event_json.h"
#include "engine/event_log.h"
#include "engine/event_time.h"
#include "engine/limits.h"
#include "engine/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/care_plan_state_format.h"
#include "projections/case_trail.h"
#include "projections/cases_list.h"
#include "projections/deadlines_format.h"
#include "store/merkle.h"
#include "tests/cases_fixture.h"
#include "tests/test_util.h"
#include "projections/access_log_render.h"
#include "projections/views/case_packs.h"
#include "projections/views/deadlines_view.h"
#include "projections/views/queries.h"
#include "tools/service/server.h"
#include "projections/settings_log.h"
#include "store/sealing.h"
#include "store/service_tokens.h"

namespace carelog {
namespace {

using ::carelog::testing::Accommodated;
using ::carelog::testing::Envelope;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

v1::Event IroAllocated(const std::string& id, const std::string& case_id,
                       const std::string& iro = "iro-1") {
  v1::Event e = Envelope(id, case_id, "2024-03-02T10:00:00Z", v1::IRO_MANAGER);
  e.mutable_iro_allocated()->set_iro_id(iro);
  return e;
}

// Tokens for every role, and one with all of them.
struct Tokens {
  std::map<std::string, std::string> clear;  // name -> token
  TokenTable table;
};

Tokens MakeTokens() {
  Tokens t;
  std::string text = "# test tokens\n";
  for (const char* spec : {"writer:writer", "reader:reader", "auditor:auditor", "qa:qa",
                           "admin:admin", "all:writer,reader,auditor,qa"}) {
    const std::string s = spec;
    const std::string name = s.substr(0, s.find(':')), roles = s.substr(s.find(':') + 1);
    t.clear[name] = *NewToken();
    absl::StrAppend(&text, name, " ", roles, " ", TokenHashHex(t.clear[name]), "\n");
  }
  t.table = *TokenTable::Parse(text, "test");
  return t;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer(const std::string& tls_cert = "", const std::string& tls_key = "",
                   const std::string& client_ca = "") {
    if (store_ == nullptr) {
      StoreOptions so;
      so.sync = false;  // the tests' speed; serve uses sync appends
      store_ = *EventStore::Open(dir_.Sub("store"), so);
    }
    ServeOptions opts;
    opts.listen = "127.0.0.1:0";
    opts.insecure_loopback = tls_cert.empty();
    opts.tls_cert_pem = tls_cert;
    opts.tls_key_pem = tls_key;
    opts.client_ca_pem = client_ca;
    opts.tokens = tokens_.table;
    opts.subscribe_batch = 16;  // exercise the batch boundary
    auto server = CarelogServer::Start(store_.get(), std::move(opts));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    if (tls_cert.empty()) {
      channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                     grpc::InsecureChannelCredentials());
      stub_ = v1::Carelog::NewStub(channel_);
    }
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(2));
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& who) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!who.empty()) ctx->AddMetadata("authorization", "Bearer " + tokens_.clear.at(who));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  grpc::Status Append(const std::vector<v1::Event>& events, std::optional<uint64_t> expected,
                      v1::AppendResponse* resp, const std::string& who = "writer") {
    v1::AppendRequest req;
    for (const v1::Event& e : events) *req.add_events() = e;
    if (expected.has_value()) req.set_expected_version(*expected);
    return stub_->Append(Ctx(who).get(), req, resp);
  }

  grpc::Status ReadCase(const std::string& case_id, v1::ReadCaseResponse* resp,
                        const std::string& who = "reader") {
    v1::ReadCaseRequest req;
    req.set_case_id(case_id);
    return stub_->ReadCase(Ctx(who).get(), req, resp);
  }

  TempDir dir_;
  Tokens tokens_ = MakeTokens();
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CarelogServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Carelog::Stub> stub_;
};

TEST_F(ServiceTest, AppendThenReadCase) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1"), IroAllocated("e2", "C-1")}, 0, &resp).ok());
  EXPECT_THAT(resp.positions(), ::testing::ElementsAre(1, 2));
  EXPECT_THAT(resp.already_present(), ::testing::ElementsAre(false, false));
  EXPECT_EQ(resp.case_version(), 2u);

  v1::ReadCaseResponse read;
  ASSERT_TRUE(ReadCase("C-1", &read).ok());
  ASSERT_EQ(read.events_size(), 2);
  EXPECT_EQ(read.version(), 2u);
  EXPECT_EQ(read.events(0).event_id(), "e1");
  EXPECT_EQ(read.events(1).position(), 2u);
  EXPECT_TRUE(read.events(1).has_recorded_at());
  EXPECT_EQ(read.events(1).iro_allocated().iro_id(), "iro-1");
}

TEST_F(ServiceTest, EveryStatusCode) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, std::nullopt, &resp).ok());

  // INVALID_ARGUMENT: malformed content, with import's message.
  v1::Event bad = Accommodated("e2", "C-1");
  bad.mutable_child_accommodated()->set_legal_status("ZZ");
  grpc::Status s = Append({IroAllocated("ok", "C-1"), bad}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("event 2: field 'childAccommodated.legalStatus'"));
  v1::Event no_payload = Envelope("e3", "C-1");
  s = Append({no_payload}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("no payload"));
  v1::Event store_set = IroAllocated("e4", "C-1");
  store_set.set_position(7);
  s = Append({store_set}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("field 'position': is set by the store"));
  s = Append({IroAllocated("e5", "$access/C-1")}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("reserved"));
  s = Append({IroAllocated("e6", "C-1"), IroAllocated("e7", "C-2")}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("a batch is for one case"));
  s = Append({}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // ABORTED: a stale expected version.
  s = Append({IroAllocated("e8", "C-1")}, 0, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(s.error_message(), HasSubstr("expected version 0, the log is at version 1"));

  // ALREADY_EXISTS: an event id reused with other content.
  v1::Event reused = Accommodated("e1", "C-1");
  reused.mutable_child_accommodated()->set_placement_type("U2");
  s = Append({reused}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("field 'eventId': 'e1' is already recorded"));
  // ... twice in one batch: says so (nothing was recorded at any position).
  v1::Event twice = IroAllocated("t1", "C-1", "iro-2");
  s = Append({IroAllocated("t1", "C-1"), twice}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("appears twice in this batch (events 1 and 2)"));
  // ... of another case: says so, without naming it.
  s = Append({Accommodated("e1", "C-7")}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("'e1' is already recorded for another case, at position 1"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("C-1")));

  // FAILED_PRECONDITION: accommodated while already looked after.
  s = Append({Accommodated("e9", "C-1", "2024-03-05T10:00:00Z")}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // UNAUTHENTICATED: no token, an unknown token, not a bearer token.
  s = Append({IroAllocated("e10", "C-1")}, std::nullopt, &resp, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer clg_not-a-token");
    v1::AppendRequest req;
    *req.add_events() = IroAllocated("e10", "C-1");
    EXPECT_EQ(stub_->Append(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", tokens_.clear.at("writer"));  // no "Bearer "
    v1::AppendRequest req;
    *req.add_events() = IroAllocated("e10", "C-1");
    EXPECT_EQ(stub_->Append(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }

  // PERMISSION_DENIED: a reader appending.
  s = Append({IroAllocated("e10", "C-1")}, std::nullopt, &resp, "reader");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("needs the role writer"));

  // NOT_FOUND: no such case.
  v1::ReadCaseResponse read;
  EXPECT_EQ(ReadCase("C-404", &read).error_code(), grpc::StatusCode::NOT_FOUND);

  // Nothing refused was appended.
  EXPECT_EQ(*store_->StreamVersion("C-1"), 1u);
  EXPECT_EQ(*store_->StreamVersion("C-2"), 0u);
}

TEST_F(ServiceTest, IdempotentRetry) {
  const std::vector<v1::Event> batch = {Accommodated("e1", "C-1"), IroAllocated("e2", "C-1")};
  v1::AppendResponse first, again, again_unversioned;
  ASSERT_TRUE(Append(batch, 0, &first).ok());
  // The reply was lost; the client sends the very same request again.
  grpc::Status s = Append(batch, 0, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(again.positions(), ::testing::ElementsAreArray(first.positions()));
  EXPECT_THAT(again.already_present(), ::testing::ElementsAre(true, true));
  EXPECT_EQ(again.case_version(), 2u);
  ASSERT_TRUE(Append(batch, std::nullopt, &again_unversioned).ok());
  EXPECT_THAT(again_unversioned.positions(), ::testing::ElementsAreArray(first.positions()));
  // A retry that is only partly the same is still a conflict.
  s = Append({batch[0], IroAllocated("e3", "C-1")}, 0, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(store_->LastPosition(), 2u);
}

TEST_F(ServiceTest, ConcurrentWritersOnOneCaseEachVersionWonOnce) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e0", "C-1")}, 0, &resp).ok());
  constexpr int kWriters = 6, kEach = 15;
  std::mutex mu;
  std::map<uint64_t, std::string> won;  // version -> event id acknowledged
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto stub = v1::Carelog::NewStub(channel_);
      uint64_t seen = 1;
      for (int i = 0; i < kEach;) {
        const std::string id = absl::StrCat("w", w, "-", i);
        v1::AppendRequest req;
        *req.add_events() = IroAllocated(id, "C-1", absl::StrCat("iro-", w));
        req.set_expected_version(seen);
        v1::AppendResponse r;
        grpc::Status s = stub->Append(Ctx("all").get(), req, &r);
        if (s.ok()) {
          std::lock_guard<std::mutex> l(mu);
          EXPECT_TRUE(won.emplace(r.case_version(), id).second) << "version won twice";
          EXPECT_EQ(r.case_version(), seen + 1);
          seen = r.case_version();
          ++i;
        } else {
          ASSERT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
          ++conflicts;
          v1::ReadCaseRequest rr;
          rr.set_case_id("C-1");
          v1::ReadCaseResponse rc;
          ASSERT_TRUE(stub->ReadCase(Ctx("all").get(), rr, &rc).ok());
          seen = rc.version();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  // Every acknowledged append is in the log at the version it was told, and
  // nothing else is.
  auto events = *EventLog(store_.get(), SystemClock()).ReadCase("C-1");
  ASSERT_EQ(events.size(), 1u + kWriters * kEach);
  ASSERT_EQ(won.size(), static_cast<size_t>(kWriters * kEach));
  for (const v1::Event& e : events) {
    if (e.version() == 1) continue;
    EXPECT_EQ(won.at(e.version()), e.event_id());
  }
  std::printf("version conflicts refused: %d\n", conflicts.load());
}

// Drains a subscription until it ends.
std::vector<v1::Event> ReadSubscription(grpc::ClientReader<v1::SubscribeResponse>* reader) {
  std::vector<v1::Event> out;
  v1::SubscribeResponse msg;
  while (reader->Read(&msg)) out.push_back(msg.event());
  return out;
}

TEST_F(ServiceTest, SubscriberStartedMidStreamGetsEveryEventOnceInOrder) {
  v1::AppendResponse resp;
  // History before the subscription, with access records among the events.
  for (int c = 0; c < 5; ++c) {
    ASSERT_TRUE(Append({Accommodated(absl::StrCat("h", c), absl::StrCat("C-", c))}, 0, &resp).ok());
    v1::ReadCaseResponse read;
    ASSERT_TRUE(ReadCase(absl::StrCat("C-", c), &read).ok());
  }
  constexpr int kWriters = 4, kEach = 60;
  std::atomic<bool> go{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::Carelog::NewStub(channel_);
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kEach; ++i) {
        v1::AppendRequest req;
        *req.add_events() = IroAllocated(absl::StrCat("w", w, "-", i), absl::StrCat("C-", w));
        v1::AppendResponse r;
        ASSERT_TRUE(stub->Append(Ctx("writer").get(), req, &r).ok());
      }
    });
  }
  go = true;
  // Subscribe from the middle of the history while the writers run.
  while (store_->LastPosition() < 20) std::this_thread::yield();
  const uint64_t from = 3;
  auto ctx = Ctx("reader");
  v1::SubscribeRequest sreq;
  sreq.set_from_position(from);
  auto reader = stub_->Subscribe(ctx.get(), sreq);
  std::vector<v1::Event> got;
  std::atomic<bool> done_writing{false};
  std::thread watcher([&] {
    for (auto& t : writers) t.join();
    done_writing = true;
  });
  // Expected: every event (not access record) from `from` on: h1..h4 (h0
  // and its access record are positions 1 and 2) and all the writers' events.
  const size_t expected = 4 + kWriters * kEach;
  v1::SubscribeResponse msg;
  while (got.size() < expected) {
    if (!reader->Read(&msg)) {
      grpc::Status st = reader->Finish();
      watcher.join();
      FAIL() << "subscription ended after " << got.size() << ": " << st.error_code() << " "
             << st.error_message();
    }
    got.push_back(msg.event());
  }
  watcher.join();
  ctx->TryCancel();
  ReadSubscription(reader.get());
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  std::vector<uint64_t> want;
  ASSERT_TRUE(store_->ScanLog(from, [&](const StoredRecord& r) {
                       if (!IsSystemStream(r.stream)) want.push_back(r.position);
                       return true;
                     }).ok());
  std::vector<uint64_t> positions;
  for (const v1::Event& e : got) positions.push_back(e.position());
  EXPECT_EQ(positions, want);
  EXPECT_EQ(want.size(), expected);
  std::set<std::string> ids;
  for (const v1::Event& e : got) EXPECT_TRUE(ids.insert(e.event_id()).second) << e.event_id();
}

// Issue 12 point 9: with report_skipped, every position from from_position
// on is accounted for, so a subscriber can check that nothing is missing.
TEST_F(ServiceTest, SubscriberCanCheckThatNoPositionIsMissing) {
  v1::AppendResponse resp;
  for (int c = 0; c < 3; ++c) {
    ASSERT_TRUE(Append({Accommodated(absl::StrCat("h", c), absl::StrCat("C-", c))}, 0, &resp).ok());
    for (int r = 0; r < c + 1; ++r) {  // runs of 1, 2, 3 access records
      v1::ReadCaseResponse read;
      ASSERT_TRUE(ReadCase(absl::StrCat("C-", c), &read).ok());
    }
  }
  // A batch boundary (16 records) inside a run of access records.
  for (int r = 0; r < 20; ++r) {
    v1::ReadCaseResponse read;
    ASSERT_TRUE(ReadCase("C-0", &read).ok());
  }
  ASSERT_TRUE(Append({IroAllocated("last", "C-0")}, std::nullopt, &resp).ok());
  const uint64_t last_event = resp.positions(0);

  auto ctx = Ctx("reader");
  v1::SubscribeRequest sreq;
  sreq.set_from_position(2);
  sreq.set_report_skipped(true);
  auto reader = stub_->Subscribe(ctx.get(), sreq);
  uint64_t expect = 2;
  std::vector<uint64_t> skipped;
  v1::SubscribeResponse msg;
  while (expect <= last_event && reader->Read(&msg)) {
    if (msg.has_skipped()) {
      ASSERT_FALSE(msg.has_event());
      ASSERT_EQ(msg.skipped().first_position(), expect) << "gap before a skipped run";
      ASSERT_LE(msg.skipped().first_position(), msg.skipped().last_position());
      for (uint64_t p = msg.skipped().first_position(); p <= msg.skipped().last_position(); ++p) {
        skipped.push_back(p);
      }
      expect = msg.skipped().last_position() + 1;
    } else {
      ASSERT_EQ(msg.event().position(), expect) << "gap before an event";
      ++expect;
    }
  }
  EXPECT_EQ(expect, last_event + 1);
  ctx->TryCancel();
  ReadSubscription(reader.get());
  // The skipped positions are exactly the system records.
  std::vector<uint64_t> system;
  ASSERT_TRUE(store_->ScanLog(2, [&](const StoredRecord& r) {
                       if (r.position >= last_event) return false;
                       if (IsSystemStream(r.stream)) system.push_back(r.position);
                       return true;
                     }).ok());
  EXPECT_EQ(skipped, system);
  EXPECT_FALSE(skipped.empty());

  // Without report_skipped: events only, as before.
  auto ctx2 = Ctx("reader");
  auto plain = stub_->Subscribe(ctx2.get(), v1::SubscribeRequest());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(plain->Read(&msg));
    EXPECT_TRUE(msg.has_event());
    EXPECT_FALSE(msg.has_skipped());
  }
  ctx2->TryCancel();
}

TEST_F(ServiceTest, SlowSubscriberDoesNotHoldUpWriters) {
  auto ctx = Ctx("reader");
  v1::SubscribeRequest sreq;
  auto reader = stub_->Subscribe(ctx.get(), sreq);  // and never read (yet)
  const absl::Time start = absl::Now();
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("a0", "C-1")}, 0, &resp).ok());
  for (int i = 1; i < 400; ++i) {
    std::vector<v1::Event> batch;
    for (int j = 0; j < 10; ++j) {
      v1::Event e = IroAllocated(absl::StrCat("a", i, "-", j), "C-1");
      e.set_comment(std::string(1000, 'x'));  // ~4 MB in all, beyond the flow-control window
      batch.push_back(e);
    }
    ASSERT_TRUE(Append(batch, std::nullopt, &resp).ok());
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(60));
  // The subscriber, reading at last, still gets everything in order.
  v1::SubscribeResponse msg;
  uint64_t expect = 1, n = 0;
  while (n < 1 + 399 * 10 && reader->Read(&msg)) {
    if (msg.event().position() != expect) {
      // Skip over access records (not events).
      auto rec = store_->ReadPosition(expect);
      ASSERT_TRUE(rec.ok());
      ASSERT_TRUE(IsSystemStream(rec->stream)) << "gap at " << expect;
      expect = msg.event().position();
    }
    ++expect;
    ++n;
  }
  EXPECT_EQ(n, 1u + 399 * 10);
  ctx->TryCancel();
}

TEST_F(ServiceTest, RolesDecideWhichCallsATokenMayMake) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  auto code = [&](const std::string& who, const std::string& method) {
    if (method == "Append") {
      v1::AppendResponse r;
      return Append({IroAllocated(absl::StrCat("x-", who), "C-1")}, std::nullopt, &r, who)
          .error_code();
    }
    if (method == "ReadCase") {
      v1::ReadCaseResponse r;
      return ReadCase("C-1", &r, who).error_code();
    }
    if (method == "Deadlines") {
      v1::DeadlinesRequest q;
      q.set_case_id("C-1");
      v1::DeadlinesResponse r;
      return stub_->Deadlines(Ctx(who).get(), q, &r).error_code();
    }
    if (method == "QaReport") {
      v1::QaReportRequest q;
      q.set_from("2024-01-01");
      q.set_to("2024-12-31");
      v1::QaReportResponse r;
      return stub_->QaReport(Ctx(who).get(), q, &r).error_code();
    }
    if (method == "Audit") {
      v1::AuditRequest q;
      q.set_case_id("C-1");
      v1::AuditResponse r;
      return stub_->Audit(Ctx(who).get(), q, &r).error_code();
    }
    if (method == "CaseState") {
      v1::CaseStateRequest q;
      q.set_case_id("C-1");
      v1::CaseStateResponse r;
      return stub_->CaseState(Ctx(who).get(), q, &r).error_code();
    }
    if (method == "ListCases") {
      v1::ListCasesResponse r;
      return stub_->ListCases(Ctx(who).get(), v1::ListCasesRequest(), &r).error_code();
    }
    if (method == "Head") {
      v1::HeadResponse r;
      return stub_->Head(Ctx(who).get(), v1::HeadRequest(), &r).error_code();
    }
    if (method == "Prove") {
      v1::ProveRequest q;
      q.set_event_id("e1");
      v1::ProveResponse r;
      return stub_->Prove(Ctx(who).get(), q, &r).error_code();
    }
    if (method == "AccessLog") {
      v1::AccessLogResponse r;
      return stub_->AccessLog(Ctx(who).get(), v1::AccessLogRequest(), &r).error_code();
    }
    // Subscribe: the first message or the refusal.
    auto ctx = Ctx(who);
    auto reader = stub_->Subscribe(ctx.get(), v1::SubscribeRequest());
    v1::SubscribeResponse m;
    if (reader->Read(&m)) {
      ctx->TryCancel();
      reader->Finish();
      return grpc::StatusCode::OK;
    }
    return reader->Finish().error_code();
  };
  const std::map<std::string, std::set<std::string>> allowed = {
      {"writer", {"Append"}},
      {"reader", {"ReadCase", "CaseState", "Subscribe"}},
      {"auditor", {"Audit", "CaseState", "Prove", "Head", "ReadCase", "AccessLog"}},
      {"qa", {"Deadlines", "QaReport", "ListCases"}},
  };
  for (const auto& [who, methods] : allowed) {
    for (const char* m : {"Append", "ReadCase", "Subscribe", "Deadlines", "QaReport", "Audit",
                          "CaseState", "ListCases", "Head", "Prove", "AccessLog"}) {
      const grpc::StatusCode want =
          methods.count(m) ? grpc::StatusCode::OK : grpc::StatusCode::PERMISSION_DENIED;
      EXPECT_EQ(code(who, m), want) << who << " calling " << m;
      EXPECT_EQ(code("", m), grpc::StatusCode::UNAUTHENTICATED) << m;
    }
  }
}

// EraseCase over an encrypted store: the admin role only; refused before
// the case's retention ends without an authority (nothing changed); then
// the case is erased, the erasure names the token, and the reads name it.
class SealedServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    StoreOptions so;
    so.sync = false;
    so.master_key = &master_;
    store_ = *EventStore::Open(dir_.Sub("store"), so);
    StartServer();
  }
  SecretKey master_ = *SecretKey::Generate();
};

TEST_F(SealedServiceTest, EraseCaseIsForAdminsAndNamesTheErasureAfterwards) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  const uint64_t last = store_->LastPosition();
  v1::EraseCaseRequest req;
  req.set_case_id("C-1");
  req.set_reason("court ordered");
  for (const char* who : {"writer", "reader", "auditor", "qa", "all"}) {
    v1::EraseCaseResponse r;
    EXPECT_EQ(stub_->EraseCase(Ctx(who).get(), req, &r).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }
  v1::EraseCaseResponse r;
  // No date of birth is recorded: the period cannot be worked out, so the
  // case is never taken as due for destruction.
  grpc::Status early = stub_->EraseCase(Ctx("admin").get(), req, &r);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(early.error_message(), HasSubstr("retention period cannot be worked out"));
  EXPECT_THAT(early.error_message(), HasSubstr("authority"));
  EXPECT_EQ(store_->LastPosition(), last);
  v1::EraseCaseRequest no_reason = req;
  no_reason.clear_reason();
  EXPECT_EQ(stub_->EraseCase(Ctx("admin").get(), no_reason, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  req.set_authority("HC-2026-0042");
  grpc::Status erased = stub_->EraseCase(Ctx("admin").get(), req, &r);
  ASSERT_TRUE(erased.ok()) << erased.error_message();
  EXPECT_EQ(r.erasure().case_id(), "C-1");
  EXPECT_EQ(r.erasure().erased_by(), "admin");
  EXPECT_EQ(r.erasure().role(), "admin");
  EXPECT_EQ(r.erasure().through(), "EraseCase");
  EXPECT_EQ(r.erasure().authority(), "HC-2026-0042");
  EXPECT_EQ(r.erasure().events(), 1u);
  EXPECT_GT(r.erasure().position(), last);

  v1::AuditRequest audit;
  audit.set_case_id("C-1");
  v1::AuditResponse audit_resp;
  grpc::Status gone = stub_->Audit(Ctx("auditor").get(), audit, &audit_resp);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(gone.error_message(), HasSubstr("case 'C-1' was erased"));
  EXPECT_THAT(gone.error_message(), HasSubstr("under authority HC-2026-0042"));
  v1::AppendResponse more;
  grpc::Status refused = Append({IroAllocated("e2", "C-1")}, std::nullopt, &more);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("erased"));
  // A subscriber from the start is told the erased event's position was
  // skipped, and gets the rest.
  ASSERT_TRUE(Append({Accommodated("f1", "C-2")}, 0, &resp).ok());
  auto ctx = Ctx("reader");
  v1::SubscribeRequest sub;
  sub.set_report_skipped(true);
  auto reader = stub_->Subscribe(ctx.get(), sub);
  v1::SubscribeResponse m;
  ASSERT_TRUE(reader->Read(&m));
  EXPECT_EQ(m.skipped().first_position(), 1u);
  bool saw_f1 = false;
  while (reader->Read(&m)) {
    if (m.has_event() && m.event().event_id() == "f1") {
      saw_f1 = true;
      break;
    }
  }
  EXPECT_TRUE(saw_f1);
  ctx->TryCancel();
  reader->Finish();
}

TEST_F(ServiceTest, DeadlinesUseTheStoresSavedBankHolidays) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  v1::DeadlinesRequest dq;
  dq.set_case_id("C-1");
  dq.set_as_of("2024-03-20");
  v1::DeadlinesResponse before, after;
  ASSERT_TRUE(stub_->Deadlines(Ctx("qa").get(), dq, &before).ok());
  EXPECT_THAT(before.json(), ::testing::HasSubstr(R"("rule":"iro.notify","due":"2024-03-05")"));
  // A newly announced holiday on the due date, saved as `carelog holidays`
  // would, moves it a working day — in the running service too.
  ASSERT_TRUE(store_
                  ->PutSetting(kHolidaysSetting,
                               R"({"england-and-wales":{"division":"england-and-wales","events":[)"
                               R"({"title":"New Year","date":"2024-01-01"},)"
                               R"({"title":"Announced","date":"2024-03-05"}]}})")
                  .ok());
  ASSERT_TRUE(stub_->Deadlines(Ctx("qa").get(), dq, &after).ok());
  EXPECT_THAT(after.json(), ::testing::HasSubstr(R"("rule":"iro.notify","due":"2024-03-06")"));
}

// A pack change made while the service runs (in process, as a settings call
// would) is in the audit the service answers: who, through what, old -> new.
TEST_F(ServiceTest, AuditShowsTheSettingsChangesThatJudgedTheCase) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  v1::AuditRequest aq;
  aq.set_case_id("C-1");
  aq.set_as_of("2024-06-30");
  v1::AuditResponse before;
  ASSERT_TRUE(stub_->Audit(Ctx("auditor").get(), aq, &before).ok());
  EXPECT_THAT(before.json(), ::testing::Not(::testing::HasSubstr(R"("settings":)")));
  auto change = ChangeSetting(store_.get(), "pack.case.C-1", "scotland",
                              SettingsActor{"ops-token", "service"});
  ASSERT_TRUE(change.ok()) << change.status();
  v1::AuditResponse after;
  ASSERT_TRUE(stub_->Audit(Ctx("auditor").get(), aq, &after).ok());
  EXPECT_THAT(after.json(), ::testing::HasSubstr(R"("settings":{"pack":"scotland","packSetting":"pack.case.C-1")"));
  EXPECT_THAT(after.json(), ::testing::HasSubstr(R"("changedBy":"ops-token","via":"service","old":null,"new":"scotland")"));
}

TEST_F(ServiceTest, ReadsAreAnsweredAsTheCliAndRecordedInTheAccessLog) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1"), IroAllocated("e2", "C-1")}, 0, &resp).ok());
  ASSERT_TRUE(Append({Accommodated("f1", "C-2")}, 0, &resp).ok());

  v1::DeadlinesRequest dq;
  dq.set_case_id("C-1");
  dq.set_as_of("2024-06-30");
  v1::DeadlinesResponse dr;
  ASSERT_TRUE(stub_->Deadlines(Ctx("qa").get(), dq, &dr).ok());
  v1::AuditRequest aq;
  aq.set_case_id("C-1");
  aq.set_as_of("2024-06-30");
  v1::AuditResponse ar;
  ASSERT_TRUE(stub_->Audit(Ctx("auditor").get(), aq, &ar).ok());
  v1::ReadCaseResponse rr;
  ASSERT_TRUE(ReadCase("C-1", &rr, "auditor").ok());
  v1::DeadlinesRequest all;
  all.set_as_of("2024-06-30");
  v1::DeadlinesResponse allr;
  ASSERT_TRUE(stub_->Deadlines(Ctx("qa").get(), all, &allr).ok());

  // The same content as the CLI's renderers give.
  auto registry = *PolicyRegistry::LoadEmbedded();
  CasePacks packs(store_.get(), &registry);
  EventLog log(store_.get(), SystemClock());
  const absl::CivilDay as_of(2024, 6, 30);
  CaseDeadlines d = FoldDeadlines("C-1", *log.ReadCase("C-1"), **packs.For("C-1"),
                                  Calendar::Default(), as_of);
  std::string json = "[";
  bool first = true;
  AppendDeadlinesJson(d, &json, &first);
  json += "]\n";
  EXPECT_EQ(dr.json(), json);
  ASSERT_EQ(dr.deadlines_size(), static_cast<int>(d.obligations.size()));
  ASSERT_GT(dr.deadlines_size(), 0);
  EXPECT_EQ(dr.deadlines(0).rule(), d.obligations[0].rule_id);
  EXPECT_EQ(dr.deadlines(0).due(), absl::FormatCivilTime(d.obligations[0].due));
  CaseTrailOptions opts;
  opts.as_of = as_of;
  EXPECT_EQ(ar.json(), RenderCaseTrailJson(BuildCaseTrail("C-1", *log.ReadCase("C-1"),
                                                       **packs.For("C-1"), Calendar::Default(),
                                                       opts)));
  // Deadlines of every case covers C-2 and no system stream.
  std::set<std::string> cases;
  for (const v1::Deadline& row : allr.deadlines()) cases.insert(row.case_id());
  EXPECT_EQ(cases, (std::set<std::string>{"C-1", "C-2"}));

  // Who read C-1: qa (Deadlines), auditor (Audit, ReadCase), and qa's read of
  // all cases; in the log, hash-chained and in the Merkle tree.
  auto records = *ReadAccessLog(*store_, "C-1");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].token_name(), "qa");
  EXPECT_EQ(records[0].method(), "Deadlines");
  EXPECT_EQ(records[1].method(), "Audit");
  EXPECT_EQ(records[1].role(), "auditor");
  EXPECT_EQ(records[2].method(), "ReadCase");
  EXPECT_EQ(records[2].role(), "auditor");
  EXPECT_EQ(records[3].case_id(), "");
  EXPECT_THAT(records[0].peer(), HasSubstr("127.0.0.1"));
  EXPECT_GT(records[0].at().seconds(), 0);
  EXPECT_TRUE(ReadAccessLog(*store_, "C-2")->size() == 1u);  // only the all-cases read
  EXPECT_EQ(*store_->Streams(), (std::vector<std::string>{"C-1", "C-2"}));
  auto report = store_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;

  // Auditors read it over the service too.
  v1::AccessLogRequest lq;
  lq.set_case_id("C-1");
  v1::AccessLogResponse lr;
  ASSERT_TRUE(stub_->AccessLog(Ctx("auditor").get(), lq, &lr).ok());
  EXPECT_EQ(lr.records_size(), 4);
  EXPECT_EQ(lr.records(2).position(), records[2].position());
}

// Issue 15 point 3: CaseState is `carelog state --format json` over the
// service — the same bytes as the CLI and Queries::State for the same as-of
// and known-at — for the roles that read a case's events, each call recorded
// in the case's access log before it is answered.
TEST_F(ServiceTest, CaseStateIsTheClisStateJsonAndEachCallIsRecorded) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  // Recorded before the IRO allocation (the store's clock is the real one).
  absl::SleepFor(absl::Milliseconds(20));
  const absl::Time between = absl::Now();
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(Append({IroAllocated("e2", "C-1", "iro-7")}, std::nullopt, &resp).ok());

  v1::CaseStateRequest q;
  q.set_case_id("C-1");
  q.set_as_of("2024-06-30");
  v1::CaseStateResponse by_reader, by_auditor, known_then;
  ASSERT_TRUE(stub_->CaseState(Ctx("reader").get(), q, &by_reader).ok());
  ASSERT_TRUE(stub_->CaseState(Ctx("auditor").get(), q, &by_auditor).ok());
  q.set_known_at(absl::FormatTime(absl::RFC3339_full, between, absl::UTCTimeZone()));
  ASSERT_TRUE(stub_->CaseState(Ctx("reader").get(), q, &known_then).ok());

  auto queries = Queries::WithEmbeddedPacks(store_.get());
  ASSERT_TRUE(queries.ok()) << queries.status();
  const absl::CivilDay as_of(2024, 6, 30);
  auto now = (*queries)->State("C-1", as_of, std::nullopt);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(by_reader.json(), RenderCarePlanStateJson(*now));
  EXPECT_EQ(by_auditor.json(), by_reader.json());
  EXPECT_THAT(by_reader.json(), HasSubstr(R"("caseId":"C-1")"));
  EXPECT_THAT(by_reader.json(), HasSubstr(R"("asOf":"2024-06-30")"));
  EXPECT_THAT(by_reader.json(), HasSubstr("iro-7"));
  // Known at `between`: the allocation, recorded later, is left out.
  auto then = (*queries)->State("C-1", as_of, between);
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ(known_then.json(), RenderCarePlanStateJson(*then));
  EXPECT_THAT(known_then.json(), ::testing::Not(HasSubstr("iro-7")));
  EXPECT_NE(known_then.json(), by_reader.json());
  // And the CLI prints the same bytes (read-only, beside the running server).
  auto cli = carelog::testing::RunCarelog(
      absl::StrCat("state --store ", dir_.Sub("store"), " --case C-1 --as-of 2024-06-30",
                   " --format json"),
      dir_);
  ASSERT_EQ(cli.status, 0) << cli.err;
  EXPECT_EQ(cli.out, by_reader.json());

  // One access record per call, naming the case, the token and its role.
  auto records = *ReadAccessLog(*store_, "C-1");
  ASSERT_EQ(records.size(), 3u);
  for (const v1::AccessRecord& r : records) {
    EXPECT_EQ(r.method(), "CaseState");
    EXPECT_EQ(r.case_id(), "C-1");
    EXPECT_EQ(r.outcome(), "");
  }
  EXPECT_EQ(records[0].token_name(), "reader");
  EXPECT_EQ(records[0].role(), "reader");
  EXPECT_EQ(records[1].token_name(), "auditor");
  EXPECT_EQ(records[1].role(), "auditor");

  // Refused: a writer-only token and a qa token; nothing recorded for them.
  v1::CaseStateResponse r;
  q.clear_known_at();
  grpc::Status s = stub_->CaseState(Ctx("writer").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("may not call CaseState: it needs the role reader or auditor"));
  EXPECT_EQ(stub_->CaseState(Ctx("qa").get(), q, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CaseState(Ctx("").get(), q, &r).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReadAccessLog(*store_, "C-1")->size(), 3u);

  // Bad dates name their field; nothing is read, so nothing is recorded.
  q.set_as_of("2024-02-30");
  s = stub_->CaseState(Ctx("reader").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("field 'asOf': bad date '2024-02-30'"));
  q.set_as_of("2024-06-30");
  q.set_known_at("yesterday");
  s = stub_->CaseState(Ctx("reader").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("field 'knownAt': bad instant 'yesterday'"));
  q.clear_known_at();
  q.set_case_id("");
  s = stub_->CaseState(Ctx("reader").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("field 'caseId'"));
  EXPECT_EQ(ReadAccessLog(*store_, "")->size(), 3u);

  // An unknown case: NOT_FOUND naming it, recorded as a miss in "$access".
  q.set_case_id("C-404");
  s = stub_->CaseState(Ctx("reader").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no case 'C-404' in the store");
  auto all = *ReadAccessLog(*store_, "");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].method(), "CaseState");
  EXPECT_EQ(all[3].case_id(), "C-404");
  EXPECT_EQ(all[3].outcome(), "NOT_FOUND");
  auto streams = *store_->Streams(/*include_system=*/true);
  std::sort(streams.begin(), streams.end());
  EXPECT_EQ(streams, (std::vector<std::string>{"$access", "$access/C-1", "C-1"}));
}

// Issue 15 point 3: ListCases is `carelog cases --format json` over the
// service — the same bytes as the CLI and Queries::CaseList for the same date
// and filters — for qa tokens (as Deadlines of every case), each call
// recorded as one read across all cases before it is answered.
TEST_F(ServiceTest, ListCasesIsTheClisCasesJsonFilteredAndEachCallIsRecorded) {
  // The store of tests/cases_fixture.h, as of 2024-04-10: C-A (iro-7,
  // Team North, looked after, 1 overdue), C-B (iro-7, Team South, looked
  // after), C-C (iro-8, Team North, no longer looked after), C-D (never
  // looked after: nothing allocated).
  const std::vector<std::string> lines =
      absl::StrSplit(::carelog::testing::kFourCasesNdjson, '\n', absl::SkipEmpty());
  EventJsonParser parser;
  std::map<std::string, std::vector<v1::Event>> by_case;
  for (const std::string& line : lines) {
    v1::Event e;
    ASSERT_TRUE(parser.Parse(line, &e).ok()) << line;
    by_case[e.case_id()].push_back(e);
  }
  for (const auto& [id, events] : by_case) {
    v1::AppendResponse resp;
    grpc::Status s = Append(events, 0, &resp);
    ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
  }

  // The case ids of a list, in its order; the call must succeed.
  int answered = 0;
  auto list = [&](const v1::ListCasesRequest& q, std::string* json = nullptr) {
    v1::ListCasesResponse r;
    grpc::Status s = stub_->ListCases(Ctx("qa").get(), q, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (s.ok()) ++answered;
    std::vector<std::string> ids;
    static const std::string kKey = R"("caseId":")";
    for (size_t at = r.json().find(kKey); at != std::string::npos;
         at = r.json().find(kKey, at + 1)) {
      const size_t from = at + kKey.size();
      ids.push_back(r.json().substr(from, r.json().find('"', from) - from));
    }
    if (json != nullptr) *json = r.json();
    return ids;
  };
  auto cli = [&](const std::string& options) {
    auto run = carelog::testing::RunCarelog(
        absl::StrCat("cases --store ", dir_.Sub("store"), " --as-of 2024-04-10 --format json ",
                     options),
        dir_);
    EXPECT_EQ(run.status, 0) << run.err;
    return run.out;
  };
  using ::testing::ElementsAre;

  v1::ListCasesRequest q;
  q.set_as_of("2024-04-10");
  std::string json;
  EXPECT_THAT(list(q, &json), ElementsAre("C-A", "C-B", "C-C", "C-D"));
  // The same bytes as the query and renderer the CLI uses, and as the CLI.
  auto queries = Queries::WithEmbeddedPacks(store_.get());
  ASSERT_TRUE(queries.ok()) << queries.status();
  auto rows = (*queries)->CaseList(absl::CivilDay(2024, 4, 10), CaseListFilter());
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(json, RenderCaseListJson(*rows));
  EXPECT_EQ(json, cli(""));
  EXPECT_THAT(json, HasSubstr(R"("caseId":"C-A","events":5,"periodsOfCare":1,"lookedAfter":true)"));

  // Each filter narrows it, as the CLI's flag does.
  q.set_iro("iro-7");
  EXPECT_THAT(list(q, &json), ElementsAre("C-A", "C-B"));
  EXPECT_EQ(json, cli("--iro iro-7"));
  q.clear_iro();
  q.set_team("Team North");
  EXPECT_THAT(list(q, &json), ElementsAre("C-A", "C-C"));
  EXPECT_EQ(json, cli("--team 'Team North'"));
  q.set_looked_after(false);  // set to false is a filter, not "unset"
  EXPECT_THAT(list(q, &json), ElementsAre("C-C"));
  EXPECT_EQ(json, cli("--team 'Team North' --looked-after no"));
  q.clear_team();
  EXPECT_THAT(list(q), ElementsAre("C-C", "C-D"));
  q.set_looked_after(true);
  EXPECT_THAT(list(q, &json), ElementsAre("C-A", "C-B"));
  EXPECT_EQ(json, cli("--looked-after yes"));
  q.clear_looked_after();
  q.set_overdue(true);
  EXPECT_THAT(list(q, &json), ElementsAre("C-A"));
  EXPECT_EQ(json, cli("--overdue"));
  q.set_as_of("2024-04-17");  // C-B's review is overdue by then
  EXPECT_THAT(list(q), ElementsAre("C-A", "C-B"));
  q.set_as_of("2024-04-10");
  q.set_overdue(false);
  q.set_iro("iro-99");  // a value no case has: an empty list, not an error
  EXPECT_THAT(list(q, &json), ElementsAre());
  EXPECT_EQ(json, "[\n]\n");
  q.clear_iro();

  // Each answered call is one read across all cases (stream "$access", case
  // ""), naming the token and its role; an auditor asking who read C-A sees
  // them too.
  const int reads = answered;
  ASSERT_EQ(reads, 9);
  auto records = *ReadAccessLog(*store_, "");
  ASSERT_EQ(records.size(), static_cast<size_t>(reads));
  for (const v1::AccessRecord& r : records) {
    EXPECT_EQ(r.method(), "ListCases");
    EXPECT_EQ(r.case_id(), "");
    EXPECT_EQ(r.token_name(), "qa");
    EXPECT_EQ(r.role(), "qa");
    EXPECT_EQ(r.outcome(), "");
  }
  EXPECT_EQ(ReadAccessLog(*store_, "C-A")->size(), static_cast<size_t>(reads));
  v1::AccessLogRequest lq;
  v1::AccessLogResponse lr;
  ASSERT_TRUE(stub_->AccessLog(Ctx("auditor").get(), lq, &lr).ok());
  ASSERT_EQ(lr.records_size(), reads);
  EXPECT_EQ(lr.records(0).method(), "ListCases");
  // No stream per case was created for them.
  auto streams = *store_->Streams(/*include_system=*/true);
  std::sort(streams.begin(), streams.end());
  EXPECT_EQ(streams, (std::vector<std::string>{"$access", "C-A", "C-B", "C-C", "C-D"}));

  // A bad date names its field; refused callers are told why. Nothing read,
  // nothing recorded.
  v1::ListCasesResponse r;
  q.set_as_of("2024-02-30");
  grpc::Status s = stub_->ListCases(Ctx("qa").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("field 'asOf': bad date '2024-02-30'"));
  EXPECT_EQ(r.json(), "");
  q.set_as_of("");  // today: answered
  EXPECT_TRUE(stub_->ListCases(Ctx("qa").get(), q, &r).ok());
  EXPECT_THAT(r.json(), HasSubstr(R"("caseId":"C-D")"));
  s = stub_->ListCases(Ctx("reader").get(), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("may not call ListCases: it needs the role qa"));
  EXPECT_EQ(stub_->ListCases(Ctx("").get(), q, &r).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReadAccessLog(*store_, "")->size(), static_cast<size_t>(reads) + 1);
}

TEST_F(ServiceTest, HeadAndProveMatchTheStore) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1"), IroAllocated("e2", "C-1")}, 0, &resp).ok());
  ASSERT_TRUE(Append({Accommodated("f1", "C-2")}, 0, &resp).ok());
  v1::HeadResponse head;
  ASSERT_TRUE(stub_->Head(Ctx("auditor").get(), v1::HeadRequest(), &head).ok());
  auto want = *store_->Head();
  EXPECT_EQ(head.size(), want.size);
  EXPECT_EQ(head.head(), absl::StrCat(want.size, ":", merkle::ToHex(want.root)));
  v1::ProveRequest pq;
  pq.set_event_id("e2");
  v1::ProveResponse proof;
  ASSERT_TRUE(stub_->Prove(Ctx("auditor").get(), pq, &proof).ok());
  EXPECT_EQ(proof.position(), 2u);
  EXPECT_EQ(proof.tree_size(), want.size);
  Hash256 leaf_hash, root;
  std::vector<Hash256> path;
  ASSERT_EQ(proof.leaf_hash().size(), 32u);
  std::memcpy(leaf_hash.data(), proof.leaf_hash().data(), 32);
  std::memcpy(root.data(), proof.root_hash().data(), 32);
  for (const std::string& h : proof.audit_path()) {
    Hash256 x;
    std::memcpy(x.data(), h.data(), 32);
    path.push_back(x);
  }
  EXPECT_EQ(leaf_hash, merkle::LeafHash(proof.leaf()));
  EXPECT_TRUE(merkle::VerifyInclusion(proof.leaf_index(), proof.tree_size(), leaf_hash, path, root));
  EXPECT_EQ(root, want.root);
  // `carelog check-proof` accepts the JSON.
  const std::string file = dir_.Sub("proof.json");
  std::ofstream(file) << proof.json();
  EXPECT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " check-proof ", file, " >/dev/null")), 0);
  pq.set_event_id("nope");
  EXPECT_EQ(stub_->Prove(Ctx("auditor").get(), pq, &proof).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Issue 12 point 6: Prove returns the whole leaf (the child's event) and is
// recorded like ReadCase, before the answer.
TEST_F(ServiceTest, ProveIsRecordedInTheAccessLogBeforeItIsAnswered) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  v1::ProveRequest pq;
  pq.set_event_id("e1");
  v1::ProveResponse proof;
  ASSERT_TRUE(stub_->Prove(Ctx("auditor").get(), pq, &proof).ok());
  auto records = *ReadAccessLog(*store_, "C-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].method(), "Prove");
  EXPECT_EQ(records[0].token_name(), "auditor");
  EXPECT_EQ(records[0].case_id(), "C-1");
  EXPECT_EQ(records[0].event_id(), "e1");
  EXPECT_EQ(records[0].outcome(), "");
  // Written before the answer: the proof's tree (taken before) is older.
  EXPECT_GT(records[0].position(), proof.tree_size() - 1);
  // An unknown event id: recorded as NOT_FOUND, in no stream of its own.
  pq.set_event_id("no-such-event");
  EXPECT_EQ(stub_->Prove(Ctx("auditor").get(), pq, &proof).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::vector<std::string> streams = *store_->Streams(/*include_system=*/true);
  for (const std::string& stream : streams) {
    EXPECT_THAT(stream, ::testing::AnyOf("C-1", "$access/C-1", "$access"));
  }
  auto all = *ReadAccessLog(*store_, "");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].method(), "Prove");
  EXPECT_EQ(all[1].event_id(), "no-such-event");
  EXPECT_EQ(all[1].outcome(), "NOT_FOUND");
}

// Issue 12 point 7: a read of a case that does not exist is recorded (who
// asked for which id) without creating a stream for that id.
TEST_F(ServiceTest, ReadsOfMissingCasesAreRecordedWithoutCreatingStreams) {
  v1::AppendResponse resp;
  ASSERT_TRUE(Append({Accommodated("e1", "C-1")}, 0, &resp).ok());
  v1::ReadCaseResponse read;
  ASSERT_TRUE(ReadCase("C-1", &read).ok());
  v1::QaReportRequest qq;  // a read of all cases: the "$access" stream exists
  qq.set_from("2024-01-01");
  qq.set_to("2024-12-31");
  v1::QaReportResponse qr;
  ASSERT_TRUE(stub_->QaReport(Ctx("qa").get(), qq, &qr).ok());
  auto sorted_streams = [&] {
    auto v = *store_->Streams(/*include_system=*/true);
    std::sort(v.begin(), v.end());
    return v;
  };
  const auto streams = sorted_streams();
  ASSERT_EQ(streams, (std::vector<std::string>{"$access", "$access/C-1", "C-1"}));

  EXPECT_EQ(ReadCase("C-404", &read).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::AuditRequest aq;
  aq.set_case_id("C-405");
  v1::AuditResponse ar;
  EXPECT_EQ(stub_->Audit(Ctx("auditor").get(), aq, &ar).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::DeadlinesRequest dq;
  dq.set_case_id("C-406");
  v1::DeadlinesResponse dr;
  EXPECT_EQ(stub_->Deadlines(Ctx("qa").get(), dq, &dr).error_code(), grpc::StatusCode::NOT_FOUND);
  // A hostile id: long, with an escape sequence.
  const std::string hostile = "X\x1b[2J" + std::string(5000, 'y');
  EXPECT_EQ(ReadCase(hostile, &read).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(sorted_streams(), streams);

  auto all = *ReadAccessLog(*store_, "");
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[2].case_id(), "C-404");
  EXPECT_EQ(all[2].method(), "ReadCase");
  EXPECT_EQ(all[2].outcome(), "NOT_FOUND");
  EXPECT_EQ(all[3].method(), "Audit");
  EXPECT_EQ(all[4].method(), "Deadlines");
  EXPECT_EQ(all[4].case_id(), "C-406");
  // Kept bounded and printable.
  EXPECT_LE(all[5].case_id().size(), 200u);
  EXPECT_EQ(all[5].case_id().find('\x1b'), std::string::npos);
  EXPECT_THAT(all[5].case_id(), ::testing::StartsWith("X\\x1b[2Jyyy"));
  EXPECT_THAT(all[5].case_id(), HasSubstr("5005 bytes"));
  // A case's access log holds its own reads and the all-case reads, not
  // the misses of other ids; the misses of its id are there.
  auto c1 = *ReadAccessLog(*store_, "C-1");
  ASSERT_EQ(c1.size(), 2u);
  EXPECT_EQ(c1[0].method(), "ReadCase");
  EXPECT_EQ(c1[1].method(), "QaReport");
  auto c404 = *ReadAccessLog(*store_, "C-404");
  ASSERT_EQ(c404.size(), 2u);  // the all-case read, and the miss
  EXPECT_EQ(c404[0].method(), "QaReport");
  EXPECT_EQ(c404[1].outcome(), "NOT_FOUND");
  EXPECT_THAT(RenderAccessText(c404), HasSubstr("C-404 (not found)"));
  EXPECT_THAT(RenderAccessJson(c404), HasSubstr(R"("outcome":"NOT_FOUND")"));
  auto report = store_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
}

// Issue 12 point 14: an event over kMaxEventBytes would be stored and then
// break every default-configured reader (gRPC's 4 MiB) for ever.
TEST_F(ServiceTest, EventOverTheSizeLimitIsRefusedNamingIndexSizeAndLimit) {
  v1::AppendResponse resp;
  v1::Event big = IroAllocated("big", "C-1");
  big.set_comment(std::string(kMaxEventBytes, 'x'));
  const size_t size = big.ByteSizeLong();
  grpc::Status s = Append({Accommodated("e1", "C-1"), big}, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            absl::StrCat("event 2: ", size, " bytes, over the limit of 1048576 bytes (1 MiB) for "
                         "one event; nothing from this batch was recorded"));
  EXPECT_EQ(store_->LastPosition(), 0u);
  // At the limit: accepted, and a default-configured client reads it back.
  v1::Event at_limit = IroAllocated("at-limit", "C-1");
  at_limit.set_comment(std::string(kMaxEventBytes - 100, 'x'));
  ASSERT_GT(at_limit.ByteSizeLong(), kMaxEventBytes - 100);
  ASSERT_LE(at_limit.ByteSizeLong(), kMaxEventBytes);
  ASSERT_TRUE(Append({Accommodated("e1", "C-1"), at_limit}, std::nullopt, &resp).ok());
  v1::ReadCaseResponse read;
  ASSERT_TRUE(ReadCase("C-1", &read).ok());
  EXPECT_EQ(read.events(1).comment().size(), at_limit.comment().size());
  // A request over the batch limit (kMaxRequestBytes) is refused by gRPC
  // before it is parsed.
  std::vector<v1::Event> many;
  for (size_t i = 0; i <= kMaxRequestBytes / kMaxEventBytes; ++i) {
    v1::Event e = IroAllocated(absl::StrCat("m", i), "C-1");
    e.set_comment(std::string(kMaxEventBytes - 1000, 'y'));
    many.push_back(e);
  }
  s = Append(many, std::nullopt, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(store_->LastPosition(), 3u);  // two events and the ReadCase's access record
}

// Issue 12 point 10: current clients ask for reflection v1 (v1alpha stays).
TEST_F(ServiceTest, ReflectionV1ListsServicesAndDescribesTheService) {
  namespace refl = grpc::reflection::v1;
  auto stub = refl::ServerReflection::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = stub->ServerReflectionInfo(&ctx);
  refl::ServerReflectionRequest req;
  refl::ServerReflectionResponse resp;

  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_TRUE(resp.has_list_services_response()) << resp.DebugString();
  std::set<std::string> names;
  for (const auto& svc : resp.list_services_response().service()) names.insert(svc.name());
  EXPECT_TRUE(names.count("carelog.v1.Carelog"));
  EXPECT_TRUE(names.count("grpc.reflection.v1.ServerReflection"));
  EXPECT_TRUE(names.count("grpc.reflection.v1alpha.ServerReflection"));

  req.set_file_containing_symbol("carelog.v1.Carelog");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_TRUE(resp.has_file_descriptor_response()) << resp.DebugString();
  std::set<std::string> files;
  bool has_append = false;
  for (const std::string& bytes : resp.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto fd;
    ASSERT_TRUE(fd.ParseFromString(bytes));
    files.insert(fd.name());
    for (const auto& svc : fd.service()) {
      for (const auto& m : svc.method()) has_append |= svc.name() == "Carelog" && m.name() == "Append";
    }
  }
  // The file and its dependencies, so a client can build every message.
  EXPECT_TRUE(files.count("carelog/v1/service.proto"));
  EXPECT_TRUE(files.count("carelog/v1/events.proto"));
  EXPECT_TRUE(files.count("google/protobuf/timestamp.proto"));
  EXPECT_TRUE(has_append);

  req.set_file_containing_symbol("carelog.v1.NoSuchThing");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_TRUE(resp.has_error_response());
  EXPECT_EQ(resp.error_response().error_code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));

  req.set_file_by_filename("carelog/v1/events.proto");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_TRUE(resp.has_file_descriptor_response()) << resp.DebugString();
  EXPECT_EQ(resp.original_request().file_by_filename(), "carelog/v1/events.proto");
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  // v1alpha still answers (raw bytes: list_services "").
  grpc::GenericStub generic(channel_);
  grpc::ClientContext actx;
  actx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::CompletionQueue cq;
  auto call = generic.PrepareCall(&actx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::Slice slice(std::string("\x3a\x00", 2));
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string answer;
  for (const auto& sl : slices) answer.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_THAT(answer, HasSubstr("carelog.v1.Carelog"));
  actx.TryCancel();
  grpc::Status fin;
  call->Finish(&fin, reinterpret_cast<void*>(4));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  call.reset();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST(ServeOptionsTest, PlainTextOnlyOnLoopback) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("127.3.4.5:1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:50051"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackAddress("ipv4:127.0.0.1:9"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("10.1.2.3:50051"));
  EXPECT_FALSE(IsLoopbackAddress("example.org:50051"));
  TempDir dir;
  auto store = *EventStore::Open(dir.Sub("s"));
  ServeOptions opts;
  opts.listen = "0.0.0.0:0";
  opts.insecure_loopback = true;
  auto server = CarelogServer::Start(store.get(), opts);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  opts.insecure_loopback = false;  // and no certificate
  EXPECT_EQ(CarelogServer::Start(store.get(), opts).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TokensTest, FileKeepsHashesOnlyAndRefusesBadLines) {
  TempDir dir;
  const std::string file = dir.Sub("tokens");
  auto t1 = AddToken(file, "mosaic", "writer");
  ASSERT_TRUE(t1.ok()) << t1.status();
  auto t2 = AddToken(file, "iro-team", "reader,auditor");
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(AddToken(file, "mosaic", "reader").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(AddToken(file, "x", "superuser").status().code(), absl::StatusCode::kInvalidArgument);
  const std::string text = carelog::testing::ReadFile(file);
  EXPECT_EQ(text.find(*t1), std::string::npos);
  EXPECT_NE(text.find(TokenHashHex(*t1)), std::string::npos);
  auto table = *TokenTable::Load(file);
  ASSERT_NE(table.Find(*t2), nullptr);
  EXPECT_EQ(table.Find(*t2)->name, "iro-team");
  EXPECT_TRUE(table.Find(*t2)->HasRole("auditor"));
  EXPECT_EQ(table.Find("clg_guess"), nullptr);
  EXPECT_EQ(TokenTable::Parse("a writer 1234\n", "f").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(TokenTable::Parse("# c\n\na root " + std::string(64, 'a'), "f")
                              .status()
                              .message()),
              HasSubstr("f:3: unknown role 'root'"));
}

TEST(TokensTest, AnEntryAddedToAFileWithoutItsLastNewlineStartsALineOfItsOwn) {
  TempDir dir;
  const std::string file = dir.Sub("tokens");
  auto t1 = AddToken(file, "mosaic", "writer");
  ASSERT_TRUE(t1.ok()) << t1.status();
  std::string text = carelog::testing::ReadFile(file);
  ASSERT_EQ(text.back(), '\n');
  text.pop_back();  // as a hand edit might leave it
  carelog::testing::WriteFile(file, text);
  auto t2 = AddToken(file, "iro-team", "reader");
  ASSERT_TRUE(t2.ok()) << t2.status();
  auto table = TokenTable::Load(file);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->entries().size(), 2u);
  ASSERT_NE(table->Find(*t1), nullptr);
  EXPECT_EQ(table->Find(*t1)->name, "mosaic");
  ASSERT_NE(table->Find(*t2), nullptr);
  EXPECT_EQ(table->Find(*t2)->name, "iro-team");
}

// ------------------------------------------------------------------ TLS ----

class TlsTest : public ServiceTest {
 protected:
  void SetUp() override {
    if (carelog::testing::Shell("command -v openssl >/dev/null") != 0) GTEST_SKIP() << "no openssl CLI";
    const std::string d = dir_.path();
    // A CA, a server certificate for localhost/127.0.0.1 and a client
    // certificate, all made now.
    const std::string script = absl::StrCat(
        "cd ", d, " && exec >openssl.log 2>&1 && ",
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 "
        "-subj /CN=carelog-test-ca && ",
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost && ",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && ",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 1 -extfile san.ext && ",
        "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
        "-subj /CN=mosaic-client && ",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out client.pem -days 1");
    ASSERT_EQ(carelog::testing::Shell(script), 0) << carelog::testing::ReadFile(dir_.Sub("openssl.log"));
  }
  std::string Pem(const std::string& name) { return carelog::testing::ReadFile(dir_.Sub(name)); }

  grpc::StatusCode TryAppend(std::shared_ptr<grpc::ChannelCredentials> creds,
                             const std::string& id) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()), creds,
                                             args);
    auto stub = v1::Carelog::NewStub(channel);
    v1::AppendRequest req;
    *req.add_events() = Accommodated(id, absl::StrCat("C-", id));
    v1::AppendResponse resp;
    auto ctx = Ctx("writer");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->Append(ctx.get(), req, &resp).error_code();
  }
};

TEST_F(TlsTest, ServerCertificate) {
  StartServer(Pem("server.pem"), Pem("server.key"));
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Pem("ca.pem");
  EXPECT_EQ(TryAppend(grpc::SslCredentials(ssl), "t1"), grpc::StatusCode::OK);
  // A client that does not trust the CA, or speaks plain text, gets nowhere.
  EXPECT_EQ(TryAppend(grpc::InsecureChannelCredentials(), "t2"), grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions other;
  other.pem_root_certs = Pem("client.pem");  // not a CA of the server
  EXPECT_EQ(TryAppend(grpc::SslCredentials(other), "t3"), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(store_->LastPosition(), 1u);
}

TEST_F(TlsTest, ClientCertificateRequired) {
  StartServer(Pem("server.pem"), Pem("server.key"), Pem("ca.pem"));
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = Pem("ca.pem");
  EXPECT_EQ(TryAppend(grpc::SslCredentials(no_cert), "t1"), grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions with_cert = no_cert;
  with_cert.pem_private_key = Pem("client.key");
  with_cert.pem_cert_chain = Pem("client.pem");
  EXPECT_EQ(TryAppend(grpc::SslCredentials(with_cert), "t2"), grpc::StatusCode::OK);
  EXPECT_EQ(store_->LastPosition(), 1u);
}

// ------------------------------------------------- the `carelog serve` binary ----

// Unary call by method name with raw protobuf bytes (no stubs needed): for
// the standard health service.
grpc::Status RawUnary(std::shared_ptr<grpc::Channel> channel, const std::string& method,
                      const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1), resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status s = done.get_future().get();
  std::vector<grpc::Slice> slices;
  if (s.ok() && resp.Dump(&slices).ok()) {
    response->clear();
    for (const auto& sl : slices) response->append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  }
  return s;
}

TEST(ServeBinaryTest, ServesUntilSigtermAndLosesNothingAcknowledged) {
  TempDir dir;
  const std::string tokens = dir.Sub("tokens"), store = dir.Sub("store");
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " token add --config ", tokens,
                            " --name mosaic --role writer >", dir.Sub("tok"), " 2>/dev/null")),
            0);
  std::string token = carelog::testing::ReadFile(dir.Sub("tok"));
  token.erase(token.find_last_not_of('\n') + 1);
  ASSERT_EQ(token.rfind("clg_", 0), 0u);
  // Plain text off loopback is refused before anything starts.
  EXPECT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " serve --store ", store, " --tokens ", tokens,
                            " --listen 0.0.0.0:0 --insecure-loopback 2>/dev/null")),
            1);

  // A store that keeps deadlines checkpoints: the service catches them up
  // when it stops.
  carelog::testing::WriteFile(dir.Sub("pre.ndjson"),
                              R"({"eventId":"pre-1","caseId":"C-pre","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw-1","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
                              "\n");
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " import --store ", store, " ",
                                                 dir.Sub("pre.ndjson"), " >/dev/null && ",
                                                 CARELOG_BINARY, " checkpoint --store ", store,
                                                 " >/dev/null")),
            0);

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(CARELOG_BINARY, CARELOG_BINARY, "serve", "--store", store.c_str(), "--tokens",
          tokens.c_str(), "--listen", "127.0.0.1:0", "--insecure-loopback", nullptr);
    _exit(127);
  }
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[512] = {0};
  ASSERT_NE(fgets(line, sizeof line, f), nullptr);
  const std::string banner = line;
  const size_t at = banner.find("127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << banner;
  const int port = std::atoi(banner.c_str() + at + 10);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());

  // The standard health service: carelog.v1.Carelog is SERVING (status 1).
  std::string health;
  const std::string name = "carelog.v1.Carelog";
  ASSERT_TRUE(RawUnary(channel, "/grpc.health.v1.Health/Check",
                       std::string("\x0a") + static_cast<char>(name.size()) + name, &health)
                  .ok());
  EXPECT_EQ(health, std::string("\x08\x01", 2));

  // Writers append until the server goes away; everything acknowledged must
  // be in the store afterwards.
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<int> started{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::Carelog::NewStub(channel);
      for (int i = 0;; ++i) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + token);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        v1::AppendRequest req;
        const std::string id = absl::StrCat("b", w, "-", i);
        *req.add_events() = i == 0 ? Accommodated(id, absl::StrCat("C-", w))
                                   : IroAllocated(id, absl::StrCat("C-", w));
        v1::AppendResponse resp;
        grpc::Status s = stub->Append(&ctx, req, &resp);
        if (!s.ok()) {
          EXPECT_THAT(s.error_code(), ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE,
                                                       grpc::StatusCode::CANCELLED))
              << s.error_message();
          return;
        }
        std::lock_guard<std::mutex> l(mu);
        acked.push_back(id);
        ++started;
      }
    });
  }
  while (started.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGTERM);
  for (auto& t : writers) t.join();
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(f);

  auto s = EventStore::Open(store);
  ASSERT_TRUE(s.ok()) << s.status();
  for (const std::string& id : acked) EXPECT_TRUE((*s)->Lookup(id).ok()) << id << " lost";
  std::printf("acknowledged before SIGTERM: %zu, in the log: %llu\n", acked.size(),
              static_cast<unsigned long long>((*s)->LastPosition()));
  EXPECT_TRUE((*s)->Verify()->ok);
  // Every case written while serving answers from a current checkpoint.
  auto registry = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(registry.ok());
  CasePacks packs(s->get(), &*registry);
  DeadlinesView view(s->get(), &Calendar::Default());
  for (const char* c : {"C-pre", "C-0", "C-1", "C-2", "C-3"}) {
    auto a = view.Get(c, **packs.For(c), absl::CivilDay(2030, 1, 1));
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_GT(a->case_version, 0u) << c;
    EXPECT_TRUE(a->from_checkpoint) << c;
  }
}

}  // namespace
}  // namespace carelog
