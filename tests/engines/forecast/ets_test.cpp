#include "engines/forecast/ets.h"

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "engines/forecast/nelder_mead.h"

namespace costwise::forecast {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<double> kLevels = {80, 95};

RegularSeries Series(std::vector<double> values) {
  RegularSeries series;
  series.frequency.seconds = 86'400;
  series.values = std::move(values);
  return series;
}

EtsSpec Spec(EtsError error, EtsTrend trend, EtsSeason season, int period = 1) {
  return EtsSpec{error, trend, season, period};
}

EtsState State(double level, double trend = 0, std::vector<double> season = {}) {
  return EtsState{level, trend, std::move(season)};
}

// A model given by hand: its spec, parameters and initial state.
EtsModel Given(const EtsSpec& spec, double alpha, double beta, double gamma, double phi,
               EtsState initial) {
  EtsModel model;
  model.spec = spec;
  model.alpha = alpha;
  model.beta = beta;
  model.gamma = gamma;
  model.phi = phi;
  model.initial_state = std::move(initial);
  return model;
}

// A series drawn from an ETS model in the error-correction form of Hyndman et al. (2008, Table
// 2.3), written out here independently of ets.cpp. `season` holds the indices of the first
// `period` points. With `future` > 0, that many further values go to *ahead.
struct Truth {
  EtsSpec spec;
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double phi = 1;
  double level = 0;
  double trend = 0;
  std::vector<double> season;
  double sigma = 1;
};

// ETS(A,N,N) from `level`: a local level with steps alpha e, e ~ N(0, sigma^2).
Truth LocalLevel(double alpha, double level, double sigma) {
  Truth truth;
  truth.spec = EtsSpec{EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone, 1};
  truth.alpha = alpha;
  truth.level = level;
  truth.sigma = sigma;
  return truth;
}

std::vector<double> Simulate(const Truth& truth, int n, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> noise(0.0, truth.sigma);
  const bool trend = truth.spec.trend != EtsTrend::kNone;
  const double phi = truth.spec.trend == EtsTrend::kDamped ? truth.phi : 1.0;
  const bool multiplicative_error = truth.spec.error == EtsError::kMultiplicative;
  std::vector<double> season = truth.season;
  double l = truth.level;
  double b = truth.trend;
  std::vector<double> y(static_cast<std::size_t>(n));
  for (int t = 0; t < n; ++t) {
    const double damped = trend ? phi * b : 0.0;
    const double base = l + damped;
    double* s = season.empty() ? nullptr : &season[static_cast<std::size_t>(t) % season.size()];
    double mu = base;
    if (truth.spec.season == EtsSeason::kAdditive) mu = base + *s;
    if (truth.spec.season == EtsSeason::kMultiplicative) mu = base * *s;
    const double e = noise(random);
    y[static_cast<std::size_t>(t)] = multiplicative_error ? mu * (1 + e) : mu + e;
    // Per unit of error: additive errors move the states by e; multiplicative ones by a share
    // of what the error multiplies.
    if (!multiplicative_error) {
      l = base + truth.alpha * e;
      b = damped + truth.beta * e;
      if (s != nullptr) *s += truth.gamma * e;
    } else if (truth.spec.season == EtsSeason::kMultiplicative) {
      l = base * (1 + truth.alpha * e);
      b = damped + truth.beta * base * e;
      *s *= 1 + truth.gamma * e;
    } else {
      l = base + truth.alpha * mu * e;
      b = damped + truth.beta * mu * e;
      if (s != nullptr) *s += truth.gamma * mu * e;
    }
  }
  return y;
}

// AirPassengers (Box and Jenkins), monthly 1949-1960.
const std::vector<double> kAirPassengers = {
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149,
    170, 170, 158, 133, 114, 140, 145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166,
    171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194, 196, 196, 236, 235, 229, 243,
    264, 272, 237, 211, 180, 201, 204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229,
    242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278, 284, 277, 317, 313, 318, 374,
    413, 405, 355, 306, 271, 306, 315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336,
    340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337, 360, 342, 406, 396, 420, 472,
    548, 559, 463, 407, 362, 405, 417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432};

// ---------------------------------------------------------------------------------------------

TEST(EtsSpecTest, NamesModelsAsForecastEtsDoes) {
  EXPECT_EQ(Spec(EtsError::kAdditive, EtsTrend::kDamped, EtsSeason::kMultiplicative, 12).Name(),
            "ETS(A,Ad,M)");
  EXPECT_EQ(Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kNone).Name(),
            "ETS(M,N,N)");
  EXPECT_EQ(Spec(EtsError::kAdditive, EtsTrend::kAdditive, EtsSeason::kAdditive, 7).Name(),
            "ETS(A,A,A)");
}

