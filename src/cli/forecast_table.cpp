#include "cli/forecast_table.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace costwise::cli {
namespace {

constexpr int kMoneyDecimals = 2;
constexpr std::size_t kMaxLabelWidth = 48;
constexpr std::size_t kMaxModelWidth = 60;
constexpr std::string_view kEllipsis = "...";
constexpr std::string_view kMissing = "-";

using Row = std::vector<std::string>;

struct Table {
  Row header;
  std::vector<bool> right_aligned;
  std::vector<Row> rows;
};

std::string Shorten(std::string text, std::size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - kEllipsis.size()) + std::string(kEllipsis);
}

void AppendRow(std::string& out, const Row& row, const std::vector<std::size_t>& widths,
               const std::vector<bool>& right_aligned) {
  std::string line;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) line += "  ";
    line += right_aligned[i] ? fmt::format("{:>{}}", row[i], widths[i])
                             : fmt::format("{:<{}}", row[i], widths[i]);
  }
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}

std::string Render(const Table& table) {
  std::vector<std::size_t> widths;
  for (const std::string& title : table.header) widths.push_back(title.size());
  for (const Row& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  AppendRow(out, table.header, widths, table.right_aligned);
  for (const Row& row : table.rows) AppendRow(out, row, widths, table.right_aligned);
  return out;
}

// "service=(none)" rather than "service=" for the costs without a value.
std::string LabelOf(const std::string& group_by, const CostForecast& forecast) {
  std::string label = ForecastSeriesLabel(group_by, forecast);
  if (forecast.kind == ForecastSeriesKind::kValue && forecast.group_value.empty()) {
    label += "(none)";
  }
  if (forecast.kind == ForecastSeriesKind::kOther) {
    label +=
        fmt::format(" {} value{}", forecast.other_values, forecast.other_values == 1 ? "" : "s");
  }
  return Shorten(std::move(label), kMaxLabelWidth);
}

std::string Range(Money lower, Money upper) {
  return fmt::format("{} .. {}", lower.ToString(kMoneyDecimals), upper.ToString(kMoneyDecimals));
}

std::string Percent(const std::optional<double>& value) {
  return value ? fmt::format("{:.1f}", *value) : std::string(kMissing);
}

std::string Ratio(const std::optional<double>& value) {
  return value ? fmt::format("{:.2f}", *value) : std::string(kMissing);
}

Row SpendRow(const std::string& label, const std::string& currency, std::string period,
             const service::SpendProjection& projection, bool with_actual) {
  return {label,
          currency,
          std::move(period),
          with_actual ? projection.actual.ToString(kMoneyDecimals) : std::string(kMissing),
          projection.expected.ToString(kMoneyDecimals),
          Range(projection.lower80, projection.upper80),
          Range(projection.lower95, projection.upper95)};
}

Table SpendTable(const service::CostForecastReport& report) {
  Table table{
      {"series", "currency", "period", "actual to date", "forecast", "80% range", "95% range"},
      {false, false, false, true, true, true, true},
      {}};
  const CostForecastRun& run = report.run;
  for (std::size_t i = 0; i < run.series.size() && i < report.outlook.size(); ++i) {
    const CostForecast& forecast = run.series[i];
    const service::SeriesOutlook& outlook = report.outlook[i];
    const std::string label = LabelOf(run.group_by, forecast);
    for (const service::SpendProjection& window : outlook.next_days) {
      const int days = window.to.days() - window.from.days() + 1;
      table.rows.push_back(
          SpendRow(label, forecast.currency, fmt::format("next {} days", days), window, false));
    }
    if (outlook.end_of_month) {
      table.rows.push_back(SpendRow(label, forecast.currency,
                                    "month to " + outlook.end_of_month->to.ToString(),
                                    *outlook.end_of_month, true));
    }
    if (outlook.end_of_quarter) {
      table.rows.push_back(SpendRow(label, forecast.currency,
                                    "quarter to " + outlook.end_of_quarter->to.ToString(),
                                    *outlook.end_of_quarter, true));
    }
  }
  return table;
}

Table ModelTable(const CostForecastRun& run) {
  Table table{{"series", "currency", "model", "backtest days", "MAPE %", "sMAPE %", "MASE",
               "in 80% %", "in 95% %", "reconciliation"},
              {false, false, false, true, true, true, true, true, true, true},
              {}};
  for (const CostForecast& forecast : run.series) {
    const ForecastAccuracy& accuracy = forecast.backtest;
    table.rows.push_back({LabelOf(run.group_by, forecast), forecast.currency,
                          Shorten(forecast.model, kMaxModelWidth), std::to_string(accuracy.points),
                          Percent(accuracy.mape), Percent(accuracy.smape), Ratio(accuracy.mase),
                          Percent(accuracy.coverage80), Percent(accuracy.coverage95),
                          forecast.adjustment.ToString(kMoneyDecimals)});
  }
  return table;
}

// Which projections the horizon does not reach.
std::string BeyondHorizonNote(const service::CostForecastReport& report) {
  const Date last = report.run.as_of.AddDays(report.run.horizon);
  std::vector<std::string> beyond;
  if (report.month_end > last) beyond.push_back("month to " + report.month_end.ToString());
  if (report.quarter_end > last) beyond.push_back("quarter to " + report.quarter_end.ToString());
  if (beyond.empty()) return "";
  std::string listed = beyond.front();
  if (beyond.size() > 1) listed += " and " + beyond.back();
  return fmt::format("not projected: {} (after the forecast's last day, {})\n", listed,
                     last.ToString());
}

}  // namespace

std::string CostForecastTables(const service::CostForecastReport& report) {
  const CostForecastRun& run = report.run;
  std::string out =
      fmt::format("cost forecast of tenant '{}'{}: {} days, {} .. {}\n", report.tenant,
                  run.group_by.empty() ? std::string() : " by " + run.group_by, run.horizon,
                  run.as_of.AddDays(1).ToString(), run.as_of.AddDays(run.horizon).ToString());
  out += fmt::format(
      "from daily billed cost {} .. {} ({} days); model {}{}; ranges add up the days' interval "
      "bounds (conservative)\n\n",
      report.history_from.ToString(), run.as_of.ToString(), report.history_days, run.model_version,
      run.group_by.empty() ? "" : "; groups reconciled to the total");
  out += Render(SpendTable(report));
  out += BeyondHorizonNote(report);
  out += '\n';
  out += Render(ModelTable(run));
  return out;
}

}  // namespace costwise::cli
