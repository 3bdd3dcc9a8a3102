#include "reports/render_util.h"

#include "core/clock.h"
#include "core/text.h"

namespace ciiscope::reports {

std::string DisplayText(std::string_view s, size_t max_bytes) {
  // Cut first (bounded work on huge values), then make it printable, then cut
  // again: Printable may grow the text up to 8x.
  std::string head = core::TruncateUtf8(core::SanitizeUtf8(s.substr(0, max_bytes + 4)),
                                        max_bytes);
  if (s.size() > max_bytes + 4 && !head.ends_with("\xE2\x80\xA6")) head += "\xE2\x80\xA6";
  return core::TruncateUtf8(core::Printable(head), max_bytes);
}

std::string FormatTime(int64_t unix_millis) {
  if (unix_millis == 0) return "";
  return core::FormatIsoTime(unix_millis);
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

const std::string& Localized(const inventory::LocalizedText& text, Lang lang) {
  const std::string& first = lang == Lang::kZh ? text.zh : text.en;
  const std::string& second = lang == Lang::kZh ? text.en : text.zh;
  return first.empty() ? second : first;
}

std::string Endpoint(std::string_view address, uint16_t port) {
  if (port == 0) return std::string(address);
  bool v6 = address.find(':') != std::string_view::npos;
  std::string out = v6 ? "[" + std::string(address) + "]" : std::string(address);
  return out + ":" + std::to_string(port);
}

std::vector<AssetServiceRow> AssetServiceRows(const ReportModel& model) {
  auto belongs = [](const inventory::Service& s, const inventory::Asset& a) {
    return (a.id != 0 && s.asset_id != 0) ? s.asset_id == a.id : s.address == a.address;
  };
  std::vector<AssetServiceRow> rows;
  std::vector<bool> used(model.services.size(), false);
  for (const inventory::Asset& asset : model.assets) {
    bool any = false;
    for (size_t i = 0; i < model.services.size(); ++i) {
      if (used[i] || !belongs(model.services[i], asset)) continue;
      used[i] = true;
      any = true;
      rows.push_back({&asset, &model.services[i]});
    }
    if (!any) rows.push_back({&asset, nullptr});
  }
  for (size_t i = 0; i < model.services.size(); ++i) {
    if (!used[i]) rows.push_back({nullptr, &model.services[i]});
  }
  return rows;
}

}  // namespace ciiscope::reports
