// `carelog head [--signed --key KEY]`: the log's Merkle tree head, to be kept
// where the store's administrators cannot change it (tamper evidence).
#include <cstdio>
#include <string>

#include "store/event_store.h"
#include "store/head_file.h"
#include "store/merkle.h"
#include "tools/commands.h"
#include "store/signed_head.h"

namespace carelog {

int RunHead(const Args& args) {
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: head takes no arguments\n");
    return 2;
  }
  const bool sign = args.flags.count("signed") > 0;
  if (sign != (args.flags.count("key") > 0)) {
    std::fprintf(stderr, "carelog: --signed and --key KEY go together (KEY from `carelog keygen`)\n");
    return 2;
  }
  auto store = OpenStoreForChecks(args);
  if (!store.ok()) return ReportError(store.status());
  auto head = (*store)->Head();
  if (!head.ok()) return ReportError(head.status());
  if (sign) {
    auto signed_head = SignHead(*head, args.flags.at("key"));
    if (!signed_head.ok()) return ReportError(signed_head.status());
    std::printf("%s\n", signed_head->c_str());
    std::printf(
        "the log has %llu events; its RFC 9162 Merkle root (SHA-256) is %s, signed with Ed25519 "
        "key %s. Hand the line above to whoever must be able to check the log later: `carelog "
        "verify --head LINE --pubkey %s.pub` checks the signature and proves the log still "
        "extends it.\n",
        static_cast<unsigned long long>(head->size), merkle::ToHex(head->root).c_str(),
        args.flags.at("key").c_str(), args.flags.at("key").c_str());
    return 0;
  }
  std::printf("%s\n", FormatTreeHead(*head).c_str());
  std::printf(
      "the log has %llu events; its RFC 9162 Merkle root (SHA-256) is %s. Keep the line above "
      "where the store's administrators cannot change it: `carelog verify --head %s` proves "
      "later that the log still extends it.\n",
      static_cast<unsigned long long>(head->size), merkle::ToHex(head->root).c_str(),
      FormatTreeHead(*head).c_str());
  return 0;
}

}  // namespace carelog
