// TableReport as JSON (schema ciiscope.table-report/1, docs/report-json.md),
// written incrementally: one row object at a time.

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "reports/render_util.h"
#include "reports/table_report.h"

namespace ciiscope::reports {
namespace {

using nlohmann::json;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

// Valid UTF-8, bounded like a CSV cell (a 100 KB banner does not pass whole).
json Str(std::string_view s) {
  return json(core::TruncateUtf8(core::SanitizeUtf8(s.substr(0, kCsvCellMaxBytes + 4)),
                                 kCsvCellMaxBytes));
}

json ChartJson(const TableChart& c) {
  static constexpr const char* kKinds[] = {"line", "bars", "timeline"};
  json points = json::array();
  for (const auto& p : c.points) {
    points.push_back({{"label", Str(p.label)}, {"value", p.value}, {"series", p.series}});
  }
  json series = json::array();
  for (const auto& s : c.series_names) series.push_back(Str(s));
  return {{"kind", kKinds[static_cast<int>(c.kind)]}, {"title", Str(c.title)},
          {"points", points}, {"series", series}, {"from", c.x_from}, {"until", c.x_until}};
}

}  // namespace

Status RenderTableJson(const TableReport& report, std::ostream& out) {
  try {
    json facts = json::array();
    for (const auto& [label, value] : report.facts) {
      facts.push_back({{"label", Str(label)}, {"value", Str(value)}});
    }
    json charts = json::array();
    for (const TableChart& c : report.charts) charts.push_back(ChartJson(c));
    out << "{\"schema\":" << Dump(std::string(kTableReportSchema))
        << ",\"generator\":\"ciiscope\",\"kind\":" << Dump(Str(report.kind))
        << ",\"lang\":" << Dump(std::string(LangTag(report.lang)))
        << ",\"title\":" << Dump(Str(report.title)) << ",\"generated_at\":" << report.generated_at
        << ",\n\"facts\":" << Dump(facts) << ",\n\"charts\":" << Dump(charts)
        << ",\n\"sections\":[";
    bool first_section = true;
    for (const TableSection& s : report.sections) {
      json columns = json::array();
      for (const TableColumn& c : s.columns) {
        columns.push_back({{"key", c.key}, {"label", Str(c.label)},
                           {"type", c.numeric ? "number" : "string"}});
      }
      out << (first_section ? "\n" : ",\n") << "{\"id\":" << Dump(s.id)
          << ",\"title\":" << Dump(Str(s.title)) << ",\"columns\":" << Dump(columns)
          << ",\"rows\":[";
      first_section = false;
      bool first_row = true;
      CII_RETURN_IF_ERROR(s.rows([&](const TableRow& row) -> Status {
        json obj = json::object();
        for (size_t i = 0; i < row.size() && i < s.columns.size(); ++i) {
          const TableCell& c = row[i];
          if (c.is_number) {
            obj[s.columns[i].key] = c.number;
          } else if (s.columns[i].numeric && c.text.empty()) {
            obj[s.columns[i].key] = nullptr;
          } else {
            obj[s.columns[i].key] = Str(c.text);
          }
        }
        out << (first_row ? "\n" : ",\n") << Dump(obj);
        first_row = false;
        return out ? Ok() : Error(ErrorCode::kIo, "write failed");
      }));
      out << "]}";
    }
    out << "]}\n";
    return Ok();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("JSON report: ") + e.what());
  }
}

}  // namespace ciiscope::reports
