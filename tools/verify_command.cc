// `carelog verify [--head SIZE:ROOTHEX[:ed25519:SIG] --pubkey KEY.pub]`:
// check the whole log (tamper evidence), that it extends an earlier head, and
// that the settings that judge cases are the fold of the settings log.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "projections/settings_log.h"
#include "store/event_store.h"
#include "store/head_file.h"
#include "store/merkle.h"
#include "tools/commands.h"
#include "store/signed_head.h"

namespace carelog {
namespace {

// SIZE:ROOTHEX.
bool ParseHead(std::string_view text, TreeHead* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  return absl::SimpleAtoi(std::string(text.substr(0, colon)), &out->size) &&
         merkle::FromHex(text.substr(colon + 1), &out->root);
}

// `carelog verify`'s settings step: runs CheckSettings and prints, on stdout,
// "settings agree with the settings log (N records)", each warning on stderr
// ("carelog: warning: ..."), and each problem on stderr ("carelog: settings
// broken: ..."). Returns the exit status: 0, or 1 for any problem (or 1/3 as
// ReportError when the check cannot run).
int VerifySettingsForCli(const EventStoreReader& store) {
  auto check = CheckSettings(store);
  if (!check.ok()) return ReportError(check.status());
  for (const std::string& w : check->warnings) {
    std::fprintf(stderr, "carelog: warning: %s\n", w.c_str());
  }
  for (const std::string& p : check->problems) {
    std::fprintf(stderr, "carelog: settings broken: %s\n", p.c_str());
  }
  if (!check->problems.empty()) return 1;
  std::printf("settings agree with the settings log (%llu record%s)\n",
              static_cast<unsigned long long>(check->records), check->records == 1 ? "" : "s");
  return 0;
}

}  // namespace

int RunVerify(const Args& args) {
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: verify takes no arguments (did you mean --head SIZE:ROOT?)\n");
    return 2;
  }
  TreeHead earlier;
  const bool has_head = args.flags.count("head") > 0;
  std::string signed_by;
  if (has_head) {
    SignedHead signed_head;
    if (ParseSignedHead(args.flags.at("head"), &signed_head)) {
      auto pubkey = args.flags.find("pubkey");
      if (pubkey == args.flags.end()) {
        std::fprintf(stderr, "carelog: a signed head needs --pubkey KEY.pub to check its "
                             "signature\n");
        return 2;
      }
      if (absl::Status s = CheckHeadSignature(signed_head, pubkey->second); !s.ok()) {
        return ReportError(s);
      }
      earlier = signed_head.head;
      signed_by = absl::StrCat(" (its signature verified with ", pubkey->second, ")");
    } else if (!ParseHead(args.flags.at("head"), &earlier)) {
      std::fprintf(stderr,
                   "carelog: --head wants SIZE:ROOTHEX or a signed head "
                   "SIZE:ROOTHEX:ed25519:SIG (as `carelog head` prints), got '%s'\n",
                   args.flags.at("head").c_str());
      return 2;
    }
  } else if (args.flags.count("pubkey") > 0) {
    std::fprintf(stderr, "carelog: --pubkey checks a signed --head; give one\n");
    return 2;
  }
  auto store = OpenStoreForChecks(args);
  if (!store.ok()) return ReportError(store.status());
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::function<void(uint64_t, uint64_t)> progress;
  if (tty) {
    progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rverifying %llu of %llu events...",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    };
  }
  auto report = (*store)->Verify(progress);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!report.ok()) return ReportError(report.status());
  if (!report->ok) {
    std::fprintf(stderr, "carelog: log broken at position %llu: %s\n",
                 static_cast<unsigned long long>(report->position), report->problem.c_str());
    std::fprintf(stderr, "carelog: %llu events before it verified\n",
                 static_cast<unsigned long long>(report->events));
    return 1;
  }
  std::string extends;
  if (has_head) {
    if (earlier.size > report->head.size) {
      std::fprintf(stderr,
                   "carelog: the log has %llu events, fewer than the %llu of head %s: events "
                   "were removed or the log was replaced\n",
                   static_cast<unsigned long long>(report->head.size),
                   static_cast<unsigned long long>(earlier.size), FormatTreeHead(earlier).c_str());
      return 1;
    }
    auto proof = (*store)->ConsistencyProof(earlier.size, report->head.size);
    if (!proof.ok()) return ReportError(proof.status());
    if (!merkle::VerifyConsistency(earlier.size, report->head.size, earlier.root,
                                   report->head.root, *proof)) {
      std::fprintf(stderr,
                   "carelog: the log does not extend head %s: its first %llu events are not the "
                   "ones that head committed to (rewritten history, or a wrong head)\n",
                   FormatTreeHead(earlier).c_str(), static_cast<unsigned long long>(earlier.size));
      return 1;
    }
    extends = absl::StrCat("; extends head ", FormatTreeHead(earlier), signed_by,
                           " (consistency proof of ", proof->size(), " hashes checked)");
  }
  if (report->durable_head.has_value()) {
    absl::StrAppend(&extends, "; extends the durable head file's ",
                    FormatTreeHead(*report->durable_head));
  }
  std::printf("log verified: %llu events, head %s%s\n",
              static_cast<unsigned long long>(report->events), FormatTreeHead(report->head).c_str(),
              extends.c_str());
  // The settings that judge cases must be the fold of the settings log,
  // whose records an encrypted store opens only with its key.
  if ((*store)->encrypted() && CliMasterKey() == nullptr) {
    std::printf("settings not checked: the store is encrypted and no master key was given "
                "(--master-key-file FILE)\n");
    return 0;
  }
  return VerifySettingsForCli(**store);
}

}  // namespace carelog
