#pragma once
// Time zones for schedules: "UTC", fixed offsets ("+08:00", "UTC+8",
// "-0530"), and names from the system tz database ("Asia/Shanghai",
// "Europe/Berlin"), read from /usr/share/zoneinfo (Debian package tzdata);
// nothing is fetched. Named zones are converted with the C library
// (localtime_r under TZ=…, serialized by a mutex), so daylight-saving rules
// are those of the installed database.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ciiscope::service {

struct LocalTime {
  int year = 1970, month = 1, day = 1;  // month 1..12
  int hour = 0, minute = 0, second = 0;
  int weekday = 4;                      // 0 = Sunday
};

class TimeZone {
 public:
  static TimeZone Utc() { return TimeZone(); }
  static Result<TimeZone> Parse(std::string_view name);

  const std::string& name() const { return name_; }
  LocalTime ToLocal(int64_t unix_seconds) const;
  // The UTC offset in seconds in force at that instant.
  int OffsetAt(int64_t unix_seconds) const;

 private:
  std::string name_ = "UTC";
  bool fixed_ = true;
  int offset_seconds_ = 0;
  // Named zones: offset per UTC hour already looked up (tz changes fall on
  // whole or half hours; lookups are serialized by the same mutex).
  std::shared_ptr<std::map<int64_t, int>> cache_ = std::make_shared<std::map<int64_t, int>>();
};

// "2026-06-01", "2026-06-01T08:00", "2026-06-01 08:00:30" as local time in tz
// → Unix seconds.
Result<int64_t> ParseLocalDateTime(std::string_view text, const TimeZone& tz);

}  // namespace ciiscope::service