TEST(EtsSpecTest, CountsParametersAsForecastEtsDoes) {
  // alpha and the initial level; then the smallest series forecast::ets fits it to: more than
  // parameters + 4 points.
  const EtsSpec simple = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone);
  EXPECT_EQ(EtsParameterCount(simple), 2);
  EXPECT_EQ(EtsMinimumObservations(simple), 7);
  // alpha, beta, gamma, phi, level, trend and 11 free seasonal indices.
  const EtsSpec full =
      Spec(EtsError::kMultiplicative, EtsTrend::kDamped, EtsSeason::kMultiplicative, 12);
  EXPECT_EQ(EtsParameterCount(full), 17);
  EXPECT_EQ(EtsMinimumObservations(full), 22);
}

// ---------------------------------------------------------------------------------------------
// Hand-computed filters.

TEST(EtsEvaluateTest, SimpleExponentialSmoothingByHand) {
  // ETS(A,N,N), alpha = 0.5, l0 = 10: the level moves halfway to each value.
  //   y  10 12 11 13 12 14 13 15
  //   f  10 10 11 11 12 12 13 13    e  0 2 0 2 0 2 0 2    final level 14
  const RegularSeries series = Series({10, 12, 11, 13, 12, 14, 13, 15});
  const EtsModel given =
      Given(Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone), 0.5, 0, 0, 1, State(10));
  EXPECT_EQ(EtsOneStepForecasts(given, series),
            (std::vector<double>{10, 10, 11, 11, 12, 12, 13, 13}));
  const auto model = EvaluateEts(series, given);
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_DOUBLE_EQ(model->final_state.level, 14);
  // lik = n log(SSE) = 8 log 16; k = 2 parameters + sigma.
  const double lik = 8 * std::log(16.0);
  EXPECT_NEAR(model->log_likelihood, -lik / 2, 1e-12);
  EXPECT_NEAR(model->aic, lik + 2 * 3, 1e-12);
  EXPECT_NEAR(model->aicc, lik + 2 * 3 + 2.0 * 3 * 4 / (8 - 3 - 1), 1e-12);
  EXPECT_NEAR(model->bic, lik + 3 * std::log(8.0), 1e-12);
  EXPECT_NEAR(model->sigma2, 16.0 / (8 - 2), 1e-12);
  EXPECT_EQ(model->observations, 8);

  // Forecasts stay at 14; the variance grows by alpha^2 sigma2 per step.
  const ForecastResult forecast = ForecastEts(*model, 3, kLevels);
  EXPECT_EQ(forecast.model, "ETS(A,N,N)");
  ASSERT_EQ(forecast.mean.size(), 3U);
  EXPECT_DOUBLE_EQ(forecast.mean[2], 14);
  const double z95 = 1.959963984540054;
  for (int h = 1; h <= 3; ++h) {
    const double sd = std::sqrt(16.0 / 6 * (1 + (h - 1) * 0.25));
    EXPECT_NEAR(forecast.intervals[1].upper[h - 1], 14 + z95 * sd, 1e-9);
    EXPECT_NEAR(forecast.intervals[1].lower[h - 1], 14 - z95 * sd, 1e-9);
  }
  EXPECT_LT(forecast.intervals[0].upper[0], forecast.intervals[1].upper[0]);
}

TEST(EtsEvaluateTest, MultiplicativeErrorLikelihoodByHand) {
  // ETS(M,N,N), alpha = 0.5, l0 = 10; y = 10, 11, 12:
  //   f 10, 10, 10.5; relative errors 0, 0.1, 1.5 / 10.5; final level 11.25.
  const RegularSeries series = Series({10, 11, 12});
  const EtsModel given = Given(Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kNone),
                               0.5, 0, 0, 1, State(10));
  const auto model = EvaluateEts(series, given);
  ASSERT_TRUE(model) << model.error().message;
  const double sse = 0.01 + (1.5 / 10.5) * (1.5 / 10.5);
  const double lik = 3 * std::log(sse) + 2 * (2 * std::log(10.0) + std::log(10.5));
  EXPECT_NEAR(model->log_likelihood, -lik / 2, 1e-12);
  EXPECT_DOUBLE_EQ(model->final_state.level, 11.25);
}

