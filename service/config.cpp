#include "service/config.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <yaml-cpp/yaml.h>

#include "core/net.h"
#include "core/ports.h"
#include "rulelang/yaml_reader.h"

namespace ciiscope::service {

namespace {

namespace fs = std::filesystem;
using rulelang::internal::YamlReader;

constexpr std::array<std::string_view, 5> kSeverities = {"info", "low", "medium", "high",
                                                        "critical"};

bool IsSeverity(std::string_view s) {
  for (auto v : kSeverities) {
    if (v == s) return true;
  }
  return false;
}

class ConfigParser {
 public:
  ConfigParser(std::string_view text, std::string path)
      : r_(text, path), base_(fs::path(path).parent_path()) {}

  Result<Config> Parse(const YAML::Node& root) {
    Config c;
    c.path = r_.path();
    c.sla = {{"critical", 3}, {"high", 7}, {"medium", 30}, {"low", 90}, {"info", 180}};
    if (root.IsNull()) return c;  // an empty file is a valid, empty configuration
    CII_RETURN_IF_ERROR(r_.CheckKeys(root, "the configuration",
                                     {"version", "database", "lang", "rules", "units",
                                      "authorizations", "exclusions", "profiles", "schedules",
                                      "key_periods", "alerts", "sla", "scoring", "daemon", "notice",
                                      "stale_days"}));
    if (auto n = root["version"]) {
      CII_ASSIGN_OR_RETURN(int v, r_.PositiveInt(n, "version"));
      if (v != 1) return r_.Fail(n, "expected version 1, got " + std::to_string(v));
    }
    if (auto n = root["database"]) {
      CII_ASSIGN_OR_RETURN(c.database, PathOf(n, "database"));
    }
    if (auto n = root["lang"]) {
      CII_ASSIGN_OR_RETURN(c.lang, r_.String(n, "lang"));
      if (c.lang != "zh" && c.lang != "en") return r_.Fail(n, "expected lang zh or en, got '" + c.lang + "'");
    }
    if (auto n = root["rules"]) {
      CII_ASSIGN_OR_RETURN(c.rules, PathOf(n, "rules"));
    }
    if (auto n = root["units"]) {
      CII_ASSIGN_OR_RETURN(c.units_file, PathOf(n, "units"));
    }
    if (auto n = root["authorizations"]) CII_RETURN_IF_ERROR(Authorizations(n, c));
    if (auto n = root["exclusions"]) {
      CII_ASSIGN_OR_RETURN(c.exclusions, r_.StringList(n, "exclusions"));
      for (size_t i = 0; i < c.exclusions.size(); ++i) {
        CII_RETURN_IF_ERROR(Network(n.IsSequence() ? n[i] : n, c.exclusions[i], "exclusion"));
      }
    }
    if (auto n = root["sla"]) {
      // Severities the file leaves out keep their default terms.
      CII_ASSIGN_OR_RETURN(SlaTable given, Sla(n, "sla"));
      for (const auto& [severity, days] : given) c.sla[severity] = days;
    }
    if (auto n = root["stale_days"]) {
      int days = -1;
      if (n.IsScalar()) {
        const std::string& s = n.Scalar();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), days);
        if (ec != std::errc() || p != s.data() + s.size()) days = -1;
      }
      if (days < 0 || days > 36500) {
        return r_.Fail(n, "expected stale_days to be a number of days from 0 (off) to 36500, got " +
                              YamlReader::Describe(n));
      }
      c.stale_days = days;
    }
    if (auto n = root["scoring"]) CII_RETURN_IF_ERROR(Scoring(n, c));
    if (auto n = root["profiles"]) CII_RETURN_IF_ERROR(Profiles(n, c));
    if (auto n = root["schedules"]) CII_RETURN_IF_ERROR(Schedules(n, c));
    if (auto n = root["key_periods"]) CII_RETURN_IF_ERROR(KeyPeriods(n, c));
    if (auto n = root["alerts"]) CII_RETURN_IF_ERROR(Alerts(n, c));
    if (auto n = root["daemon"]) {
      CII_RETURN_IF_ERROR(r_.CheckKeys(n, "daemon", {"concurrency", "log", "syslog"}));
      if (auto m = n["syslog"]) {
        CII_ASSIGN_OR_RETURN(c.daemon_syslog, r_.Bool(m, "daemon.syslog"));
      }
      if (auto m = n["concurrency"]) {
        CII_ASSIGN_OR_RETURN(c.daemon_concurrency, r_.PositiveInt(m, "daemon.concurrency"));
        if (c.daemon_concurrency > 64) return r_.Fail(m, "expected daemon.concurrency at most 64");
      }
      if (auto m = n["log"]) {
        CII_ASSIGN_OR_RETURN(c.daemon_log, PathOf(m, "daemon.log"));
      }
    }
    if (auto n = root["notice"]) {
      CII_RETURN_IF_ERROR(r_.CheckKeys(n, "notice", {"issuer", "reference_prefix", "reply_days"}));
      if (auto m = n["issuer"]) {
        CII_ASSIGN_OR_RETURN(c.notice_issuer, r_.String(m, "notice.issuer"));
      }
      if (auto m = n["reference_prefix"]) {
        CII_ASSIGN_OR_RETURN(c.notice_reference_prefix, r_.String(m, "notice.reference_prefix"));
      }
      if (auto m = n["reply_days"]) {
        CII_ASSIGN_OR_RETURN(c.notice_reply_days, r_.PositiveInt(m, "notice.reply_days"));
        if (c.notice_reply_days > 365) return r_.Fail(m, "expected notice.reply_days at most 365");
      }
    }
    return c;
  }

