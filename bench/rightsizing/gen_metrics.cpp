// costwise_gen_metrics: writes a seeded EC2 fleet for the right-sizing speed benchmark, an
// inventory (INV.csv) and its CloudWatch metrics (METRICS.csv: CPUUtilization and
// mem_used_percent every period over the lookback), and prints one JSON line of statistics.
//
//   costwise_gen_metrics --catalog data/ec2-catalog/ec2_instances_ondemand_linux.csv
//                        --inventory INV.csv --metrics METRICS.csv [--instances 10000]
//                        [--days 14] [--period 300] [--seed 1] [--end 2026-11-01]
//                        [--order grouped|shuffled|interleaved]
//
// Workloads, each with its own spread of levels: idle, steady low, steady high, diurnal (office
// hours, quiet weekends), bursty (batch spikes on a low base) and memory-heavy (high memory with a
// garbage-collector sawtooth); instance types from the catalog's us-east-1 general purpose,
// compute and memory families, matched to the workload. Metrics are grouped by instance in
// inventory order (`grouped`, as CloudWatch exports come), grouped in another order (`shuffled`),
// or one timestamp of every instance after another (`interleaved`). The same arguments always
// write the same bytes.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "billing/random.h"

namespace {

using costwise::bench::Rng;
using costwise::bench::WeightedPicker;

constexpr std::string_view kUsage =
    "usage: costwise_gen_metrics --catalog CATALOG.csv --inventory INV.csv --metrics METRICS.csv\n"
    "                            [--instances N] [--days D] [--period SECONDS] [--seed S]\n"
    "                            [--end YYYY-MM-DD] [--order grouped|shuffled|interleaved]\n";
constexpr std::int64_t kDay = 86'400;
constexpr std::size_t kFlushBytes = std::size_t{8} << 20;

[[noreturn]] void Fail(std::string_view message) {
  std::fprintf(stderr, "costwise_gen_metrics: %.*s\n%.*s", static_cast<int>(message.size()),
               message.data(), static_cast<int>(kUsage.size()), kUsage.data());
  std::exit(2);
}

struct Arguments {
  std::string catalog;
  std::string inventory;
  std::string metrics;
  std::int64_t instances = 10'000;
  std::int64_t days = 14;
  std::int64_t period = 300;
  std::uint64_t seed = 1;
  std::string end = "2026-11-01";
  std::string order = "grouped";
};

std::int64_t ParseInteger(std::string_view name, const char* text) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value <= 0)
    Fail(fmt::format("{} needs a positive integer", name));
  return value;
}

Arguments Parse(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) Fail(fmt::format("{} needs a value", flag));
    const char* value = argv[++i];
    if (flag == "--catalog") {
      args.catalog = value;
    } else if (flag == "--inventory") {
      args.inventory = value;
    } else if (flag == "--metrics") {
      args.metrics = value;
    } else if (flag == "--instances") {
      args.instances = ParseInteger(flag, value);
    } else if (flag == "--days") {
      args.days = ParseInteger(flag, value);
    } else if (flag == "--period") {
      args.period = ParseInteger(flag, value);
    } else if (flag == "--seed") {
      args.seed = static_cast<std::uint64_t>(ParseInteger(flag, value));
    } else if (flag == "--end") {
      args.end = value;
    } else if (flag == "--order") {
      args.order = value;
    } else {
      Fail(fmt::format("unknown argument {}", flag));
    }
  }
  if (args.catalog.empty() || args.inventory.empty() || args.metrics.empty())
    Fail("--catalog, --inventory and --metrics are required");
  if (args.order != "grouped" && args.order != "shuffled" && args.order != "interleaved")
    Fail("--order is grouped, shuffled or interleaved");
  if (kDay % args.period != 0) Fail("--period must divide a day");
  return args;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t DaysFromCivil(int year, int month, int day) {
  const int y = month <= 2 ? year - 1 : year;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int year_of_era = y - era * 400;
  const int month_from_march = month > 2 ? month - 3 : month + 9;
  const int day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return std::int64_t{era} * 146'097 + day_of_era - 719'468;
}

std::string TimestampText(std::int64_t seconds) {
  const std::int64_t days = seconds / kDay;
  const std::int64_t in_day = seconds % kDay;
  const std::int64_t z = days + 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const std::int64_t doe = z - era * 146'097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", year, month, day, in_day / 3600,
                     in_day / 60 % 60, in_day % 60);
}

