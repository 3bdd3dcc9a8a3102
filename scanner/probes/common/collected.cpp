#include "scanner/probes/common/collected.h"

#include <charconv>
#include <cstdint>

#include "scanner/evidence.h"
#include "scanner/probes/common/dialogue.h"

namespace ciiscope::scanner {

bool WantsCollect(const ProbeContext& ctx, std::string_view name) {
  return ctx.http_collect != nullptr && ctx.http_collect->Wants(name);
}

nlohmann::json CollectScalar(std::string_view value) {
  std::string_view digits = value.starts_with('-') ? value.substr(1) : value;
  if (!digits.empty() && digits.size() <= 18 && digits.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && ptr == value.data() + value.size()) return n;
  }
  return EvidenceText(value, kMaxCollectValueBytes);
}

nlohmann::json BoundedJson(const nlohmann::json& value, int depth) {
  if (value.is_string()) return EvidenceText(value.get_ref<const std::string&>(), kMaxCollectValueBytes);
  if (!value.is_structured()) return value;
  if (depth >= kMaxCollectDepth) return nullptr;
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) {
      if (out.size() >= kMaxCollectKeys) break;
      out.push_back(BoundedJson(item, depth + 1));
    }
    return out;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : value.items()) {
    if (out.size() >= kMaxCollectKeys) break;
    out[EvidenceText(key, kMaxCollectKeyBytes)] = BoundedJson(item, depth + 1);
  }
  return out;
}

void RecordCollect(const ProbeContext& ctx, std::string_view name, nlohmann::json fields,
                   std::string raw) {
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["request"] = name;
  auto obs = MakeObservation(ctx.target, ctx.port, "collect");
  obs.data_json = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  obs.raw = std::move(raw);
  ctx.sink->Record(std::move(obs));
}

}  // namespace ciiscope::scanner
