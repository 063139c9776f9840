#include "api/metrics.h"

#include <array>
#include <cmath>
#include <map>
#include <mutex>

#include <fmt/format.h>

namespace costwise::api {
namespace {

// Upper bounds of the duration buckets, in seconds.
constexpr std::array<double, 14> kSecondsBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,  0.25,
                                                    0.5,   1.0,   2.5,  5.0,   10.0, 30.0, 60.0};

enum class MetricType { kCounter, kHistogram };

struct Series {
  double value = 0;  // a counter's value; a histogram's sum
  std::uint64_t count = 0;
  std::array<std::uint64_t, kSecondsBuckets.size()> buckets{};  // not cumulative
};

struct Family {
  MetricType type = MetricType::kCounter;
  std::string help;
  std::map<std::string, Series> series;  // by rendered label text, like `a="1",b="2"`
};

std::string Escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (quote && c == '"') {
      out.append("\\\"");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string LabelText(const MetricLabels& labels) {
  std::string text;
  for (const auto& [name, value] : labels) {
    if (!text.empty()) text.push_back(',');
    text.append(fmt::format("{}=\"{}\"", name, Escape(value, true)));
  }
  return text;
}

std::string Number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// `name{labels}` or `name` when there are none; `extra` is one more label (le="...").
std::string SeriesName(std::string_view name, const std::string& labels, std::string_view extra) {
  std::string all = labels;
  if (!extra.empty()) {
    if (!all.empty()) all.push_back(',');
    all.append(extra);
  }
  if (all.empty()) return std::string(name);
  return fmt::format("{}{{{}}}", name, all);
}

class Registry {
 public:
  void Add(std::string_view name, std::string_view help, MetricType type,
           const MetricLabels& labels, double value) {
    const std::lock_guard lock(mutex_);
    auto [found, inserted] = families_.try_emplace(std::string(name));
    Family& family = found->second;
    if (inserted) {
      family.type = type;
      family.help = std::string(help);
    }
    if (family.type != type) return;  // a name keeps its first type
    Series& series = family.series[LabelText(labels)];
    series.value += value;
    ++series.count;
    if (type == MetricType::kHistogram) {
      for (std::size_t i = 0; i < kSecondsBuckets.size(); ++i) {
        if (value <= kSecondsBuckets[i]) {
          ++series.buckets[i];
          break;
        }
      }
    }
  }

  std::string Render() {
    const std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& [name, family] : families_) {
      const bool histogram = family.type == MetricType::kHistogram;
      text.append(fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, Escape(family.help, false),
                              name, histogram ? "histogram" : "counter"));
      for (const auto& [labels, series] : family.series) {
        if (!histogram) {
          text.append(fmt::format("{} {}\n", SeriesName(name, labels, ""), Number(series.value)));
          continue;
        }
        const std::string bucket = name + "_bucket";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kSecondsBuckets.size(); ++i) {
          cumulative += series.buckets[i];
          text.append(fmt::format(
              "{} {}\n",
              SeriesName(bucket, labels, fmt::format("le=\"{}\"", Number(kSecondsBuckets[i]))),
              cumulative));
        }
        text.append(
            fmt::format("{} {}\n", SeriesName(bucket, labels, "le=\"+Inf\""), series.count));
        text.append(
            fmt::format("{} {}\n", SeriesName(name + "_sum", labels, ""), Number(series.value)));
        text.append(fmt::format("{} {}\n", SeriesName(name + "_count", labels, ""), series.count));
      }
    }
    return text;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Family> families_;
};

Registry& TheRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace

void IncrementCounter(std::string_view name, std::string_view help, const MetricLabels& labels,
                      double amount) {
  if (!(amount >= 0)) return;
  TheRegistry().Add(name, help, MetricType::kCounter, labels, amount);
}

void ObserveSeconds(std::string_view name, std::string_view help, const MetricLabels& labels,
                    double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  TheRegistry().Add(name, help, MetricType::kHistogram, labels, seconds);
}

std::string RenderMetrics() { return TheRegistry().Render(); }

}  // namespace costwise::api
