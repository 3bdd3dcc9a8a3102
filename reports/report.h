#pragma once
// Reports (DESIGN.md "Reports"): a builder queries the store into a
// ReportModel; a Renderer writes a model in one format and language.
//
// Renderers are plug-ins (STYLE.md habit 3): a descriptor (format(),
// extension()) plus Render(), registered explicitly with
// RegisterBuiltinRenderers(). Renderers are stateless; Render() is const and
// may be called from several threads at once on different models.
//
// Every string in a model may be attacker-controlled (banners, titles,
// hostnames, certificate names). Renderers make it valid UTF-8 and safe for
// their format; they never trust it.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/model/model.h"

namespace ciiscope::inventory {
class Store;
}  // namespace ciiscope::inventory

namespace ciiscope::reports {

enum class Lang { kZh, kEn };

// "zh", "zh-CN", "zh_CN", "zh-Hans", "en", "en-US" … (case-insensitive).
// Anything else: kInvalidArgument "unknown report language 'X' (use zh or en)".
Result<Lang> ParseLang(std::string_view text);
// BCP 47 tag for the lang attribute and the JSON "lang" field: "zh-CN" / "en".
std::string_view LangTag(Lang lang);

// Severities in ascending order; index = rank.
inline constexpr std::array<std::string_view, 5> kSeverities = {"info", "low", "medium", "high",
                                                                "critical"};
// 0 (info) … 4 (critical); -1 for an unknown value (sorted after info).
int SeverityRank(std::string_view severity);

struct ReportModel {
  std::string kind = "assessment";
  int64_t generated_at = 0;                   // Unix ms
  std::optional<inventory::Scan> scan;        // the scan reported on (latest if not given)
  std::vector<inventory::Asset> assets;       // sorted by address
  std::vector<inventory::Service> services;   // sorted by address, transport, port
  std::vector<inventory::Finding> findings;   // sorted: severity desc, address, port, rule
};

// Counts derived from a model; renderers compute it, so it cannot go stale.
struct ReportSummary {
  int assets = 0;
  int services = 0;
  int open_services = 0;
  int findings = 0;
  std::array<int, 5> by_severity{};  // indexed by SeverityRank
  int unknown_severity = 0;
  int open_findings = 0;  // status open, acknowledged or reopened
};
ReportSummary Summarize(const ReportModel& model);

// Sorts findings (severity desc, address, port, rule id), assets (address)
// and services (address, transport, port). Addresses compare numerically
// when they parse as IPs (10.0.0.9 before 10.0.0.10), IPv4 before IPv6.
void SortReportModel(ReportModel& model);

// Builds the assessment report of scan_id, or of the latest scan when
// scan_id is empty. Contents: the scan; the services with evidence in it and
// their assets (plus assets named by findings); findings last seen in it.
// Errors: kNotFound "no scan in DB; run `ciiscope scan` first" when the store
// holds no scan, kNotFound "scan N not found", or the store's error.
Result<ReportModel> BuildAssessmentReport(inventory::Store& store,
                                          std::optional<int64_t> scan_id);

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual std::string_view format() const = 0;     // "json", "csv", "html"
  virtual std::string_view extension() const = 0;  // ".json", ".csv", ".html"
  // One line for `ciiscope report --list-formats`.
  virtual std::string_view description() const { return {}; }
  // Writes the whole report to out. Does not check out's state; the caller
  // (WriteReportFile) does. Errors are kInternal and unexpected.
  virtual Status Render(const ReportModel& model, Lang lang, std::ostream& out) const = 0;
};

// Owns renderers by format name. Not thread-safe for Register; Find and
// Formats may be called concurrently once registration is done.
class RendererRegistry {
 public:
  // A renderer with a format already registered replaces the earlier one.
  void Register(std::unique_ptr<Renderer> renderer);
  // nullptr if unknown. Format names are compared exactly (lower case).
  const Renderer* Find(std::string_view format) const;
  // Sorted format names.
  std::vector<std::string> Formats() const;

 private:
  std::vector<std::unique_ptr<Renderer>> renderers_;
};

// json, csv, html, md, xlsx.
void RegisterBuiltinRenderers(RendererRegistry& registry);

// Renders into memory, then writes PATH.tmp-XXXXXX in the same directory,
// fsyncs it, renames it over PATH and fsyncs the directory. The file is
// created mode 0600 (reports hold vulnerability data). Errors are one line:
// "cannot write report PATH: <strerror or render error>" (kIo, or the
// render error's code). Nothing is left behind on error; an existing PATH is
// untouched unless the rename succeeded.
Status WriteReportFile(const ReportModel& model, const Renderer& renderer, Lang lang,
                       const std::string& path);

// Writes data to PATH.tmp-XXXXXX (mode 0600), fsyncs, renames it over PATH
// and fsyncs the directory. Error: kIo with strerror only (callers add the
// path). Nothing is left behind on error.
Status WriteFileAtomically(const std::string& path, std::string_view data);

// Like WriteFileAtomically, but `write` streams the content into the temp
// file (nothing is held in memory). An error from write (returned as is)
// or from writing removes the temp file.
Status WriteFileAtomicallyWith(const std::string& path,
                               const std::function<Status(std::ostream&)>& write);

}  // namespace ciiscope::reports
