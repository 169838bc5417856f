#include "tools/service/server.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "carelog/v1/service.grpc.pb.h"
#include "engine/event_log.h"
#include "engine/event_time.h"
#include "engine/limits.h"
#include "engine/policy.h"
#include "projections/care_plan_state_format.h"
#include "projections/case_trail.h"
#include "projections/cases_list.h"
#include "projections/deadlines.h"
#include "projections/deadlines_format.h"
#include "projections/qa_html.h"
#include "projections/views/queries.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "engine/access_log.h"
#include "projections/inclusion_proof_json.h"
#include "store/inclusion_proof.h"
#include "tools/service/list_cases_request.h"
#include "tools/service/reflection_v1.h"

namespace carelog {

namespace {

constexpr char kServiceName[] = "carelog.v1.Carelog";

// Who may call what: each RPC and the token roles that may call it, in the
// order a token's role is chosen for the access log. The one table of the
// service's permissions; a method missing here is refused to everyone.
const std::map<std::string, std::vector<std::string>, std::less<>>& MethodRoles() {
  static const auto* table = new std::map<std::string, std::vector<std::string>, std::less<>>{
      {"Append", {"writer"}},
      {"ReadCase", {"reader", "auditor"}},
      {"Subscribe", {"reader"}},
      {"Deadlines", {"qa"}},
      {"QaReport", {"qa"}},
      {"Audit", {"auditor"}},
      {"CaseState", {"reader", "auditor"}},
      {"ListCases", {"qa"}},
      {"Head", {"auditor"}},
      {"Prove", {"auditor"}},
      {"AccessLog", {"auditor"}},
      {"EraseCase", {"admin"}},
  };
  return *table;
}

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(static_cast<int>(s.code())),
                      std::string(s.message()));
}

std::string HashBytes(const Hash256& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// An unknown field anywhere in the message (a client built from a newer
// .proto): refused rather than stored as bytes no one can read.
std::optional<std::string> FindUnknownField(const google::protobuf::Message& m,
                                            const std::string& path) {
  const auto* refl = m.GetReflection();
  const auto& unknown = refl->GetUnknownFields(m);
  if (unknown.field_count() > 0) {
    return absl::StrCat(path.empty() ? "" : absl::StrCat("'", path, "': "),
                        "unknown field number ", unknown.field(0).number());
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string sub = path.empty() ? f->json_name() : absl::StrCat(path, ".", f->json_name());
    if (f->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(m, f); ++i) {
        if (auto u = FindUnknownField(refl->GetRepeatedMessage(m, f, i), sub)) return u;
      }
    } else if (auto u = FindUnknownField(refl->GetMessage(m, f), sub)) {
      return u;
    }
  }
  return std::nullopt;
}

}  // namespace

class CarelogService final : public v1::Carelog::Service {
 public:
  CarelogService(EventStore* store, PolicyRegistry registry, ServeOptions options)
      : store_(store),
        log_(store, SystemClock()),
        queries_(store, std::move(registry)),
        options_(std::move(options)) {}

  void BeginShutdown() { shutting_down_.store(true); }
  const ServeOptions& options() const { return options_; }

