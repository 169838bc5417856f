// `carelog gen`: synthetic histories to stdout.
#include <iostream>

#include "absl/strings/numbers.h"
#include "engine/calendar.h"
#include "tools/commands.h"
#include "engine/gen/generate_histories.h"

namespace carelog {

int RunGen(const Args& args) {
  GenOptions opts;
  auto int_flag = [&](const char* name, auto* out) -> bool {
    auto it = args.flags.find(name);
    if (it == args.flags.end()) return true;
    if (!absl::SimpleAtoi(it->second, out)) {
      std::cerr << "carelog: --" << name << " wants a number, got '" << it->second << "'\n";
      return false;
    }
    return true;
  };
  if (!int_flag("children", &opts.children) || !int_flag("years", &opts.years) ||
      !int_flag("seed", &opts.seed)) {
    return 2;
  }
  if (auto it = args.flags.find("end"); it != args.flags.end()) {
    auto day = ParseDate(it->second);
    if (!day.ok()) {
      std::cerr << "carelog: --end: " << day.status().message() << "\n";
      return 2;
    }
    opts.end = *day;
  }
  if (!args.positional.empty()) {
    std::cerr << "carelog: gen takes no file; it writes to stdout\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  auto n = GenerateHistories(opts, std::cout);
  std::cout.flush();
  if (!n.ok()) return ReportError(n.status());
  std::cerr << "generated " << *n << " events for " << opts.children << " children\n";
  return 0;
}

}  // namespace carelog
