#include "engines/forecast/fit.h"

#include <cmath>

#include "engines/forecast/lbfgs.h"

namespace costwise::forecast {
namespace {

constexpr double kTrendScale = 5;    // k, m ~ Normal(0, 5)
constexpr double kSigmaScale = 0.5;  // sigma ~ HalfNormal(0.5)
constexpr double kLaplaceSmoothing = 1e-4;

struct Sizes {
  Eigen::Index additive = 0;
  Eigen::Index multiplicative = 0;
  Eigen::Index trend = 0;
};

// The priors' contribution to the objective and its gradient, over theta.
double PriorTerms(const Design& design, const Sizes& sizes, const Eigen::VectorXd& theta,
                  Eigen::VectorXd& gradient) {
  double value = 0;
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    const double x = theta(j);
    if (j < 2) {
      value += x * x / (2 * kTrendScale * kTrendScale);
      gradient(j) += x / (kTrendScale * kTrendScale);
    } else if (j < sizes.trend) {
      const double root = std::sqrt(x * x + kLaplaceSmoothing * kLaplaceSmoothing);
      value += (root - kLaplaceSmoothing) / design.changepoint_scale;
      gradient(j) += x / root / design.changepoint_scale;
    } else {
      const double scale = design.prior_scales(j);
      value += x * x / (2 * scale * scale);
      gradient(j) += x / (scale * scale);
    }
  }
  return value;
}

}  // namespace

Eigen::VectorXd FittedValues(const Design& design, const Eigen::VectorXd& theta) {
  const Eigen::Index additive = design.additive.cols();
  Eigen::VectorXd fitted = design.additive * theta.head(additive);
  if (design.multiplicative.cols() > 0) {
    const Eigen::VectorXd trend =
        design.additive.leftCols(design.trend_columns) * theta.head(design.trend_columns);
    fitted.array() +=
        trend.array() * (design.multiplicative * theta.tail(design.multiplicative.cols())).array();
  }
  return fitted;
}

MapFit FitMap(const Design& design, const Eigen::VectorXd& y, const Eigen::VectorXd& weights,
              const Eigen::VectorXd* start) {
  const Sizes sizes{design.additive.cols(), design.multiplicative.cols(), design.trend_columns};
  const Eigen::Index parameters = sizes.additive + sizes.multiplicative;
  const double weight_sum = weights.sum();

  // Additive models: the weighted residual sum of squares is a quadratic form in theta, so the
  // Gram matrix is computed once and every evaluation costs O(p^2) instead of O(n p).
  Eigen::MatrixXd gram;
  Eigen::VectorXd cross;
  double yy = 0;
  const bool additive_only = sizes.multiplicative == 0;
  if (additive_only) {
    const Eigen::MatrixXd weighted = design.additive.array().colwise() * weights.array();
    gram = design.additive.transpose() * weighted;
    cross = weighted.transpose() * y;
    yy = (y.array().square() * weights.array()).sum();
  }

  const auto objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd& gradient) {
    const Eigen::VectorXd theta = x.head(parameters);
    const double log_sigma = x(parameters);
    const double variance = std::exp(2 * log_sigma);
    gradient.setZero();
    double rss = 0;
    if (additive_only) {
      const Eigen::VectorXd g_theta = gram * theta;
      rss = std::max(0.0, yy - 2 * cross.dot(theta) + theta.dot(g_theta));
      gradient.head(parameters) = (g_theta - cross) / variance;
    } else {
      const Eigen::VectorXd seasonal = design.multiplicative * theta.tail(sizes.multiplicative);
      const Eigen::VectorXd trend = design.additive.leftCols(sizes.trend) * theta.head(sizes.trend);
      const Eigen::VectorXd fitted = design.additive * theta.head(sizes.additive) +
                                     (trend.array() * seasonal.array()).matrix();
      const Eigen::VectorXd residual = y - fitted;
      const Eigen::VectorXd weighted = (residual.array() * weights.array()).matrix();
      rss = residual.dot(weighted);
      gradient.head(sizes.additive) = -design.additive.transpose() * weighted / variance;
      gradient.head(sizes.trend) -= design.additive.leftCols(sizes.trend).transpose() *
                                    (weighted.array() * seasonal.array()).matrix() / variance;
      gradient.segment(sizes.additive, sizes.multiplicative) =
          -design.multiplicative.transpose() * (weighted.array() * trend.array()).matrix() /
          variance;
    }
    double value =
        rss / (2 * variance) + weight_sum * log_sigma + variance / (2 * kSigmaScale * kSigmaScale);
    gradient(parameters) = -rss / variance + weight_sum + variance / (kSigmaScale * kSigmaScale);
    value += PriorTerms(design, sizes, theta, gradient);
    return value;
  };

  Eigen::VectorXd x = Eigen::VectorXd::Zero(parameters + 1);
  if (start != nullptr && start->size() == parameters) {
    x.head(parameters) = *start;
  } else if (sizes.trend >= 2) {
    // Prophet's linear initialisation: the line through the first and last observed points.
    Eigen::Index first = -1;
    Eigen::Index last = -1;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      if (weights(i) <= 0) continue;
      if (first < 0) first = i;
      last = i;
    }
    if (first >= 0 && last > first) {
      const double t0 = design.additive(first, 0);
      const double t1 = design.additive(last, 0);
      const double k = t1 > t0 ? (y(last) - y(first)) / (t1 - t0) : 0;
      x(0) = k;
      x(1) = y(first) - k * t0;
    } else if (first >= 0) {
      x(1) = y(first);
    }
  }
  // Noise: start from the spread around that line.
  {
    const Eigen::VectorXd fitted = FittedValues(design, x.head(parameters));
    const double spread =
        weight_sum > 0 ? ((y - fitted).array().square() * weights.array()).sum() / weight_sum : 1;
    x(parameters) = 0.5 * std::log(std::max(spread, 1e-6));
  }
  LbfgsOptions options;
  options.max_iterations = 2000;
  options.relative_tolerance =
      1e-10;  // as tight as the data warrants; 1e-12 took 40% more steps for the same forecasts
  const LbfgsResult result = MinimizeLbfgs(objective, x, options);
  MapFit fit;
  fit.theta = result.x.head(parameters);
  fit.sigma = std::exp(result.x(parameters));
  fit.objective = result.value;
  fit.iterations = result.iterations;
  fit.converged = result.converged;
  return fit;
}

}  // namespace costwise::forecast
