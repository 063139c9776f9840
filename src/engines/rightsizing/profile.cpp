#include "engines/rightsizing/profile.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace costwise::rightsizing {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;

Status Check(const MetricSamples& metric, const char* name) {
  if (metric.timestamps.size() != metric.values.size()) {
    return MakeError(ErrorCode::kInvalidInput,
                     std::string(name) + " has " + std::to_string(metric.timestamps.size()) +
                         " timestamps but " + std::to_string(metric.values.size()) + " values");
  }
  for (std::size_t i = 0; i < metric.values.size(); ++i) {
    if (!std::isfinite(metric.values[i])) {
      return MakeError(ErrorCode::kInvalidInput,
                       std::string(name) + " sample " + std::to_string(i + 1) + " is not a number");
    }
  }
  return {};
}

// The samples inside [from, to).
std::vector<std::pair<std::int64_t, double>> Window(const MetricSamples& metric, std::int64_t from,
                                                    std::int64_t to) {
  std::vector<std::pair<std::int64_t, double>> inside;
  for (std::size_t i = 0; i < metric.values.size(); ++i) {
    if (metric.timestamps[i] >= from && metric.timestamps[i] < to) {
      inside.emplace_back(metric.timestamps[i], metric.values[i]);
    }
  }
  return inside;
}

// The percentiles with one partial sort: the top 5% sorted (p95 to max), the median selected
// from the rest. Same interpolation as Quantile.
Percentiles PercentilesOf(std::vector<double> values) {
  Percentiles p;
  const std::size_t n = values.size();
  if (n == 0) return p;
  const auto position = [n](double q) { return q * static_cast<double>(n - 1); };
  const auto tail = static_cast<std::size_t>(std::floor(position(0.95)));
  const auto begin = values.begin();
  std::nth_element(begin, begin + static_cast<std::ptrdiff_t>(tail), values.end());
  std::sort(begin + static_cast<std::ptrdiff_t>(tail), values.end());
  // A quantile at or above the 95th: both neighbours are in the sorted tail.
  const auto upper = [&](double q) {
    const double at = position(q);
    const auto below = static_cast<std::size_t>(std::floor(at));
    if (below + 1 >= n) return values[below];
    return values[below] + (at - static_cast<double>(below)) * (values[below + 1] - values[below]);
  };
  p.p95 = upper(0.95);
  p.p99 = upper(0.99);
  p.p99_5 = upper(0.995);
  p.max = values[n - 1];
  const double at = position(0.5);
  const auto below = static_cast<std::size_t>(std::floor(at));
  if (below >= tail) {
    p.p50 = upper(0.5);
  } else {
    std::nth_element(begin, begin + static_cast<std::ptrdiff_t>(below),
                     begin + static_cast<std::ptrdiff_t>(tail));
    const double next = below + 1 < tail
                            ? *std::min_element(begin + static_cast<std::ptrdiff_t>(below) + 1,
                                                begin + static_cast<std::ptrdiff_t>(tail))
                            : values[tail];
    p.p50 = values[below] + (at - static_cast<double>(below)) * (next - values[below]);
  }
  return p;
}

// Autocorrelation of an hourly series (NaN = no data) at a lag, over the pairs both present.
double Autocorrelation(const std::vector<double>& hourly, std::size_t lag) {
  if (hourly.size() <= lag) return 0;
  double sum = 0;
  double count = 0;
  for (const double v : hourly) {
    if (!std::isnan(v)) {
      sum += v;
      ++count;
    }
  }
  if (count < 2) return 0;
  const double mean = sum / count;
  double variance = 0;
  for (const double v : hourly) {
    if (!std::isnan(v)) variance += (v - mean) * (v - mean);
  }
  variance /= count;
  if (!(variance > 0)) return 0;
  double covariance = 0;
  double pairs = 0;
  for (std::size_t i = lag; i < hourly.size(); ++i) {
    if (std::isnan(hourly[i]) || std::isnan(hourly[i - lag])) continue;
    covariance += (hourly[i] - mean) * (hourly[i - lag] - mean);
    ++pairs;
  }
  // At least two cycles of pairs before the estimate means anything.
  if (pairs < static_cast<double>(lag)) return 0;
  return covariance / pairs / variance;
}

// Days with fewer samples than this share of the day do not enter a trend.
constexpr double kTrendDayCoverage = 0.5;
constexpr int kTrendMinDays = 7;

// The least-squares line through the daily p99 of samples in [from, from + days).
Trend DailyTrend(const std::vector<std::pair<std::int64_t, double>>& samples, std::int64_t from,
                 int days, double samples_per_day) {
  std::vector<std::vector<double>> by_day(static_cast<std::size_t>(days));
  for (const auto& [t, v] : samples) {
    by_day[static_cast<std::size_t>((t - from) / kDay)].push_back(v);
  }
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t day = 0; day < by_day.size(); ++day) {
    if (static_cast<double>(by_day[day].size()) < kTrendDayCoverage * samples_per_day) continue;
    x.push_back(static_cast<double>(day));
    y.push_back(Quantile(by_day[day], 0.99));
  }
  Trend trend;
  trend.days = static_cast<int>(x.size());
  if (trend.days < kTrendMinDays) return trend;
  const double n = static_cast<double>(x.size());
  double mean_x = 0;
  double mean_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mean_x += x[i] / n;
    mean_y += y[i] / n;
  }
  double sxx = 0;
  double sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
  }
  if (!(sxx > 0)) return trend;
  trend.slope_per_day = sxy / sxx;
  const double intercept = mean_y - trend.slope_per_day * mean_x;
  double residuals = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double error = y[i] - (intercept + trend.slope_per_day * x[i]);
    residuals += error * error;
  }
  const double standard_error = std::sqrt(residuals / (n - 2) / sxx);
  trend.t_statistic = standard_error > 0         ? trend.slope_per_day / standard_error
                      : trend.slope_per_day == 0 ? 0
                                                 : std::copysign(1e9, trend.slope_per_day);
  trend.last_day_fit = intercept + trend.slope_per_day * x.back();
  return trend;
}