enum class Workload { kIdle, kSteadyLow, kSteadyHigh, kDiurnal, kBursty, kMemoryHeavy };
constexpr std::array<const char*, 6> kWorkloadNames = {"idle",    "steady-low", "steady-high",
                                                       "diurnal", "bursty",     "memory-heavy"};
constexpr std::array<double, 6> kWorkloadWeights = {0.18, 0.25, 0.10, 0.20, 0.15, 0.12};

// The catalog's instance types of a few common families, by what they suit.
struct TypeChoices {
  std::vector<std::string> general;
  std::vector<std::string> compute;
  std::vector<std::string> memory;
  std::vector<std::string> burstable;
};

TypeChoices ReadCatalog(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail(fmt::format("cannot read the catalog {}", path));
  const std::set<std::string_view> general = {"m5", "m6i", "m6a", "m7g", "m7i"};
  const std::set<std::string_view> compute = {"c5", "c6i", "c7g"};
  const std::set<std::string_view> memory = {"r5", "r6i", "r7g"};
  const std::set<std::string_view> burstable = {"t3", "t4g"};
  const std::set<std::string_view> sizes = {"medium", "large", "xlarge", "2xlarge", "4xlarge"};
  TypeChoices choices;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string_view> fields;
    std::string_view rest = line;
    while (true) {
      const std::size_t comma = rest.find(',');
      fields.push_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    constexpr std::size_t kRegionColumn = 15;
    constexpr std::size_t kGpuColumn = 5;
    if (fields.size() <= kRegionColumn || fields[kRegionColumn] != "us-east-1" ||
        fields[kGpuColumn] != "0") {
      continue;
    }
    const std::string_view type = fields[0];
    const std::size_t dot = type.find('.');
    if (dot == std::string_view::npos || !sizes.contains(type.substr(dot + 1))) continue;
    const std::string_view family = type.substr(0, dot);
    if (general.contains(family)) choices.general.emplace_back(type);
    if (compute.contains(family)) choices.compute.emplace_back(type);
    if (memory.contains(family)) choices.memory.emplace_back(type);
    if (burstable.contains(family)) choices.burstable.emplace_back(type);
  }
  for (auto* list : {&choices.general, &choices.compute, &choices.memory, &choices.burstable}) {
    if (list->empty()) Fail(fmt::format("the catalog {} lacks the common families", path));
    std::sort(list->begin(), list->end());
  }
  return choices;
}

// One instance: its workload's parameters and the state its samples carry from step to step.
struct Instance {
  std::string id;
  std::string type;
  Workload workload = Workload::kIdle;
  Rng rng{1};
  double cpu_base = 0;
  double cpu_amplitude = 0;
  double cpu_noise = 0;
  double mem_base = 0;
  double mem_amplitude = 0;
  double peak_hour = 14;
  double burst_chance = 0;
  double burst_level = 0;
  std::int64_t burst_left = 0;
  std::int64_t sawtooth_steps = 1;
};

Instance MakeInstance(std::int64_t index, Workload workload, const TypeChoices& types,
                      std::uint64_t seed) {
  Instance in;
  in.rng = Rng(costwise::bench::Mix64(seed * 1'000'003 + static_cast<std::uint64_t>(index)));
  Rng& r = in.rng;
  in.id =
      fmt::format("i-{:017x}", costwise::bench::Mix64(seed ^ static_cast<std::uint64_t>(index)) &
                                   ((std::uint64_t{1} << 60) - 1));
  in.workload = workload;
  const auto pick = [&](const std::vector<std::string>& list) {
    return list[r.Below(list.size())];
  };
  switch (workload) {
    case Workload::kIdle:
      in.type = r.Chance(0.3) ? pick(types.burstable) : pick(types.general);
      in.cpu_base = r.Uniform(0.1, 1.5);
      in.cpu_noise = 0.3;
      in.mem_base = r.Uniform(6, 22);
      break;
    case Workload::kSteadyLow:
      in.type = r.Chance(0.5) ? pick(types.general) : pick(types.compute);
      in.cpu_base = r.Uniform(4, 20);
      in.cpu_noise = 0.15;
      in.mem_base = r.Uniform(18, 45);
      break;
    case Workload::kSteadyHigh:
      in.type = r.Chance(0.6) ? pick(types.compute) : pick(types.general);
      in.cpu_base = r.Uniform(50, 85);
      in.cpu_noise = 0.08;
      in.mem_base = r.Uniform(35, 70);
      break;
    case Workload::kDiurnal:
      in.type = pick(types.general);
      in.cpu_base = r.Uniform(3, 15);
      in.cpu_amplitude = r.Uniform(20, 70);
      in.cpu_noise = 0.1;
      in.mem_base = r.Uniform(25, 50);
      in.mem_amplitude = r.Uniform(5, 20);
      in.peak_hour = r.Uniform(12, 17);
      break;
    case Workload::kBursty:
      in.type = r.Chance(0.4) ? pick(types.burstable) : pick(types.compute);
      in.cpu_base = r.Uniform(1, 10);
      in.cpu_noise = 0.25;
      in.mem_base = r.Uniform(15, 40);
      in.burst_chance = r.Uniform(0.002, 0.02);
      in.burst_level = r.Uniform(60, 100);
      break;
    case Workload::kMemoryHeavy:
      in.type = pick(types.memory);
      in.cpu_base = r.Uniform(5, 30);
      in.cpu_noise = 0.15;
      in.mem_base = r.Uniform(70, 88);
      in.mem_amplitude = r.Uniform(3, 10);
      in.sawtooth_steps = static_cast<std::int64_t>(r.Uniform(24, 600));
      break;
  }
  return in;
}

