// The UK working-day calendar: bank holidays by division, computed by rule for
// 2000-2040 plus the one-off days, optionally overridden by a file in gov.uk's
// bank-holidays.json format; and the date arithmetic of rules.md
// "Conventions" as pure functions.
#ifndef CARELOG_ENGINE_CALENDAR_H_
#define CARELOG_ENGINE_CALENDAR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace carelog {

enum class Division { kEnglandAndWales, kScotland, kNorthernIreland };

// "england-and-wales", "scotland", "northern-ireland" (gov.uk's names).
// kInvalidArgument naming the text for anything else.
[[nodiscard]] absl::StatusOr<Division> ParseDivision(std::string_view name);
std::string_view DivisionName(Division d);

// Immutable once built; safe to share between threads.
class Calendar {
 public:
  // Holidays computed by rule for 2000-2040 (plus one-off days). Outside that
  // range only the rule-based holidays apply.
  static const Calendar& Default();

  // A calendar whose holidays, for every (division, year) the gov.uk-format
  // JSON covers, are exactly the file's dates; other years keep the rules.
  // kInvalidArgument naming the problem for malformed JSON or dates.
  [[nodiscard]] static absl::StatusOr<Calendar> WithOverride(std::string_view govuk_json);

  // The dates a gov.uk-format file lists, per division in the file's order,
  // each division's dates sorted and each once: what WithOverride applies.
  // kInvalidArgument as WithOverride.
  struct FileDates {
    Division division;
    std::vector<absl::CivilDay> dates;
  };
  [[nodiscard]] static absl::StatusOr<std::vector<FileDates>> ParseHolidaysFile(
      std::string_view govuk_json);

  bool IsBankHoliday(Division d, absl::CivilDay day) const;
  // Monday to Friday and not a bank holiday of the division.
  bool IsWorkingDay(Division d, absl::CivilDay day) const;
  // "within N working days of D" (n > 0): the n-th working day after D, D
  // never counting. "at least N working days before R" is n < 0: the n-th
  // working day before R. n == 0 returns `day` unchanged.
  absl::CivilDay AddWorkingDays(Division d, absl::CivilDay day, int n) const;
  // Working days in (from, to]: 0 if to <= from.
  int WorkingDaysBetween(Division d, absl::CivilDay from, absl::CivilDay to) const;
  // The division's bank holidays in `year`, sorted.
  std::vector<absl::CivilDay> BankHolidays(Division d, int year) const;

 private:
  struct Rep;
  std::shared_ptr<const Rep> rep_;
};

// "within N months of D": same day-of-month N months later, clamped to that
// month's last day (31 Aug 2024 + 6 months = 28 Feb 2025). n may be negative.
absl::CivilDay AddMonths(absl::CivilDay day, int n);

// Whole years of age on `day` of someone born on `born` (a 29 February
// birthday comes on 1 March in other years).
int AgeOn(absl::CivilDay born, absl::CivilDay day);

// Parses "YYYY-MM-DD" strictly (exactly that shape, a real date).
// kInvalidArgument naming the text otherwise.
[[nodiscard]] absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text);
std::string FormatDate(absl::CivilDay day);

}  // namespace carelog

#endif  // CARELOG_ENGINE_CALENDAR_H_
