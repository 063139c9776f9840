#include "engines/forecast/ets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <istream>
#include <limits>
#include <numbers>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <Eigen/Dense>

#include "engines/forecast/nelder_mead.h"

namespace costwise::forecast {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// forecast::ets's "usual" region: lower = (1e-4, 1e-4, 1e-4, 0.8), upper = (0.9999, 0.9999,
// 0.9999, 0.98) for (alpha, beta, gamma, phi).
constexpr double kSmoothingLower = 1e-4;
constexpr double kSmoothingUpper = 0.9999;
constexpr double kPhiLower = 0.8;
constexpr double kPhiUpper = 0.98;
// A characteristic root may exceed 1 by this much and still count as in the unit circle.
constexpr double kRootSlack = 1e-10;
// forecast::ets's floor for multiplicative seasonal indices in the initial state.
constexpr double kSeasonFloor = 1e-2;
// The likelihood of a perfect fit (zero errors) is capped here, as forecast::ets caps it.
constexpr double kPerfectFitLik = -1e10;
// Filter takes the log of the product of this many forecasts at a time.
constexpr int kLogChunk = 8;
// A model needs more than parameters + kSpareObservations observed points.
constexpr int kSpareObservations = 4;
// forecast::ets's initial level and trend come from the first max(10, 2 period) points.
constexpr int kInitialPoints = 10;
// Nelder-Mead: converged when the simplex's likelihoods agree to 1e-6 (relative; R's optim asks
// 1.5e-8, which costs a third more evaluations for changes in the third decimal of the
// likelihood), then restarted once with a simplex a quarter the size, against early collapse.
constexpr double kTolerance = 1e-6;
constexpr double kRestartStep = 0.25;
constexpr int kMaxEvaluations = 2000;
// Steps of the first simplex: logit units for the smoothing parameters; for the initial level
// and trend of the multiplicative-error models, fractions of the data's mean.
constexpr double kSmoothingStep = 1.0;
constexpr double kLevelStep = 0.02;
constexpr double kTrendStep = 0.002;
// A start keeps each parameter at least this share of its range away from the range's ends.
constexpr double kShareEdge = 1e-3;

constexpr std::string_view kMagic = "CWETS";
constexpr std::uint32_t kFormatVersion = 1;
constexpr int kMaxPeriod = 1 << 20;

bool HasTrend(const EtsSpec& spec) { return spec.trend != EtsTrend::kNone; }
bool HasSeason(const EtsSpec& spec) { return spec.season != EtsSeason::kNone; }
bool IsMultiplicative(const EtsSpec& spec) {
  return spec.error == EtsError::kMultiplicative || spec.season == EtsSeason::kMultiplicative;
}
int SeasonLength(const EtsSpec& spec) { return HasSeason(spec) ? spec.period : 0; }

// ----------------------------------------------------------------------------------------------
// The data as the filters read it.

struct Observations {
  std::vector<double> y;       // the value; 0 where the point is missing or ignored
  std::vector<double> weight;  // 0 where missing or ignored; mean 1 over the observed points
  int count = 0;               // observed points (value present, weight > 0)
  bool positive = true;        // every observed value > 0
  double mean = 0;             // of the observed values
  double scale = 1;            // the mean absolute observed value (1 if that is 0)
  bool unit_weights = true;    // every weight is 0 or 1
};

Result<Observations> Observe(const RegularSeries& series) {
  const std::size_t n = series.values.size();
  if (!series.weights.empty() && series.weights.size() != n) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the series has " + std::to_string(n) + " values but " +
                         std::to_string(series.weights.size()) + " weights");
  }
  Observations obs;
  obs.y.assign(n, 0.0);
  obs.weight.assign(n, 0.0);
  double weight_sum = 0;
  double value_sum = 0;
  double absolute_sum = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double value = series.values[t];
    const double weight = series.WeightAt(t);
    if (!std::isfinite(weight) || weight < 0) {
      return MakeError(ErrorCode::kInvalidInput, "the weight of point " + std::to_string(t + 1) +
                                                     " is not a finite number >= 0");
    }
    if (std::isinf(value)) {
      return MakeError(ErrorCode::kInvalidInput,
                       "point " + std::to_string(t + 1) + " has an infinite value");
    }
    if (std::isnan(value) || weight == 0) continue;
    obs.y[t] = value;
    obs.weight[t] = weight;
    ++obs.count;
    weight_sum += weight;
    value_sum += value;
    absolute_sum += std::abs(value);
    obs.positive = obs.positive && value > 0;
  }
  if (obs.count > 0) {
    const double scale = obs.count / weight_sum;
    for (double& weight : obs.weight) {
      weight *= scale;
      obs.unit_weights = obs.unit_weights && (weight == 0 || weight == 1);
    }
    obs.mean = value_sum / obs.count;
    obs.scale = absolute_sum > 0 ? absolute_sum / obs.count : 1.0;
  }
  return obs;
}

// The values with the gaps filled by straight lines (the ends by the nearest observed value):
// only for the heuristic initial state.
std::vector<double> Interpolated(const Observations& obs) {
  const std::size_t n = obs.y.size();
  std::vector<double> filled(obs.y);
  std::size_t previous = n;  // the last observed point so far; n = none yet
  for (std::size_t t = 0; t < n; ++t) {
    if (obs.weight[t] <= 0) continue;
    if (previous == n) {
      std::fill(filled.begin(), filled.begin() + static_cast<std::ptrdiff_t>(t), obs.y[t]);
    } else {
      const double gap = static_cast<double>(t - previous);
      for (std::size_t k = previous + 1; k < t; ++k) {
        const double share = static_cast<double>(k - previous) / gap;
        filled[k] = obs.y[previous] + share * (obs.y[t] - obs.y[previous]);
      }
    }
    previous = t;
  }
  if (previous < n) {
    std::fill(filled.begin() + static_cast<std::ptrdiff_t>(previous) + 1, filled.end(),
              obs.y[previous]);
  }
  return filled;
}

// ----------------------------------------------------------------------------------------------
// The heuristic initial state of forecast::ets (its initstate).

// The seasonal component at every point: from a classical decomposition (centred moving average
// of one cycle, 2 x m for even m; the mean detrended value at each position of the cycle,
// normalised to sum 0 or average 1) with three cycles or more; with fewer, the detrended data
// from a regression on a line and one Fourier pair.
std::vector<double> SeasonalComponent(const std::vector<double>& y, int period,
                                      bool multiplicative) {
  const std::size_t n = y.size();
  const auto m = static_cast<std::size_t>(period);
  std::vector<double> seasonal(n);
  if (n >= 3 * m) {
    std::vector<double> prefix(n + 1, 0.0);
    for (std::size_t t = 0; t < n; ++t) prefix[t + 1] = prefix[t] + y[t];
    const std::size_t half = m / 2;
    std::vector<double> sum(m, 0.0);
    std::vector<double> count(m, 0.0);
    for (std::size_t t = half; t + half < n; ++t) {
      const double window =
          m % 2 == 1 ? prefix[t + half + 1] - prefix[t - half]
                     : prefix[t + half] - prefix[t - half + 1] + 0.5 * (y[t - half] + y[t + half]);
      const double trend = window / static_cast<double>(m);
      sum[t % m] += multiplicative ? y[t] / trend : y[t] - trend;
      count[t % m] += 1;
    }
    std::vector<double> figure(m);
    double total = 0;
    for (std::size_t i = 0; i < m; ++i) {
      figure[i] = sum[i] / count[i];
      total += figure[i];
    }
    const double average = total / static_cast<double>(m);
    for (double& value : figure) value = multiplicative ? value / average : value - average;
    for (std::size_t t = 0; t < n; ++t) seasonal[t] = figure[t % m];
    return seasonal;
  }
  // A period of 2 has no sine term (it is zero at every point).
  const Eigen::Index columns = period > 2 ? 4 : 3;
  Eigen::MatrixXd design(static_cast<Eigen::Index>(n), columns);
  Eigen::VectorXd values(static_cast<Eigen::Index>(n));
  for (std::size_t t = 0; t < n; ++t) {
    const auto row = static_cast<Eigen::Index>(t);
    const double time = static_cast<double>(t + 1);
    const double angle = 2 * std::numbers::pi * time / period;
    design(row, 0) = 1;
    design(row, 1) = time;
    design(row, 2) = std::cos(angle);
    if (columns == 4) design(row, 3) = std::sin(angle);
    values(row) = y[t];
  }
  const Eigen::VectorXd coefficients = design.colPivHouseholderQr().solve(values);
  for (std::size_t t = 0; t < n; ++t) {
    const double line = coefficients(0) + coefficients(1) * static_cast<double>(t + 1);
    seasonal[t] = multiplicative ? y[t] / line : y[t] - line;
  }
  return seasonal;
}

