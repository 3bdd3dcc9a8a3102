#include "service/cron.h"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace ciiscope::service {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldDef {
  const char* name;
  int lo, hi;
  const std::string_view* names;  // names[i] is value lo+i (months) or i (days)
  size_t name_count;
};

Result<int> Value(std::string_view s, const FieldDef& f) {
  if (!s.empty() && std::isalpha(static_cast<unsigned char>(s[0]))) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < f.name_count; ++i) {
      if (f.names[i] == lower) return static_cast<int>(i) + (f.lo == 1 ? 1 : 0);
    }
    return Error(ErrorCode::kInvalidArgument,
                 std::string(f.name) + ": unknown name '" + std::string(s) + "'");
  }
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  int hi = f.hi == 6 ? 7 : f.hi;  // weekday 7 = Sunday
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < f.lo || v > hi) {
    return Error(ErrorCode::kInvalidArgument, std::string(f.name) + ": '" + std::string(s) +
                                                  "' is not a number in " + std::to_string(f.lo) +
                                                  ".." + std::to_string(hi));
  }
  return v;
}

// One field into bits[lo..hi]; returns whether it was restricted (not `*`).
template <size_t N>
Result<bool> ParseField(std::string_view text, const FieldDef& f, std::bitset<N>& bits) {
  bool restricted = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (item.empty()) return Error(ErrorCode::kInvalidArgument, std::string(f.name) + ": empty list item");
    int step = 1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view st = item.substr(slash + 1);
      auto [p, ec] = std::from_chars(st.data(), st.data() + st.size(), step);
      if (st.empty() || ec != std::errc() || p != st.data() + st.size() || step < 1 || step > f.hi) {
        return Error(ErrorCode::kInvalidArgument,
                     std::string(f.name) + ": bad step '" + std::string(st) + "'");
      }
      item = item.substr(0, slash);
    }
    int lo = f.lo, hi = f.hi;
    if (item == "*") {
      if (step != 1) restricted = true;
    } else {
      restricted = true;
      size_t dash = item.find('-');
      CII_ASSIGN_OR_RETURN(lo, Value(item.substr(0, dash), f));
      if (dash != std::string_view::npos) {
        CII_ASSIGN_OR_RETURN(hi, Value(item.substr(dash + 1), f));
        if (hi < lo) {
          return Error(ErrorCode::kInvalidArgument,
                       std::string(f.name) + ": range '" + std::string(item) + "' runs backwards");
        }
      } else if (step == 1) {
        hi = lo;
      }  // "a/n" means a..max step n
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(f.hi == 6 && v == 7 ? 0 : v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return restricted;
}

}  // namespace

