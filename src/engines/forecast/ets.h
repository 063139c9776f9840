#pragma once
// ETS: the exponential smoothing state space models of Hyndman, Koehler, Ord and Snyder (2008,
// "Forecasting with Exponential Smoothing: the State Space Approach"), as R's forecast::ets fits
// them. A model is named by its error, trend and season: ETS(A,Ad,M) has additive errors, a
// damped additive trend and a multiplicative season of `period` steps. With the one-step forecast
// f_t = (l + phi b) + s (additive season) or (l + phi b) s (multiplicative season), the states
// move on as
//   level   l_t = q + alpha (p - q),        q = l_(t-1) + phi b_(t-1)
//   trend   b_t = phi b_(t-1) + beta (p - q)
//   season  s_t = s_(t-m) + gamma (y_t - q - s_(t-m))  or  s_(t-m) + gamma (y_t / q - s_(t-m))
// where p = y_t - s_(t-m), y_t / s_(t-m) or y_t (no season); the error is y_t - f_t (additive) or
// (y_t - f_t) / f_t (multiplicative), Gaussian with variance sigma2. Trends are none, additive or
// damped (phi < 1; multiplicative trends are not offered, as forecast::ets does by default), and
// the additive-error models with a multiplicative season are excluded as forecast::ets excludes
// them (numerically unstable): 15 models. Multiplicative errors and seasons need strictly
// positive data.
//
// Estimation (FitEts) follows forecast::ets: parameters in the "usual" region 1e-4 <= alpha <=
// 0.9999, 1e-4 <= beta <= alpha, 1e-4 <= gamma <= 1 - alpha, 0.8 <= phi <= 0.98 that is also
// "admissible" (forecastable: the seasonal models' characteristic roots in the unit circle),
// maximising the concentrated likelihood by Nelder-Mead. Initial states come from forecast::ets's
// heuristic (a classical decomposition for the season, a regression line through the seasonally
// adjusted start for level and trend). The initial level and trend are then estimated with the
// smoothing parameters: exactly, by least squares, for the additive-error models (which are
// linear in their initial state); inside the Nelder-Mead search for the others. The initial
// seasonal indices are not searched over as forecast::ets does (a dozen more dimensions); after
// the search they are replaced, as in a backcast, by the indices the model reaches after its
// first two cycles for as long as that raises the likelihood.
//
// Missing points (NaN) and points of weight 0 carry no information: the states move on with the
// one-step forecast (zero error) and the point is left out of the likelihood. Other weights scale
// a point's share of the likelihood (normalised to a mean of 1 over the observed points, so only
// their ratios matter).
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "engines/forecast/series.h"

namespace costwise::forecast {

enum class EtsError { kAdditive, kMultiplicative };
enum class EtsTrend { kNone, kAdditive, kDamped };
enum class EtsSeason { kNone, kAdditive, kMultiplicative };

struct EtsSpec {
  EtsError error = EtsError::kAdditive;
  EtsTrend trend = EtsTrend::kNone;
  EtsSeason season = EtsSeason::kNone;
  int period = 1;  // steps per seasonal cycle (> 1 with a season; 1 without)