TEST(EtsEvaluateTest, AdditiveSeasonByHand) {
  // ETS(A,N,A), period 2, alpha = 0.5, gamma = 0.25, l0 = 2, seasonal indices -1 (points 0,
  // 2, ...) and 1. Step by step (e = y - l - s; l += alpha e; s += gamma e):
  //   y  2     3      2      5       3        4
  //   f  1     3.5    1.5    3.375   2.6875   4.75
  //   e  1    -0.5    0.5    1.625   0.3125  -0.75
  //   l  2.5   2.25   2.5    3.3125  3.46875  3.09375
  //   s -0.75  0.875 -0.625  1.28125 -0.546875 1.09375
  const RegularSeries series = Series({2, 3, 2, 5, 3, 4});
  const EtsSpec spec = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kAdditive, 2);
  const EtsModel given = Given(spec, 0.5, 0, 0.25, 1, State(2, 0, {-1, 1}));
  EXPECT_EQ(EtsOneStepForecasts(given, series),
            (std::vector<double>{1, 3.5, 1.5, 3.375, 2.6875, 4.75}));
  const auto model = EvaluateEts(series, given);
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_DOUBLE_EQ(model->final_state.level, 3.09375);
  EXPECT_EQ(model->final_state.season, (std::vector<double>{-0.546875, 1.09375}));
  // Parameters: alpha, gamma, the level and one free seasonal index.
  const double sse = 1 + 0.25 + 0.25 + 1.625 * 1.625 + 0.3125 * 0.3125 + 0.75 * 0.75;
  EXPECT_EQ(model->parameters, 4);
  EXPECT_NEAR(model->sigma2, sse / (6 - 4), 1e-12);

  // Forecasts: l + s, alternating; c_j = alpha + gamma [j even]: the variance is sigma2 times
  // 1, 1 + 0.25, 1 + 0.25 + 0.5625.
  const ForecastResult forecast = ForecastEts(*model, 3, std::vector<double>{95});
  EXPECT_EQ(forecast.mean, (std::vector<double>{2.546875, 4.1875, 2.546875}));
  const double z95 = 1.959963984540054;
  const double factors[] = {1, 1.25, 1.8125};
  for (std::size_t h = 0; h < 3; ++h) {
    EXPECT_NEAR(forecast.intervals[0].upper[h] - forecast.mean[h],
                z95 * std::sqrt(model->sigma2 * factors[h]), 1e-9);
  }
}

TEST(EtsForecastTest, DampedTrendByHand) {
  // Final level 10, trend 1, phi 0.9: forecasts 10 + (0.9 + ... + 0.9^h); the variance factors
  // 1 + sum_{j<h} (alpha + beta phi_j)^2 with phi_j = 0.9 + ... + 0.9^j.
  EtsModel model = Given(Spec(EtsError::kAdditive, EtsTrend::kDamped, EtsSeason::kNone), 0.5, 0.1,
                         0, 0.9, State(10, 1));
  model.final_state = State(10, 1);
  model.sigma2 = 4;
  const ForecastResult forecast = ForecastEts(model, 3, std::vector<double>{80});
  ASSERT_EQ(forecast.mean.size(), 3U);
  EXPECT_NEAR(forecast.mean[0], 10.9, 1e-12);
  EXPECT_NEAR(forecast.mean[1], 11.71, 1e-12);
  EXPECT_NEAR(forecast.mean[2], 12.439, 1e-12);
  const double c1 = 0.5 + 0.1 * 0.9;
  const double c2 = 0.5 + 0.1 * (0.9 + 0.81);
  const double z80 = 1.2815515655446004;
  EXPECT_NEAR(forecast.intervals[0].upper[2] - forecast.mean[2],
              z80 * std::sqrt(4 * (1 + c1 * c1 + c2 * c2)), 1e-9);
  EXPECT_TRUE(ForecastEts(model, 0, kLevels).mean.empty());
  // A seasonal spec without its seasonal indices is not forecast (NaN), nor read out of bounds.
  EtsModel broken = model;
  broken.spec = Spec(EtsError::kAdditive, EtsTrend::kDamped, EtsSeason::kAdditive, 4);
  const ForecastResult nothing = ForecastEts(broken, 2, kLevels);
  EXPECT_TRUE(std::isnan(nothing.mean[1]));
  EXPECT_TRUE(std::isnan(nothing.intervals[0].upper[1]));
}

TEST(EtsEvaluateTest, MissingAndZeroWeightPointsMoveTheStateOnWithTheForecast) {
  // ETS(A,N,N), alpha = 0.5, l0 = 10, y = 10, ?, 14: the gap keeps the level at 10, so the
  // last error is 4 and the likelihood counts 2 points: lik = 2 log 16.
  const EtsModel given =
      Given(Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone), 0.5, 0, 0, 1, State(10));
  const auto gap = EvaluateEts(Series({10, kNaN, 14}), given);
  ASSERT_TRUE(gap) << gap.error().message;
  EXPECT_EQ(gap->observations, 2);
  EXPECT_NEAR(gap->log_likelihood, -std::log(16.0), 1e-12);
  EXPECT_DOUBLE_EQ(gap->final_state.level, 12);

  // A weight of 0 on a wild value is the same as a gap.
  RegularSeries weighted = Series({10, 1000, 14});
  weighted.weights = {1, 0, 1};
  const auto ignored = EvaluateEts(weighted, given);
  ASSERT_TRUE(ignored) << ignored.error().message;
  EXPECT_EQ(ignored->log_likelihood, gap->log_likelihood);
  EXPECT_EQ(ignored->final_state.level, gap->final_state.level);

  // Only the ratios of the weights count.
  RegularSeries doubled = Series({10, 12, 14});
  doubled.weights = {2, 2, 2};
  EXPECT_NEAR(EvaluateEts(doubled, given)->log_likelihood,
              EvaluateEts(Series({10, 12, 14}), given)->log_likelihood, 1e-12);

  // A multiplicative season over a gap keeps its index.
  const EtsSpec spec =
      Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kMultiplicative, 2);
  const EtsModel seasonal = Given(spec, 0.5, 0, 0.25, 1, State(10, 0, {0.5, 1.5}));
  const auto skipped = EvaluateEts(Series({5, kNaN}), seasonal);
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_DOUBLE_EQ(skipped->final_state.level, 10);
  EXPECT_EQ(skipped->final_state.season, (std::vector<double>{0.5, 1.5}));
}