EtsState HeuristicState(const std::vector<double>& y, const EtsSpec& spec) {
  const std::size_t n = y.size();
  EtsState state;
  std::vector<double> adjusted = y;
  int cycle = 1;
  if (HasSeason(spec)) {
    cycle = spec.period;
    const bool multiplicative = spec.season == EtsSeason::kMultiplicative;
    const std::vector<double> seasonal = SeasonalComponent(y, spec.period, multiplicative);
    const auto m = static_cast<std::size_t>(spec.period);
    state.season.assign(m, 0.0);
    double sum = 0;
    for (std::size_t i = 1; i < m; ++i) {
      state.season[i] = multiplicative ? std::max(seasonal[i], kSeasonFloor) : seasonal[i];
      sum += state.season[i];
    }
    if (multiplicative && sum > static_cast<double>(m)) {
      const double divisor = sum + static_cast<double>(m - 1) * kSeasonFloor;
      sum = 0;
      for (std::size_t i = 1; i < m; ++i) sum += state.season[i] /= divisor;
    }
    // The first index makes them sum to 0 (additive) or to m (multiplicative).
    state.season[0] = (multiplicative ? static_cast<double>(m) : 0.0) - sum;
    if (multiplicative) state.season[0] = std::max(state.season[0], kSeasonFloor);
    for (std::size_t t = 0; t < n; ++t) {
      adjusted[t] =
          multiplicative ? y[t] / std::max(seasonal[t], kSeasonFloor) : y[t] - seasonal[t];
    }
  }
  const std::size_t first =
      std::min(n, static_cast<std::size_t>(std::max(kInitialPoints, 2 * cycle)));
  if (!HasTrend(spec)) {
    double sum = 0;
    for (std::size_t t = 0; t < first; ++t) sum += adjusted[t];
    state.level = sum / static_cast<double>(first);
    return state;
  }
  // Least-squares line through (1, adjusted[0]), ..., (first, adjusted[first - 1]): the level is
  // its value at time 0, the trend its slope.
  const double mean_time = (static_cast<double>(first) + 1) / 2;
  double mean_value = 0;
  for (std::size_t t = 0; t < first; ++t) mean_value += adjusted[t];
  mean_value /= static_cast<double>(first);
  double cross = 0;
  double squares = 0;
  for (std::size_t t = 0; t < first; ++t) {
    const double dt = static_cast<double>(t + 1) - mean_time;
    cross += dt * (adjusted[t] - mean_value);
    squares += dt * dt;
  }
  state.trend = squares > 0 ? cross / squares : 0.0;
  state.level = mean_value - state.trend * mean_time;
  // A first forecast of exactly 0 would stall a multiplicative-error model: nudge it.
  constexpr double kTiny = 1e-8;
  constexpr double kNudge = 1e-3;
  if (std::abs(state.level + state.trend) < kTiny) {
    state.level *= 1 + kNudge;
    state.trend *= 1 - kNudge;
  }
  return state;
}

// ----------------------------------------------------------------------------------------------
// Smoothing parameters: the usual region, mapped from unconstrained coordinates for the optimiser.

struct Smoothing {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double phi = 1;
};

double Logistic(double u) { return 1 / (1 + std::exp(-u)); }
double Logit(double p) { return std::log(p / (1 - p)); }

int SmoothingCount(const EtsSpec& spec) {
  return 1 + (HasTrend(spec) ? 1 : 0) + (HasSeason(spec) ? 1 : 0) +
         (spec.trend == EtsTrend::kDamped ? 1 : 0);
}

// alpha in [lower, upper]; beta in [lower, min(alpha, upper)]; gamma in [lower, min(1 - alpha,
// upper)]; phi in [0.8, 0.98]: each a logistic function of its coordinate.
Smoothing SmoothingFrom(std::span<const double> u, const EtsSpec& spec) {
  Smoothing s;
  std::size_t k = 0;
  s.alpha = kSmoothingLower + (kSmoothingUpper - kSmoothingLower) * Logistic(u[k++]);
  if (HasTrend(spec)) {
    s.beta =
        kSmoothingLower + (std::min(s.alpha, kSmoothingUpper) - kSmoothingLower) * Logistic(u[k++]);
  }
  if (HasSeason(spec)) {
    s.gamma = kSmoothingLower +
              (std::min(1 - s.alpha, kSmoothingUpper) - kSmoothingLower) * Logistic(u[k++]);
  }
  if (spec.trend == EtsTrend::kDamped) {
    s.phi = kPhiLower + (kPhiUpper - kPhiLower) * Logistic(u[k++]);
  }
  return s;
}

// forecast::ets's starting values (its initparam): alpha a fifth of the way up its range (divided
// by the period for seasonal models), beta a tenth of its range, gamma a twentieth, phi 99%.
Smoothing DefaultSmoothing(const EtsSpec& spec) {
  constexpr double kAlphaShare = 0.2;
  constexpr double kBetaShare = 0.1;
  constexpr double kGammaShare = 0.05;
  constexpr double kPhiShare = 0.99;
  Smoothing s;
  s.alpha = kSmoothingLower +
            kAlphaShare * (kSmoothingUpper - kSmoothingLower) / (HasSeason(spec) ? spec.period : 1);
  if (HasTrend(spec)) s.beta = kSmoothingLower + kBetaShare * (s.alpha - kSmoothingLower);
  if (HasSeason(spec)) {
    s.gamma =
        kSmoothingLower + kGammaShare * (std::min(1 - s.alpha, kSmoothingUpper) - kSmoothingLower);
  }
  if (spec.trend == EtsTrend::kDamped) s.phi = kPhiLower + kPhiShare * (kPhiUpper - kPhiLower);
  return s;
}

// The inverse of SmoothingFrom, each share kept off its ends (so that the coordinates are finite).
std::vector<double> CoordinatesOf(const Smoothing& s, const EtsSpec& spec) {
  const auto coordinate = [](double value, double low, double high) {
    const double share = high > low ? (value - low) / (high - low) : 0.5;
    return Logit(std::clamp(share, kShareEdge, 1 - kShareEdge));
  };
  std::vector<double> u;
  u.push_back(coordinate(s.alpha, kSmoothingLower, kSmoothingUpper));
  if (HasTrend(spec)) {
    u.push_back(coordinate(s.beta, kSmoothingLower, std::min(s.alpha, kSmoothingUpper)));
  }
  if (HasSeason(spec)) {
    u.push_back(coordinate(s.gamma, kSmoothingLower, std::min(1 - s.alpha, kSmoothingUpper)));
  }
  if (spec.trend == EtsTrend::kDamped) u.push_back(coordinate(s.phi, kPhiLower, kPhiUpper));
  return u;
}

// The first simplex: steps of `size` from u0, each towards the middle of its range.
std::vector<double> StepsFrom(const std::vector<double>& u0, double size) {
  std::vector<double> steps(u0.size());
  for (std::size_t i = 0; i < u0.size(); ++i) steps[i] = u0[i] > 0 ? -size : size;
  return steps;
}