  // "ETS(A,Ad,M)", as forecast::ets names its models.
  [[nodiscard]] std::string Name() const;
  friend bool operator==(const EtsSpec&, const EtsSpec&) = default;
};

// The states at one time. season[i] is the seasonal index of the i-th step after that time
// (additive: added to the level; multiplicative: a factor), empty without a season.
struct EtsState {
  double level = 0;
  double trend = 0;  // 0 without a trend
  std::vector<double> season;
};

// A fitted model. Immutable once fitted; ForecastEts forecasts from the final state.
struct EtsModel {
  EtsSpec spec;
  double alpha = 0;        // level smoothing
  double beta = 0;         // trend smoothing (0 without a trend)
  double gamma = 0;        // season smoothing (0 without a season)
  double phi = 1;          // trend damping (1 unless the trend is damped)
  EtsState initial_state;  // before the first point: season[i] applies to point i
  EtsState final_state;    // after the last point: season[i] applies to forecast step i + 1
  // Variance of the one-step errors (relative errors for multiplicative-error models), on
  // n - parameters degrees of freedom as forecast::ets computes it.
  double sigma2 = 0;
  // As forecast::ets reports them: log_likelihood = -lik / 2 with the concentrated
  // lik = n log(sum e^2) + 2 sum log|f| (the last term for multiplicative errors only), which
  // drops the constants; aic = lik + 2k, bic = lik + k log n, aicc = aic + 2k(k+1)/(n-k-1) with
  // k = parameters + 1 (sigma).
  double log_likelihood = 0;
  double aic = 0;
  double aicc = 0;
  double bic = 0;
  int observations = 0;  // n: points in the likelihood
  // Smoothing parameters plus free initial states (level, trend, period - 1 seasonal indices).
  int parameters = 0;
};

struct EtsSelectOptions {
  bool allow_multiplicative = true;  // multiplicative errors and seasons (positive data only)
  bool allow_damped = true;
  bool allow_trend = true;
  bool allow_seasonal = true;  // seasonal models need a period > 1 and two full cycles
};

struct EtsForecastOptions {
  int paths = 2000;        // simulated paths for the models without analytic intervals
  std::uint64_t seed = 1;  // the same seed gives the same intervals
  bool simulate = false;   // simulate the additive-error models too (analytic otherwise)
};

// The number of parameters `spec` has (see EtsModel::parameters) and the fewest observed points
// forecast::ets fits it with: more than parameters + 4.
[[nodiscard]] int EtsParameterCount(const EtsSpec& spec);
[[nodiscard]] int EtsMinimumObservations(const EtsSpec& spec);

// forecast::ets's admissibility test (Hyndman, Akram and Archibald 2008): whether the model with
// these parameters is forecastable (the effect of old data dies out). For the seasonal models,
// the roots of the discount matrix's characteristic polynomial lie in the unit circle (to 1e-10).
// beta is ignored without a trend, phi unless it is damped.
[[nodiscard]] bool EtsAdmissible(const EtsSpec& spec, double alpha, double beta, double gamma,
                                 double phi);

// Fits one model. InvalidInput (with the reason) when the spec is malformed or excluded, a
// multiplicative component meets zero or negative data, the series is shorter than two cycles of
// a seasonal model or has too few observed points for its parameters, or the weights are
// malformed.
[[nodiscard]] Result<EtsModel> FitEts(const RegularSeries& series, const EtsSpec& spec);

// Fits every model the data admits (multiplicative ones only for strictly positive data,
// seasonal ones only with period > 1 and two full cycles, each only with enough observed points
// for its parameters) and returns the one with the smallest AICc, as forecast::ets does.
// InvalidInput when no model fits (too few observed points). forecast::ets refuses periods over
// 24; here they work, but the seasonal models' admissibility test costs O(period^2) per
// likelihood, which shows from a few hundred steps.
[[nodiscard]] Result<EtsModel> SelectEts(const RegularSeries& series, int period,
                                         const EtsSelectOptions& options = {});

// Runs `model`'s spec, smoothing parameters and initial state over the series without
// estimating anything: the result has the series' final state, likelihood, criteria and sigma2
// (its `parameters` counted as if estimated). To check a model by hand, or to carry a fitted
// model over newer data. InvalidInput for a malformed spec or state, or data a multiplicative
// model cannot take.
[[nodiscard]] Result<EtsModel> EvaluateEts(const RegularSeries& series, const EtsModel& model);

// The one-step forecasts f_t of `model` over the series, from its initial state (its fitted
// values). The series must be the one the model was fitted or evaluated on, or as long.
[[nodiscard]] std::vector<double> EtsOneStepForecasts(const EtsModel& model,
                                                      const RegularSeries& series);

// Point forecasts for steps 1..horizon and one interval per level (each in (0, 100), see
// CheckLevels; an invalid level gets NaN bounds). Additive-error models: the analytic forecast
// variance (Hyndman et al. 2008, chapter 6). Multiplicative ones: quantiles of simulated paths,
// deterministic for a seed. The mean is the point forecast, as forecast::ets gives it.
[[nodiscard]] ForecastResult ForecastEts(const EtsModel& model, int horizon,
                                         std::span<const double> levels,
                                         const EtsForecastOptions& options = {});

// Binary, little-endian: the magic "CWETS", a format version (1), then the spec, parameters,
// states and criteria.
void SaveEts(const EtsModel& model, std::ostream& out);
// InvalidInput on a stream that is not a saved ETS model, is of another format version, is
// truncated or holds impossible values.
[[nodiscard]] Result<EtsModel> LoadEts(std::istream& in);

}  // namespace costwise::forecast