  grpc::Status Append(grpc::ServerContext* ctx, const v1::AppendRequest* req,
                      v1::AppendResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "Append", &caller); !s.ok()) return s;
    if (shutting_down_.load()) return Unavailable();
    std::vector<v1::Event> events(req->events().begin(), req->events().end());
    for (size_t i = 0; i < events.size(); ++i) {
      const v1::Event& e = events[i];
      auto refuse = [&](const std::string& what) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("event ", i + 1, ": ", what));
      };
      // Stored, a bigger event would break every default-configured reader
      // (gRPC's 4 MiB) for ever: refused before anything is written.
      if (const size_t bytes = e.ByteSizeLong(); bytes > kMaxEventBytes) {
        return refuse(absl::StrCat(bytes, " bytes, over the limit of ", kMaxEventBytes,
                                   " bytes (1 MiB) for one event; nothing from this batch was "
                                   "recorded"));
      }
      if (auto u = FindUnknownField(e, ""); u.has_value()) {
        return refuse(absl::StrCat(*u, " (is the client's events.proto newer than the server's?)"));
      }
    }
    std::optional<uint64_t> expected;
    if (req->has_expected_version()) expected = req->expected_version();
    // Content, state, idempotent retries (even with a stale expected version)
    // and version checks are EventLog's, the same as import's.
    auto result = log_.AppendCase(events, expected);
    if (!result.ok()) return ToGrpc(result.status());
    for (size_t i = 0; i < result->positions.size(); ++i) {
      resp->add_positions(result->positions[i]);
      resp->add_already_present(result->already_present[i]);
    }
    resp->set_case_version(result->case_version);
    return grpc::Status::OK;
  }

  grpc::Status ReadCase(grpc::ServerContext* ctx, const v1::ReadCaseRequest* req,
                        v1::ReadCaseResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "ReadCase", &caller); !s.ok()) return s;
    if (auto s = CheckCaseId(req->case_id()); !s.ok()) return s;
    if (auto s = RecordCaseRead(caller, "ReadCase", req->case_id()); !s.ok()) return s;
    auto events = log_.ReadCase(req->case_id());
    if (!events.ok()) return ToGrpc(events.status());
    if (events->empty()) return NoCase(req->case_id());
    resp->set_version(events->back().version());
    for (v1::Event& e : *events) *resp->add_events() = std::move(e);
    return grpc::Status::OK;
  }

  grpc::Status Subscribe(grpc::ServerContext* ctx, const v1::SubscribeRequest* req,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    Caller caller;
    if (auto s = Authorize(ctx, "Subscribe", &caller); !s.ok()) return s;
    if (auto s = Record(caller, "Subscribe", ""); !s.ok()) return s;
    uint64_t next = std::max<uint64_t>(1, req->from_position());
    std::vector<StoredRecord> batch;
    batch.reserve(options_.subscribe_batch);
    v1::SubscribeResponse msg;
    for (;;) {
      if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      if (shutting_down_.load()) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            absl::StrCat("server shutting down; subscribe again from position ",
                                         next));
      }
      // Wait for the log to reach `next` (woken by each committed append).
      if (store_->WaitForPosition(next - 1, absl::Milliseconds(200)) < next) continue;
      // At most one batch in memory; the snapshot is released before writing,
      // and each Write waits for the client (flow control), so a slow
      // subscriber holds a thread and a batch, never the writers.
      batch.clear();
      size_t batch_bytes = 0;
      absl::Status s = store_->ScanLog(next, [&](const StoredRecord& r) {
        batch.push_back(r);
        batch_bytes += r.payload.size() + r.stream.size() + r.id.size();
        return batch.size() < options_.subscribe_batch &&
               batch_bytes < options_.subscribe_batch_bytes;
      });
      if (!s.ok()) return ToGrpc(s);
      if (batch.empty() || batch.front().position != next) {
        return grpc::Status(grpc::StatusCode::DATA_LOSS,
                            absl::StrCat("position ", next, " is published but not readable"));
      }
      // System records (access log, settings) are not events: skipped, and
      // with report_skipped named as runs so the client sees every position.
      uint64_t run_first = 0;  // the pending run of skipped positions (0: none)
      auto send_run = [&](uint64_t last) {
        if (run_first == 0) return true;
        v1::SubscribeResponse run;
        run.mutable_skipped()->set_first_position(run_first);
        run.mutable_skipped()->set_last_position(last);
        run_first = 0;
        return writer->Write(run);
      };
      auto gone = [] {
        return grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber went away");
      };
      for (const StoredRecord& r : batch) {
        next = r.position + 1;
        // An erased case's records can no longer be read: skipped like
        // system records (the client sees their positions in `skipped`).
        if (IsSystemStream(r.stream) || r.erased) {
          if (req->report_skipped() && run_first == 0) run_first = r.position;
          continue;
        }
        if (!send_run(r.position - 1)) return gone();
        auto e = DecodeEvent(r);
        if (!e.ok()) return ToGrpc(e.status());
        *msg.mutable_event() = std::move(*e);
        if (!writer->Write(msg)) return gone();
      }
      // Before waiting for more: the client knows the log up to next - 1.
      if (!send_run(next - 1)) return gone();
    }
  }

  grpc::Status Deadlines(grpc::ServerContext* ctx, const v1::DeadlinesRequest* req,
                         v1::DeadlinesResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "Deadlines", &caller); !s.ok()) return s;
    absl::CivilDay as_of = LondonToday(absl::Now());
    if (!req->as_of().empty()) {
      auto d = ParseDate(req->as_of());
      if (!d.ok()) return Invalid(absl::StrCat("field 'asOf': ", d.status().message()));
      as_of = *d;
    }
    if (!req->case_id().empty()) {
      if (auto s = CheckCaseId(req->case_id()); !s.ok()) return s;
    }
    if (auto s = req->case_id().empty() ? Record(caller, "Deadlines", "")
                                        : RecordCaseRead(caller, "Deadlines", req->case_id());
        !s.ok()) {
      return s;
    }
    DeadlinesQuery query;
    if (!req->case_id().empty()) query.case_id = req->case_id();
    query.as_of = as_of;
    // The store's calendar (a saved bank-holidays.json counts here as in the
    // CLI); each case from its checkpoint when current.
    std::string json = "[";
    DeadlinesJsonJoin join;
    auto render = [](CaseDeadlinesAnswer& a) { a.text = DeadlinesJsonJoin::CaseText(a.deadlines); };
    auto write = [&](CaseDeadlinesAnswer& a) {
      join.Add(a.text, &json);
      for (const Obligation& o : a.deadlines.obligations) {
        v1::Deadline* row = resp->add_deadlines();
        row->set_case_id(o.case_id);
        row->set_rule(o.rule_id);
        row->set_due(absl::FormatCivilTime(o.due));
        row->set_status(std::string(ObligationStatusName(o.status)));
        if (o.met_on.has_value()) row->set_met_on(absl::FormatCivilTime(*o.met_on));
        row->set_review_id(o.review_id);
        row->set_source(SourceText(o));
      }
      return absl::OkStatus();
    };
    if (auto s = queries_.Deadlines(query, render, write); !s.ok()) return ToGrpc(s);
    absl::StrAppend(&json, "]\n");
    resp->set_json(std::move(json));
    resp->set_as_of(absl::FormatCivilTime(as_of));
    return grpc::Status::OK;
  }

  grpc::Status QaReport(grpc::ServerContext* ctx, const v1::QaReportRequest* req,
                        v1::QaReportResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "QaReport", &caller); !s.ok()) return s;
    auto from = ParseDate(req->from());
    if (!from.ok()) return Invalid(absl::StrCat("field 'from': ", from.status().message()));
    auto to = ParseDate(req->to());
    if (!to.ok()) return Invalid(absl::StrCat("field 'to': ", to.status().message()));
    if (*to < *from) return Invalid("field 'to': is before 'from'");
    if (auto s = Record(caller, "QaReport", ""); !s.ok()) return s;
    auto report = queries_.Qa(*from, *to);
    if (!report.ok()) return ToGrpc(report.status());
    resp->set_json(RenderQaJson(*report));
    return grpc::Status::OK;
  }

  grpc::Status Audit(grpc::ServerContext* ctx, const v1::AuditRequest* req,
                     v1::AuditResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "Audit", &caller); !s.ok()) return s;
    if (auto s = CheckCaseId(req->case_id()); !s.ok()) return s;
    CaseTrailOptions opts;
    opts.current_rules = req->current_rules();
    if (auto s = ParseAsOfAndKnownAt(req->as_of(), req->known_at(), &opts.as_of, &opts.known_at);
        !s.ok()) {
      return s;
    }
    if (auto s = RecordCaseRead(caller, "Audit", req->case_id()); !s.ok()) return s;
    auto trail = queries_.Audit(req->case_id(), opts);
    if (!trail.ok()) return ToGrpc(trail.status());
    resp->set_json(RenderCaseTrailJson(*trail));
    return grpc::Status::OK;
  }

  // The state the CLI's `state --format json` prints, through the same query
  // (Queries::State) and renderer; recorded as a read of the case first.
  grpc::Status CaseState(grpc::ServerContext* ctx, const v1::CaseStateRequest* req,
                         v1::CaseStateResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "CaseState", &caller); !s.ok()) return s;
    if (auto s = CheckCaseId(req->case_id()); !s.ok()) return s;
    absl::CivilDay as_of;
    std::optional<absl::Time> known_at;
    if (auto s = ParseAsOfAndKnownAt(req->as_of(), req->known_at(), &as_of, &known_at); !s.ok()) {
      return s;
    }
    if (auto s = RecordCaseRead(caller, "CaseState", req->case_id()); !s.ok()) return s;
    auto state = queries_.State(req->case_id(), as_of, known_at);
    if (!state.ok()) return ToGrpc(state.status());
    resp->set_json(RenderCarePlanStateJson(*state));
    return grpc::Status::OK;
  }

  // The list `cases --format json` prints (Queries::CaseList, the same filter
  // and renderer); recorded as one read across all cases first.
  grpc::Status ListCases(grpc::ServerContext* ctx, const v1::ListCasesRequest* req,
                         v1::ListCasesResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "ListCases", &caller); !s.ok()) return s;
    absl::CivilDay as_of;
    std::optional<absl::Time> no_known_at;  // as the CLI: cases takes no --known-at
    if (auto s = ParseAsOfAndKnownAt(req->as_of(), "", &as_of, &no_known_at); !s.ok()) return s;
    if (auto s = Record(caller, "ListCases", ""); !s.ok()) return s;
    auto rows = queries_.CaseList(as_of, CaseListFilterOf(*req));
    if (!rows.ok()) return ToGrpc(rows.status());
    resp->set_json(RenderCaseListJson(*rows));
    return grpc::Status::OK;
  }

  grpc::Status Head(grpc::ServerContext* ctx, const v1::HeadRequest*,
                    v1::HeadResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "Head", &caller); !s.ok()) return s;
    auto head = store_->Head();
    if (!head.ok()) return ToGrpc(head.status());
    resp->set_size(head->size);
    resp->set_root_hash(HashBytes(head->root));
    resp->set_head(absl::StrCat(head->size, ":", merkle::ToHex(head->root)));
    return grpc::Status::OK;
  }

  grpc::Status Prove(grpc::ServerContext* ctx, const v1::ProveRequest* req,
                     v1::ProveResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "Prove", &caller); !s.ok()) return s;
    if (req->event_id().empty()) return Invalid("field 'eventId': is required");
    auto proof = ProveInclusion(*store_, req->event_id(), req->tree_size());
    // The leaf is the whole event (a child's date of birth included): the
    // proof is a read of that case, recorded before it is answered; so is a
    // miss (nothing disclosed, no stream created).
    if (!proof.ok() && absl::IsNotFound(proof.status())) {
      v1::AccessRecord miss = NewAccessRecord(caller, "Prove");
      miss.set_event_id(AccessIdText(req->event_id()));
      miss.set_outcome(kAccessNotFound);
      if (auto s = Record(std::move(miss)); !s.ok()) return s;
    }
    if (!proof.ok()) return ToGrpc(proof.status());
    {
      v1::AccessRecord r = NewAccessRecord(caller, "Prove");
      if (!IsSystemStream(proof->record.stream)) r.set_case_id(proof->record.stream);
      r.set_event_id(proof->record.id);
      if (auto s = Record(std::move(r)); !s.ok()) return s;
    }
    resp->set_event_id(proof->record.id);
    resp->set_position(proof->record.position);
    resp->set_leaf_index(proof->record.position - 1);
    resp->set_tree_size(proof->tree_size);
    resp->set_leaf(proof->leaf);
    resp->set_leaf_hash(HashBytes(proof->leaf_hash));
    for (const Hash256& h : proof->audit_path) resp->add_audit_path(HashBytes(h));
    resp->set_root_hash(HashBytes(proof->root));
    // The JSON of `carelog prove`, for check-proof.
    resp->set_json(InclusionProofJson(*proof));
    return grpc::Status::OK;
  }

  grpc::Status AccessLog(grpc::ServerContext* ctx, const v1::AccessLogRequest* req,
                         v1::AccessLogResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "AccessLog", &caller); !s.ok()) return s;
    auto records = queries_.AccessLog(req->case_id());
    if (!records.ok()) return ToGrpc(records.status());
    for (v1::AccessRecord& r : *records) *resp->add_records() = std::move(r);
    return grpc::Status::OK;
  }

  grpc::Status EraseCase(grpc::ServerContext* ctx, const v1::EraseCaseRequest* req,
                         v1::EraseCaseResponse* resp) override {
    Caller caller;
    if (auto s = Authorize(ctx, "EraseCase", &caller); !s.ok()) return s;
    if (req->case_id().empty()) return Invalid("caseId: empty");
    if (req->reason().empty()) return Invalid("reason: an erasure needs a reason");
    EraseCaseRequest request;
    request.case_id = req->case_id();
    request.reason = req->reason();
    request.authority = req->authority();
    request.erased_by = caller.token_name;
    request.role = caller.role;
    request.through = "EraseCase";
    request.at = absl::Now();
    auto erasure = queries_.Erase(request);
    if (!erasure.ok()) return ToGrpc(erasure.status());
    *resp->mutable_erasure() = *std::move(erasure);
    return grpc::Status::OK;
  }

 private:
  struct Caller {
    std::string token_name, role, peer;
  };

  static grpc::Status Invalid(const std::string& msg) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg);
  }
  static grpc::Status Unavailable() {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down; try again later");
  }
  static grpc::Status NoCase(const std::string& id) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no case '", id, "' in the store"));
  }
  // A case query's as_of and known_at fields, as the CLI's --as-of and
  // --known-at (engine/event_time.h): INVALID_ARGUMENT naming the field.
  static grpc::Status ParseAsOfAndKnownAt(const std::string& as_of_text,
                                          const std::string& known_at_text, absl::CivilDay* as_of,
                                          std::optional<absl::Time>* known_at) {
    if (!known_at_text.empty()) {
      auto t = ParseKnownAt(known_at_text);
      if (!t.ok()) return Invalid(absl::StrCat("field 'knownAt': ", t.status().message()));
      *known_at = *t;
    }
    if (as_of_text.empty()) {
      *as_of = DefaultAsOf(*known_at, absl::Now());
      return grpc::Status::OK;
    }
    auto day = ParseDate(as_of_text);
    if (!day.ok()) return Invalid(absl::StrCat("field 'asOf': ", day.status().message()));
    *as_of = *day;
    return grpc::Status::OK;
  }
  static grpc::Status CheckCaseId(const std::string& id) {
    if (id.empty()) return Invalid("field 'caseId': is required");
    if (IsSystemStream(id)) {
      return Invalid(absl::StrCat("field 'caseId': '", id,
                                  "' is reserved: ids starting with '$' name system streams"));
    }
    return grpc::Status::OK;
  }

  // The caller's token, checked against MethodRoles() for `method`.
  grpc::Status Authorize(grpc::ServerContext* ctx, const char* method, Caller* caller) const {
    auto allowed = MethodRoles().find(method);
    if (allowed == MethodRoles().end()) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          absl::StrCat("no roles are given for ", method));
    }
    const std::vector<std::string>& roles = allowed->second;
    const auto& md = ctx->client_metadata();
    auto it = md.find("authorization");
    if (it == md.end()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "no credentials: send metadata 'authorization: Bearer <token>'");
    }
    const std::string value(it->second.data(), it->second.size());
    if (value.size() < 7 || absl::AsciiStrToLower(value.substr(0, 7)) != "bearer ") {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the 'authorization' metadata must be 'Bearer <token>'");
    }
    const std::string token(absl::StripAsciiWhitespace(value.substr(7)));
    const TokenEntry* entry = options_.tokens.Find(token);
    if (entry == nullptr) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown or revoked token");
    }
    const std::string role = entry->RoleFor(roles);
    if (role.empty()) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          absl::StrCat("token '", entry->name, "' (", absl::StrJoin(entry->roles, ","),
                                       ") may not call ", method, ": it needs the role ",
                                       absl::StrJoin(roles, " or ")));
    }
    caller->token_name = entry->name;
    caller->role = role;
    caller->peer = ctx->peer();
    return grpc::Status::OK;
  }

  static v1::AccessRecord NewAccessRecord(const Caller& caller, const char* method) {
    v1::AccessRecord r;
    r.set_token_name(caller.token_name);
    r.set_role(caller.role);
    r.set_method(method);
    r.set_peer(caller.peer);
    return r;
  }

  grpc::Status Record(const Caller& caller, const char* method, const std::string& case_id) {
    v1::AccessRecord r = NewAccessRecord(caller, method);
    r.set_case_id(case_id);
    return Record(std::move(r));
  }

  // A read of one case: recorded in its access stream when the case exists;
  // otherwise recorded as NOT_FOUND (in "$access", the id escaped and cut)
  // and answered NOT_FOUND here. Cases are never deleted, so a case found
  // here is there for the read that follows.
  grpc::Status RecordCaseRead(const Caller& caller, const char* method,
                              const std::string& case_id) {
    auto version = store_->StreamVersion(case_id);
    if (!version.ok()) return ToGrpc(version.status());
    if (*version > 0) return Record(caller, method, case_id);
    v1::AccessRecord miss = NewAccessRecord(caller, method);
    miss.set_case_id(AccessIdText(case_id));
    miss.set_outcome(kAccessNotFound);
    if (auto s = Record(std::move(miss)); !s.ok()) return s;
    return NoCase(case_id);
  }

  // Writes the access record before the read is answered: no record, no read.
  grpc::Status Record(v1::AccessRecord r) {
    auto pos = RecordAccess(store_, std::move(r));
    if (!pos.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("cannot record this read in the access log, so it is not "
                                       "answered: ", pos.status().message()));
    }
    return grpc::Status::OK;
  }

  EventStore* store_;
  EventLog log_;
  Queries queries_;
  const ServeOptions options_;
  std::atomic<bool> shutting_down_{false};
};