// The next (CPU, memory) sample, in percent, at `seconds` since the epoch.
std::pair<double, double> Sample(Instance& in, std::int64_t step, std::int64_t seconds) {
  Rng& r = in.rng;
  const double hour = static_cast<double>(seconds % kDay) / 3600.0;
  const std::int64_t weekday = (seconds / kDay + 3) % 7;  // 1970-01-01 was a Thursday; 0 = Mon
  const bool weekend = weekday >= 5;
  double cpu = in.cpu_base;
  double mem = in.mem_base;
  switch (in.workload) {
    case Workload::kDiurnal: {
      const double shape =
          std::max(0.0, std::cos((hour - in.peak_hour) / 24.0 * 2 * std::numbers::pi));
      const double day_factor = weekend ? 0.35 : 1.0;
      cpu += in.cpu_amplitude * shape * shape * day_factor;
      mem += in.mem_amplitude * shape * day_factor;
      break;
    }
    case Workload::kBursty:
      if (in.burst_left == 0 && r.Chance(in.burst_chance)) {
        in.burst_left = 3 + static_cast<std::int64_t>(r.Below(22));
      }
      if (in.burst_left > 0) {
        --in.burst_left;
        cpu = in.burst_level * r.Uniform(0.85, 1.0);
        mem += 15;
      }
      break;
    case Workload::kMemoryHeavy:
      mem += in.mem_amplitude * static_cast<double>(step % in.sawtooth_steps) /
             static_cast<double>(in.sawtooth_steps);
      break;
    default:
      break;
  }
  cpu *= 1.0 + in.cpu_noise * r.Normal();
  mem *= 1.0 + 0.01 * r.Normal();
  return {std::clamp(cpu, 0.0, 100.0), std::clamp(mem, 0.0, 100.0)};
}

