// `carelog token add --config FILE --name NAME --role ROLE[,ROLE...]` and
// `carelog token list --config FILE`: the bearer tokens of `carelog serve`.
#include <cstdio>
#include <string>

#include "absl/strings/str_join.h"
#include "tools/commands.h"
#include "store/service_tokens.h"

namespace carelog {

int RunToken(const Args& args) {
  const std::string sub = args.positional.empty() ? "" : args.positional[0];
  const std::string config = FlagValue(args, "config");
  if (args.positional.size() != 1 || (sub != "add" && sub != "list") || config.empty()) {
    std::fprintf(stderr,
                 "carelog: usage: token add --config FILE --name NAME --role "
                 "writer|reader|auditor|qa|admin[,...]\n"
                 "       token list --config FILE\n");
    return 2;
  }
  if (sub == "list") {
    auto table = TokenTable::Load(config);
    if (!table.ok()) return ReportError(table.status());
    for (const TokenEntry& e : table->entries()) {
      std::printf("%s %s\n", e.name.c_str(), absl::StrJoin(e.roles, ",").c_str());
    }
    return 0;
  }
  const std::string name = FlagValue(args, "name"), role = FlagValue(args, "role");
  if (name.empty() || role.empty()) {
    std::fprintf(stderr, "carelog: token add needs --name NAME and --role ROLE\n");
    return 2;
  }
  auto token = AddToken(config, name, role);
  if (!token.ok()) return ReportError(token.status());
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr,
               "carelog: token '%s' (%s) added to %s; this is the only time it is shown: give it "
               "to the client now (metadata 'authorization: Bearer <token>')\n",
               name.c_str(), role.c_str(), config.c_str());
  return 0;
}

}  // namespace carelog
