#include "engines/forecast/nelder_mead.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace costwise::forecast {
namespace {

constexpr double kReflection = 1.0;
constexpr double kExpansion = 2.0;
constexpr double kContraction = 0.5;
constexpr double kShrink = 0.5;

// The simplex: d + 1 vertices of dimension d, stored row after row, with their values.
class Simplex {
 public:
  Simplex(const Objective& objective, std::size_t dimension, int max_evaluations)
      : objective_(objective),
        dimension_(dimension),
        max_evaluations_(max_evaluations),
        points_((dimension + 1) * dimension),
        values_(dimension + 1),
        order_(dimension + 1) {}

  // Vertex 0 = start, vertex i = start + steps[i - 1] e_(i-1).
  void Reset(std::span<const double> start, std::span<const double> steps) {
    for (std::size_t i = 0; i <= dimension_; ++i) {
      std::copy(start.begin(), start.end(), Vertex(i));
      if (i > 0) Vertex(i)[i - 1] += steps[i - 1];
      values_[i] = Evaluate(Vertex(i));
    }
    Sort();
  }

  // Runs until converged or out of evaluations; true when converged.
  bool Run(double tolerance) {
    const std::size_t d = dimension_;
    std::vector<double> centroid(d);
    std::vector<double> reflected(d);
    std::vector<double> trial(d);
    while (true) {
      const double best = values_[order_[0]];
      const double worst = values_[order_[d]];
      if (std::isfinite(best) && worst - best <= tolerance * (std::abs(best) + tolerance)) {
        return true;
      }
      if (!std::isfinite(best) && !std::isfinite(worst)) return false;
      if (evaluations_ >= max_evaluations_) return false;

      std::fill(centroid.begin(), centroid.end(), 0.0);
      for (std::size_t k = 0; k < d; ++k) {
        const double* vertex = Vertex(order_[k]);
        for (std::size_t j = 0; j < d; ++j) centroid[j] += vertex[j];
      }
      for (double& c : centroid) c /= static_cast<double>(d);
      double* const worst_vertex = Vertex(order_[d]);

      Along(centroid, worst_vertex, -kReflection, reflected);
      const double reflected_value = Evaluate(reflected.data());
      const double second_worst = values_[order_[d - 1]];
      if (reflected_value < best) {
        Along(centroid, worst_vertex, -kReflection * kExpansion, trial);
        const double expanded_value = Evaluate(trial.data());
        if (expanded_value < reflected_value) {
          Replace(trial, expanded_value);
        } else {
          Replace(reflected, reflected_value);
        }
        continue;
      }
      if (reflected_value < second_worst) {
        Replace(reflected, reflected_value);
        continue;
      }
      // Contract: outside (towards the reflected point) when it beats the worst vertex, inside
      // otherwise; shrink towards the best vertex when the contraction does not help.
      const bool outside = reflected_value < worst;
      Along(centroid, worst_vertex, outside ? -kContraction : kContraction, trial);
      const double contracted_value = Evaluate(trial.data());
      if (contracted_value < (outside ? reflected_value : worst)) {
        Replace(trial, contracted_value);
        continue;
      }
      const double* const best_vertex = Vertex(order_[0]);
      for (std::size_t k = 1; k <= d; ++k) {
        double* const vertex = Vertex(order_[k]);
        for (std::size_t j = 0; j < d; ++j) {
          vertex[j] = best_vertex[j] + kShrink * (vertex[j] - best_vertex[j]);
        }
        values_[order_[k]] = Evaluate(vertex);
      }
      Sort();
    }
  }

  [[nodiscard]] std::vector<double> BestPoint() const {
    const double* const vertex = Vertex(order_[0]);
    return {vertex, vertex + dimension_};
  }
  [[nodiscard]] double BestValue() const { return values_[order_[0]]; }
  [[nodiscard]] int evaluations() const { return evaluations_; }

 private:
  double* Vertex(std::size_t i) { return points_.data() + i * dimension_; }
  [[nodiscard]] const double* Vertex(std::size_t i) const {
    return points_.data() + i * dimension_;
  }

  double Evaluate(const double* point) {
    ++evaluations_;
    const double value = objective_(std::span<const double>(point, dimension_));
    return std::isnan(value) ? std::numeric_limits<double>::infinity() : value;
  }

  // out = centroid + t * (vertex - centroid).
  void Along(const std::vector<double>& centroid, const double* vertex, double t,
             std::vector<double>& out) const {
    for (std::size_t j = 0; j < dimension_; ++j) {
      out[j] = centroid[j] + t * (vertex[j] - centroid[j]);
    }
  }

  // The worst vertex becomes `point`; the order is restored by one insertion.
  void Replace(const std::vector<double>& point, double value) {
    const std::size_t slot = order_[dimension_];
    std::copy(point.begin(), point.end(), Vertex(slot));
    values_[slot] = value;
    std::size_t k = dimension_;
    while (k > 0 && values_[order_[k - 1]] > value) {
      order_[k] = order_[k - 1];
      --k;
    }
    order_[k] = slot;
  }

  void Sort() {
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::size_t a, std::size_t b) { return values_[a] < values_[b]; });
  }

  const Objective& objective_;
  std::size_t dimension_;
  int max_evaluations_;
  int evaluations_ = 0;
  std::vector<double> points_;
  std::vector<double> values_;
  std::vector<std::size_t> order_;  // vertex indices, best first
};

}  // namespace

NelderMeadResult MinimizeNelderMead(const Objective& objective, std::span<const double> start,
                                    std::span<const double> steps,
                                    const NelderMeadOptions& options) {
  Simplex simplex(objective, start.size(), options.max_evaluations);
  simplex.Reset(start, steps);
  bool converged = simplex.Run(options.tolerance);
  for (int restart = 0; restart < options.restarts && converged; ++restart) {
    const double before = simplex.BestValue();
    const std::vector<double> best = simplex.BestPoint();
    std::vector<double> restart_steps(steps.begin(), steps.end());
    for (double& step : restart_steps) step *= options.restart_step;
    simplex.Reset(best, restart_steps);
    converged = simplex.Run(options.tolerance);
    if (std::abs(before - simplex.BestValue()) <=
        options.tolerance * (std::abs(before) + options.tolerance)) {
      break;
    }
  }
  return NelderMeadResult{simplex.BestPoint(), simplex.BestValue(), simplex.evaluations(),
                          converged};
}

}  // namespace costwise::forecast