Result<CronSpec> ParseCron(std::string_view expr, size_t* bad_offset) {
  if (bad_offset) *bad_offset = 0;
  CronSpec spec;
  spec.text = std::string(expr);
  std::string_view e = expr;
  if (e == "@hourly") e = "0 * * * *";
  else if (e == "@daily" || e == "@midnight") e = "0 0 * * *";
  else if (e == "@weekly") e = "0 0 * * 0";
  else if (e == "@monthly") e = "0 0 1 * *";
  else if (e == "@yearly" || e == "@annually") e = "0 0 1 1 *";
  else if (e.starts_with("@")) {
    return Error(ErrorCode::kInvalidArgument, "unknown cron shorthand '" + std::string(e) + "'");
  }
  std::vector<std::pair<std::string_view, size_t>> fields;  // text, offset
  size_t i = 0;
  while (i < e.size()) {
    while (i < e.size() && (e[i] == ' ' || e[i] == '\t')) ++i;
    size_t b = i;
    while (i < e.size() && e[i] != ' ' && e[i] != '\t') ++i;
    if (i > b) fields.emplace_back(e.substr(b, i - b), e.data() == expr.data() ? b : 0);
  }
  if (fields.size() != 5 && fields.size() != 6) {
    return Error(ErrorCode::kInvalidArgument,
                 "a cron expression has 5 fields (minute hour day month weekday) or 6 (with "
                 "seconds first), got " + std::to_string(fields.size()));
  }
  spec.has_seconds = fields.size() == 6;
  size_t k = 0;
  auto fail_at = [&](size_t idx, const Error& err) {
    if (bad_offset) *bad_offset = fields[idx].second;
    return err;
  };
  static const FieldDef kSecond{"second", 0, 59, nullptr, 0};
  static const FieldDef kMinute{"minute", 0, 59, nullptr, 0};
  static const FieldDef kHour{"hour", 0, 23, nullptr, 0};
  static const FieldDef kDay{"day of month", 1, 31, nullptr, 0};
  static const FieldDef kMonth{"month", 1, 12, kMonths.data(), kMonths.size()};
  static const FieldDef kWeekday{"day of week", 0, 6, kDays.data(), kDays.size()};
  if (spec.has_seconds) {
    auto r = ParseField(fields[k].first, kSecond, spec.seconds);
    if (!r) return fail_at(k, r.error());
    ++k;
  } else {
    spec.seconds.set(0);
  }
  auto m = ParseField(fields[k].first, kMinute, spec.minutes);
  if (!m) return fail_at(k, m.error());
  ++k;
  auto h = ParseField(fields[k].first, kHour, spec.hours);
  if (!h) return fail_at(k, h.error());
  ++k;
  auto d = ParseField(fields[k].first, kDay, spec.days);
  if (!d) return fail_at(k, d.error());
  spec.days_restricted = *d;
  ++k;
  auto mo = ParseField(fields[k].first, kMonth, spec.months);
  if (!mo) return fail_at(k, mo.error());
  ++k;
  auto w = ParseField(fields[k].first, kWeekday, spec.weekdays);
  if (!w) return fail_at(k, w.error());
  spec.weekdays_restricted = *w;
  return spec;
}

bool CronSpec::Matches(const LocalTime& t) const {
  if (!seconds.test(static_cast<size_t>(t.second)) || !minutes.test(static_cast<size_t>(t.minute)) ||
      !hours.test(static_cast<size_t>(t.hour)) || !months.test(static_cast<size_t>(t.month))) {
    return false;
  }
  bool dom = days.test(static_cast<size_t>(t.day));
  bool dow = weekdays.test(static_cast<size_t>(t.weekday));
  if (days_restricted && weekdays_restricted) return dom || dow;
  return dom && dow;
}

int64_t CronSpec::Next(int64_t after_ms, const TimeZone& tz) const {
  const int64_t unit = has_seconds ? 1 : 60;
  int64_t t = after_ms >= 0 ? after_ms / 1000 : -((-after_ms + 999) / 1000);
  t = (t / unit + 1) * unit;  // strictly after, on a unit boundary
  const int64_t limit = t + int64_t{5} * 366 * 86400;
  while (t < limit) {
    LocalTime lt = tz.ToLocal(t);
    bool dom = days.test(static_cast<size_t>(lt.day));
    bool dow = weekdays.test(static_cast<size_t>(lt.weekday));
    bool day_ok = (days_restricted && weekdays_restricted) ? (dom || dow) : (dom && dow);
    const int64_t into_hour = lt.minute * 60 + lt.second;
    if (!months.test(static_cast<size_t>(lt.month)) || !day_ok) {
      // To the next local midnight, less an hour in case a DST change lies between.
      int64_t to_midnight = (24 - lt.hour) * 3600 - into_hour;
      t += to_midnight > 3600 + unit ? to_midnight - 3600 : to_midnight;
      t = (t / unit) * unit;
      continue;
    }
    if (!hours.test(static_cast<size_t>(lt.hour))) {
      t += 3600 - into_hour;
      t = (t / unit) * unit;
      continue;
    }
    if (!minutes.test(static_cast<size_t>(lt.minute))) {
      t += 60 - lt.second;
      continue;
    }
    if (!seconds.test(static_cast<size_t>(lt.second))) {
      t += 1;
      continue;
    }
    return t * 1000;
  }
  return 0;
}

}  // namespace ciiscope::service