// True when every root of sum_k c[k] z^k (real coefficients, c.back() != 0) has modulus at most
// 1 + kRootSlack: the Schur-Cohn test, with `reduced` (as long as c) for scratch; c is
// overwritten. With |c_0| < |c_N|, p has all its roots inside the unit
// circle if and only if (c_N p(z) - c_0 z^N p(1/z)) / z, of one degree less, has (Rouche).
bool RootsInUnitCircle(std::span<double> c, std::span<double> reduced) {
  double scale = 1;
  for (double& coefficient : c) {
    coefficient *= scale;  // roots of p((1 + slack) z): the slack moves them in
    scale *= 1 + kRootSlack;
  }
  for (std::size_t degree = c.size() - 1; degree >= 1; --degree) {
    const double first = c[0];
    const double last = c[degree];
    if (std::abs(first) >= std::abs(last)) return false;
    const double lead = last * last - first * first;
    for (std::size_t k = 0; k < degree; ++k) {
      reduced[k] = (last * c[k + 1] - first * c[degree - 1 - k]) / lead;
    }
    std::copy_n(reduced.begin(), degree, c.begin());
  }
  return true;
}

// forecast::ets's admissibility test (Hyndman, Akram and Archibald 2008). Without a season:
// bounds on alpha and beta in terms of phi. With one: the discount matrix's characteristic
// polynomial
//   z^(m+1) + (a+b-phi) z^m + (a+b-a phi)(z^(m-1) + ... + z^2) + (a+b-a phi+g-1) z + phi(1-a-g)
// has its roots in the unit circle (after three quick necessary conditions).
bool Admissible(const EtsSpec& spec, const Smoothing& s, std::vector<double>& scratch) {
  constexpr double kPhiSlack = 1e-8;
  const double alpha = s.alpha;
  const double beta = HasTrend(spec) ? s.beta : 0.0;
  const double gamma = s.gamma;
  const double phi = spec.trend == EtsTrend::kDamped ? s.phi : 1.0;
  if (phi < 0 || phi > 1 + kPhiSlack) return false;
  if (!HasSeason(spec)) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    return !HasTrend(spec) || (beta >= alpha * (phi - 1) && beta <= (1 + phi) * (2 - alpha));
  }
  const double m = spec.period;
  if (gamma < std::max(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
  const auto size = static_cast<std::size_t>(spec.period) + 2;
  scratch.assign(2 * size, alpha + beta - alpha * phi);
  const std::span<double> c(scratch.data(), size);
  c[0] = phi * (1 - alpha - gamma);
  c[1] = alpha + beta - alpha * phi + gamma - 1;
  c[size - 2] = alpha + beta - phi;
  c[size - 1] = 1;
  return RootsInUnitCircle(c, std::span<double>(scratch.data() + size, size));
}

// ----------------------------------------------------------------------------------------------
// The filter: one pass of the state equations over the data.

struct FilterSums {
  double sse = 0;            // sum of weight * e^2
  double log_forecasts = 0;  // sum of weight * log f (multiplicative errors)
  bool valid = true;         // false when a multiplicative model's forecast was not > 0
};

// Runs from `level`, `trend` and season[0..m) (season[i] for point i) over the first n = `length`
// points (all of them if there are fewer), leaving the final level and trend and the season
// buffer rotated by n: season[(n + i) % m] is the index of step n + i. Writes the one-step
// forecasts to `fitted` unless it is null.
template <EtsError kError, bool kTrend, EtsSeason kSeason>
FilterSums Filter(const Observations& obs, const Smoothing& s, int period, double& level,
                  double& trend, double* season, double* fitted, std::size_t length) {
  constexpr bool kMultiplicative =
      kError == EtsError::kMultiplicative || kSeason == EtsSeason::kMultiplicative;
  const std::size_t n = std::min(length, obs.y.size());
  const double* const y_data = obs.y.data();
  const double* const weight = obs.weight.data();
  const double alpha = s.alpha;
  const double keep = 1 - s.alpha;
  const double beta = s.beta;
  const double gamma = s.gamma;
  const double phi = s.phi;
  double l = level;
  double b = trend;
  double sse = 0;
  double log_forecasts = 0;
  double lowest = kInfinity;  // the smallest forecast: multiplicative models need them > 0
  const double inverse_scale = 1 / obs.scale;
  double product = 1;
  int chunk = 0;
  bool normal = true;
  int j = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double phib = kTrend ? phi * b : 0.0;
    const double q = l + phib;
    double seasonal = kSeason == EtsSeason::kMultiplicative ? 1.0 : 0.0;
    if constexpr (kSeason != EtsSeason::kNone) seasonal = season[j];
    const double f = kSeason == EtsSeason::kMultiplicative ? q * seasonal : q + seasonal;
    if (fitted != nullptr) fitted[t] = f;
    const double w = weight[t];
    const double y = y_data[t];  // 0 where missing, with w = 0
    const bool observed = w > 0;
    // p, the level the observation points to, is y - s, y / s or y; a missing point moves the
    // state on with its forecast (p = q, the seasonal index unchanged). The ratios share one
    // division by q.
    double p = y;
    double ratio = 0;     // y / f, for multiplicative errors
    double to_trend = 0;  // y / q, for a multiplicative season
    if constexpr (kSeason == EtsSeason::kAdditive) p = y - seasonal;
    if constexpr (kSeason == EtsSeason::kMultiplicative) {
      const double inverse_q = 1 / q;
      p = y / seasonal;
      to_trend = y * inverse_q;
      ratio = p * inverse_q;
    } else if constexpr (kError == EtsError::kMultiplicative) {
      ratio = y / f;
    }
    if constexpr (kError == EtsError::kMultiplicative) {
      const double e = ratio - 1;
      sse += w * e * e;
      if (obs.unit_weights) {
        // sum log f as the log of products of kLogChunk (scaled) forecasts: fewer logs.
        product *= observed ? f * inverse_scale : 1.0;
        if (++chunk == kLogChunk) {
          normal = normal && std::isnormal(product) && product > 0;
          log_forecasts += std::log(product);
          product = 1;
          chunk = 0;
        }
      } else {
        log_forecasts += w * std::log(f);
      }
    } else {
      const double e = y - f;
      sse += w * e * e;
    }
    if constexpr (kMultiplicative) lowest = std::min(lowest, f);
    p = observed ? p : q;
    // The level as (1 - alpha) q + alpha p rather than q + alpha (p - q): one operation less on
    // the path from one step to the next.
    l = keep * q + alpha * p;
    if constexpr (kTrend) b = phib + beta * (p - q);
    if constexpr (kSeason == EtsSeason::kAdditive) {
      season[j] = observed ? seasonal + gamma * (y - q - seasonal) : seasonal;
    } else if constexpr (kSeason == EtsSeason::kMultiplicative) {
      season[j] = observed ? seasonal + gamma * (to_trend - seasonal) : seasonal;
    }
    if constexpr (kSeason != EtsSeason::kNone) {
      if (++j == period) j = 0;
    }
  }
  if constexpr (kError == EtsError::kMultiplicative) {
    if (obs.unit_weights) {
      normal = normal && std::isnormal(product) && product > 0;
      log_forecasts += std::log(product) + obs.count * std::log(obs.scale);
    }
  }
  level = l;
  trend = b;
  const bool valid = normal && (!kMultiplicative || lowest > 0) && std::isfinite(sse) &&
                     std::isfinite(log_forecasts) && std::isfinite(l) && std::isfinite(b);
  return FilterSums{sse, log_forecasts, valid};
}

using FilterFunction = FilterSums (*)(const Observations&, const Smoothing&, int, double&, double&,
                                      double*, double*, std::size_t);

template <EtsError kError, bool kTrend>
FilterFunction FilterFor(EtsSeason season) {
  switch (season) {
    case EtsSeason::kNone:
      return &Filter<kError, kTrend, EtsSeason::kNone>;
    case EtsSeason::kAdditive:
      return &Filter<kError, kTrend, EtsSeason::kAdditive>;
    case EtsSeason::kMultiplicative:
      break;
  }
  return &Filter<kError, kTrend, EtsSeason::kMultiplicative>;
}

FilterFunction FilterFor(const EtsSpec& spec) {
  const bool trend = HasTrend(spec);
  if (spec.error == EtsError::kAdditive) {
    return trend ? FilterFor<EtsError::kAdditive, true>(spec.season)
                 : FilterFor<EtsError::kAdditive, false>(spec.season);
  }
  return trend ? FilterFor<EtsError::kMultiplicative, true>(spec.season)
               : FilterFor<EtsError::kMultiplicative, false>(spec.season);
}

