#pragma once
// A small deterministic random generator (xoshiro256**, seeded through splitmix64) with the few
// distributions the billing generator needs. Unlike <random> distributions its output is the same
// on every standard library, so a seed names one file.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "billing/fixed10.h"

namespace costwise::bench {

[[nodiscard]] inline std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Hash of a value, for ids that depend only on what they name.
[[nodiscard]] inline std::uint64_t Mix64(std::uint64_t value) {
  std::uint64_t state = value;
  return SplitMix64(state);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t state = seed;
    for (auto& word : state_) word = SplitMix64(state);
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  // Uniform integer in [0, n), n > 0.
  std::uint64_t Below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<UInt128>(Next()) * n) >> 64);
  }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  // exp(N(mu, sigma)).
  double LogNormal(double mu, double sigma) { return std::exp(mu + sigma * Normal()); }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

// Picks an index with probability proportional to its weight.
class WeightedPicker {
 public:
  WeightedPicker() = default;
  explicit WeightedPicker(std::span<const double> weights) {
    cumulative_.reserve(weights.size());
    double total = 0;
    for (double weight : weights) cumulative_.push_back(total += std::max(weight, 0.0));
  }
  [[nodiscard]] bool empty() const { return cumulative_.empty() || cumulative_.back() <= 0; }
  std::size_t Pick(Rng& rng) const {
    const double target = rng.Uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()),
                                 cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace costwise::bench
