// A child process appends in a loop and reports each acknowledged append on a
// pipe; the parent kills it with SIGKILL at random moments, reopens the store
// and checks: positions gap-free, every acknowledged append present, no torn
// record, the hash chain intact.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/event_store.h"
#include "store/record_format.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::TempDir;

[[noreturn]] void AppendForever(const std::string& dir, int round, int fd) {
  StoreOptions o;
  o.sync = true;
  auto store = EventStore::Open(dir, o);
  if (!store.ok()) _exit(2);
  for (int i = 0;; ++i) {
    AppendRequest req;
    const int n = 1 + i % 5;  // batches of 1-5 records across two streams
    for (int k = 0; k < n; ++k) {
      req.records.push_back(NewRecord{absl::StrCat("C-", (i + k) % 2),
                                      absl::StrCat("r", round, "-", i, "-", k),
                                      std::string(100 + (i * 37 + k) % 400, 'x')});
    }
    auto r = (*store)->Append(std::move(req));
    if (!r.ok()) _exit(3);
    for (int k = 0; k < n; ++k) {
      const std::string line = absl::StrCat("r", round, "-", i, "-", k, "\n");
      if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
    }
  }
}

TEST(CrashTest, SigkillDuringAppendsLosesNothingAcknowledged) {
  TempDir dir;
  std::mt19937 rng(20241123);
  std::set<std::string> acknowledged;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AppendForever(dir.path(), round, fds[1]);
    }
    close(fds[1]);
    usleep(std::uniform_int_distribution<int>(50000, 400000)(rng));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself with " << WEXITSTATUS(status);
    std::string buf;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) buf.append(chunk, n);
    close(fds[0]);
    // Only whole lines were acknowledged.
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      acknowledged.insert(buf.substr(start, nl - start));
    }

    auto store = EventStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    uint64_t expect = 1;
    Hash256 prev{};
    std::set<std::string> present;
    absl::Status s = (*store)->ScanLog(1, [&](const StoredRecord& r) {
      EXPECT_EQ(r.position, expect++);
      EXPECT_EQ(r.chain, format::ChainHash(prev, format::EncodeLeaf(r))) << r.position;
      prev = r.chain;
      present.insert(r.id);
      return true;
    });
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ((*store)->LastPosition(), expect - 1);
    for (const std::string& id : acknowledged) {
      ASSERT_TRUE(present.contains(id)) << "acknowledged " << id << " lost in round " << round;
    }
    // Both streams' versions are gap-free and match the log.
    uint64_t total = 0;
    for (const char* stream : {"C-0", "C-1"}) {
      auto recs = (*store)->ReadStream(stream);
      ASSERT_TRUE(recs.ok()) << recs.status();
      for (size_t i = 0; i < recs->size(); ++i) EXPECT_EQ((*recs)[i].version, i + 1);
      total += recs->size();
    }
    EXPECT_EQ(total, (*store)->LastPosition());
  }
  EXPECT_GT(acknowledged.size(), 10u) << "the child never got going; the test proves nothing";
}

}  // namespace
}  // namespace carelog