// The concentrated likelihood ("lik" of forecast::ets): n log(sum e^2) + 2 sum log f.
double Lik(const FilterSums& sums, int n, EtsError error) {
  if (!sums.valid) return kInfinity;
  double lik = n * std::log(sums.sse);
  if (error == EtsError::kMultiplicative) lik += 2 * sums.log_forecasts;
  if (std::isnan(lik)) return kInfinity;
  return std::max(lik, kPerfectFitLik);
}

// The filter run from `initial`, which it leaves untouched; the final state goes to `last`.
FilterSums Run(const Observations& obs, const EtsSpec& spec, const Smoothing& s,
               const EtsState& initial, EtsState& last, double* fitted = nullptr) {
  last = initial;
  const FilterSums sums = FilterFor(spec)(obs, s, spec.period, last.level, last.trend,
                                          last.season.data(), fitted, obs.y.size());
  if (HasSeason(spec)) {
    const std::size_t shift = obs.y.size() % last.season.size();
    std::rotate(last.season.begin(), last.season.begin() + static_cast<std::ptrdiff_t>(shift),
                last.season.end());
  }
  return sums;
}

// ----------------------------------------------------------------------------------------------
// The additive-error models are linear in their initial state: each error is the error of a
// run from a fixed start minus a linear combination of the errors of runs from a unit level and
// a unit trend on zero data. Running the three side by side gives, for given smoothing
// parameters, the initial level and trend with the least sum of squared errors.

struct Profile {
  double sse = 0;
  double level_shift = 0;
  double trend_shift = 0;
};

template <bool kTrend, bool kSeason>
Profile FilterProfiled(const Observations& obs, const Smoothing& s, int period,
                       const EtsState& start, std::vector<double>& scratch) {
  constexpr std::size_t kLanes = kTrend ? 3 : 2;
  const std::size_t n = obs.y.size();
  const auto m = static_cast<std::size_t>(kSeason ? period : 1);
  double* season = nullptr;
  if constexpr (kSeason) {
    scratch.assign(m * kLanes, 0.0);
    for (std::size_t i = 0; i < m; ++i) scratch[i * kLanes] = start.season[i];
    season = scratch.data();
  }
  const double alpha = s.alpha;
  const double keep = 1 - s.alpha;
  const double beta = s.beta;
  const double gamma = s.gamma;
  const double phi = s.phi;
  // One step of a lane, as in Filter (p = y - s, or q at a missing point); returns its error.
  const auto step = [&](double& l, double& b, double* seasonal_slot, double y, bool observed) {
    const double phib = kTrend ? phi * b : 0.0;
    const double q = l + phib;
    const double seasonal = kSeason ? *seasonal_slot : 0.0;
    const double p = observed ? y - seasonal : q;
    const double e = p - q;
    l = keep * q + alpha * p;
    if constexpr (kTrend) b = phib + beta * e;
    if constexpr (kSeason) *seasonal_slot = seasonal + gamma * e;
    return e;
  };
  // Lane 0 runs from `start` on the data, lane 1 from a unit level and lane 2 from a unit trend
  // on zeros; sKL = sum of weight * e_K * e_L.
  double level0 = start.level;
  double trend0 = kTrend ? start.trend : 0.0;
  double level1 = 1;
  double trend1 = 0;
  double level2 = 0;
  double trend2 = 1;
  double s00 = 0;
  double s01 = 0;
  double s11 = 0;
  double s02 = 0;
  double s12 = 0;
  double s22 = 0;
  double* slot = season;
  std::size_t j = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double w = obs.weight[t];
    const bool observed = w > 0;
    const double e0 = step(level0, trend0, slot, obs.y[t], observed);
    const double e1 = step(level1, trend1, slot + 1, 0.0, observed);
    s00 += w * e0 * e0;
    s01 += w * e0 * e1;
    s11 += w * e1 * e1;
    if constexpr (kTrend) {
      const double e2 = step(level2, trend2, slot + 2, 0.0, observed);
      s02 += w * e0 * e2;
      s12 += w * e1 * e2;
      s22 += w * e2 * e2;
    }
    if constexpr (kSeason) {
      slot += kLanes;
      if (++j == m) {
        j = 0;
        slot = season;
      }
    }
  }
  // sse(u) = s00 + 2 u.r + u' A u with r = (s01, s02), A = (s11 s12; s12 s22): least at
  // u = -A^-1 r, where it is s00 + u.r.
  Profile profile;
  profile.sse = s00;
  if (s11 <= 0) return profile;
  profile.level_shift = -s01 / s11;
  if constexpr (kTrend) {
    constexpr double kSingular = 1e-12;
    const double det = s11 * s22 - s12 * s12;
    if (det > kSingular * s11 * s22) {
      profile.level_shift = -(s22 * s01 - s12 * s02) / det;
      profile.trend_shift = -(s11 * s02 - s12 * s01) / det;
    }
  }
  profile.sse = std::max(0.0, s00 + profile.level_shift * s01 + profile.trend_shift * s02);
  return profile;
}

using ProfileFunction = Profile (*)(const Observations&, const Smoothing&, int, const EtsState&,
                                    std::vector<double>&);

ProfileFunction ProfileFor(const EtsSpec& spec) {
  if (HasTrend(spec)) {
    return HasSeason(spec) ? &FilterProfiled<true, true> : &FilterProfiled<true, false>;
  }
  return HasSeason(spec) ? &FilterProfiled<false, true> : &FilterProfiled<false, false>;
}

// ----------------------------------------------------------------------------------------------
// Estimation.

Status CheckSpec(const EtsSpec& spec) {
  if (spec.period < 1 || spec.period > kMaxPeriod) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the period must be 1 to " + std::to_string(kMaxPeriod) + " steps");
  }
  if (HasSeason(spec) && spec.period < 2) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() + " is seasonal: it needs a period of at least 2 steps");
  }
  if (spec.error == EtsError::kAdditive && spec.season == EtsSeason::kMultiplicative) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() +
                         " is excluded (additive errors with a multiplicative season are "
                         "numerically unstable); use multiplicative errors");
  }
  return {};
}

// The spec as it is stored: period 1 without a season.
EtsSpec Normalized(EtsSpec spec) {
  if (!HasSeason(spec)) spec.period = 1;
  return spec;
}

Status CheckData(const Observations& obs, const EtsSpec& spec) {
  if (IsMultiplicative(spec) && !obs.positive) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() +
                         " is multiplicative: it needs strictly positive data, and the series "
                         "has zero or negative values; use an additive model");
  }
  if (HasSeason(spec) && obs.y.size() < 2 * static_cast<std::size_t>(spec.period)) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() + " needs two full cycles (" + std::to_string(2 * spec.period) +
                         " points); the series has " + std::to_string(obs.y.size()));
  }
  const int needed = EtsMinimumObservations(spec);
  if (obs.count < needed) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() + " needs at least " + std::to_string(needed) +
                         " observed points; the series has " + std::to_string(obs.count));
  }
  return {};
}

// The model with its smoothing parameters and initial state: the filter run once more for the
// final state, the likelihood and the criteria.
EtsModel Complete(const Observations& obs, const EtsSpec& spec, const Smoothing& s,
                  EtsState initial) {
  EtsModel model;
  model.spec = spec;
  model.alpha = s.alpha;
  model.beta = s.beta;
  model.gamma = s.gamma;
  model.phi = s.phi;
  model.initial_state = std::move(initial);
  const FilterSums sums = Run(obs, spec, s, model.initial_state, model.final_state);
  const int n = obs.count;
  const int parameters = EtsParameterCount(spec);
  model.observations = n;
  model.parameters = parameters;
  const double lik = Lik(sums, n, spec.error);
  model.sigma2 = sums.valid && n > parameters ? sums.sse / (n - parameters) : kInfinity;
  model.log_likelihood = -lik / 2;
  const double k = parameters + 1;
  model.aic = lik + 2 * k;
  model.bic = lik + std::log(static_cast<double>(n)) * k;
  model.aicc = n - k - 1 > 0 ? model.aic + 2 * k * (k + 1) / (n - k - 1) : kInfinity;
  return model;
}