// ---------------------------------------------------------------------------------------------
// Fitting.

TEST(EtsFitTest, MatchesForecastEtsOnAirPassengers) {
  // R 4.2, forecast 8.20: ets(ts(AirPassengers, frequency = 12), model = "ANN") gives
  // alpha = 0.9999 (its upper bound), AICc 1733.958184, sigma2 1144.4644, and
  // forecast(fit, h = 3, level = c(80, 95)) 431.995793 with 95% bounds 365.690340 to 498.301245
  // at h = 1 and 317.159051 to 546.832535 at h = 3; model = "MNN" gives AICc 1674.071690 and
  // sigma2 0.011811979.
  const RegularSeries series = Series(kAirPassengers);
  const auto ann = FitEts(series, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone));
  ASSERT_TRUE(ann) << ann.error().message;
  EXPECT_NEAR(ann->alpha, 0.9999, 1e-4);
  EXPECT_NEAR(ann->aicc, 1733.958184, 1e-3);
  EXPECT_NEAR(ann->sigma2, 1144.4644, 1e-2);
  const ForecastResult forecast = ForecastEts(*ann, 3, kLevels);
  EXPECT_NEAR(forecast.mean[0], 431.995793, 1e-3);
  EXPECT_NEAR(forecast.intervals[1].lower[0], 365.690340, 1e-2);
  EXPECT_NEAR(forecast.intervals[1].upper[0], 498.301245, 1e-2);
  EXPECT_NEAR(forecast.intervals[1].lower[2], 317.159051, 1e-2);
  EXPECT_NEAR(forecast.intervals[1].upper[2], 546.832535, 1e-2);

  const auto mnn =
      FitEts(series, Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kNone));
  ASSERT_TRUE(mnn) << mnn.error().message;
  EXPECT_NEAR(mnn->aicc, 1674.071690, 1e-2);
  EXPECT_NEAR(mnn->sigma2, 0.011811979, 1e-6);
}

TEST(EtsFitTest, RecoversTheParametersOfSimulatedSeries) {
  Truth seasonal;
  seasonal.spec = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kAdditive, 7);
  seasonal.alpha = 0.3;
  seasonal.gamma = 0.1;
  seasonal.level = 100;
  seasonal.season = {-6, -3, 0, 2, 4, 5, -2};
  seasonal.sigma = 1;
  const auto fit = FitEts(Series(Simulate(seasonal, 730, 7)), seasonal.spec);
  ASSERT_TRUE(fit) << fit.error().message;
  EXPECT_NEAR(fit->alpha, 0.3, 0.05);
  EXPECT_NEAR(fit->gamma, 0.1, 0.05);
  EXPECT_NEAR(std::sqrt(fit->sigma2), 1, 0.05);
  // The season at the end still has the simulated shape (it drifts, but slowly): the fitted
  // and the simulated indices correlate.
  double cross = 0;
  double fitted_squares = 0;
  double true_squares = 0;
  for (std::size_t k = 0; k < 7; ++k) {
    const double truth_index = seasonal.season[(730 + k) % 7];
    cross += fit->final_state.season[k] * truth_index;
    fitted_squares += fit->final_state.season[k] * fit->final_state.season[k];
    true_squares += truth_index * truth_index;
  }
  EXPECT_GT(cross / std::sqrt(fitted_squares * true_squares), 0.7);

  Truth trend;
  trend.spec = Spec(EtsError::kAdditive, EtsTrend::kAdditive, EtsSeason::kNone);
  trend.alpha = 0.4;
  trend.beta = 0.1;
  trend.level = 50;
  trend.trend = 0.5;
  trend.sigma = 2;
  const auto holt = FitEts(Series(Simulate(trend, 600, 11)), trend.spec);
  ASSERT_TRUE(holt) << holt.error().message;
  EXPECT_NEAR(holt->alpha, 0.4, 0.07);
  EXPECT_NEAR(holt->beta, 0.1, 0.05);
  EXPECT_NEAR(std::sqrt(holt->sigma2), 2, 0.15);

  Truth multiplicative;
  multiplicative.spec =
      Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kMultiplicative, 12);
  multiplicative.alpha = 0.2;
  multiplicative.gamma = 0.05;
  multiplicative.level = 200;
  multiplicative.season = {0.8, 0.85, 0.9, 1, 1.1, 1.2, 1.25, 1.2, 1.05, 0.95, 0.85, 0.85};
  multiplicative.sigma = 0.02;
  const auto mnm = FitEts(Series(Simulate(multiplicative, 480, 5)), multiplicative.spec);
  ASSERT_TRUE(mnm) << mnm.error().message;
  EXPECT_NEAR(mnm->alpha, 0.2, 0.06);
  EXPECT_NEAR(mnm->gamma, 0.05, 0.05);
  EXPECT_NEAR(std::sqrt(mnm->sigma2), 0.02, 0.003);
}

