#pragma once
// A cost forecast run: the daily spend of a tenant forecast for the next 30, 60 or 90 days, in
// total and (optionally) per value of one dimension, reconciled so that the groups add up to the
// total, with the backtest accuracy of each series and the model version that made it.
// docs/forecasting.md ("Cost forecasts") explains every field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"

namespace costwise {

// The prediction interval levels of a cost forecast, percent: the stored columns lo80/hi80 and
// lo95/hi95.
inline constexpr double kInnerForecastLevel = 80;
inline constexpr double kOuterForecastLevel = 95;

// What a series of a run forecasts: the tenant's total spend (in one currency), one value of the
// group-by dimension, or the rest of the values together ("Other").
enum class ForecastSeriesKind { kTotal, kValue, kOther };

// "total", "value", "other"; the Parse function accepts exactly these names.
[[nodiscard]] std::string_view ForecastSeriesKindName(ForecastSeriesKind kind);
[[nodiscard]] std::optional<ForecastSeriesKind> ParseForecastSeriesKind(std::string_view text);

// One forecast day, in the series' currency. lower/upper: the 80% and 95% intervals.
struct CostForecastPoint {
  Date day;
  Money mean;
  Money lower80;
  Money upper80;
  Money lower95;
  Money upper95;
  friend bool operator==(const CostForecastPoint&, const CostForecastPoint&) = default;
};

// Rolling-origin backtest accuracy of a series' model (before reconciliation). Every measure is
// empty when the history was too short to backtest (points 0).
struct ForecastAccuracy {
  int points = 0;                    // backtest days compared
  std::optional<double> mape;        // percent; days with no spend left out
  std::optional<double> smape;       // percent, M4's definition
  std::optional<double> mase;        // against the in-sample weekly seasonal naive
  std::optional<double> coverage80;  // percent of backtest days inside the 80% interval
  std::optional<double> coverage95;
  friend bool operator==(const ForecastAccuracy&, const ForecastAccuracy&) = default;
};

struct CostForecast {
  std::int64_t id = 0;  // 0 until stored
  ForecastSeriesKind kind = ForecastSeriesKind::kTotal;
  std::string group_value;        // the dimension's value; "" for the total and for Other
  std::int32_t other_values = 0;  // kOther: how many values it gathers
  std::string currency;
  std::string model;  // "combination(ETS(A,N,A) 60%, additive 40%)"
  ForecastAccuracy backtest;
  // What reconciliation changed: the reconciled forecast minus the model's own, summed over the
  // horizon (0 for a run without groups).
  Money adjustment;
  std::vector<CostForecastPoint> points;  // one per day after the last day of data
};

// Everything one forecast request made; the store keeps the latest run per tenant, group-by and
// horizon.
struct CostForecastRun {
  std::string group_by;  // "" (total only), "service", "account", "region", "usage-type", "tag:KEY"
  int horizon = 0;       // days: 30, 60 or 90
  Date as_of;            // the last day of cost data; the forecast starts the day after
  std::int64_t created_at = 0;  // Unix seconds
  std::int64_t model_id = 0;    // ml_models row of the forecaster configuration
  std::string model_version;    // "forecaster/1" (read from the store)
  // Per currency: the total, then the values by spend, then Other.
  std::vector<CostForecast> series;
};

// "total", "service=Amazon EC2", "service=" (a cost without a service), "tag:team=(other)".
[[nodiscard]] std::string ForecastSeriesLabel(std::string_view group_by,
                                              const CostForecast& forecast);

// "80,95": the levels a run's lower/upper columns hold, as stored.
[[nodiscard]] std::string ForecastLevelsText();

}  // namespace costwise