 private:
  Result<std::string> PathOf(const YAML::Node& n, const std::string& what) {
    CII_ASSIGN_OR_RETURN(std::string s, r_.String(n, what));
    if (s.empty()) return r_.Fail(n, "expected " + what + " to be a path, got an empty string");
    fs::path p(s);
    return p.is_absolute() || base_.empty() ? s : (base_ / p).lexically_normal().string();
  }

  Status Network(const YAML::Node& at, const std::string& spec, const std::string& what) {
    if (core::Cidr::Parse(spec) || core::IpRange::Parse(spec)) return Ok();
    return r_.Fail(at, "expected " + what + " to be an address, CIDR or range, got '" + spec + "'");
  }

  Result<std::string> Severity(const YAML::Node& n, const std::string& what) {
    CII_ASSIGN_OR_RETURN(std::string s, r_.String(n, what));
    if (!IsSeverity(s)) {
      return r_.Fail(n, "expected " + what + " to be info, low, medium, high or critical, got '" + s + "'");
    }
    return s;
  }

  Result<int64_t> Date(const YAML::Node& n, const std::string& what, const TimeZone& tz) {
    CII_ASSIGN_OR_RETURN(std::string s, r_.String(n, what));
    auto t = ParseLocalDateTime(s, tz);
    if (!t) return r_.Fail(n, what + ": " + t.error().message());
    return *t;
  }

  Result<TimeZone> Zone(const YAML::Node& n, const std::string& what) {
    CII_ASSIGN_OR_RETURN(std::string s, r_.String(n, what));
    auto tz = TimeZone::Parse(s);
    if (!tz) return r_.Fail(n, tz.error().message());
    return *tz;
  }

  // `cron: "m h dom mon dow"` or `every: 30s|5m|2h|1d`, with `timezone:`.
  Result<Cadence> CadenceOf(const YAML::Node& owner, const YAML::Node& cron, const YAML::Node& every,
                            const YAML::Node* zone, const std::string& what) {
    Cadence c;
    if (zone != nullptr && *zone) {
      CII_ASSIGN_OR_RETURN(c.tz, Zone(*zone, what + ".timezone"));
    }
    if (cron && every) return r_.Fail(every, "expected either cron or every in " + what + ", not both");
    if (cron) {
      CII_ASSIGN_OR_RETURN(c.text, r_.String(cron, what + ".cron"));
      size_t offset = 0;
      auto spec = ParseCron(c.text, &offset);
      if (!spec) {
        auto pos = r_.TextStart(cron);
        pos.column += static_cast<int>(offset);
        return r_.Fail(pos, "bad cron expression: " + spec.error().message());
      }
      c.cron = *spec;
      return c;
    }
    if (every) {
      CII_ASSIGN_OR_RETURN(c.text, r_.String(every, what + ".every"));
      CII_ASSIGN_OR_RETURN(c.every_seconds, Duration(every, what + ".every"));
      return c;
    }
    return r_.Fail(owner, "expected cron or every in " + what);
  }