TEST(EtsFitTest, GapsAndIgnoredPointsDoNotDisturbTheFit) {
  Truth truth;
  truth.spec = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kAdditive, 7);
  truth.alpha = 0.3;
  truth.gamma = 0.1;
  truth.level = 100;
  truth.season = {-6, -3, 0, 2, 4, 5, -2};
  const std::vector<double> values = Simulate(truth, 730, 21);
  // Every tenth point missing, including the very first.
  RegularSeries gappy = Series(values);
  for (std::size_t t = 0; t < gappy.values.size(); t += 10) gappy.values[t] = kNaN;
  const auto fit = FitEts(gappy, truth.spec);
  ASSERT_TRUE(fit) << fit.error().message;
  EXPECT_EQ(fit->observations, 730 - 73);
  EXPECT_NEAR(fit->alpha, 0.3, 0.06);
  EXPECT_NEAR(fit->gamma, 0.1, 0.06);

  // A spike of weight 0 leaves the fit as a gap there would.
  RegularSeries spiked = Series(values);
  spiked.values[400] = 1e6;
  spiked.weights.assign(values.size(), 1.0);
  spiked.weights[400] = 0;
  RegularSeries gap = Series(values);
  gap.values[400] = kNaN;
  const auto with_spike = FitEts(spiked, truth.spec);
  const auto with_gap = FitEts(gap, truth.spec);
  ASSERT_TRUE(with_spike && with_gap);
  EXPECT_EQ(with_spike->alpha, with_gap->alpha);
  EXPECT_EQ(with_spike->aicc, with_gap->aicc);
  const auto unweighted = FitEts(Series(spiked.values), truth.spec);
  ASSERT_TRUE(unweighted);
  EXPECT_GT(unweighted->sigma2, 100 * with_gap->sigma2);
}

TEST(EtsFitTest, RejectsWhatItCannotFit) {
  const RegularSeries series = Series(Simulate(LocalLevel(0.3, 10, 1), 40, 3));
  const auto excluded =
      FitEts(series, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kMultiplicative, 4));
  ASSERT_FALSE(excluded);
  EXPECT_EQ(excluded.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(excluded.error().message.find("ETS(A,N,M)"), std::string::npos);
  EXPECT_FALSE(FitEts(series, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kAdditive, 1)));
  EXPECT_FALSE(FitEts(series, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone, 0)));
  // Two full cycles are needed for a season: 40 points hold one of 24 steps.
  const auto one_cycle =
      FitEts(series, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kAdditive, 24));
  ASSERT_FALSE(one_cycle);
  EXPECT_NE(one_cycle.error().message.find("two full cycles"), std::string::npos);

  RegularSeries bad_weights = series;
  bad_weights.weights = {1, 2};
  EXPECT_FALSE(FitEts(bad_weights, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone)));
  bad_weights.weights.assign(series.size(), 1.0);
  bad_weights.weights[3] = -1;
  EXPECT_FALSE(FitEts(bad_weights, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone)));
  RegularSeries infinite = series;
  infinite.values[5] = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(FitEts(infinite, Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone)));
}

TEST(EtsFitTest, MultiplicativeModelsNeedPositiveData) {
  std::vector<double> values = Simulate(LocalLevel(0.3, 50, 2), 100, 9);
  values[50] = 0;   // a zero-cost day
  values[60] = -3;  // a credit
  const RegularSeries series = Series(values);
  const auto multiplicative =
      FitEts(series, Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kNone));
  ASSERT_FALSE(multiplicative);
  EXPECT_NE(multiplicative.error().message.find("positive"), std::string::npos);
  const auto selected = SelectEts(series, 7);
  ASSERT_TRUE(selected) << selected.error().message;
  EXPECT_EQ(selected->spec.error, EtsError::kAdditive);
  EXPECT_NE(selected->spec.season, EtsSeason::kMultiplicative);
  // The same data with the credit and the zero ignored admits multiplicative models again.
  RegularSeries ignored = series;
  ignored.weights.assign(values.size(), 1.0);
  ignored.weights[50] = ignored.weights[60] = 0;
  EXPECT_TRUE(FitEts(ignored, Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kNone)));
}

// ---------------------------------------------------------------------------------------------
// Selection.

