#include "core/cost_forecast.h"

#include <array>
#include <utility>

#include <fmt/format.h>

namespace costwise {
namespace {

constexpr std::array<std::pair<ForecastSeriesKind, std::string_view>, 3> kKinds = {{
    {ForecastSeriesKind::kTotal, "total"},
    {ForecastSeriesKind::kValue, "value"},
    {ForecastSeriesKind::kOther, "other"},
}};

constexpr std::string_view kOtherLabel = "(other)";

}  // namespace

std::string_view ForecastSeriesKindName(ForecastSeriesKind kind) {
  for (const auto& [known, name] : kKinds) {
    if (known == kind) return name;
  }
  return "unknown";
}

std::optional<ForecastSeriesKind> ParseForecastSeriesKind(std::string_view text) {
  for (const auto& [known, name] : kKinds) {
    if (name == text) return known;
  }
  return std::nullopt;
}

std::string ForecastSeriesLabel(std::string_view group_by, const CostForecast& forecast) {
  switch (forecast.kind) {
    case ForecastSeriesKind::kTotal:
      return "total";
    case ForecastSeriesKind::kOther:
      return fmt::format("{}={}", group_by, kOtherLabel);
    case ForecastSeriesKind::kValue:
      break;
  }
  return fmt::format("{}={}", group_by, forecast.group_value);
}

std::string ForecastLevelsText() {
  return fmt::format("{},{}", kInnerForecastLevel, kOuterForecastLevel);
}

}  // namespace costwise
