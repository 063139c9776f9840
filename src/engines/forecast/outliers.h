#pragma once
// Spikes in a history: points far from the median of their seasonal neighbours (the same phase in
// the cycles before and after: the same weekday for daily data, the same hour for hourly). A
// forecaster that fits them as ordinary points widens its intervals for months after a one-day
// spike; down-weighting them (weight 0: a missing point to the models) keeps the intervals to the
// series' usual noise. A level shift is not a spike: the neighbours' median follows it once most
// of them are past it, and the newest points (where a shift would still look like one) are never
// flagged.
#include <vector>

#include "engines/forecast/series.h"

namespace costwise::forecast {

struct SpikeOptions {
  double threshold = 8;  // robust z-score (against the MAD of all residuals) that makes a spike
  int cycles = 3;        // neighbours: the same phase this many cycles before and after
};

// Weights for `series`: its own (or 1), with 0 for spikes. A point's neighbours are the points
// k * period away for k = -cycles..cycles (period 1: the points next to it); the last
// cycles * period points are left as they are, since they have no neighbours after them.
[[nodiscard]] std::vector<double> SpikeWeights(const RegularSeries& series, int period,
                                               const SpikeOptions& options = {});

}  // namespace costwise::forecast
