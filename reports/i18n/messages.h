#pragma once
// The reports' message catalog (zh-CN and en), compiled in. User-facing text
// in reports comes from here; data values (titles, remediation) come from
// the model in both languages.
//
// Adding a message: add an id before kCount and a row in messages.cpp in the
// same position (static_asserts check count and order).

#include <cstddef>
#include <string_view>

#include "reports/report.h"

namespace ciiscope::reports {

enum class Msg {
  kProduct,
  kTitleAssessment,
  kSummary,
  kScanId,
  kTargets,
  kProfile,
  kStarted,
  kFinished,
  kScanStatus,
  kGeneratedAt,
  kNoScan,
  kAssetsCount,
  kServicesCount,
  kOpenServicesCount,
  kFindingsCount,
  kOpenFindingsCount,
  kFindingsBySeverity,
  kFindings,
  kNoFindings,
  kAssetsAndServices,
  kNoServices,
  kFilterPlaceholder,
  kColSeverity,
  kColRule,
  kColTitle,
  kColTarget,
  kColAddress,
  kColHostnames,
  kColPort,
  kColTransport,
  kColState,
  kColService,
  kColProduct,
  kColVersion,
  kColRemediation,
  kColReferences,
  kColFirstSeen,
  kColLastSeen,
  kColStatus,
  kSeverityInfo,
  kSeverityLow,
  kSeverityMedium,
  kSeverityHigh,
  kSeverityCritical,
  kStatusOpen,
  kStatusAcknowledged,
  kStatusFixed,
  kStatusVerified,
  kStatusClosed,
  kStatusReopened,
  kStatusAccepted,
  kStatusFalsePositive,
  kScanRunning,
  kScanDone,
  kScanInterrupted,
  kScanFailed,
  kFooterNote,
  kCount,
};

inline constexpr size_t kMessageCount = static_cast<size_t>(Msg::kCount);

std::string_view Tr(Lang lang, Msg id);
// Localized severity ("高危" / "high"); an unknown value is returned as is.
std::string_view SeverityLabel(Lang lang, std::string_view severity);
// Localized finding status; an unknown value is returned as is.
std::string_view FindingStatusLabel(Lang lang, std::string_view status);
// Localized scan status; an unknown value is returned as is.
std::string_view ScanStatusLabel(Lang lang, std::string_view status);

}  // namespace ciiscope::reports