  // 30s | 15m | 2h | 1d (at most a year), in seconds.
  Result<int64_t> Duration(const YAML::Node& n, const std::string& what) {
    CII_ASSIGN_OR_RETURN(std::string s, r_.String(n, what));
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    std::string_view unit(p, static_cast<size_t>(s.data() + s.size() - p));
    int64_t mult = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (ec != std::errc() || v < 1 || mult == 0 || v > 366 * 86400 / mult) {
      return r_.Fail(n, "expected " + what + " like 30s, 15m, 2h or 1d, got '" + s + "'");
    }
    return v * mult;
  }

  Status Authorizations(const YAML::Node& n, Config& c) {
    if (!n.IsSequence()) return r_.Fail(n, "expected authorizations to be a list, got " + YamlReader::Describe(n));
    for (const auto& a : n) {
      CII_RETURN_IF_ERROR(r_.CheckKeys(a, "an authorization", {"ref", "issuer", "scope", "from", "to"}));
      ConfigAuthorization auth;
      for (const char* key : {"ref", "issuer", "scope", "from", "to"}) {
        if (!a[key]) return r_.Fail(a, std::string("expected '") + key + "' in the authorization");
      }
      CII_ASSIGN_OR_RETURN(auth.ref, r_.String(a["ref"], "authorization ref"));
      CII_ASSIGN_OR_RETURN(auth.issuer, r_.String(a["issuer"], "authorization issuer"));
      CII_ASSIGN_OR_RETURN(auth.scope, r_.StringList(a["scope"], "authorization scope"));
      CII_ASSIGN_OR_RETURN(int64_t from, Date(a["from"], "authorization from", TimeZone::Utc()));
      CII_ASSIGN_OR_RETURN(int64_t to, Date(a["to"], "authorization to", TimeZone::Utc()));
      if (to < from) return r_.Fail(a["to"], "authorization ends before it starts");
      auth.from = a["from"].Scalar();
      auth.to = a["to"].Scalar();
      c.authorizations.push_back(std::move(auth));
    }
    return Ok();
  }

  Result<SlaTable> Sla(const YAML::Node& n, const std::string& what) {
    if (!n.IsMap()) return r_.Fail(n, "expected " + what + " to be a mapping of severity to days");
    SlaTable t;
    for (const auto& e : n) {
      const YAML::Node key = e.first;
      CII_ASSIGN_OR_RETURN(std::string sev, Severity(key, what + " key"));
      if (t.count(sev)) return r_.Fail(key, "expected each severity once in " + what);
      CII_ASSIGN_OR_RETURN(t[sev], r_.PositiveInt(e.second, what + "." + sev + " (days)"));
    }
    return t;
  }

