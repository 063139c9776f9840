#pragma once
// Nelder-Mead simplex minimisation (Nelder and Mead 1965, with the usual coefficients: reflection
// 1, expansion 2, contraction 1/2, shrink 1/2), for the few smoothing parameters of the
// exponential smoothing models. No derivatives; the objective may return +infinity for points
// outside its domain, which the simplex then moves away from.
#include <functional>
#include <span>
#include <vector>

namespace costwise::forecast {

struct NelderMeadOptions {
  int max_evaluations = 2000;
  // Converged when the simplex's values lie within tolerance * (|best| + tolerance) of each
  // other (the test of R's optim).
  double tolerance = 1e-8;
  // After converging, start again from the best point with a fresh simplex (its steps
  // restart_step times the first ones): a simplex that collapsed early along a ridge gets a
  // second chance. The restarts share max_evaluations.
  int restarts = 0;
  double restart_step = 1;
};

struct NelderMeadResult {
  std::vector<double> point;
  double value = 0;
  int evaluations = 0;
  bool converged = false;  // false when max_evaluations ran out first
};

using Objective = std::function<double(std::span<const double>)>;

// Minimises `objective` from `start`; the first simplex is start and start + steps[i] * e_i.
// start and steps have the same size (at least 1).
[[nodiscard]] NelderMeadResult MinimizeNelderMead(const Objective& objective,
                                                  std::span<const double> start,
                                                  std::span<const double> steps,
                                                  const NelderMeadOptions& options = {});

}  // namespace costwise::forecast