// The heuristic initial season is a poor start for series whose first cycles differ from their
// average. As a backcast would, take the seasonal indices the fitted model has reached after its
// first two cycles (normalised) as the initial ones, and repeat, while the likelihood improves;
// the initial level and trend of the additive-error models are profiled again each time. Each
// round costs a short and a full pass.
EtsState RefineSeason(const Observations& obs, const EtsSpec& spec, const Smoothing& s,
                      EtsState initial) {
  constexpr int kRounds = 5;
  constexpr std::size_t kCycles = 2;
  const auto m = static_cast<std::size_t>(spec.period);
  const FilterFunction filter = FilterFor(spec);
  const bool multiplicative = spec.season == EtsSeason::kMultiplicative;
  std::vector<double> scratch;
  EtsState last;
  double best = Lik(Run(obs, spec, s, initial, last), obs.count, spec.error);
  for (int round = 0; round < kRounds; ++round) {
    EtsState candidate = initial;
    filter(obs, s, spec.period, candidate.level, candidate.trend, candidate.season.data(), nullptr,
           kCycles * m);
    double sum = 0;
    for (const double value : candidate.season) sum += value;
    for (double& value : candidate.season) {
      value = multiplicative ? value * static_cast<double>(m) / sum
                             : value - sum / static_cast<double>(m);
    }
    if (multiplicative &&
        *std::min_element(candidate.season.begin(), candidate.season.end()) <= 0) {
      break;
    }
    candidate.level = initial.level;
    candidate.trend = initial.trend;
    if (spec.error == EtsError::kAdditive) {
      const Profile p = ProfileFor(spec)(obs, s, spec.period, candidate, scratch);
      candidate.level += p.level_shift;
      candidate.trend += p.trend_shift;
    }
    const double lik = Lik(Run(obs, spec, s, candidate, last), obs.count, spec.error);
    if (!(lik < best)) break;
    best = lik;
    initial = std::move(candidate);
  }
  return initial;
}

// Additive errors: Nelder-Mead over the smoothing parameters, the initial level and trend
// profiled out by least squares.
EtsModel FitAdditive(const Observations& obs, const EtsSpec& spec, const EtsState& start) {
  const ProfileFunction profile = ProfileFor(spec);
  std::vector<double> scratch;
  std::vector<double> roots;
  const Objective objective = [&](std::span<const double> u) {
    const Smoothing s = SmoothingFrom(u, spec);
    if (HasSeason(spec) && !Admissible(spec, s, roots)) return kInfinity;
    const Profile p = profile(obs, s, spec.period, start, scratch);
    return std::max(obs.count * std::log(p.sse), kPerfectFitLik);
  };
  const std::vector<double> u0 = CoordinatesOf(DefaultSmoothing(spec), spec);
  const std::vector<double> steps = StepsFrom(u0, kSmoothingStep);
  NelderMeadOptions options;
  options.tolerance = kTolerance;
  options.max_evaluations = kMaxEvaluations;
  options.restarts = 1;
  options.restart_step = kRestartStep;
  const NelderMeadResult best = MinimizeNelderMead(objective, u0, steps, options);
  const Smoothing s = SmoothingFrom(best.point, spec);
  const Profile p = profile(obs, s, spec.period, start, scratch);
  EtsState initial = start;
  initial.level += p.level_shift;
  initial.trend += p.trend_shift;
  if (HasSeason(spec)) initial = RefineSeason(obs, spec, s, std::move(initial));
  return Complete(obs, spec, s, std::move(initial));
}

// Multiplicative errors or season: Nelder-Mead over the smoothing parameters and the initial
// level and trend together.
Result<EtsModel> FitMultiplicative(const Observations& obs, const EtsSpec& spec,
                                   const EtsState& start) {
  const int smoothing = SmoothingCount(spec);
  const double scale = std::abs(obs.mean) > 0 ? std::abs(obs.mean) : 1.0;
  const double level_unit = kLevelStep * scale;
  const double trend_unit = kTrendStep * scale;
  const FilterFunction filter = FilterFor(spec);
  std::vector<double> season(start.season);
  std::vector<double> roots;
  const auto state_from = [&](std::span<const double> u, double& level, double& trend) {
    level = start.level + u[static_cast<std::size_t>(smoothing)] * level_unit;
    trend = HasTrend(spec) ? start.trend + u[static_cast<std::size_t>(smoothing) + 1] * trend_unit
                           : 0.0;
  };
  const Objective objective = [&](std::span<const double> u) {
    const Smoothing s = SmoothingFrom(u, spec);
    if (HasSeason(spec) && !Admissible(spec, s, roots)) return kInfinity;
    double level = 0;
    double trend = 0;
    state_from(u, level, trend);
    std::copy(start.season.begin(), start.season.end(), season.begin());
    return Lik(filter(obs, s, spec.period, level, trend, season.data(), nullptr, obs.y.size()),
               obs.count, spec.error);
  };
  std::vector<double> u0 = CoordinatesOf(DefaultSmoothing(spec), spec);
  std::vector<double> steps = StepsFrom(u0, kSmoothingStep);
  u0.push_back(0.0);
  steps.push_back(1.0);
  if (HasTrend(spec)) {
    u0.push_back(0.0);
    steps.push_back(1.0);
  }
  NelderMeadOptions options;
  options.tolerance = kTolerance;
  options.max_evaluations = kMaxEvaluations;
  options.restarts = 1;
  options.restart_step = kRestartStep;
  const NelderMeadResult best = MinimizeNelderMead(objective, u0, steps, options);
  if (!std::isfinite(best.value)) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() + " does not fit the series: its forecasts turn zero or negative");
  }
  EtsState initial = start;
  state_from(best.point, initial.level, initial.trend);
  const Smoothing s = SmoothingFrom(best.point, spec);
  if (HasSeason(spec)) initial = RefineSeason(obs, spec, s, std::move(initial));
  return Complete(obs, spec, s, std::move(initial));
}

Result<EtsModel> FitObserved(const Observations& obs, const std::vector<double>& filled,
                             const EtsSpec& spec) {
  const EtsState start = HeuristicState(filled, spec);
  if (spec.error == EtsError::kAdditive) return FitAdditive(obs, spec, start);
  return FitMultiplicative(obs, spec, start);
}

// ----------------------------------------------------------------------------------------------
// Forecasting.

// The ziggurat of Marsaglia and Tsang (2000) for the standard normal: the area under
// f(x) = exp(-x^2 / 2), x >= 0, cut into kLayers layers of equal area v. Layer 0 is the base
// rectangle [0, r] x [0, f(r)] plus the tail beyond r, as wide as v / f(r); layer i >= 1 is the
// rectangle [0, x_i] x [f(x_i), f(x_(i+1))], where x_1 = r and f(x_(i+1)) = f(x_i) + v / x_i.
class Ziggurat {
 public:
  static constexpr int kLayers = 128;
  static constexpr double kR = 3.442619855899;       // Marsaglia and Tsang's r and v for
  static constexpr double kV = 9.91256303526217e-3;  // 128 layers

  Ziggurat() {
    const auto f = [](double x) { return std::exp(-x * x / 2); };
    width_[0] = kV / f(kR);
    width_[1] = kR;
    for (int i = 1; i < kLayers - 1; ++i) {
      width_[i + 1] = std::sqrt(-2 * std::log(f(width_[i]) + kV / width_[i]));
    }
    width_[kLayers] = 0;
    for (int i = 0; i <= kLayers; ++i) height_[i] = f(width_[i]);
    height_[0] = 0;  // the base layer starts at the axis
  }

  // A draw from 64 random bits at a time; `bits` gives more when a draw is rejected.
  template <typename Bits>
  [[nodiscard]] double Draw(Bits&& bits) const {
    constexpr int kLayerBits = 7;
    constexpr int kMantissaBits = 53;
    constexpr std::uint64_t kSignBit = std::uint64_t{1} << kLayerBits;
    while (true) {
      const std::uint64_t word = bits();
      const auto layer = static_cast<std::size_t>(word & (kLayers - 1));
      const double sign = (word & kSignBit) != 0 ? -1.0 : 1.0;
      const double unit = static_cast<double>(word >> (64 - kMantissaBits)) * 0x1.0p-53;
      const double x = unit * width_[layer];
      if (x < width_[layer + 1]) return sign * x;  // inside the layer's inner rectangle
      if (layer == 0) return sign * Tail(bits);
      // The wedge between the rectangle and the curve.
      const double y = height_[layer] + Unit(bits()) * (height_[layer + 1] - height_[layer]);
      if (y < std::exp(-x * x / 2)) return sign * x;
    }
  }