TEST(EtsSelectTest, FindsTheSeasonInSeasonalDataAndNoneInLevelData) {
  Truth seasonal;
  seasonal.spec = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kAdditive, 7);
  seasonal.alpha = 0.2;
  seasonal.gamma = 0.05;
  seasonal.level = 100;
  seasonal.season = {-6, -3, 0, 2, 4, 5, -2};
  const auto weekly = SelectEts(Series(Simulate(seasonal, 365, 2)), 7);
  ASSERT_TRUE(weekly) << weekly.error().message;
  EXPECT_NE(weekly->spec.season, EtsSeason::kNone) << weekly->spec.Name();
  EXPECT_EQ(weekly->spec.period, 7);

  Truth level;
  level.spec = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone);
  level.alpha = 0.3;
  level.level = 100;
  const auto flat = SelectEts(Series(Simulate(level, 365, 4)), 7);
  ASSERT_TRUE(flat) << flat.error().message;
  EXPECT_EQ(flat->spec.season, EtsSeason::kNone) << flat->spec.Name();
  EXPECT_EQ(flat->spec.period, 1);

  // The selected model has the smallest AICc of those fitted on their own.
  for (const EtsTrend trend : {EtsTrend::kNone, EtsTrend::kAdditive, EtsTrend::kDamped}) {
    const auto other =
        FitEts(Series(Simulate(level, 365, 4)), Spec(EtsError::kAdditive, trend, EtsSeason::kNone));
    ASSERT_TRUE(other);
    EXPECT_LE(flat->aicc, other->aicc);
  }
  // Options narrow the choice.
  EtsSelectOptions additive_only;
  additive_only.allow_multiplicative = false;
  additive_only.allow_seasonal = false;
  const auto narrowed = SelectEts(Series(Simulate(seasonal, 365, 2)), 7, additive_only);
  ASSERT_TRUE(narrowed);
  EXPECT_EQ(narrowed->spec.season, EtsSeason::kNone);
  EXPECT_EQ(narrowed->spec.error, EtsError::kAdditive);
}

TEST(EtsSelectTest, ShortHistoriesGetSimplerModels) {
  const std::vector<double> fortnight = {12, 15, 11, 14, 13, 9, 8, 13, 16, 12, 15, 14, 9, 7};
  const auto selected = SelectEts(Series(fortnight), 7);
  ASSERT_TRUE(selected) << selected.error().message;
  // 14 points allow at most 9 parameters (ETS(A,N,A) with period 7 has exactly 9).
  EXPECT_LE(selected->parameters, 9);
  const auto holt_winters = FitEts(
      Series(fortnight), Spec(EtsError::kAdditive, EtsTrend::kAdditive, EtsSeason::kAdditive, 7));
  ASSERT_FALSE(holt_winters);
  EXPECT_NE(holt_winters.error().message.find("needs at least 16"), std::string::npos);

  const auto tiny = SelectEts(Series({1, 2, 3, 4, 5}), 7);
  ASSERT_FALSE(tiny);
  EXPECT_EQ(tiny.error().code, ErrorCode::kInvalidInput);
}

TEST(EtsSelectTest, ConstantSeriesForecastsTheConstant) {
  const auto selected = SelectEts(Series(std::vector<double>(30, 42.0)), 7);
  ASSERT_TRUE(selected) << selected.error().message;
  const ForecastResult forecast = ForecastEts(*selected, 5, kLevels);
  for (std::size_t h = 0; h < 5; ++h) {
    EXPECT_NEAR(forecast.mean[h], 42, 1e-9);
    EXPECT_NEAR(forecast.intervals[1].upper[h], 42, 1e-6);
  }
}

// ---------------------------------------------------------------------------------------------
// Admissibility.

TEST(EtsAdmissibleTest, AgreesWithTheCharacteristicRootsRFinds) {
  // R: max(abs(polyroot(c(phi*(1-alpha-gamma), alpha+beta-alpha*phi+gamma-1,
  //   rep(alpha+beta-alpha*phi, m-2), alpha+beta-phi, 1)))), forecast's admissibility test.
  struct Case {
    double alpha, beta, gamma, phi;
    int period;
    double largest_root;
  };
  const Case cases[] = {
      {0.9670755, 0.9420807, 0.03045465, 0.8906635, 4, 1.0000749369},
      {0.3, 0.01, 0.1, 1, 12, 0.9929468832},
      {0.5, 0.4, 0.45, 0.98, 7, 1.0170129429},
      {0.95, 0.9, 0.04, 0.8, 24, 1.0006216376},
      {0.2, 0.19, 0.79, 1, 2, 0.6161178875},
      {0.9, 0.85, 0.09, 1, 12, 1.0035244748},
      {0.99, 0.98, 0.005, 0.98, 7, 1.0003265679},
      {0.6, 0.5, 0.39, 0.9, 3, 0.7566245458},
  };
  for (const Case& c : cases) {
    const EtsSpec spec =
        Spec(EtsError::kAdditive, c.phi < 1 ? EtsTrend::kDamped : EtsTrend::kAdditive,
             EtsSeason::kAdditive, c.period);
    EXPECT_EQ(EtsAdmissible(spec, c.alpha, c.beta, c.gamma, c.phi), c.largest_root <= 1)
        << c.alpha << " " << c.beta << " " << c.gamma << " " << c.phi << " m=" << c.period;
  }
  // Without a season the usual region is admissible.
  EXPECT_TRUE(EtsAdmissible(Spec(EtsError::kAdditive, EtsTrend::kDamped, EtsSeason::kNone), 0.99,
                            0.98, 0, 0.8));
  EXPECT_FALSE(
      EtsAdmissible(Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone), 2.5, 0, 0, 1));
}

// ---------------------------------------------------------------------------------------------
// Intervals.

