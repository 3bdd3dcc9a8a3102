#pragma once
// Cron expressions as crontab(5) writes them, plus an optional leading
// seconds field and an `@every` form for short test schedules:
//
//   minute hour day-of-month month day-of-week          (5 fields)
//   second minute hour day-of-month month day-of-week   (6 fields)
//   @hourly @daily @weekly @monthly @yearly
//
// Each field: `*`, numbers, ranges `a-b`, steps `*/n` or `a-b/n` or `a/n`,
// lists `a,b-c`; months JAN..DEC and weekdays SUN..SAT by name (any case);
// day-of-week 7 is Sunday too. As in Vixie cron, when both day-of-month and
// day-of-week are restricted, a day matching either fires.
//
// Times are matched in a TimeZone (tz.h): UTC, a fixed offset, or a name
// from the system tz database (/usr/share/zoneinfo).

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "service/tz.h"

namespace ciiscope::service {

struct CronSpec {
  std::bitset<60> seconds;
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;    // 1..31
  std::bitset<13> months;  // 1..12
  std::bitset<7> weekdays; // 0 = Sunday
  bool days_restricted = false;
  bool weekdays_restricted = false;
  bool has_seconds = false;  // 6-field form: fires at second resolution
  std::string text;

  bool Matches(const LocalTime& t) const;
  // The first firing time strictly after `after_ms` (Unix ms), searched up
  // to 5 years ahead; 0 if none (e.g. "0 0 30 2 *").
  int64_t Next(int64_t after_ms, const TimeZone& tz) const;
};

// On error, *bad_offset (when given) is the byte offset in `expr` of the
// field at fault, for file:line:column messages.
Result<CronSpec> ParseCron(std::string_view expr, size_t* bad_offset = nullptr);

}  // namespace ciiscope::service
