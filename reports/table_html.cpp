// TableReport as one self-contained HTML page (same CSP, script and escaping
// as the assessment page), with inline SVG charts. Rows are written as they
// stream in.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/text.h"
#include "reports/html_assets.h"
#include "reports/i18n/messages.h"
#include "reports/render_util.h"
#include "reports/table_report.h"

namespace ciiscope::reports {
namespace {

std::string H(std::string_view s) { return core::HtmlEscape(DisplayText(s, kHtmlCellMaxBytes)); }

// Chart labels: counts as integers ("5", not "5.0"), scores with one decimal.
std::string Fixed(double v) {
  if (!std::isfinite(v)) v = 0.0;
  char buf[32];
  const bool integral = std::fabs(v) < 1e15 && v == std::trunc(v);
  std::snprintf(buf, sizeof(buf), integral ? "%.0f" : "%.1f", v);
  return buf;
}

constexpr const char* kPalette[] = {"#0b3d63", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a",
                                    "#00838f"};

void SvgOpen(std::ostream& out, const std::string& label, int w, int h) {
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" << label
      << "\" width=\"" << w << "\" height=\"" << h << "\" viewBox=\"0 0 " << w << ' ' << h
      << "\">\n<title>" << label << "</title>\n";
}

void LineChart(std::ostream& out, const TableChart& c, const std::string& label) {
  constexpr int kW = 520, kH = 220, kLeft = 40, kRight = 16, kTop = 12, kBottom = 40;
  double y_max = c.y_max;
  for (const auto& p : c.points) y_max = std::max(y_max, p.value);
  if (y_max <= 0) y_max = 1;
  SvgOpen(out, label, kW, kH);
  const int plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  for (int i = 0; i <= 4; ++i) {
    double v = y_max * i / 4;
    int y = kTop + plot_h - static_cast<int>(plot_h * i / 4);
    out << "<line x1=\"" << kLeft << "\" x2=\"" << kW - kRight << "\" y1=\"" << y << "\" y2=\""
        << y << "\" stroke=\"#d9e2ec\"/><text x=\"" << kLeft - 6 << "\" y=\"" << y + 4
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"#616e7c\">" << Fixed(v) << "</text>\n";
  }
  const size_t n = c.points.size();
  auto x_of = [&](size_t i) {
    return kLeft + (n <= 1 ? plot_w / 2 : static_cast<int>(plot_w * i / (n - 1)));
  };
  auto y_of = [&](double v) { return kTop + plot_h - static_cast<int>(plot_h * v / y_max); };
  if (n > 1) {
    out << "<polyline fill=\"none\" stroke=\"#0b3d63\" stroke-width=\"2\" points=\"";
    for (size_t i = 0; i < n; ++i) out << x_of(i) << ',' << y_of(c.points[i].value) << ' ';
    out << "\"/>\n";
  }
  for (size_t i = 0; i < n; ++i) {
    out << "<circle cx=\"" << x_of(i) << "\" cy=\"" << y_of(c.points[i].value)
        << "\" r=\"3.5\" fill=\"#0b3d63\"><title>" << H(c.points[i].label) << ": "
        << Fixed(c.points[i].value) << "</title></circle>\n";
    if (n <= 8 || i == 0 || i + 1 == n) {
      out << "<text x=\"" << x_of(i) << "\" y=\"" << kH - kBottom + 16
          << "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#616e7c\">"
          << H(core::TruncateUtf8(c.points[i].label, 10)) << "</text>\n";
    }
  }
  out << "</svg>";
}

void BarChart(std::ostream& out, const TableChart& c, const std::string& label) {
  constexpr int kLabelW = 200, kBarMax = 280, kRow = 26, kW = 540;
  double max = c.y_max;
  for (const auto& p : c.points) max = std::max(max, p.value);
  if (max <= 0) max = 1;
  int h = kRow * static_cast<int>(c.points.size()) + 4;
  SvgOpen(out, label, kW, std::max(h, 30));
  for (size_t i = 0; i < c.points.size(); ++i) {
    const auto& p = c.points[i];
    int y = static_cast<int>(i) * kRow + 4;
    int w = p.value <= 0 ? 0 : std::max(2, static_cast<int>(p.value * kBarMax / max));
    out << "<text x=\"0\" y=\"" << y + 15 << "\" font-size=\"12\" fill=\"#1f2933\">"
        << H(core::TruncateUtf8(p.label, 40)) << "</text><rect x=\"" << kLabelW << "\" y=\"" << y
        << "\" width=\"" << w << "\" height=\"18\" rx=\"3\" fill=\""
        << kPalette[static_cast<size_t>(p.series) % std::size(kPalette)] << "\"/><text x=\""
        << kLabelW + w + 6 << "\" y=\"" << y + 14
        << "\" font-size=\"12\" font-weight=\"600\" fill=\"#1f2933\">" << Fixed(p.value)
        << "</text>\n";
  }
  out << "</svg>";
}

// Lanes of markers on a time axis from x_from to x_until.
void Timeline(std::ostream& out, const TableChart& c, const std::string& label) {
  constexpr int kW = 760, kLeft = 130, kRight = 20, kLane = 30, kTop = 8, kAxis = 34;
  const int lanes = std::max<int>(1, static_cast<int>(c.series_names.size()));
  const int h = kTop + lanes * kLane + kAxis;
  SvgOpen(out, label, kW, h);
  const int64_t from = c.x_from;
  const int64_t until = std::max(c.x_until, from + 1);
  const int plot_w = kW - kLeft - kRight;
  auto x_of = [&](double t) {
    double f = (t - static_cast<double>(from)) / static_cast<double>(until - from);
    return kLeft + static_cast<int>(plot_w * std::clamp(f, 0.0, 1.0));
  };
  for (int lane = 0; lane < lanes; ++lane) {
    int y = kTop + lane * kLane + kLane / 2;
    std::string name = lane < static_cast<int>(c.series_names.size())
                           ? c.series_names[static_cast<size_t>(lane)]
                           : std::string();
    out << "<text x=\"0\" y=\"" << y + 4 << "\" font-size=\"12\" fill=\"#1f2933\">"
        << H(core::TruncateUtf8(name, 20)) << "</text><line x1=\"" << kLeft << "\" x2=\""
        << kW - kRight << "\" y1=\"" << y << "\" y2=\"" << y << "\" stroke=\"#d9e2ec\"/>\n";
  }
  for (const auto& p : c.points) {
    int lane = std::clamp(p.series, 0, lanes - 1);
    int y = kTop + lane * kLane + kLane / 2;
    out << "<circle cx=\"" << x_of(p.value) << "\" cy=\"" << y << "\" r=\"5\" fill=\""
        << kPalette[static_cast<size_t>(lane) % std::size(kPalette)]
        << "\" fill-opacity=\"0.8\"><title>" << H(p.label) << "</title></circle>\n";
  }
  int axis_y = kTop + lanes * kLane + 6;
  out << "<line x1=\"" << kLeft << "\" x2=\"" << kW - kRight << "\" y1=\"" << axis_y
      << "\" y2=\"" << axis_y << "\" stroke=\"#616e7c\"/>";
  for (int i = 0; i <= 4; ++i) {
    int64_t t = from + (until - from) * i / 4;
    out << "<text x=\"" << kLeft + plot_w * i / 4 << "\" y=\"" << axis_y + 16
        << "\" font-size=\"10\" text-anchor=\"" << (i == 0 ? "start" : i == 4 ? "end" : "middle")
        << "\" fill=\"#616e7c\">" << H(FormatTime(t).substr(0, 16)) << "</text>";
  }
  out << "\n</svg>";
}

class Page {
 public:
  Page(const TableReport& r, std::ostream& out) : r_(r), out_(out) {}

