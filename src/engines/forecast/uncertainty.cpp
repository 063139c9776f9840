#include "engines/forecast/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace costwise::forecast {

Eigen::MatrixXd SimulateTrendChanges(std::span<const double> future_t, int changepoint_count,
                                     double mean_abs_delta, int samples, std::uint64_t seed) {
  const auto steps = static_cast<Eigen::Index>(future_t.size());
  Eigen::MatrixXd paths = Eigen::MatrixXd::Zero(samples, steps);
  if (future_t.empty() || changepoint_count <= 0 || mean_abs_delta <= 0) return paths;
  const double end = *std::max_element(future_t.begin(), future_t.end());
  if (end <= 1) return paths;
  std::mt19937_64 random(seed);
  std::poisson_distribution<int> count(changepoint_count * (end - 1));
  std::uniform_real_distribution<double> when(1.0, end);
  std::exponential_distribution<double> size(1 / mean_abs_delta);
  std::bernoulli_distribution sign(0.5);
  for (int sample = 0; sample < samples; ++sample) {
    for (int change = count(random); change > 0; --change) {
      const double at = when(random);
      // Laplace(0, b) = a random sign times Exponential(1/b).
      const double delta = (sign(random) ? 1 : -1) * size(random);
      for (Eigen::Index h = 0; h < steps; ++h) {
        const double t = future_t[static_cast<std::size_t>(h)];
        if (t > at) paths(sample, h) += delta * (t - at);
      }
    }
  }
  return paths;
}

namespace {

// xoshiro256++ (Blackman and Vigna 2018), seeded through splitmix64: fast, and the same stream
// on every platform, unlike std::normal_distribution.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    for (std::uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  std::uint64_t Next() {
    const std::uint64_t result = Rotate(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotate(state_[3], 45);
    return result;
  }
  // Uniform in (0, 1]: never 0, so its logarithm is finite.
  double Uniform() { return (static_cast<double>(Next() >> 11) + 1) * 0x1.0p-53; }

 private:
  static std::uint64_t Rotate(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4] = {};
};

}  // namespace

void AddNoise(Eigen::MatrixXd& paths, double sigma, std::uint64_t seed) {
  if (sigma <= 0) return;
  Xoshiro256 random(seed);
  double* data = paths.data();
  const Eigen::Index size = paths.size();
  // Marsaglia's polar method: two independent normals per accepted point of the unit disc,
  // without trigonometry.
  for (Eigen::Index i = 0; i < size;) {
    const double u = 2 * random.Uniform() - 1;
    const double v = 2 * random.Uniform() - 1;
    const double s = u * u + v * v;
    if (s >= 1 || s == 0) continue;
    const double factor = sigma * std::sqrt(-2 * std::log(s) / s);
    data[i++] += u * factor;
    if (i < size) data[i++] += v * factor;
  }
}

std::vector<Interval> PathIntervals(const Eigen::MatrixXd& paths, std::span<const double> levels) {
  std::vector<Interval> intervals;
  const auto steps = static_cast<std::size_t>(paths.cols());
  for (const double level : levels) {
    intervals.push_back({level, std::vector<double>(steps), std::vector<double>(steps)});
  }
  // Per column, only the order statistics the percentiles need, by selection rather than a
  // full sort: each nth_element leaves the larger values to its right for the next one.
  std::vector<double> column;
  std::vector<std::pair<double, std::size_t>> wanted;  // (percentile, interval * 2 + side)
  for (std::size_t l = 0; l < intervals.size(); ++l) {
    wanted.emplace_back((100 - intervals[l].level) / 2, 2 * l);
    wanted.emplace_back((100 + intervals[l].level) / 2, 2 * l + 1);
  }
  std::sort(wanted.begin(), wanted.end());
  for (Eigen::Index h = 0; h < paths.cols(); ++h) {
    column.assign(paths.col(h).data(), paths.col(h).data() + paths.rows());
    const std::size_t n = column.size();
    std::size_t sorted_from = 0;  // column[..sorted_from) holds the smallest values, in place
    for (const auto& [p, slot] : wanted) {
      const double position = p / 100 * static_cast<double>(n - 1);
      const auto below = static_cast<std::size_t>(std::floor(position));
      const std::size_t above = std::min(below + 1, n - 1);
      const auto first = column.begin() + static_cast<std::ptrdiff_t>(sorted_from);
      std::nth_element(first, column.begin() + static_cast<std::ptrdiff_t>(below), column.end());
      const double low = column[below];
      // The next order statistic is the smallest of what lies to its right.
      const double high =
          above == below ? low
                         : *std::min_element(column.begin() + static_cast<std::ptrdiff_t>(above),
                                             column.end());
      sorted_from = below;
      const double value = low + (position - static_cast<double>(below)) * (high - low);
      Interval& interval = intervals[slot / 2];
      (slot % 2 == 0 ? interval.lower : interval.upper)[static_cast<std::size_t>(h)] = value;
    }
  }
  return intervals;
}

}  // namespace costwise::forecast
