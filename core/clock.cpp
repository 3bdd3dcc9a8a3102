#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ciiscope::core {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatIsoTime(int64_t unix_millis) {
  std::time_t secs = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<int64_t> ParseIsoTime(std::string_view text, bool end_of_day) {
  std::string t(text.substr(0, 32));
  if (t.size() != text.size()) return std::nullopt;
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  bool has_time = false;
  if (t.size() == 10) {
    if (std::sscanf(t.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3 || used != 10) {
      return std::nullopt;
    }
  } else {
    int n = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d%n:%2d%n", &year, &month, &day, &hour,
                        &minute, &used, &second, &used);
    if (n < 5 || static_cast<size_t>(used) != t.size()) return std::nullopt;
    has_time = true;
  }
  if (t[4] != '-' || t[7] != '-' || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (end_of_day && !has_time) ms += 24 * 3600 * 1000 - 1;
  return ms;
}

}  // namespace ciiscope::core