  Status Write() {
    out_ << "<!DOCTYPE html>\n<html lang=\"" << LangTag(r_.lang) << "\">\n<head>\n"
         << "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\""
         << TableReportCsp() << "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<meta name=\"generator\" content=\"ciiscope\">\n<title>" << T(Msg::kProduct)
         << " \xE2\x80\x94 " << H(r_.title) << "</title>\n<style>" << HtmlReportCss()
         << "</style>\n<style>" << TableReportCss() << "</style>\n</head>\n<body>\n"
         << "<header class=\"top\"><div class=\"brand\">" << T(Msg::kProduct) << "</div><h1>"
         << H(r_.title) << "</h1><div class=\"meta\">" << T(Msg::kGeneratedAt) << ": "
         << H(FormatTime(r_.generated_at)) << "</div></header>\n<main>\n";
    Summary();
    for (size_t i = 0; i < r_.sections.size(); ++i) CII_RETURN_IF_ERROR(Section(r_.sections[i], i));
    out_ << "</main>\n<footer>" << T(Msg::kFooterNote) << "</footer>\n<script>"
         << HtmlReportScript() << "</script>\n</body>\n</html>\n";
    return out_ ? Ok() : Error(ErrorCode::kIo, "write failed");
  }

 private:
  std::string T(Msg id) const { return core::HtmlEscape(Tr(r_.lang, id)); }