// The share of future values inside the forecast intervals, over `trials` series simulated from
// `truth` (history n, then `horizon` more), each fitted with `spec`.
std::vector<double> Coverage(const Truth& truth, int n, int horizon, int trials,
                             const EtsForecastOptions& options) {
  std::vector<double> inside(kLevels.size(), 0.0);
  for (int trial = 0; trial < trials; ++trial) {
    const std::vector<double> all = Simulate(truth, n + horizon, 1000 + trial);
    const auto fit = FitEts(Series(std::vector<double>(all.begin(), all.begin() + n)), truth.spec);
    if (!fit) continue;
    const ForecastResult forecast = ForecastEts(*fit, horizon, kLevels, options);
    for (std::size_t k = 0; k < kLevels.size(); ++k) {
      for (int h = 0; h < horizon; ++h) {
        const double future = all[static_cast<std::size_t>(n + h)];
        const auto step = static_cast<std::size_t>(h);
        if (future >= forecast.intervals[k].lower[step] &&
            future <= forecast.intervals[k].upper[step]) {
          inside[k] += 1.0 / (trials * horizon);
        }
      }
    }
  }
  return inside;
}

TEST(EtsForecastTest, IntervalsCoverSimulatedFutures) {
  // 300 histories of 150 points, 8 steps ahead: 2400 checks per level, whose share has a
  // standard error under 1 point (more, as the steps of one path are correlated).
  Truth additive;
  additive.spec = Spec(EtsError::kAdditive, EtsTrend::kNone, EtsSeason::kNone);
  additive.alpha = 0.3;
  additive.level = 50;
  additive.sigma = 2;
  const std::vector<double> analytic = Coverage(additive, 150, 8, 300, {});
  EXPECT_NEAR(analytic[0], 0.80, 0.035);
  EXPECT_NEAR(analytic[1], 0.95, 0.02);

  Truth multiplicative;
  multiplicative.spec = Spec(EtsError::kMultiplicative, EtsTrend::kNone, EtsSeason::kNone);
  multiplicative.alpha = 0.3;
  multiplicative.level = 50;
  multiplicative.sigma = 0.05;
  EtsForecastOptions options;
  options.paths = 1000;
  const std::vector<double> simulated = Coverage(multiplicative, 150, 8, 150, options);
  EXPECT_NEAR(simulated[0], 0.80, 0.04);
  EXPECT_NEAR(simulated[1], 0.95, 0.025);
}

TEST(EtsForecastTest, SimulatedIntervalsAgreeWithTheAnalyticOnes) {
  EtsModel model = Given(Spec(EtsError::kAdditive, EtsTrend::kAdditive, EtsSeason::kAdditive, 4),
                         0.3, 0.05, 0.1, 1, State(100, 1, {-3, 1, 3, -1}));
  model.final_state = State(120, 1, {-3, 1, 3, -1});
  model.sigma2 = 4;
  const ForecastResult analytic = ForecastEts(model, 12, kLevels);
  EtsForecastOptions options;
  options.simulate = true;
  options.paths = 4000;
  const ForecastResult simulated = ForecastEts(model, 12, kLevels, options);
  EXPECT_EQ(simulated.mean, analytic.mean);
  for (std::size_t k = 0; k < kLevels.size(); ++k) {
    for (std::size_t h = 0; h < 12; ++h) {
      const double width = analytic.intervals[k].upper[h] - analytic.intervals[k].lower[h];
      EXPECT_NEAR(simulated.intervals[k].lower[h], analytic.intervals[k].lower[h], 0.06 * width);
      EXPECT_NEAR(simulated.intervals[k].upper[h], analytic.intervals[k].upper[h], 0.06 * width);
    }
  }
}

TEST(EtsForecastTest, SimulationDependsOnTheSeedOnly) {
  EtsModel model =
      Given(Spec(EtsError::kMultiplicative, EtsTrend::kDamped, EtsSeason::kMultiplicative, 3), 0.3,
            0.05, 0.1, 0.9, State(100, 1, {0.9, 1.0, 1.1}));
  model.final_state = State(100, 1, {0.9, 1.0, 1.1});
  model.sigma2 = 0.01;
  EtsForecastOptions options;
  options.paths = 500;
  const ForecastResult first = ForecastEts(model, 6, kLevels, options);
  const ForecastResult again = ForecastEts(model, 6, kLevels, options);
  EXPECT_EQ(first.intervals[0].lower, again.intervals[0].lower);
  EXPECT_EQ(first.intervals[1].upper, again.intervals[1].upper);
  options.seed = 2;
  const ForecastResult other = ForecastEts(model, 6, kLevels, options);
  EXPECT_NE(first.intervals[1].upper, other.intervals[1].upper);
  for (std::size_t h = 0; h < 6; ++h) {
    EXPECT_LT(first.intervals[1].lower[h], first.intervals[0].lower[h]);
    EXPECT_LT(first.intervals[0].lower[h], first.mean[h]);
    EXPECT_GT(first.intervals[0].upper[h], first.mean[h]);
    EXPECT_NEAR(other.intervals[1].upper[h], first.intervals[1].upper[h],
                0.1 * (first.intervals[1].upper[h] - first.intervals[1].lower[h]));
  }
  // An invalid level gets NaN bounds rather than a wrong interval.
  const ForecastResult invalid = ForecastEts(model, 2, std::vector<double>{150}, options);
  EXPECT_TRUE(std::isnan(invalid.intervals[0].lower[0]));
}

