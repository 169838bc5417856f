// `carelog keygen --key KEY`: a new Ed25519 key pair for signed heads.
#include <cstdio>
#include <string>

#include "tools/commands.h"
#include "store/signed_head.h"

namespace carelog {

int RunKeygen(const Args& args) {
  if (!args.positional.empty() || args.flags.count("key") == 0) {
    std::fprintf(stderr, "carelog: keygen needs --key FILE (and no other arguments)\n");
    return 2;
  }
  const std::string& key = args.flags.at("key");
  if (absl::Status s = GenerateSigningKey(key); !s.ok()) return ReportError(s);
  std::printf("wrote Ed25519 private key %s (owner-only) and public key %s.pub\n", key.c_str(),
              key.c_str());
  return 0;
}

}  // namespace carelog
