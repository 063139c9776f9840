#include "cli/forecast_commands.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>

#include <fmt/format.h>

#include "api/forecast_render.h"
#include "cli/forecast_table.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "core/date.h"
#include "ingest/forecast_csv.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

constexpr int kJsonIndent = 2;
constexpr std::int64_t kDaySeconds = 86'400;

Result<std::vector<double>> ParseLevels(const std::string& text) {
  std::vector<double> levels;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string piece = text.substr(start, comma - start);
    char* end = nullptr;
    const double level = std::strtod(piece.c_str(), &end);
    if (piece.empty() || end != piece.c_str() + piece.size()) {
      return MakeError(ErrorCode::kInvalidInput,
                       "--levels: '" + piece + "' is not a number (expected e.g. 80,95)");
    }
    levels.push_back(level);
    start = comma + 1;
  }
  if (auto status = forecast::CheckLevels(levels); !status) return unexpected(status.error());
  return levels;
}

std::string FormatTime(std::int64_t timestamp, bool dates_only) {
  const Date date = DateOfTimestamp(timestamp);
  const std::int64_t second = timestamp - static_cast<std::int64_t>(date.days()) * kDaySeconds;
  if (dates_only && second == 0) return date.ToString();
  return fmt::format("{} {:02}:{:02}:{:02}", date.ToString(), second / 3600, second / 60 % 60,
                     second % 60);
}

// "80" for 80, "99.5" for 99.5: column names lo80, hi99.5.
std::string LevelName(double level) { return fmt::format("{}", level); }

}  // namespace

ForecastCommands::ForecastCommands(CLI::App& forecast) : forecast_(&forecast) {
  forecast.require_subcommand(0, 1);
  forecast.add_option("--tenant", tenant_,
                      "tenant (organisation) whose spend to forecast (required without a "
                      "subcommand)");
  forecast.add_option("--horizon", cost_options_.horizon, "days to forecast: 30, 60 or 90");
  forecast.add_option("--group-by", cost_options_.group_by,
                      "also forecast per service|account|region|usage-type|tag:KEY, reconciled "
                      "to the total");
  forecast
      .add_option("--top", cost_options_.top_n,
                  "values forecast on their own per currency; the rest is one Other group")
      ->capture_default_str();
  forecast.add_option("--format", format_, "table|json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  forecast.add_option("--threads", cost_options_.threads, "threads (0 = one per core)")
      ->capture_default_str();

  series_ = forecast.add_subcommand(
      "series", "forecast the series of a CSV file (ds,y or series_id,ds,y), independently");
  series_->add_option("--input", input_, "CSV with a header ds,y or series_id,ds,y")
      ->required()
      ->check(CLI::ExistingFile);
  series_->add_option("--horizon", horizon_, "steps to forecast, in each series' frequency")
      ->required()
      ->check(CLI::Range(1, 100'000));
  series_->add_option("--levels", levels_, "prediction interval levels, percent")
      ->capture_default_str();
  series_
      ->add_option("--output", output_,
                   "CSV series_id,ds,yhat,lo<level>,hi<level>...: horizon rows per series")
      ->required();
  series_->add_option("--report", report_,
                      "also write per series: model, frequency and backtest accuracy (CSV)");
  series_->add_option("--models", models_, "candidate models, comma-separated")
      ->capture_default_str();
  series_->add_option("--country-holidays", country_, "holiday calendar (US)");
  series_->add_flag("--billing-events", billing_events_,
                    "model month-start and month-end effects (daily cost data)");
  series_->add_option("--threads", threads_, "threads (0 = one per core)")->capture_default_str();
  series_->add_option("--seed", seed_, "random seed of the interval simulation")
      ->capture_default_str();
}

bool ForecastCommands::Parsed() const { return forecast_->parsed(); }

int ForecastCommands::Run(const std::string& database) const {
  if (series_->parsed()) return RunSeries();
  if (tenant_.empty() || forecast_->count("--horizon") == 0) {
    fmt::print(stderr,
               "costwise: error: forecast needs --tenant NAME and --horizon 30|60|90 (or a "
               "subcommand: forecast series); see costwise forecast --help\n");
    return kExitUsage;
  }
  return RunCosts(database);
}

int ForecastCommands::RunCosts(const std::string& database) const {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  auto report = service::ForecastCosts(**repository, tenant_, cost_options_);
  if (!report) return Fail(report.error());
  if (format_ == "json") {
    fmt::print("{}\n", api::CostForecastToJson(*report).dump(kJsonIndent));
  } else {
    fmt::print("{}", CostForecastTables(*report));
  }
  return 0;
}

int ForecastCommands::RunSeries() const {
  auto levels = ParseLevels(levels_);
  if (!levels) return Fail(levels.error());
  service::BatchForecastOptions options;
  options.threads = threads_;
  options.forecaster.levels = *levels;
  options.forecaster.use_additive = models_.find("additive") != std::string::npos;
  options.forecaster.use_ets = models_.find("ets") != std::string::npos;
  options.forecaster.use_seasonal_naive = models_.find("snaive") != std::string::npos;
  options.forecaster.additive.country_holidays = country_;
  options.forecaster.additive.billing_events = billing_events_;
  options.forecaster.additive.seed = seed_;

  const auto started = std::chrono::steady_clock::now();
  auto table = ingest::ReadForecastCsv(input_);
  if (!table) return Fail(table.error());
  ProgressBar bar(2, "series");
  options.progress = [&](std::size_t done, std::size_t total) {
    bar.Update("forecasting", done, total);
  };
  auto forecasts = service::ForecastSeriesTable(*table, horizon_, options);
  bar.Finish();
  if (!forecasts) return Fail(forecasts.error());

  std::string text = "series_id,ds,yhat";
  for (const double level : *levels) {
    text += fmt::format(",lo{0},hi{0}", LevelName(level));
  }
  text += '\n';
  for (const service::NamedForecast& named : *forecasts) {
    const forecast::ForecastResult& f = named.result.forecast;
    for (std::size_t h = 0; h < f.mean.size(); ++h) {
      fmt::format_to(std::back_inserter(text), "{},{},{}", named.id,
                     FormatTime(named.result.timestamps[h], named.dates_only), f.mean[h]);
      for (const forecast::Interval& interval : f.intervals) {
        fmt::format_to(std::back_inserter(text), ",{},{}", interval.lower[h], interval.upper[h]);
      }
      text += '\n';
    }
  }
  if (Status written = WriteFile(output_, text); !written) return Fail(written.error());

  if (!report_.empty()) {
    std::string report = "series_id,frequency,model,backtest_points,backtest_mase,backtest_smape";
    for (const double level : *levels)
      report += fmt::format(",backtest_coverage{}", LevelName(level));
    report += '\n';
    for (const service::NamedForecast& named : *forecasts) {
      const forecast::Accuracy& a = named.result.backtest;
      fmt::format_to(std::back_inserter(report), "{},{},\"{}\",{},{},{}", named.id,
                     named.frequency.Name(), named.result.forecast.model, a.points,
                     a.points > 0 ? fmt::format("{}", a.mase) : "",
                     a.points > 0 ? fmt::format("{}", a.smape) : "");
      for (std::size_t l = 0; l < levels->size(); ++l) {
        report += a.points > 0 ? fmt::format(",{}", a.coverage[l]) : ",";
      }
      report += '\n';
    }
    if (Status written = WriteFile(report_, report); !written) return Fail(written.error());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(stderr, "forecast {} series of {} ({} steps each) in {:.2f} s\n", forecasts->size(),
             input_, horizon_, seconds);
  return 0;
}

}  // namespace costwise::cli