  void Summary() {
    out_ << "<section id=\"summary\"><h2>" << T(Msg::kSummary) << "</h2>\n<dl class=\"facts\">\n";
    for (const auto& [label, value] : r_.facts) {
      out_ << "<dt>" << H(label) << "</dt><dd>" << H(value) << "</dd>\n";
    }
    out_ << "</dl>\n";
    if (!r_.charts.empty()) {
      out_ << "<div class=\"charts\">\n";
      for (const TableChart& c : r_.charts) {
        std::string label = H(c.title);
        out_ << "<figure><figcaption>" << label << "</figcaption>\n";
        if (c.kind == TableChart::Kind::kLine) LineChart(out_, c, label);
        if (c.kind == TableChart::Kind::kBars) BarChart(out_, c, label);
        if (c.kind == TableChart::Kind::kTimeline) Timeline(out_, c, label);
        out_ << "</figure>\n";
      }
      out_ << "</div>\n";
    }
    out_ << "</section>\n";
  }

  void TableHead(const TableSection& s, const std::string& id) {
    out_ << "<div class=\"scroll\"><table class=\"data\" id=\"" << id << "\">\n<thead><tr>";
    for (const TableColumn& c : s.columns) {
      out_ << "<th scope=\"col\"" << (c.numeric ? " data-type=\"number\"" : "")
           << "><button type=\"button\">" << H(c.label) << "</button></th>";
    }
    out_ << "</tr></thead>\n<tbody>\n";
  }

  void Row(const TableRow& row) {
    out_ << "<tr>";
    for (const TableCell& c : row) {
      out_ << "<td";
      std::string cls = c.is_number ? "num" : "";
      if (!c.css.empty()) cls += (cls.empty() ? "" : " ") + c.css;
      if (!cls.empty()) out_ << " class=\"" << cls << '"';
      if (c.is_number) out_ << " data-sort=\"" << c.text << '"';
      out_ << '>' << H(c.text) << "</td>";
    }
    out_ << "</tr>\n";
  }

  Status Section(const TableSection& s, size_t index) {
    // Ids come from the builder ([a-z_]); the index keeps them unique.
    const std::string id = "t" + std::to_string(index) + "-" + s.id;
    out_ << "<section id=\"" << id << "-section\"><h2>" << H(s.title) << "</h2>\n";
    if (!s.intro.empty()) out_ << "<p class=\"intro\">" << H(s.intro) << "</p>\n";
    bool grouped = s.group_by >= 0;
    if (!grouped) {
      out_ << "<div class=\"tools\"><input type=\"search\" hidden data-filter=\"" << id
           << "\" placeholder=\"" << T(Msg::kFilterPlaceholder) << "\" aria-label=\""
           << T(Msg::kFilterPlaceholder) << "\"><span class=\"count\" id=\"" << id
           << "-count\"></span></div>\n";
    }
    size_t rows = 0;
    std::string group;
    CII_RETURN_IF_ERROR(s.rows([&](const TableRow& row) -> Status {
      if (grouped) {
        const std::string& key = row[static_cast<size_t>(s.group_by)].text;
        if (rows == 0 || key != group) {
          if (rows > 0) out_ << "</tbody></table></div></article>\n";
          group = key;
          out_ << "<article class=\"notice\"><h3>"
               << H(s.group_heading ? s.group_heading(row) : key) << "</h3>\n";
          if (s.group_text) {
            out_ << "<p>" << core::HtmlEscape(DisplayText(s.group_text(row), 4096)) << "</p>\n";
          }
          TableHead(s, id + "-" + std::to_string(rows));
        }
      } else if (rows == 0) {
        TableHead(s, id);
      }
      Row(row);
      ++rows;
      return out_ ? Ok() : Error(ErrorCode::kIo, "write failed");
    }));
    if (rows == 0) {
      out_ << "<p class=\"empty\">" << H(s.empty_text) << "</p>";
    } else {
      out_ << "</tbody></table></div>" << (grouped ? "</article>" : "");
    }
    out_ << "\n</section>\n";
    return Ok();
  }

  const TableReport& r_;
  std::ostream& out_;
};

}  // namespace

Status RenderTableHtml(const TableReport& report, std::ostream& out) {
  return Page(report, out).Write();
}

}  // namespace ciiscope::reports