// Samples per day of a metric: its most common spacing (seconds) turned into a count.
double SamplesPerDay(const std::vector<std::pair<std::int64_t, double>>& samples) {
  if (samples.size() < 2) return 0;
  std::vector<std::int64_t> times;
  times.reserve(samples.size());
  for (const auto& sample : samples) times.push_back(sample.first);
  // CloudWatch data comes in time order: sort only when it does not.
  if (!std::is_sorted(times.begin(), times.end())) std::sort(times.begin(), times.end());
  std::vector<std::int64_t> gaps;
  gaps.reserve(times.size());
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (times[i] > times[i - 1]) gaps.push_back(times[i] - times[i - 1]);
  }
  if (gaps.empty()) return 0;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                   gaps.end());
  return static_cast<double>(kDay) / static_cast<double>(gaps[gaps.size() / 2]);
}

}  // namespace

double Quantile(std::span<double> values, double q) {
  if (values.empty()) return 0;
  const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(below),
                   values.end());
  const double low = values[below];
  if (below + 1 >= values.size()) return low;
  const double high =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(below) + 1, values.end());
  return low + (position - static_cast<double>(below)) * (high - low);
}

Result<UtilizationProfile> BuildProfile(const MetricSamples& cpu, const MetricSamples& memory,
                                        const MetricSamples& network,
                                        std::int64_t network_period_seconds,
                                        const ProfileOptions& options) {
  if (options.lookback_days != 14 && options.lookback_days != 32 && options.lookback_days != 93) {
    return MakeError(
        ErrorCode::kInvalidInput,
        "lookback of " + std::to_string(options.lookback_days) + " days: choose 14, 32 or 93");
  }
  if (auto status = Check(cpu, "CPUUtilization"); !status) return unexpected(status.error());
  if (auto status = Check(memory, "mem_used_percent"); !status) return unexpected(status.error());
  if (auto status = Check(network, "network"); !status) return unexpected(status.error());
  const std::int64_t to = options.lookback_end;
  const std::int64_t from = to - options.lookback_days * kDay;
  UtilizationProfile profile;

  const auto cpu_samples = Window(cpu, from, to);
  std::vector<double> cpu_values;
  std::map<std::int64_t, std::pair<double, int>> hours;  // hour -> (sum, count)
  for (const auto& [t, v] : cpu_samples) {
    cpu_values.push_back(v);
    auto& hour = hours[(t - from) / kHour];
    hour.first += v;
    ++hour.second;
  }
  profile.samples = static_cast<std::int64_t>(cpu_values.size());
  profile.hours_with_data = static_cast<double>(hours.size());
  profile.coverage = profile.hours_with_data / static_cast<double>(options.lookback_days * 24);
  profile.sufficient = profile.hours_with_data >= options.min_hours;
  profile.cpu = PercentilesOf(cpu_values);
  profile.burstiness = profile.cpu.p50 > 0 ? profile.cpu.p99 / profile.cpu.p50
                                           : (profile.cpu.p99 > 0 ? profile.cpu.p99 : 1);
  std::vector<double> hourly(static_cast<std::size_t>(options.lookback_days * 24), std::nan(""));
  for (const auto& [hour, sum_count] : hours) {
    hourly[static_cast<std::size_t>(hour)] = sum_count.first / sum_count.second;
  }
  profile.daily_periodicity = Autocorrelation(hourly, 24);
  profile.weekly_periodicity = Autocorrelation(hourly, 24 * 7);
  profile.hourly_cpu = std::move(hourly);
  profile.cpu_trend =
      DailyTrend(cpu_samples, from, options.lookback_days, SamplesPerDay(cpu_samples));

  const auto memory_samples = Window(memory, from, to);
  if (!memory_samples.empty()) {
    std::vector<double> values;
    for (const auto& [t, v] : memory_samples) values.push_back(v);
    profile.memory = PercentilesOf(values);
    profile.memory_trend =
        DailyTrend(memory_samples, from, options.lookback_days, SamplesPerDay(memory_samples));
  }
  const auto network_samples = Window(network, from, to);
  if (!network_samples.empty() && network_period_seconds > 0) {
    // In and out come as separate samples at the same time: add them per timestamp.
    std::map<std::int64_t, double> per_time;
    for (const auto& [t, v] : network_samples) per_time[t] += v;
    std::vector<double> rates;
    for (const auto& [t, v] : per_time) {
      rates.push_back(v / static_cast<double>(network_period_seconds));
    }
    profile.network_p99 = Quantile(rates, 0.99);
  }
  return profile;
}

}  // namespace costwise::rightsizing