// ---------------------------------------------------------------------------------------------
// Save and load.

TEST(EtsSaveLoadTest, RoundTripGivesIdenticalForecasts) {
  for (const EtsSpec& spec :
       {Spec(EtsError::kAdditive, EtsTrend::kDamped, EtsSeason::kAdditive, 12),
        Spec(EtsError::kMultiplicative, EtsTrend::kAdditive, EtsSeason::kMultiplicative, 12)}) {
    const auto model = FitEts(Series(kAirPassengers), spec);
    ASSERT_TRUE(model) << model.error().message;
    std::stringstream stream;
    SaveEts(*model, stream);
    const auto loaded = LoadEts(stream);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->spec, model->spec);
    EXPECT_EQ(loaded->alpha, model->alpha);
    EXPECT_EQ(loaded->initial_state.season, model->initial_state.season);
    EXPECT_EQ(loaded->aicc, model->aicc);
    EXPECT_EQ(loaded->observations, model->observations);
    EtsForecastOptions options;
    options.paths = 300;
    const ForecastResult before = ForecastEts(*model, 24, kLevels, options);
    const ForecastResult after = ForecastEts(*loaded, 24, kLevels, options);
    EXPECT_EQ(after.mean, before.mean);
    EXPECT_EQ(after.intervals[0].lower, before.intervals[0].lower);
    EXPECT_EQ(after.intervals[1].upper, before.intervals[1].upper);
  }
}

TEST(EtsSaveLoadTest, RejectsGarbageForeignAndTruncatedStreams) {
  const auto model = FitEts(Series(kAirPassengers), Spec(EtsError::kMultiplicative, EtsTrend::kNone,
                                                         EtsSeason::kMultiplicative, 12));
  ASSERT_TRUE(model);
  std::stringstream stream;
  SaveEts(*model, stream);
  const std::string bytes = stream.str();

  std::istringstream empty("");
  EXPECT_FALSE(LoadEts(empty));
  std::istringstream garbage("this is not a model at all, just some text");
  const auto refused = LoadEts(garbage);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(refused.error().message.find("magic"), std::string::npos);
  std::istringstream forest(std::string("CWIFOREST") + bytes.substr(5));
  EXPECT_FALSE(LoadEts(forest));

  // Another format version.
  std::string future = bytes;
  future[5] = 99;
  std::istringstream newer(future);
  const auto version = LoadEts(newer);
  ASSERT_FALSE(version);
  EXPECT_NE(version.error().message.find("version"), std::string::npos);

  // Every truncation fails; the whole stream loads.
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    std::istringstream cut(bytes.substr(0, size));
    EXPECT_FALSE(LoadEts(cut)) << "truncated to " << size << " bytes";
  }
  std::istringstream whole(bytes);
  EXPECT_TRUE(LoadEts(whole));

  // Impossible values: an unknown error type, then an additive error with a multiplicative
  // season (the spec follows the 5-byte magic and 4-byte version).
  std::string unknown = bytes;
  unknown[9] = 7;
  std::istringstream unknown_stream(unknown);
  EXPECT_FALSE(LoadEts(unknown_stream));
  std::string excluded = bytes;
  excluded[9] = 0;
  std::istringstream excluded_stream(excluded);
  EXPECT_FALSE(LoadEts(excluded_stream));
}

// ---------------------------------------------------------------------------------------------

TEST(NelderMeadTest, MinimisesRosenbrocksValley) {
  const Objective rosenbrock = [](std::span<const double> x) {
    return 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]);
  };
  NelderMeadOptions options;
  options.tolerance = 1e-14;
  options.max_evaluations = 5000;
  const NelderMeadResult result = MinimizeNelderMead(rosenbrock, std::vector<double>{-1.2, 1},
                                                     std::vector<double>{0.5, 0.5}, options);
  EXPECT_TRUE(result.converged);
  EXPECT_NEAR(result.point[0], 1, 1e-3);
  EXPECT_NEAR(result.point[1], 1, 2e-3);

  // Infinity outside the domain x >= 2 keeps the search inside; the minimum is on the edge.
  const Objective walled = [](std::span<const double> x) {
    return x[0] < 2 ? std::numeric_limits<double>::infinity() : x[0] * x[0];
  };
  const NelderMeadResult edge =
      MinimizeNelderMead(walled, std::vector<double>{5}, std::vector<double>{1}, options);
  EXPECT_NEAR(edge.point[0], 2, 1e-4);
  options.max_evaluations = 10;
  EXPECT_FALSE(MinimizeNelderMead(rosenbrock, std::vector<double>{-1.2, 1},
                                  std::vector<double>{0.5, 0.5}, options)
                   .converged);
}

}  // namespace
}  // namespace costwise::forecast
