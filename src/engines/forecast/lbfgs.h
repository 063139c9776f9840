#pragma once
// Limited-memory BFGS (Nocedal 1980; Nocedal and Wright, Numerical Optimization, algorithms 7.4
// and 7.5) with a weak Wolfe line search by bracketing (Lewis and Overton 2013), for smooth
// unconstrained minimisation. This is how the forecasting model finds its MAP estimate, as
// Prophet does through Stan's L-BFGS.
#include <functional>

#include <Eigen/Core>

namespace costwise::forecast {

struct LbfgsOptions {
  int memory = 10;  // correction pairs kept
  int max_iterations = 1000;
  double gradient_tolerance = 1e-8;   // stop when |g|_inf <= tol * max(1, |f|)
  double relative_tolerance = 1e-12;  // stop when f improves by less than this, relatively
};

struct LbfgsResult {
  Eigen::VectorXd x;
  double value = 0;
  int iterations = 0;
  int evaluations = 0;
  bool converged =
      false;  // a tolerance was met (rather than the iteration limit or a failed search)
};

// Objective: returns f(x) and writes the gradient into `gradient` (already sized).
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)>;

[[nodiscard]] LbfgsResult MinimizeLbfgs(const Objective& objective, Eigen::VectorXd start,
                                        const LbfgsOptions& options = {});

}  // namespace costwise::forecast
