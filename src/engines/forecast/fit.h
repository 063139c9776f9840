#pragma once
// The MAP fit of the additive model (the likelihood and priors of Prophet's Stan model,
// `prophet.stan`, for linear growth), on scaled data:
//   yhat = X_a theta_a + trend .* (X_m theta_m),   trend = X_t theta_t (the first columns of X_a)
//   y ~ Normal(yhat, sigma) with per-point weights on the log likelihood,
//   k, m ~ Normal(0, 5);  delta_j ~ Laplace(0, tau);  beta_j ~ Normal(0, its prior scale);
//   sigma ~ HalfNormal(0.5).
// The Laplace prior's |delta| is smoothed as sqrt(delta^2 + eps^2) - eps so that L-BFGS applies.
#include <Eigen/Core>

namespace costwise::forecast {

struct Design {
  Eigen::MatrixXd additive;  // n rows: trend columns [t, 1, (t - s_j)_+...] first, then features
  Eigen::MatrixXd multiplicative;  // n rows (or 0 columns): features that scale the trend
  int trend_columns = 0;           // 2 + number of changepoints
  // Per column of `additive` then `multiplicative`: the Normal prior's scale; the changepoint
  // columns use `changepoint_scale` as a Laplace scale instead.
  Eigen::VectorXd prior_scales;
  double changepoint_scale = 0.05;
};

struct MapFit {
  Eigen::VectorXd theta;  // additive coefficients, then multiplicative ones
  double sigma = 1;       // observation noise, on the scaled data
  double objective = 0;   // negative log posterior at the optimum (up to a constant)
  int iterations = 0;
  bool converged = false;
};

// The fitted values X_a theta_a + trend .* (X_m theta_m).
[[nodiscard]] Eigen::VectorXd FittedValues(const Design& design, const Eigen::VectorXd& theta);

// Rows with weight 0 are ignored; y there may be anything finite. `start` (optional, same size as
// theta) warm-starts the search.
[[nodiscard]] MapFit FitMap(const Design& design, const Eigen::VectorXd& y,
                            const Eigen::VectorXd& weights, const Eigen::VectorXd* start = nullptr);

}  // namespace costwise::forecast
