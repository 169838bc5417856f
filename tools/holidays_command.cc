// `carelog holidays [--store DIR] [FILE]`: shows the bank holidays in use, or
// saves a gov.uk-format bank-holidays.json into the store so that a newly
// announced holiday counts without a release.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/calendar.h"
#include "engine/event_time.h"
#include "store/base/hex.h"
#include "store/event_store.h"
#include "projections/views/case_packs.h"
#include "tools/commands.h"
#include "projections/settings_log.h"

namespace carelog {

int RunHolidays(const Args& args) {
  if (args.positional.size() > 1) {
    std::fprintf(stderr, "carelog: holidays takes at most one FILE\n");
    return 2;
  }
  auto store = EventStore::Open(StoreDir(args), CliStoreOptions());
  if (!store.ok()) return ReportError(store.status());
  if (args.positional.size() == 1) {
    std::ifstream f(args.positional[0], std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "carelog: cannot open %s\n", args.positional[0].c_str());
      return 1;
    }
    std::stringstream text;
    text << f.rdbuf();
    // A file that does not parse is refused before it can replace a good
    // one (ChangeSetting parses it); the change is recorded in the settings
    // log with the file's SHA-256 and dates, atomically with the setting.
    auto change = ChangeSetting(store->get(), kHolidaysSetting, text.str(), CliActor());
    if (!change.ok()) return ReportError(change.status());
    std::printf(
        "saved %s (SHA-256 %s): its dates now decide the years it covers; recorded at position "
        "%llu of the settings log (by %s)\n",
        args.positional[0].c_str(), HexOf(change->new_sha256()).c_str(),
        static_cast<unsigned long long>(change->position()), change->changed_by().c_str());
  }
  auto cal = StoreCalendar(store->get());
  if (!cal.ok()) return ReportError(cal.status());
  int year = LondonToday(absl::Now()).year();
  if (auto it = args.flags.find("year"); it != args.flags.end()) {
    if (!absl::SimpleAtoi(it->second, &year)) {
      std::fprintf(stderr, "carelog: --year wants a number\n");
      return 2;
    }
  }
  for (Division d : {Division::kEnglandAndWales, Division::kScotland, Division::kNorthernIreland}) {
    std::string line = absl::StrCat(std::string(DivisionName(d)), " ", year, ":");
    for (absl::CivilDay day : cal->BankHolidays(d, year)) absl::StrAppend(&line, " ", FormatDate(day));
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace carelog
