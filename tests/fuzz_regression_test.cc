// Replays every input under tests/fuzz/regressions/<target>/ (inputs that once
// crashed a fuzz target, kept after the fix) through the same code as the
// target, in the ordinary build and the ASan build of the suite. The checks
// here are the fuzz targets' properties: no crash, and what the target
// asserts (round trips, all-or-nothing) holds.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

// Each fuzz target's own code, under another name, so that a regression
// input is checked by exactly what found it.
#define LLVMFuzzerTestOneInput NdjsonLineFuzz
#include "tests/fuzz/ndjson_line_fuzz.cc"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ImportFileFuzz
#include "tests/fuzz/import_file_fuzz.cc"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput RecordDecodeFuzz
#include "tests/fuzz/record_decode_fuzz.cc"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput Csv903RowFuzz
#include "tests/fuzz/csv903_row_fuzz.cc"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ProofFuzz
#include "tests/fuzz/proof_fuzz.cc"
#undef LLVMFuzzerTestOneInput

namespace carelog {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, std::string>> Inputs(const std::string& target) {
  std::vector<std::pair<std::string, std::string>> out;
  const fs::path dir = fs::path(CARELOG_SOURCE_DIR) / "tests/fuzz/regressions" / target;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::ifstream f(e.path(), std::ios::binary);
    out.emplace_back(e.path().filename().string(),
                     std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()));
  }
  return out;
}

// Runs the target on `data` in a child process, so that a crash or a failed
// property (the targets abort) fails this test naming the input instead of
// killing the whole binary.
void RunIsolated(const std::string& what, int (*fn)(const uint8_t*, size_t),
                 const std::string& data) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int rc = fn(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    std::fflush(nullptr);
    _exit(rc == 0 ? 0 : 100);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << what << ": "
      << (WIFSIGNALED(status) ? absl::StrCat("killed by signal ", WTERMSIG(status))
                              : absl::StrCat("exit ", WEXITSTATUS(status)))
      << " (stderr above has the target's report)";
}

void Replay(const std::string& target, int (*fn)(const uint8_t*, size_t)) {
  for (const auto& [name, data] : Inputs(target)) {
    RunIsolated(absl::StrCat("tests/fuzz/regressions/", target, "/", name), fn, data);
  }
}

TEST(FuzzRegressionTest, NdjsonLine) { Replay("ndjson_line_fuzz", NdjsonLineFuzz); }
TEST(FuzzRegressionTest, ImportFile) { Replay("import_file_fuzz", ImportFileFuzz); }
TEST(FuzzRegressionTest, RecordDecode) { Replay("record_decode_fuzz", RecordDecodeFuzz); }
TEST(FuzzRegressionTest, Csv903Row) { Replay("csv903_row_fuzz", Csv903RowFuzz); }
TEST(FuzzRegressionTest, Proof) { Replay("proof_fuzz", ProofFuzz); }

// The seed corpora too: every seed must run clean in the ordinary suite.
TEST(FuzzRegressionTest, SeedCorporaRunClean) {
  const std::pair<const char*, int (*)(const uint8_t*, size_t)> targets[] = {
      {"ndjson_line_fuzz", NdjsonLineFuzz}, {"import_file_fuzz", ImportFileFuzz},
      {"record_decode_fuzz", RecordDecodeFuzz}, {"csv903_row_fuzz", Csv903RowFuzz},
      {"proof_fuzz", ProofFuzz}};
  for (const auto& [t, fn] : targets) {
    const fs::path dir = fs::path(CARELOG_SOURCE_DIR) / "tests/fuzz/corpus" / t;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::ifstream f(e.path(), std::ios::binary);
      const std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      RunIsolated(e.path().string(), fn, data);
    }
  }
}

TEST(FuzzRegressionTest, EveryTargetHasASeedCorpus) {
  for (const char* t : {"ndjson_line_fuzz", "import_file_fuzz", "record_decode_fuzz",
                        "csv903_row_fuzz", "proof_fuzz"}) {
    const fs::path dir = fs::path(CARELOG_SOURCE_DIR) / "tests/fuzz/corpus" / t;
    EXPECT_TRUE(fs::exists(dir) && !fs::is_empty(dir)) << dir;
    EXPECT_TRUE(fs::exists(fs::path(CARELOG_SOURCE_DIR) / "tests/fuzz" / absl::StrCat(t, ".cc")));
  }
}

}  // namespace
}  // namespace carelog