 private:
  static double Unit(std::uint64_t word) {
    constexpr int kMantissaBits = 53;
    return static_cast<double>(word >> (64 - kMantissaBits)) * 0x1.0p-53;
  }

  // Beyond r (Marsaglia 1964): r + a with a = -log(u1) / r, accepted when -2 log(u2) > a^2.
  template <typename Bits>
  static double Tail(Bits&& bits) {
    while (true) {
      const double a = -std::log(1 - Unit(bits())) / kR;
      const double b = -std::log(1 - Unit(bits()));
      if (2 * b > a * a) return kR + a;
    }
  }

  std::array<double, kLayers + 1> width_{};
  std::array<double, kLayers + 1> height_{};
};

// SplitMix64: a small generator with a well-mixed output; standard normals from the ziggurat.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Normal() {
    static const Ziggurat ziggurat;
    return ziggurat.Draw([this] { return Next(); });
  }

 private:
  std::uint64_t state_;
};

// Point forecasts: (l + phi_h b) + s or (l + phi_h b) s with phi_h = phi + ... + phi^h.
std::vector<double> PointForecasts(const EtsModel& model, int horizon) {
  const EtsState& state = model.final_state;
  std::vector<double> mean(static_cast<std::size_t>(horizon));
  double damping = 1;
  double phi_sum = 0;
  for (int h = 0; h < horizon; ++h) {
    damping *= model.phi;
    phi_sum += damping;
    double f = state.level + (HasTrend(model.spec) ? phi_sum * state.trend : 0.0);
    if (HasSeason(model.spec)) {
      const double s = state.season[static_cast<std::size_t>(h % model.spec.period)];
      f = model.spec.season == EtsSeason::kAdditive ? f + s : f * s;
    }
    mean[static_cast<std::size_t>(h)] = f;
  }
  return mean;
}

// The h-step forecast variance of the linear models (Hyndman et al. 2008, Table 6.1):
// sigma2 (1 + sum_{j<h} c_j^2) with c_j = alpha + beta phi_j + gamma [j is a multiple of m].
std::vector<double> LinearVariances(const EtsModel& model, int horizon) {
  std::vector<double> variance(static_cast<std::size_t>(horizon));
  double sum = 0;
  double damping = 1;
  double phi_sum = 0;
  for (int h = 1; h <= horizon; ++h) {
    variance[static_cast<std::size_t>(h - 1)] = model.sigma2 * (1 + sum);
    damping *= model.phi;
    phi_sum += damping;
    double c = model.alpha;
    if (HasTrend(model.spec)) c += model.beta * phi_sum;
    if (HasSeason(model.spec) && h % model.spec.period == 0) c += model.gamma;
    sum += c * c;
  }
  return variance;
}

// Type 8 sample quantiles (Hyndman and Fan 1996; R's quantile(type = 8)) of `values` at
// ascending probabilities. The order statistics come from a histogram of the values: only the
// few values in the bucket that holds a wanted rank are gathered and sorted (selection by
// partitioning mispredicts a branch on every other value).
class QuantileFinder {
 public:
  // The type 8 position of probability p among n values: order statistic `rank` (0-based) plus
  // `fraction` of the way to the next.
  struct Position {
    std::size_t rank = 0;
    double fraction = 0;
  };
  static Position Locate(std::size_t size, double p) {
    const auto n = static_cast<double>(size);
    const double position = std::clamp((n + 1.0 / 3) * p + 1.0 / 3, 1.0, n);
    const auto rank = static_cast<std::size_t>(position) - 1;
    return {rank, position - static_cast<double>(rank + 1)};
  }

  void Find(std::span<const double> values, std::span<const double> probabilities,
            std::span<double> quantiles) {
    const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
    const double low = *lowest;
    const double range = *highest - low;
    if (!(range > 0) || !std::isfinite(range)) {
      FindBySelection(values, probabilities, quantiles);
      return;
    }
    const double scale = kBuckets / range;
    gathered_bucket_ = kNoBucket;
    counts_.assign(kBuckets + 1, 0);
    buckets_.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      buckets_[i] = static_cast<std::uint16_t>(Bucket(values[i], low, scale));
      ++counts_[buckets_[i]];
    }
    // counts_[b] becomes the number of values in buckets before b.
    std::size_t before = 0;
    for (std::size_t& count : counts_) {
      const std::size_t here = count;
      count = before;
      before += here;
    }
    for (std::size_t k = 0; k < probabilities.size(); ++k) {
      const Position at = Locate(values.size(), probabilities[k]);
      const double x = OrderStatistic(values, at.rank);
      const double next = at.rank + 1 < values.size() ? OrderStatistic(values, at.rank + 1) : x;
      quantiles[k] = x + at.fraction * (next - x);
    }
  }

 private:
  static constexpr std::size_t kBuckets = 512;

  static std::size_t Bucket(double value, double low, double scale) {
    return std::min(kBuckets, static_cast<std::size_t>((value - low) * scale));
  }

  // The order statistic `rank` (0-based): the values of its bucket, sorted (kept while the
  // next rank falls in the same bucket).
  double OrderStatistic(std::span<const double> values, std::size_t rank) {
    const auto after = std::upper_bound(counts_.begin(), counts_.end(), rank);
    const auto bucket = static_cast<std::size_t>(after - counts_.begin()) - 1;
    if (bucket != gathered_bucket_) {
      gathered_.clear();
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (buckets_[i] == bucket) gathered_.push_back(values[i]);
      }
      std::sort(gathered_.begin(), gathered_.end());
      gathered_bucket_ = bucket;
    }
    return gathered_[rank - counts_[bucket]];
  }

  // Without a usable range (all values equal, or not finite): selection on a copy.
  void FindBySelection(std::span<const double> values, std::span<const double> probabilities,
                       std::span<double> quantiles) {
    gathered_.assign(values.begin(), values.end());
    gathered_bucket_ = kNoBucket;
    for (std::size_t k = 0; k < probabilities.size(); ++k) {
      const Position at = Locate(values.size(), probabilities[k]);
      const auto nth = gathered_.begin() + static_cast<std::ptrdiff_t>(at.rank);
      std::nth_element(gathered_.begin(), nth, gathered_.end());
      const double x = *nth;
      const double next =
          at.rank + 1 < values.size() ? *std::min_element(nth + 1, gathered_.end()) : x;
      quantiles[k] = x + at.fraction * (next - x);
    }
  }

  static constexpr std::size_t kNoBucket = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> counts_;     // values in the buckets before each bucket
  std::vector<std::uint16_t> buckets_;  // each value's bucket
  std::vector<double> gathered_;
  std::size_t gathered_bucket_ = kNoBucket;
};