void ApplyServeLimits(const ServeOptions& options, grpc::ServerBuilder* builder) {
  grpc::ResourceQuota quota("carelog-serve");  // the builder keeps its own reference
  quota.SetMaxThreads(options.max_threads);
  builder->SetResourceQuota(quota);
  builder->SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                               std::max(std::min(options.idle_threads, options.max_threads), 1));
  builder->SetMaxReceiveMessageSize(kMaxRequestBytes);
}

absl::StatusOr<std::unique_ptr<CarelogServer>> CarelogServer::Start(EventStore* store,
                                                                    ServeOptions options) {
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (options.insecure_loopback) {
    if (!IsLoopbackAddress(options.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--insecure-loopback: '", options.listen,
          "' is not a loopback address (127.0.0.0/8, [::1], localhost); plain text is only "
          "allowed there: give --tls-cert and --tls-key"));
    }
    creds = grpc::InsecureServerCredentials();
  } else {
    if (options.tls_cert_pem.empty() || options.tls_key_pem.empty()) {
      return absl::InvalidArgumentError(
          "TLS needs --tls-cert FILE and --tls-key FILE (or --insecure-loopback on a loopback "
          "address)");
    }
    grpc::SslServerCredentialsOptions ssl(
        options.client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({options.tls_key_pem, options.tls_cert_pem});
    creds = grpc::SslServerCredentials(ssl);
  }
  auto registry = PolicyRegistry::LoadEmbedded();
  if (!registry.ok()) return registry.status();

  std::unique_ptr<CarelogServer> server(new CarelogServer());
  server->store_ = store;
  const std::string listen = options.listen;
  server->service_ =
      std::make_unique<CarelogService>(store, std::move(*registry), std::move(options));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();  // v1alpha
  // v1 ourselves (gRPC 1.51 has only v1alpha); the services it lists are
  // those registered here.
  server->reflection_v1_ = std::make_unique<ReflectionV1Service>(std::vector<std::string>{
      kServiceName, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection"});
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, creds, &server->port_);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->reflection_v1_.get());
  ApplyServeLimits(server->service_->options(), &builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  if (auto* health = server->server_->GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(kServiceName, true);
  }
  return server;
}

void CarelogServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) health->Shutdown();
  service_->BeginShutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  store_->Sync().IgnoreError();
}

CarelogServer::~CarelogServer() { Shutdown(); }

}  // namespace carelog
