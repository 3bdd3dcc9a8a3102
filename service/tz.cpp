#include "service/tz.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>

namespace ciiscope::service {

namespace {

constexpr const char* kZoneInfo = "/usr/share/zoneinfo/";

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

LocalTime CivilFromSeconds(int64_t s) {
  int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
  int64_t rem = s - days * 86400;
  LocalTime t;
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem % 3600 / 60);
  t.second = static_cast<int>(rem % 60);
  t.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (t.month <= 2));
  return t;
}

// "+08:00", "+0800", "+8", "-05:30" (after an optional "UTC"/"GMT").
bool ParseOffset(std::string_view s, int& seconds) {
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  int h = 0, m = 0;
  size_t i = 0;
  auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (!digit(0)) return false;
  h = s[i++] - '0';
  if (digit(i)) h = h * 10 + (s[i++] - '0');
  if (i < s.size() && s[i] == ':') ++i;
  if (i < s.size()) {
    if (!digit(i) || !digit(i + 1) || i + 2 != s.size()) return false;
    m = (s[i] - '0') * 10 + (s[i + 1] - '0');
  }
  if (h > 14 || m > 59) return false;
  seconds = sign * (h * 3600 + m * 60);
  return true;
}

bool SafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::mutex g_tz_mutex;  // TZ and tzset() are process-wide

}  // namespace

Result<TimeZone> TimeZone::Parse(std::string_view name) {
  TimeZone tz;
  if (name == "UTC" || name == "Etc/UTC" || name == "Z" || name == "GMT") return tz;
  std::string_view off = name;
  if (off.starts_with("UTC") || off.starts_with("GMT")) off.remove_prefix(3);
  if (int seconds = 0; ParseOffset(off, seconds)) {
    tz.name_ = std::string(name);
    tz.offset_seconds_ = seconds;
    return tz;
  }
  if (!SafeZoneName(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "time zone '" + std::string(name) +
                     "' is neither UTC, an offset like +08:00, nor a tz database name");
  }
  std::ifstream in(std::string(kZoneInfo) + std::string(name), std::ios::binary);
  char magic[4] = {};
  if (!in || !in.read(magic, 4) || std::string_view(magic, 4) != "TZif") {
    return Error(ErrorCode::kInvalidArgument,
                 "unknown time zone '" + std::string(name) + "' (not in " + kZoneInfo +
                     "; install tzdata, or write an offset like +08:00)");
  }
  tz.name_ = std::string(name);
  tz.fixed_ = false;
  return tz;
}

int TimeZone::OffsetAt(int64_t unix_seconds) const {
  if (fixed_) return offset_seconds_;
  std::lock_guard lock(g_tz_mutex);
  // Half-hour buckets: no zone changes its offset at another time of the hour.
  const int64_t bucket = unix_seconds >= 0 ? unix_seconds / 1800 : -((-unix_seconds + 1799) / 1800);
  if (auto it = cache_->find(bucket); it != cache_->end()) return it->second;
  if (cache_->size() > 200000) cache_->clear();
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", (":" + name_).c_str(), 1);
  tzset();
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  (*cache_)[bucket] = static_cast<int>(tm.tm_gmtoff);
  return static_cast<int>(tm.tm_gmtoff);
}

LocalTime TimeZone::ToLocal(int64_t unix_seconds) const {
  return CivilFromSeconds(unix_seconds + OffsetAt(unix_seconds));
}

Result<int64_t> ParseLocalDateTime(std::string_view text, const TimeZone& tz) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string str(text);
  char sep = 0;
  int n = std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s);
  bool ok = (n == 3 && str.size() == 10) ||
            ((n == 6 || n == 7) && (sep == 'T' || sep == ' ') &&
             str.size() == static_cast<size_t>(n == 6 ? 16 : 19));
  if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || y < 1970) {
    return Error(ErrorCode::kInvalidArgument,
                 "expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], got '" + str + "'");
  }
  int64_t naive = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                  h * 3600 + mi * 60 + s;
  int64_t guess = naive - tz.OffsetAt(naive);
  return naive - tz.OffsetAt(guess);
}

}  // namespace ciiscope::service