// Simulated future paths from the final state: values[h * paths + p] for step h + 1 of path p.
// The paths advance side by side, one step at a time, drawing their errors in path order.
template <EtsError kError, bool kTrend, EtsSeason kSeason>
void SimulatePaths(const EtsModel& model, std::size_t horizon, std::size_t paths,
                   std::uint64_t seed, std::vector<double>& values) {
  const auto m = static_cast<std::size_t>(kSeason != EtsSeason::kNone ? model.spec.period : 0);
  std::vector<double> level(paths, model.final_state.level);
  std::vector<double> trend(paths, model.final_state.trend);
  std::vector<double> season(m * paths);  // season[i * paths + p]
  for (std::size_t i = 0; i < m; ++i) {
    std::fill_n(season.begin() + static_cast<std::ptrdiff_t>(i * paths), paths,
                model.final_state.season[i]);
  }
  const double sigma = std::sqrt(model.sigma2);
  const double alpha = model.alpha;
  const double beta = model.beta;
  const double gamma = model.gamma;
  const double phi = model.phi;
  values.assign(horizon * paths, 0.0);
  Random random(seed);
  for (std::size_t h = 0; h < horizon; ++h) {
    double* const row = values.data() + h * paths;
    double* const seasonal = m > 0 ? season.data() + (h % m) * paths : nullptr;
    for (std::size_t p = 0; p < paths; ++p) {
      const double phib = kTrend ? phi * trend[p] : 0.0;
      const double q = level[p] + phib;
      const double s = kSeason != EtsSeason::kNone ? seasonal[p] : 0.0;
      const double f = kSeason == EtsSeason::kMultiplicative ? q * s : q + s;
      const double z = sigma * random.Normal();
      const double y = kError == EtsError::kAdditive ? f + z : f * (1 + z);
      double d = y - s - q;  // p - q, as in Filter
      if constexpr (kSeason == EtsSeason::kMultiplicative) d = y / s - q;
      level[p] = q + alpha * d;
      if constexpr (kTrend) trend[p] = phib + beta * d;
      if constexpr (kSeason == EtsSeason::kAdditive) seasonal[p] = s + gamma * (y - q - s);
      if constexpr (kSeason == EtsSeason::kMultiplicative) seasonal[p] = s + gamma * (y / q - s);
      row[p] = y;
    }
  }
}

template <EtsError kError, bool kTrend>
void SimulatePaths(const EtsModel& model, std::size_t horizon, std::size_t paths,
                   std::uint64_t seed, std::vector<double>& values) {
  switch (model.spec.season) {
    case EtsSeason::kNone:
      return SimulatePaths<kError, kTrend, EtsSeason::kNone>(model, horizon, paths, seed, values);
    case EtsSeason::kAdditive:
      return SimulatePaths<kError, kTrend, EtsSeason::kAdditive>(model, horizon, paths, seed,
                                                                 values);
    case EtsSeason::kMultiplicative:
      return SimulatePaths<kError, kTrend, EtsSeason::kMultiplicative>(model, horizon, paths, seed,
                                                                       values);
  }
}

std::vector<double> SimulatePaths(const EtsModel& model, std::size_t horizon, std::size_t paths,
                                  std::uint64_t seed) {
  std::vector<double> values;
  const bool trend = HasTrend(model.spec);
  if (model.spec.error == EtsError::kAdditive) {
    trend ? SimulatePaths<EtsError::kAdditive, true>(model, horizon, paths, seed, values)
          : SimulatePaths<EtsError::kAdditive, false>(model, horizon, paths, seed, values);
  } else {
    trend ? SimulatePaths<EtsError::kMultiplicative, true>(model, horizon, paths, seed, values)
          : SimulatePaths<EtsError::kMultiplicative, false>(model, horizon, paths, seed, values);
  }
  return values;
}

// ----------------------------------------------------------------------------------------------
// Serialisation.

template <typename T>
void Write(std::ostream& out, T value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool Read(std::istream& in, T& value) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

void WriteState(std::ostream& out, const EtsState& state) {
  Write(out, state.level);
  Write(out, state.trend);
  Write(out, static_cast<std::uint32_t>(state.season.size()));
  for (const double value : state.season) Write(out, value);
}

bool ReadState(std::istream& in, std::size_t season_length, EtsState& state) {
  std::uint32_t length = 0;
  if (!Read(in, state.level) || !Read(in, state.trend) || !Read(in, length) ||
      length != season_length || !std::isfinite(state.level) || !std::isfinite(state.trend)) {
    return false;
  }
  state.season.assign(season_length, 0.0);
  for (double& value : state.season) {
    if (!Read(in, value) || !std::isfinite(value)) return false;
  }
  return true;
}

}  // namespace

std::string EtsSpec::Name() const {
  const char* const error_name = error == EtsError::kAdditive ? "A" : "M";
  const char* trend_name = "N";
  if (trend == EtsTrend::kAdditive) trend_name = "A";
  if (trend == EtsTrend::kDamped) trend_name = "Ad";
  const char* season_name = "N";
  if (season == EtsSeason::kAdditive) season_name = "A";
  if (season == EtsSeason::kMultiplicative) season_name = "M";
  return std::string("ETS(") + error_name + "," + trend_name + "," + season_name + ")";
}

int EtsParameterCount(const EtsSpec& spec) {
  const int states = 1 + (HasTrend(spec) ? 1 : 0) + (HasSeason(spec) ? spec.period - 1 : 0);
  return SmoothingCount(spec) + states;
}

bool EtsAdmissible(const EtsSpec& spec, double alpha, double beta, double gamma, double phi) {
  if (!CheckSpec(spec)) return false;
  std::vector<double> scratch;
  return Admissible(spec, Smoothing{alpha, beta, gamma, phi}, scratch);
}

int EtsMinimumObservations(const EtsSpec& spec) {
  return EtsParameterCount(spec) + kSpareObservations + 1;
}

Result<EtsModel> FitEts(const RegularSeries& series, const EtsSpec& spec) {
  if (auto status = CheckSpec(spec); !status) return unexpected(status.error());
  const EtsSpec normalized = Normalized(spec);
  auto obs = Observe(series);
  if (!obs) return unexpected(obs.error());
  if (auto status = CheckData(*obs, normalized); !status) {
    return unexpected(status.error());
  }
  return FitObserved(*obs, Interpolated(*obs), normalized);
}

Result<EtsModel> SelectEts(const RegularSeries& series, int period,
                           const EtsSelectOptions& options) {
  if (period < 1 || period > kMaxPeriod) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the period must be 1 to " + std::to_string(kMaxPeriod) + " steps");
  }
  auto obs = Observe(series);
  if (!obs) return unexpected(obs.error());
  const std::vector<double> filled = Interpolated(*obs);
  std::optional<EtsModel> best;
  // forecast::ets's order (errors, trends, seasons); the first of equal AICc wins.
  for (const EtsError error : {EtsError::kAdditive, EtsError::kMultiplicative}) {
    for (const EtsTrend trend : {EtsTrend::kNone, EtsTrend::kDamped, EtsTrend::kAdditive}) {
      for (const EtsSeason season :
           {EtsSeason::kNone, EtsSeason::kAdditive, EtsSeason::kMultiplicative}) {
        const EtsSpec spec = Normalized(EtsSpec{error, trend, season, period});
        if ((IsMultiplicative(spec) && !options.allow_multiplicative) ||
            (trend == EtsTrend::kDamped && !options.allow_damped) ||
            (trend != EtsTrend::kNone && !options.allow_trend) ||
            (season != EtsSeason::kNone && (!options.allow_seasonal || period < 2))) {
          continue;
        }
        if (!CheckSpec(spec) || !CheckData(*obs, spec)) continue;
        auto model = FitObserved(*obs, filled, spec);
        if (!model || !std::isfinite(model->aicc)) continue;
        if (!best || model->aicc < best->aicc) best = std::move(*model);
      }
    }
  }
  if (!best) {
    return MakeError(ErrorCode::kInvalidInput,
                     "no exponential smoothing model fits: the series has " +
                         std::to_string(obs->count) +
                         " observed points and the simplest model needs " +
                         std::to_string(EtsMinimumObservations(EtsSpec{})));
  }
  return std::move(*best);
}

Result<EtsModel> EvaluateEts(const RegularSeries& series, const EtsModel& model) {
  if (auto status = CheckSpec(model.spec); !status) return unexpected(status.error());
  const EtsSpec spec = Normalized(model.spec);
  if (model.initial_state.season.size() != static_cast<std::size_t>(SeasonLength(spec))) {
    return MakeError(ErrorCode::kInvalidInput,
                     "the initial state has " + std::to_string(model.initial_state.season.size()) +
                         " seasonal indices; " + spec.Name() + " needs " +
                         std::to_string(SeasonLength(spec)));
  }
  auto obs = Observe(series);
  if (!obs) return unexpected(obs.error());
  if (IsMultiplicative(spec) && !obs->positive) {
    return MakeError(ErrorCode::kInvalidInput,
                     spec.Name() + " is multiplicative: the series has zero or negative values");
  }
  if (obs->count == 0) {
    return MakeError(ErrorCode::kInvalidInput, "the series has no observed points");
  }
  const Smoothing s{model.alpha, HasTrend(spec) ? model.beta : 0.0,
                    HasSeason(spec) ? model.gamma : 0.0,
                    spec.trend == EtsTrend::kDamped ? model.phi : 1.0};
  return Complete(*obs, spec, s, model.initial_state);
}

