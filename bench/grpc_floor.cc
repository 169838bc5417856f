// The floors under `carelog serve`'s appends (issue 18, target 6): a gRPC
// server with carelog's service and serve's thread settings whose Append
// does only what a floor names: no validation, encoding, hashing or keys.
// What service_load measures against each is the most an append through a
// store of that kind can reach on this machine, so bench/compare prints
// them beside carelog's and PostgreSQL's.
//
//   build/tools/service/grpc_floor --token-file FILE
//       [--flushes none|log|log-then-head|log-beside-head --dir DIR]
//       [--api sync|callback] [--bytes-per-event N]
//
// --flushes, what each group of calls writes before it is answered:
//   none             nothing (the default; no --dir): gRPC and the load
//                    clients alone.
//   log              the group's bytes (N per event) appended to DIR/log and
//                    fdatasync'd: one flush, as PostgreSQL's commit flushes
//                    its WAL.
//   log-then-head    carelog's design (store/event_store.cc, head_file.cc):
//                    the log as above; once it is synced the next group may
//                    start, and a 4 KiB slot of DIR/head is rewritten and
//                    fdatasync'd before the group is answered.
//   log-beside-head  the design README "rung by rung" proposed: the group's
//                    bytes go to the log and again into a slot of DIR/head
//                    (so a log that lost its last group could be completed
//                    from it), and the two files are fdatasync'd side by side
//                    (the head on a helper thread).
// --api, how calls become groups:
//   sync             as `carelog serve` (the default): gRPC's sync API, each
//                    call on its own thread, leader/follower groups as
//                    EventStore::Append.
//   callback         gRPC's callback API: each call is queued to one
//                    committing thread, which takes all that are queued as a
//                    group and answers each call itself.
//
// N is 448 by default: what `carelog serve`'s write-ahead log grew by per
// append of service_load's event (4,993,978 bytes for 11,208 appends,
// 2026-12-05).
//
// Listens on 127.0.0.1, port chosen by the system, prints
// "grpc_floor: serving on 127.0.0.1:PORT" and serves until SIGTERM or SIGINT.
// Exit 2 on a wrong argument; exit 1 with a message when the token file
// cannot be read, DIR's files cannot be made or the port cannot be had. A
// write or sync that fails answers the calls of its group with INTERNAL and
// the error.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "carelog/v1/service.grpc.pb.h"
#include "store/base/errno_status.h"
#include "store/base/status_macros.h"
#include "tools/service/server.h"

