#include "engines/forecast/lbfgs.h"

#include <cmath>
#include <deque>
#include <limits>

namespace costwise::forecast {
namespace {

// Wolfe conditions: sufficient decrease c1 and curvature c2.
constexpr double kArmijo = 1e-4;
constexpr double kCurvature = 0.9;
constexpr int kMaxLineSteps = 60;

struct Correction {
  Eigen::VectorXd s;  // x_{k+1} - x_k
  Eigen::VectorXd y;  // g_{k+1} - g_k
  double rho = 0;     // 1 / (y . s)
};

// H_k times the gradient by the two-loop recursion, scaled by gamma = s.y / y.y of the last pair.
Eigen::VectorXd TwoLoop(const std::deque<Correction>& corrections,
                        const Eigen::VectorXd& gradient) {
  Eigen::VectorXd q = gradient;
  std::vector<double> alpha(corrections.size());
  for (std::size_t i = corrections.size(); i-- > 0;) {
    alpha[i] = corrections[i].rho * corrections[i].s.dot(q);
    q -= alpha[i] * corrections[i].y;
  }
  if (!corrections.empty()) {
    const Correction& last = corrections.back();
    q *= last.s.dot(last.y) / last.y.squaredNorm();
  }
  for (std::size_t i = 0; i < corrections.size(); ++i) {
    const double beta = corrections[i].rho * corrections[i].y.dot(q);
    q += (alpha[i] - beta) * corrections[i].s;
  }
  return q;
}

}  // namespace

LbfgsResult MinimizeLbfgs(const Objective& objective, Eigen::VectorXd start,
                          const LbfgsOptions& options) {
  LbfgsResult result;
  Eigen::VectorXd x = std::move(start);
  Eigen::VectorXd gradient(x.size());
  double value = objective(x, gradient);
  result.evaluations = 1;
  std::deque<Correction> corrections;
  Eigen::VectorXd next_x(x.size());
  Eigen::VectorXd next_gradient(x.size());
  for (result.iterations = 0; result.iterations < options.max_iterations; ++result.iterations) {
    if (!std::isfinite(value)) break;
    if (gradient.lpNorm<Eigen::Infinity>() <=
        options.gradient_tolerance * std::max(1.0, std::abs(value))) {
      result.converged = true;
      break;
    }
    Eigen::VectorXd direction = -TwoLoop(corrections, gradient);
    double slope = direction.dot(gradient);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      corrections.clear();
      direction = -gradient;
      slope = direction.dot(gradient);
    }
    // First iteration: a step of unit length; later the quasi-Newton step.
    double step =
        corrections.empty() ? std::min(1.0, 1.0 / direction.lpNorm<Eigen::Infinity>()) : 1.0;
    double low = 0;
    double high = std::numeric_limits<double>::infinity();
    double next_value = value;
    bool accepted = false;
    for (int attempt = 0; attempt < kMaxLineSteps; ++attempt) {
      next_x = x + step * direction;
      next_value = objective(next_x, next_gradient);
      ++result.evaluations;
      if (!std::isfinite(next_value) || next_value > value + kArmijo * step * slope) {
        high = step;  // too far
      } else if (next_gradient.dot(direction) < kCurvature * slope) {
        low = step;  // too short: the slope is still steep
      } else {
        accepted = true;
        break;
      }
      step = std::isinf(high) ? 2 * low : (low + high) / 2;
    }
    if (!accepted) {
      // Keep a decrease if the search found one, then stop: nothing more to gain reliably.
      if (std::isfinite(next_value) && next_value < value) {
        x = next_x;
        value = next_value;
        gradient = next_gradient;
      }
      result.converged = false;
      break;
    }
    Correction correction{next_x - x, next_gradient - gradient, 0};
    const double curvature = correction.y.dot(correction.s);
    const double improvement = value - next_value;
    x = next_x;
    gradient = next_gradient;
    value = next_value;
    if (curvature > 1e-16 * correction.y.squaredNorm()) {
      correction.rho = 1 / curvature;
      corrections.push_back(std::move(correction));
      if (corrections.size() > static_cast<std::size_t>(options.memory)) corrections.pop_front();
    }
    if (improvement <= options.relative_tolerance * std::max(1.0, std::abs(value))) {
      result.converged = true;
      ++result.iterations;
      break;
    }
  }
  result.x = std::move(x);
  result.value = value;
  return result;
}

}  // namespace costwise::forecast