// "12.3456": four decimals, as fast as the disk takes them.
char* PutPercent(char* out, double value) {
  const auto scaled = static_cast<std::int64_t>(std::llround(value * 10'000));
  const std::int64_t whole = scaled / 10'000;
  std::int64_t fraction = scaled % 10'000;
  char digits[24];
  int n = 0;
  std::int64_t w = whole;
  do {
    digits[n++] = static_cast<char>('0' + w % 10);
    w /= 10;
  } while (w > 0);
  while (n > 0) *out++ = digits[--n];
  *out++ = '.';
  for (int k = 3; k >= 0; --k) {
    out[k] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  return out + 4;
}

class Writer {
 public:
  explicit Writer(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) Fail(fmt::format("cannot write {}", path));
    buffer_.resize(kFlushBytes + 4096);
  }
  ~Writer() { Close(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Append(std::string_view text) {
    std::copy(text.begin(), text.end(), buffer_.data() + used_);
    used_ += text.size();
    MaybeFlush();
  }
  // One "id,timestamp,metric,value\n" row.
  void Row(std::string_view id, std::string_view time, std::string_view metric, double value) {
    char* out = buffer_.data() + used_;
    out = std::copy(id.begin(), id.end(), out);
    *out++ = ',';
    out = std::copy(time.begin(), time.end(), out);
    *out++ = ',';
    out = std::copy(metric.begin(), metric.end(), out);
    *out++ = ',';
    out = PutPercent(out, value);
    *out++ = '\n';
    used_ = static_cast<std::size_t>(out - buffer_.data());
    ++rows_;
    MaybeFlush();
  }
  void Close() {
    if (file_ == nullptr) return;
    Flush();
    if (std::fclose(file_) != 0) Fail("write failed (disk full?)");
    file_ = nullptr;
  }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  [[nodiscard]] std::uint64_t rows() const { return rows_; }

 private:
  void MaybeFlush() {
    if (used_ >= kFlushBytes) Flush();
  }
  void Flush() {
    if (used_ > 0 && std::fwrite(buffer_.data(), 1, used_, file_) != used_)
      Fail("write failed (disk full?)");
    bytes_ += used_;
    used_ = 0;
  }
  std::FILE* file_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = Parse(argc, argv);
  const auto started = std::chrono::steady_clock::now();
  int year = 0;
  int month = 0;
  int day = 0;
  if (std::sscanf(args.end.c_str(), "%d-%d-%d", &year, &month, &day) != 3)
    Fail("--end is YYYY-MM-DD");
  const std::int64_t end = DaysFromCivil(year, month, day) * kDay;
  const std::int64_t steps = args.days * kDay / args.period;
  const std::int64_t start = end - args.days * kDay;
  std::vector<std::string> times;
  times.reserve(static_cast<std::size_t>(steps));
  for (std::int64_t s = 0; s < steps; ++s) times.push_back(TimestampText(start + s * args.period));

  const TypeChoices types = ReadCatalog(args.catalog);
  Rng fleet_rng(args.seed);
  const WeightedPicker workloads(kWorkloadWeights);
  std::vector<Instance> fleet;
  fleet.reserve(static_cast<std::size_t>(args.instances));
  std::array<std::int64_t, kWorkloadNames.size()> counts{};
  for (std::int64_t i = 0; i < args.instances; ++i) {
    const auto workload = static_cast<Workload>(workloads.Pick(fleet_rng));
    ++counts[static_cast<std::size_t>(workload)];
    fleet.push_back(MakeInstance(i, workload, types, args.seed));
  }

  Writer inventory(args.inventory);
  inventory.Append("instance_id,instance_type,region,platform,state,tags\n");
  for (const Instance& in : fleet) {
    inventory.Append(fmt::format(
        "{},{},us-east-1,Linux/UNIX,running,\"{{\"\"team\"\": \"\"t{}\"\", \"\"workload\"\": "
        "\"\"{}\"\"}}\"\n",
        in.id, in.type, in.id[3] % 8, kWorkloadNames[static_cast<std::size_t>(in.workload)]));
  }
  inventory.Close();

  Writer metrics(args.metrics);
  metrics.Append("instance_id,timestamp,metric,value\n");
  const auto write_step = [&](Instance& in, std::int64_t s) {
    const auto [cpu, mem] = Sample(in, s, start + s * args.period);
    const std::string& time = times[static_cast<std::size_t>(s)];
    metrics.Row(in.id, time, "CPUUtilization", cpu);
    metrics.Row(in.id, time, "mem_used_percent", mem);
  };
  if (args.order == "interleaved") {
    for (std::int64_t s = 0; s < steps; ++s) {
      for (Instance& in : fleet) write_step(in, s);
    }
  } else {
    std::vector<std::size_t> order(fleet.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (args.order == "shuffled") {
      for (std::size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[fleet_rng.Below(i)]);
      }
    }
    for (const std::size_t i : order) {
      for (std::int64_t s = 0; s < steps; ++s) write_step(fleet[i], s);
    }
  }
  metrics.Close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string mix;
  for (std::size_t w = 0; w < kWorkloadNames.size(); ++w) {
    mix += fmt::format("{}\"{}\":{}", w == 0 ? "" : ",", kWorkloadNames[w], counts[w]);
  }
  fmt::print(
      "{{\"instances\":{},\"days\":{},\"period_seconds\":{},\"order\":\"{}\",\"rows\":{},"
      "\"points\":{},\"metrics_bytes\":{},\"inventory_bytes\":{},\"lookback_end\":\"{}\","
      "\"seconds\":{:.2f},\"workloads\":{{{}}}}}\n",
      args.instances, args.days, args.period, args.order, metrics.rows(), metrics.rows(),
      metrics.bytes(), inventory.bytes(), TimestampText(end), seconds, mix);
  return 0;
}