  Status Scoring(const YAML::Node& n, Config& c) {
    if (!n.IsMap()) return r_.Fail(n, "expected scoring to be a mapping of severity to weight");
    for (const auto& e : n) {
      const YAML::Node key = e.first;
      CII_ASSIGN_OR_RETURN(std::string sev, Severity(key, "scoring key"));
      const YAML::Node v = e.second;
      double w = -1;
      if (v.IsScalar()) {
        const std::string& s = v.Scalar();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), w);
        if (ec != std::errc() || p != s.data() + s.size()) w = -1;
      }
      if (w < 0 || w > 1000) return r_.Fail(v, "expected scoring." + sev + " to be a number in 0..1000");
      c.scoring[sev] = w;
    }
    return Ok();
  }

  Status Profiles(const YAML::Node& n, Config& c) {
    if (!n.IsMap()) return r_.Fail(n, "expected profiles to be a mapping of name to profile");
    for (const auto& e : n) {
      const YAML::Node key = e.first;
      const YAML::Node v = e.second;
      CII_ASSIGN_OR_RETURN(std::string name, r_.String(key, "a profile name"));
      if (c.profiles.count(name)) return r_.Fail(key, "profile '" + name + "' is defined twice");
      const std::string what = "profile '" + name + "'";
      CII_RETURN_IF_ERROR(r_.CheckKeys(v, what, {"targets", "units", "ports", "engine", "rate",
                                                 "concurrency", "rules", "reports"}));
      Profile p;
      p.name = name;
      p.line = r_.Pos(key).line;
      if (auto t = v["targets"]) {
        CII_ASSIGN_OR_RETURN(p.targets, r_.StringList(t, what + " targets"));
      }
      if (auto u = v["units"]) {
        CII_ASSIGN_OR_RETURN(p.units, r_.StringList(u, what + " units"));
      }
      if (p.targets.empty() && p.units.empty()) return r_.Fail(v, "expected targets or units in " + what);
      if (auto m = v["ports"]) {
        CII_ASSIGN_OR_RETURN(p.ports, r_.String(m, what + " ports"));
        if (auto pl = core::PortList::Parse(p.ports); !pl) return r_.Fail(m, pl.error().message());
      }
      if (auto m = v["engine"]) {
        CII_ASSIGN_OR_RETURN(p.engine, r_.String(m, what + " engine"));
        if (p.engine != "connect" && p.engine != "syn") {
          return r_.Fail(m, "expected engine connect or syn, got '" + p.engine + "'");
        }
      }
      if (auto m = v["rate"]) {
        CII_ASSIGN_OR_RETURN(p.rate, r_.PositiveInt(m, what + " rate"));
      }
      if (auto m = v["concurrency"]) {
        CII_ASSIGN_OR_RETURN(p.concurrency, r_.PositiveInt(m, what + " concurrency"));
      }
      if (auto m = v["rules"]) {
        CII_ASSIGN_OR_RETURN(auto packs, r_.StringList(m, what + " rules"));
        for (auto& pack : packs) {
          fs::path pp(pack);
          p.rule_packs.push_back(pp.is_absolute() || base_.empty() ? pack : (base_ / pp).lexically_normal().string());
        }
      }
      if (auto m = v["reports"]) CII_RETURN_IF_ERROR(Reports(m, what, p));
      c.profiles.emplace(name, std::move(p));
    }
    return Ok();
  }

  Status Reports(const YAML::Node& n, const std::string& what, Profile& p) {
    if (!n.IsSequence()) return r_.Fail(n, "expected " + what + " reports to be a list");
    for (const auto& e : n) {
      CII_RETURN_IF_ERROR(r_.CheckKeys(e, "a report", {"kind", "format", "dir", "sign"}));
      ReportSpec spec;
      if (auto k = e["kind"]) {
        CII_ASSIGN_OR_RETURN(spec.kind, r_.String(k, "report kind"));
        static const std::set<std::string> kKinds = {"inventory", "ledger", "assessment", "diff",
                                                     "drill", "scorecard", "notice"};
        if (kKinds.count(spec.kind) == 0) {
          return r_.Fail(k, "expected report kind inventory, ledger, assessment, diff, drill, scorecard or notice, got '" +
                                spec.kind + "'");
        }
      }
      if (auto f = e["format"]) {
        CII_ASSIGN_OR_RETURN(spec.format, r_.String(f, "report format"));
        if (spec.format != "html" && spec.format != "xlsx" && spec.format != "csv" &&
            spec.format != "json" && spec.format != "md" && spec.format != "pdf") {
          return r_.Fail(f, "expected report format html, xlsx, csv, json, md or pdf, got '" + spec.format + "'");
        }
      }
      spec.dir = base_.empty() ? "reports" : (base_ / "reports").string();
      if (auto d = e["dir"]) {
        CII_ASSIGN_OR_RETURN(spec.dir, PathOf(d, "report dir"));
      }
      if (auto s = e["sign"]) {
        CII_ASSIGN_OR_RETURN(spec.sign, r_.Bool(s, "report sign"));
      }
      p.reports.push_back(std::move(spec));
    }
    return Ok();
  }

  Status Schedules(const YAML::Node& n, Config& c) {
    if (!n.IsSequence()) return r_.Fail(n, "expected schedules to be a list");
    for (const auto& e : n) {
      CII_RETURN_IF_ERROR(r_.CheckKeys(e, "a schedule", {"name", "profile", "cron", "every", "timezone"}));
      Schedule s;
      s.line = r_.Pos(e).line;
      if (!e["profile"]) return r_.Fail(e, "expected 'profile' in the schedule");
      CII_ASSIGN_OR_RETURN(s.profile, r_.String(e["profile"], "schedule profile"));
      if (!c.profiles.count(s.profile)) {
        return r_.Fail(e["profile"], "schedule names profile '" + s.profile + "', which is not defined under profiles");
      }
      s.name = s.profile;
      if (auto m = e["name"]) {
        CII_ASSIGN_OR_RETURN(s.name, r_.String(m, "schedule name"));
      }
      const YAML::Node tz_node = e["timezone"];
      for (const auto& other : c.schedules) {
        if (other.name == s.name) return r_.Fail(e, "two schedules are named '" + s.name + "'");
      }
      CII_ASSIGN_OR_RETURN(s.cadence, CadenceOf(e, e["cron"], e["every"], &tz_node, "schedule '" + s.name + "'"));
      c.schedules.push_back(std::move(s));
    }
    return Ok();
  }

  Status KeyPeriods(const YAML::Node& n, Config& c) {
    if (!n.IsSequence()) return r_.Fail(n, "expected key_periods to be a list");
    for (const auto& e : n) {
      CII_RETURN_IF_ERROR(r_.CheckKeys(e, "a key period", {"name", "from", "to", "timezone", "scope", "overrides"}));
      KeyPeriod k;
      k.line = r_.Pos(e).line;
      for (const char* key : {"name", "from", "to"}) {
        if (!e[key]) return r_.Fail(e, std::string("expected '") + key + "' in the key period");
      }
      CII_ASSIGN_OR_RETURN(k.name, r_.String(e["name"], "key period name"));
      if (auto z = e["timezone"]) {
        CII_ASSIGN_OR_RETURN(k.tz, Zone(z, "key period timezone"));
      }
      CII_ASSIGN_OR_RETURN(k.from, Date(e["from"], "key period from", k.tz));
      CII_ASSIGN_OR_RETURN(k.to, Date(e["to"], "key period to", k.tz));
      if (e["to"].Scalar().size() == 10) k.to += 86400;  // a date `to` includes that day
      if (k.to <= k.from) return r_.Fail(e["to"], "key period '" + k.name + "' ends before it starts");
      if (auto s = e["scope"]) {
        CII_ASSIGN_OR_RETURN(k.scope, r_.StringList(s, "key period scope"));
        for (size_t i = 0; i < k.scope.size(); ++i) {
          if (!c.profiles.count(k.scope[i])) {
            return r_.Fail(s.IsSequence() ? s[i] : s, "key period scope names profile '" + k.scope[i] + "', which is not defined");
          }
        }
      }
      if (auto o = e["overrides"]) {
        CII_RETURN_IF_ERROR(r_.CheckKeys(o, "key period overrides", {"cron", "every", "sla", "alert_threshold"}));
        if (o["cron"] || o["every"]) {
          CII_ASSIGN_OR_RETURN(auto cad, CadenceOf(o, o["cron"], o["every"], nullptr, "overrides"));
          cad.tz = k.tz;
          k.cadence = cad;
        }
        if (auto s = o["sla"]) {
          CII_ASSIGN_OR_RETURN(k.sla, Sla(s, "overrides.sla"));
        }
        if (auto t = o["alert_threshold"]) {
          CII_ASSIGN_OR_RETURN(k.alert_threshold, Severity(t, "alert_threshold"));
        }
      }
      c.key_periods.push_back(std::move(k));
    }
    return Ok();
  }

  Status Alerts(const YAML::Node& n, Config& c) {
    CII_RETURN_IF_ERROR(r_.CheckKeys(n, "alerts", {"sinks", "rate_per_hour", "threshold", "period"}));
    if (auto m = n["rate_per_hour"]) {
      CII_ASSIGN_OR_RETURN(c.alert_rate_per_hour, r_.PositiveInt(m, "alerts.rate_per_hour"));
      if (c.alert_rate_per_hour > 100000) return r_.Fail(m, "expected alerts.rate_per_hour at most 100000");
    }
    if (auto m = n["threshold"]) {
      CII_ASSIGN_OR_RETURN(c.alert_threshold, Severity(m, "alerts.threshold"));
    }
    if (auto m = n["period"]) {
      CII_ASSIGN_OR_RETURN(c.alert_period_seconds, Duration(m, "alerts.period"));
    }
    auto sinks = n["sinks"];
    if (!sinks) return Ok();
    if (!sinks.IsSequence()) return r_.Fail(sinks, "expected alerts.sinks to be a list");
    for (const auto& e : sinks) {
      if (!e.IsMap() || !e["type"]) return r_.Fail(e, "expected a sink with a type (file, webhook, syslog, email)");
      AlertSink s;
      CII_ASSIGN_OR_RETURN(s.type, r_.String(e["type"], "sink type"));
      std::vector<std::string_view> common = {"type", "lang", "min_severity"};
      auto allowed = [&](std::vector<std::string_view> extra) {
        extra.insert(extra.end(), common.begin(), common.end());
        return r_.CheckKeys(e, s.type + " sink", extra);
      };
      if (s.type == "file") {
        CII_RETURN_IF_ERROR(allowed({"path"}));
        if (!e["path"]) return r_.Fail(e, "expected 'path' in the file sink");
        CII_ASSIGN_OR_RETURN(s.path, PathOf(e["path"], "sink path"));
      } else if (s.type == "webhook") {
        CII_RETURN_IF_ERROR(allowed({"url", "secret", "timeout_ms", "retries"}));
        if (!e["url"]) return r_.Fail(e, "expected 'url' in the webhook sink");
        CII_ASSIGN_OR_RETURN(s.url, r_.String(e["url"], "webhook url"));
        if (!s.url.starts_with("http://") && !s.url.starts_with("https://")) {
          return r_.Fail(e["url"], "expected an http:// or https:// URL, got '" + s.url + "'");
        }
        if (auto m = e["secret"]) {
          CII_ASSIGN_OR_RETURN(s.secret, r_.String(m, "webhook secret"));
        }
        if (auto m = e["timeout_ms"]) {
          CII_ASSIGN_OR_RETURN(s.timeout_ms, r_.PositiveInt(m, "timeout_ms"));
        }
        if (auto m = e["retries"]) {
          CII_ASSIGN_OR_RETURN(s.retries, r_.PositiveInt(m, "retries"));
        }
        if (s.timeout_ms > 60000) return r_.Fail(e["timeout_ms"], "expected timeout_ms at most 60000");
        if (s.retries > 10) return r_.Fail(e["retries"], "expected retries at most 10");
      } else if (s.type == "syslog") {
        CII_RETURN_IF_ERROR(allowed({"address", "facility"}));
        s.address = "/dev/log";
        if (auto m = e["address"]) {
          CII_ASSIGN_OR_RETURN(s.address, r_.String(m, "syslog address"));
        }
        if (auto m = e["facility"]) {
          CII_ASSIGN_OR_RETURN(s.facility, r_.String(m, "syslog facility"));
        }
      } else if (s.type == "email") {
        CII_RETURN_IF_ERROR(allowed({"smtp", "from", "to", "timeout_ms"}));
        for (const char* key : {"smtp", "from", "to"}) {
          if (!e[key]) return r_.Fail(e, std::string("expected '") + key + "' in the email sink");
        }
        CII_ASSIGN_OR_RETURN(s.address, r_.String(e["smtp"], "smtp"));
        CII_ASSIGN_OR_RETURN(s.from, r_.String(e["from"], "from"));
        CII_ASSIGN_OR_RETURN(s.to, r_.StringList(e["to"], "to"));
        if (auto m = e["timeout_ms"]) {
          CII_ASSIGN_OR_RETURN(s.timeout_ms, r_.PositiveInt(m, "timeout_ms"));
        }
      } else {
        return r_.Fail(e["type"], "expected sink type file, webhook, syslog or email, got '" + s.type + "'");
      }
      if (auto m = e["lang"]) {
        CII_ASSIGN_OR_RETURN(s.lang, r_.String(m, "sink lang"));
        if (s.lang != "zh" && s.lang != "en") return r_.Fail(m, "expected lang zh or en, got '" + s.lang + "'");
      }
      if (auto m = e["min_severity"]) {
        CII_ASSIGN_OR_RETURN(s.min_severity, Severity(m, "min_severity"));
      }
      c.sinks.push_back(std::move(s));
    }
    return Ok();
  }

  YamlReader r_;
  fs::path base_;
};

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    ConfigParser parser(text, path);
    return parser.Parse(root);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kParse, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                        std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, path + ": cannot read the configuration");
  constexpr size_t kCap = 1 << 20;
  std::string text(kCap + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kCap) return Error(ErrorCode::kInvalidArgument, path + ": larger than 1 MiB; not a configuration");
  return ParseConfig(text, path);
}

}  // namespace ciiscope::service
