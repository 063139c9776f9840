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

Percentiles PercentilesOf(std::vector<double> values) {
  Percentiles p;
  p.p50 = Quantile(values, 0.5);
  p.p95 = Quantile(values, 0.95);
  p.p99 = Quantile(values, 0.99);
  p.p99_5 = Quantile(values, 0.995);
  p.max = values.empty() ? 0 : *std::max_element(values.begin(), values.end());
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

  const auto memory_samples = Window(memory, from, to);
  if (!memory_samples.empty()) {
    std::vector<double> values;
    for (const auto& [t, v] : memory_samples) values.push_back(v);
    profile.memory = PercentilesOf(values);
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