namespace carelog {
namespace {

// The head file's slot as store/head_file.cc writes it (kSlotBytes).
constexpr size_t kSlotBytes = 4096;
// Where the second slot of a `beside` head file starts: a group's bytes up
// to this size fit a slot (8 one-event calls of 448 bytes need 3.5 KiB);
// a bigger group's slot holds its first 1 MiB.
constexpr off_t kBesideSlotStride = 1 << 20;
// The filler bytes written, at most, in one write call.
constexpr size_t kFillerBytes = 1 << 20;

// The one check every served call makes before its work.
bool Authorized(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                const std::string& bearer) {
  auto it = md.find("authorization");
  return it != md.end() && std::string(it->second.data(), it->second.size()) == bearer;
}

void Answer(uint64_t first, int events, v1::AppendResponse* resp) {
  for (int i = 0; i < events; ++i) {
    resp->add_positions(first + i);
    resp->add_already_present(false);
  }
  resp->set_case_version(1);
}

grpc::Status ToGrpc(const absl::Status& s) {
  return s.ok() ? grpc::Status::OK
                : grpc::Status(grpc::StatusCode::INTERNAL, std::string(s.message()));
}

// Writes all of `bytes` at `offset`, or at the end of the file when offset
// is negative. An errno status naming `path` on failure.
absl::Status WriteAll(int fd, const std::string& path, const char* bytes, size_t n,
                      off_t offset) {
  for (size_t done = 0; done < n;) {
    const ssize_t w = offset < 0 ? write(fd, bytes + done, n - done)
                                 : pwrite(fd, bytes + done, n - done,
                                          offset + static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ErrnoStatus(absl::StrCat("writing ", path), errno);
    done += static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

absl::Status Sync(int fd, const std::string& path) {
  if (fdatasync(fd) != 0) return ErrnoStatus(absl::StrCat("syncing ", path), errno);
  return absl::OkStatus();
}

// DIR/log and DIR/head, made afresh, and a buffer of filler bytes. The
// log and the head may be written from two threads at once (log-then-head:
// one group's head beside the next group's log); the filler is never
// changed after construction.
class FloorFiles {
 public:
  // kInvalidArgument or an errno status naming the file it could not make.
  static absl::StatusOr<std::unique_ptr<FloorFiles>> Open(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InvalidArgumentError(absl::StrCat("cannot make ", dir, ": ", ec.message()));
    std::unique_ptr<FloorFiles> f(new FloorFiles(dir));
    f->log_fd_ = open(f->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (f->log_fd_ < 0) return ErrnoStatus(absl::StrCat("making ", f->log_path_), errno);
    f->head_fd_ = open(f->head_path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (f->head_fd_ < 0) return ErrnoStatus(absl::StrCat("making ", f->head_path_), errno);
    return f;
  }
  ~FloorFiles() {
    if (log_fd_ >= 0) close(log_fd_);
    if (head_fd_ >= 0) close(head_fd_);
  }

  // Appends `n` filler bytes to the log (not synced).
  absl::Status AppendToLog(size_t n) {
    while (n > 0) {
      const size_t piece = std::min(n, kFillerBytes);
      RETURN_IF_ERROR(WriteAll(log_fd_, log_path_, filler_.data(), piece, -1));
      n -= piece;
    }
    return absl::OkStatus();
  }
  absl::Status SyncLog() { return Sync(log_fd_, log_path_); }
  // Writes the next of the head file's two slots, `n` bytes rounded up to
  // whole 4 KiB pages and at most `stride`, `stride` apart (not synced).
  // REQUIRES: one caller at a time.
  absl::Status WriteSlot(size_t n, off_t stride) {
    n = std::min((n + kSlotBytes - 1) / kSlotBytes * kSlotBytes,
                 std::min(static_cast<size_t>(stride), kFillerBytes));
    const off_t offset = next_slot_ * stride;
    next_slot_ = 1 - next_slot_;
    return WriteAll(head_fd_, head_path_, filler_.data(), n, offset);
  }
  absl::Status SyncHead() { return Sync(head_fd_, head_path_); }

 private:
  explicit FloorFiles(const std::string& dir)
      : log_path_((std::filesystem::path(dir) / "log").string()),
        head_path_((std::filesystem::path(dir) / "head").string()),
        filler_(kFillerBytes, '\x5a') {}

  const std::string log_path_, head_path_;
  const std::string filler_;
  int log_fd_ = -1, head_fd_ = -1;
  int next_slot_ = 0;  // WriteSlot's alone
};

enum class Flushes { kNone, kLog, kLogThenHead, kLogBesideHead };

// Writes each group as its Flushes say, over FloorFiles it owns. One
// group's head part may overlap the next group's log part (log-then-head,
// as the sync API's leaders do).
// REQUIRES: the log parts of Commit (up to `log_done`) run one at a time;
// the sync API's leader/follower queue and the one committer both see to it.
class GroupWriter {
 public:
  // REQUIRES: flushes != kNone.
  GroupWriter(std::unique_ptr<FloorFiles> files, Flushes flushes)
      : files_(std::move(files)), flushes_(flushes) {
    if (flushes_ == Flushes::kLogBesideHead) head_syncer_ = std::thread([this] { SyncHeads(); });
  }
  ~GroupWriter() {
    if (!head_syncer_.joinable()) return;
    {
      absl::MutexLock lock(&head_mu_);
      head_stop_ = true;
    }
    head_syncer_.join();
  }

  // Makes a group of `bytes` durable as the flushes say. Calls `log_done`
  // once the log's part no longer needs the group's writer: the next group
  // may then start (for log-then-head, before the head's write; otherwise
  // at the end). Returns the first failure of a write or sync.
  absl::Status Commit(size_t bytes, absl::FunctionRef<void()> log_done) {
    absl::Status s = files_->AppendToLog(bytes);
    switch (flushes_) {
      case Flushes::kNone:
      case Flushes::kLog:
        if (s.ok()) s = files_->SyncLog();
        log_done();
        return s;
      case Flushes::kLogThenHead: {
        if (s.ok()) s = files_->SyncLog();
        log_done();
        if (!s.ok()) return s;
        absl::MutexLock lock(&head_mu_);  // one slot write at a time, as DurableHead
        RETURN_IF_ERROR(files_->WriteSlot(kSlotBytes, static_cast<off_t>(kSlotBytes)));
        return files_->SyncHead();
      }
      case Flushes::kLogBesideHead: {
        absl::Status hs = files_->WriteSlot(bytes + 64, kBesideSlotStride);
        if (hs.ok()) {
          absl::MutexLock lock(&head_mu_);
          head_pending_ = true;
        }
        if (s.ok()) s = files_->SyncLog();
        if (hs.ok()) {
          absl::MutexLock lock(&head_mu_);
          auto synced = [this] {
            head_mu_.AssertHeld();
            return !head_pending_;
          };
          head_mu_.Await(absl::Condition(&synced));
          hs = head_result_;
        }
        log_done();
        return s.ok() ? hs : s;
      }
    }
    return s;
  }

 private:
  // The helper of log-beside-head: syncs the head file while the group's
  // writer syncs the log.
  void SyncHeads() {
    absl::MutexLock lock(&head_mu_);
    while (true) {
      auto work = [this] {
        head_mu_.AssertHeld();
        return head_stop_ || head_pending_;
      };
      head_mu_.Await(absl::Condition(&work));
      if (!head_pending_) return;  // head_stop_
      head_mu_.Unlock();
      absl::Status s = files_->SyncHead();
      head_mu_.Lock();
      head_result_ = s;
      head_pending_ = false;
    }
  }

  const std::unique_ptr<FloorFiles> files_;
  const Flushes flushes_;
  absl::Mutex head_mu_;
  bool head_pending_ = false;  // guarded by head_mu_
  bool head_stop_ = false;     // guarded by head_mu_
  absl::Status head_result_;   // guarded by head_mu_
  std::thread head_syncer_;
};

// --api sync: gRPC's sync API, as `carelog serve`.
class SyncFloor final : public v1::Carelog::Service {
 public:
  // `writer` is null for --flushes none; not owned, outlives the service.
  SyncFloor(std::string bearer, GroupWriter* writer, size_t bytes_per_event)
      : bearer_(std::move(bearer)), writer_(writer), bytes_per_event_(bytes_per_event) {}

  grpc::Status Append(grpc::ServerContext* ctx, const v1::AppendRequest* req,
                      v1::AppendResponse* resp) override {
    if (!Authorized(ctx->client_metadata(), bearer_)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no or wrong bearer token");
    }
    if (writer_ != nullptr) {
      if (auto s = CommitInGroup(static_cast<size_t>(req->events_size()) * bytes_per_event_);
          !s.ok()) {
        return ToGrpc(s);
      }
    }
    Answer(next_.fetch_add(req->events_size()) + 1, req->events_size(), resp);
    return grpc::Status::OK;
  }

 private:
  struct Writer {
    size_t bytes = 0;
    bool done = false;
    absl::Status result;
    absl::CondVar cv;
  };

  // EventStore::Append's group commit with nothing to commit but bytes: the
  // first queued call leads everyone queued behind it, lets the next leader
  // start when the writer says, and wakes its group once the group is
  // durable. Returns the group's status.
  absl::Status CommitInGroup(size_t bytes) {
    Writer w;
    w.bytes = bytes;
    mu_.Lock();
    writers_.push_back(&w);
    while (!w.done && writers_.front() != &w) w.cv.Wait(&mu_);
    if (w.done) {
      mu_.Unlock();
      return w.result;
    }
    const std::vector<Writer*> group(writers_.begin(), writers_.end());
    mu_.Unlock();

    size_t total = 0;
    for (const Writer* q : group) total += q->bytes;
    absl::Status s = writer_->Commit(total, [&] {
      absl::MutexLock lock(&mu_);
      for (size_t i = 0; i < group.size(); ++i) writers_.pop_front();
      if (!writers_.empty()) writers_.front()->cv.Signal();
    });

    absl::MutexLock lock(&mu_);
    for (Writer* q : group) {
      if (q == &w) continue;
      q->result = s;
      q->done = true;
      q->cv.Signal();
    }
    return s;
  }

  const std::string bearer_;
  GroupWriter* const writer_;
  const size_t bytes_per_event_;
  std::atomic<uint64_t> next_{0};
  absl::Mutex mu_;
  std::deque<Writer*> writers_;  // guarded by mu_
};

// --api callback: gRPC's callback API and one committing thread.
class CommitterFloor final : public v1::Carelog::CallbackService {
 public:
  // `writer` is not owned and outlives the service.
  CommitterFloor(std::string bearer, GroupWriter* writer, size_t bytes_per_event)
      : bearer_(std::move(bearer)), writer_(writer), bytes_per_event_(bytes_per_event) {
    committer_ = std::thread([this] { Commit(); });
  }
  // REQUIRES: the server has shut down (no call is left to answer).
  ~CommitterFloor() override {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    committer_.join();
  }

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* ctx, const v1::AppendRequest* req,
                                   v1::AppendResponse* resp) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    if (!Authorized(ctx->client_metadata(), bearer_)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no or wrong bearer token"));
      return reactor;
    }
    absl::MutexLock lock(&mu_);
    queue_.push_back(Call{reactor, req->events_size(), resp});
    return reactor;
  }

 private:
  struct Call {
    grpc::ServerUnaryReactor* reactor;
    int events;
    v1::AppendResponse* resp;
  };

  // The committing thread: takes every queued call as a group, commits the
  // group's bytes, answers each call.
  void Commit() {
    std::vector<Call> group;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this] {
          mu_.AssertHeld();
          return stop_ || !queue_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (queue_.empty()) return;  // stop_
        group.swap(queue_);
      }
      size_t total = 0;
      for (const Call& c : group) total += static_cast<size_t>(c.events) * bytes_per_event_;
      const absl::Status s = writer_->Commit(total, [] {});
      for (const Call& c : group) {
        if (s.ok()) {
          Answer(next_ + 1, c.events, c.resp);
          next_ += static_cast<uint64_t>(c.events);
        }
        c.reactor->Finish(ToGrpc(s));
      }
      group.clear();
    }
  }

  const std::string bearer_;
  GroupWriter* const writer_;
  const size_t bytes_per_event_;
  uint64_t next_ = 0;  // the committer's alone: the last position answered
  absl::Mutex mu_;
  std::vector<Call> queue_;  // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  std::thread committer_;
};

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

int Usage() {
  std::fprintf(stderr,
               "usage: grpc_floor --token-file FILE [--flushes "
               "none|log|log-then-head|log-beside-head --dir DIR] [--api sync|callback] "
               "[--bytes-per-event N]\n");
  return 2;
}

int Run(int argc, char** argv) {
  std::string token_file, flushes_name = "none", api = "sync", dir;
  size_t bytes_per_event = 448;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    if (a == "--token-file") {
      token_file = argv[++i];
    } else if (a == "--flushes") {
      flushes_name = argv[++i];
    } else if (a == "--api") {
      api = argv[++i];
    } else if (a == "--dir") {
      dir = argv[++i];
    } else if (a == "--bytes-per-event") {
      if (!absl::SimpleAtoi(argv[++i], &bytes_per_event) || bytes_per_event == 0 ||
          bytes_per_event > (1 << 16)) {
        std::fprintf(stderr, "grpc_floor: --bytes-per-event takes 1 to 65536\n");
        return 2;
      }
    } else {
      return Usage();
    }
  }
  const std::map<std::string, Flushes> kFlushes = {{"none", Flushes::kNone},
                                                   {"log", Flushes::kLog},
                                                   {"log-then-head", Flushes::kLogThenHead},
                                                   {"log-beside-head", Flushes::kLogBesideHead}};
  auto f = kFlushes.find(flushes_name);
  if (f == kFlushes.end() || (api != "sync" && api != "callback")) return Usage();
  const Flushes flushes = f->second;
  if ((flushes == Flushes::kNone) != dir.empty()) {
    std::fprintf(stderr, "grpc_floor: --dir DIR goes with every --flushes but none\n");
    return 2;
  }
  if (flushes == Flushes::kNone && api == "callback") {
    std::fprintf(stderr, "grpc_floor: --api callback needs --flushes (there is nothing to commit)\n");
    return 2;
  }
  std::ifstream in(token_file);
  std::string token;
  if (token_file.empty() || !std::getline(in, token)) {
    std::fprintf(stderr, "grpc_floor: cannot read a token from '%s'\n", token_file.c_str());
    return 1;
  }
  absl::StripAsciiWhitespace(&token);
  const std::string bearer = absl::StrCat("Bearer ", token);

  std::unique_ptr<GroupWriter> writer;
  if (flushes != Flushes::kNone) {
    auto files = FloorFiles::Open(dir);
    if (!files.ok()) {
      std::fprintf(stderr, "grpc_floor: %s\n", std::string(files.status().message()).c_str());
      return 1;
    }
    writer = std::make_unique<GroupWriter>(std::move(*files), flushes);
  }
  std::unique_ptr<grpc::Service> service;
  if (api == "callback") {
    service = std::make_unique<CommitterFloor>(bearer, writer.get(), bytes_per_event);
  } else {
    service = std::make_unique<SyncFloor>(bearer, writer.get(), bytes_per_event);
  }
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service.get());
  // serve's threads and limits at their defaults, so that a floor differs
  // from `carelog serve` only in what Append does.
  ApplyServeLimits(ServeOptions(), &builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "grpc_floor: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::printf("grpc_floor: serving on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  while (!g_stop.load()) pause();
  server->Shutdown();
  server->Wait();
  server.reset();
  return 0;
}

}  // namespace
}  // namespace carelog

int main(int argc, char** argv) {
  // As carelog's own main (tools/main.cc): the floor runs serve's settings.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return carelog::Run(argc, argv);
}