std::vector<double> EtsOneStepForecasts(const EtsModel& model, const RegularSeries& series) {
  if (!CheckSpec(model.spec) ||
      model.initial_state.season.size() != static_cast<std::size_t>(SeasonLength(model.spec))) {
    return {};
  }
  auto obs = Observe(series);
  if (!obs) return {};
  std::vector<double> fitted(obs->y.size());
  EtsState last;
  const Smoothing s{model.alpha, model.beta, model.gamma, model.phi};
  Run(*obs, model.spec, s, model.initial_state, last, fitted.data());
  return fitted;
}

ForecastResult ForecastEts(const EtsModel& model, int horizon, std::span<const double> levels,
                           const EtsForecastOptions& options) {
  ForecastResult result;
  result.model = model.spec.Name();
  horizon = std::max(horizon, 0);
  const auto steps = static_cast<std::size_t>(horizon);
  // A model whose final season does not match its spec (not one FitEts or LoadEts made) gets NaN
  // forecasts rather than reads out of bounds.
  const bool malformed =
      !CheckSpec(model.spec) ||
      model.final_state.season.size() != static_cast<std::size_t>(SeasonLength(model.spec));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  result.mean = malformed ? std::vector<double>(steps, nan) : PointForecasts(model, horizon);
  for (const double level : levels) {
    result.intervals.push_back(
        Interval{level, std::vector<double>(steps, nan), std::vector<double>(steps, nan)});
  }
  if (horizon == 0 || levels.empty() || malformed) return result;
  const bool analytic = model.spec.error == EtsError::kAdditive && !options.simulate;
  if (analytic) {
    const std::vector<double> variance = LinearVariances(model, horizon);
    for (Interval& interval : result.intervals) {
      const bool valid = interval.level > 0 && interval.level < 100;
      const double z = valid ? NormalQuantile(0.5 + interval.level / 200) : nan;
      for (std::size_t h = 0; h < steps; ++h) {
        const double half_width = z * std::sqrt(variance[h]);
        interval.lower[h] = result.mean[h] - half_width;
        interval.upper[h] = result.mean[h] + half_width;
      }
    }
    return result;
  }
  // Both ends of every valid level's interval, in ascending order of probability.
  std::vector<std::pair<double, double*>> ends;  // probability, where its quantile goes
  std::vector<std::size_t> valid_levels;         // the others keep their NaN bounds
  for (std::size_t i = 0; i < result.intervals.size(); ++i) {
    const double level = result.intervals[i].level;
    if (level > 0 && level < 100) valid_levels.push_back(i);
  }
  if (valid_levels.empty()) return result;
  const auto paths = static_cast<std::size_t>(std::max(options.paths, 1));
  std::vector<double> values = SimulatePaths(model, steps, paths, options.seed);
  std::vector<double> probabilities;
  std::vector<double> quantiles;
  QuantileFinder finder;
  for (std::size_t h = 0; h < steps; ++h) {
    ends.clear();
    for (const std::size_t i : valid_levels) {
      Interval& interval = result.intervals[i];
      const double tail = (1 - interval.level / 100) / 2;
      ends.emplace_back(tail, &interval.lower[h]);
      ends.emplace_back(1 - tail, &interval.upper[h]);
    }
    std::sort(ends.begin(), ends.end());
    probabilities.resize(ends.size());
    quantiles.resize(ends.size());
    for (std::size_t k = 0; k < ends.size(); ++k) probabilities[k] = ends[k].first;
    finder.Find(std::span<const double>(values.data() + h * paths, paths), probabilities,
                quantiles);
    for (std::size_t k = 0; k < ends.size(); ++k) *ends[k].second = quantiles[k];
  }
  return result;
}

void SaveEts(const EtsModel& model, std::ostream& out) {
  out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
  Write(out, kFormatVersion);
  Write(out, static_cast<std::int32_t>(model.spec.error));
  Write(out, static_cast<std::int32_t>(model.spec.trend));
  Write(out, static_cast<std::int32_t>(model.spec.season));
  Write(out, static_cast<std::int32_t>(model.spec.period));
  for (const double value : {model.alpha, model.beta, model.gamma, model.phi}) Write(out, value);
  WriteState(out, model.initial_state);
  WriteState(out, model.final_state);
  for (const double value :
       {model.sigma2, model.log_likelihood, model.aic, model.aicc, model.bic}) {
    Write(out, value);
  }
  Write(out, static_cast<std::int32_t>(model.observations));
  Write(out, static_cast<std::int32_t>(model.parameters));
}

Result<EtsModel> LoadEts(std::istream& in) {
  std::string magic(kMagic.size(), '\0');
  if (!in.read(magic.data(), static_cast<std::streamsize>(magic.size())) || magic != kMagic) {
    return MakeError(ErrorCode::kInvalidInput, "not a costwise ETS model (bad magic)");
  }
  std::uint32_t version = 0;
  if (!Read(in, version)) return MakeError(ErrorCode::kInvalidInput, "truncated ETS model header");
  if (version != kFormatVersion) {
    return MakeError(ErrorCode::kInvalidInput,
                     "unsupported ETS model format version " + std::to_string(version));
  }
  std::int32_t error = 0;
  std::int32_t trend = 0;
  std::int32_t season = 0;
  std::int32_t period = 0;
  if (!Read(in, error) || !Read(in, trend) || !Read(in, season) || !Read(in, period)) {
    return MakeError(ErrorCode::kInvalidInput, "truncated ETS model header");
  }
  if (error < 0 || error > 1 || trend < 0 || trend > 2 || season < 0 || season > 2) {
    return MakeError(ErrorCode::kInvalidInput, "corrupt ETS model: unknown model components");
  }
  EtsModel model;
  model.spec = EtsSpec{static_cast<EtsError>(error), static_cast<EtsTrend>(trend),
                       static_cast<EtsSeason>(season), period};
  if (!CheckSpec(model.spec) || (!HasSeason(model.spec) && period != 1)) {
    return MakeError(ErrorCode::kInvalidInput, "corrupt ETS model: impossible model or period");
  }
  if (!Read(in, model.alpha) || !Read(in, model.beta) || !Read(in, model.gamma) ||
      !Read(in, model.phi)) {
    return MakeError(ErrorCode::kInvalidInput, "truncated ETS model");
  }
  const auto in_unit = [](double x) { return x >= 0 && x <= 1; };
  if (!in_unit(model.alpha) || !in_unit(model.beta) || !in_unit(model.gamma) ||
      !(model.phi > 0 && model.phi <= 1)) {
    return MakeError(ErrorCode::kInvalidInput, "corrupt ETS model: parameters out of range");
  }
  const auto season_length = static_cast<std::size_t>(SeasonLength(model.spec));
  if (!ReadState(in, season_length, model.initial_state) ||
      !ReadState(in, season_length, model.final_state)) {
    return MakeError(ErrorCode::kInvalidInput, "truncated or corrupt ETS model states");
  }
  std::int32_t observations = 0;
  std::int32_t parameters = 0;
  if (!Read(in, model.sigma2) || !Read(in, model.log_likelihood) || !Read(in, model.aic) ||
      !Read(in, model.aicc) || !Read(in, model.bic) || !Read(in, observations) ||
      !Read(in, parameters)) {
    return MakeError(ErrorCode::kInvalidInput, "truncated ETS model");
  }
  if (!std::isfinite(model.sigma2) || model.sigma2 < 0 || std::isnan(model.log_likelihood) ||
      std::isnan(model.aic) || std::isnan(model.aicc) || std::isnan(model.bic) ||
      observations < 0 || parameters < 0) {
    return MakeError(ErrorCode::kInvalidInput, "corrupt ETS model: impossible fit statistics");
  }
  model.observations = observations;
  model.parameters = parameters;
  return model;
}

}  // namespace costwise::forecast
