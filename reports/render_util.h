#pragma once
// Helpers shared by the renderers. Internal to reports/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model/model.h"
#include "reports/report.h"

namespace ciiscope::reports {

// Bytes kept of one value in an HTML table cell.
inline constexpr size_t kHtmlCellMaxBytes = 512;
// Bytes kept of one CSV cell (spreadsheets cap a cell at 32767 characters).
inline constexpr size_t kCsvCellMaxBytes = 32000;

// Network text for display: valid UTF-8, controls and bidi overrides shown
// as escapes (core::Printable), cut to max_bytes on a UTF-8 boundary.
// Not escaped for any format: pass the result through HtmlEscape/CsvField.
std::string DisplayText(std::string_view s, size_t max_bytes);

// ISO-8601 UTC, or "" for 0.
std::string FormatTime(int64_t unix_millis);

std::string Join(const std::vector<std::string>& items, std::string_view sep);

// The title/remediation in lang, falling back to the other language.
const std::string& Localized(const inventory::LocalizedText& text, Lang lang);

// "10.0.0.1:443", "[2001:db8::1]:443", or the bare address when port is 0.
std::string Endpoint(std::string_view address, uint16_t port);

// One row of the "assets and services" table: each asset with each of its
// services (matched by asset_id, else by address), an asset without services
// once with service == nullptr, then services of no listed asset with
// asset == nullptr. Pointers into the model.
struct AssetServiceRow {
  const inventory::Asset* asset = nullptr;
  const inventory::Service* service = nullptr;
};
std::vector<AssetServiceRow> AssetServiceRows(const ReportModel& model);

}  // namespace ciiscope::reports
