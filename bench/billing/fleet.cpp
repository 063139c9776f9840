#include "billing/fleet.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_set>

#include <fmt/format.h>

#include "billing/fixed10.h"
#include "billing/random.h"

namespace costwise::bench {
namespace {

// Shape of the plan (shares of the rows).
constexpr double kDailyRowShare = 0.08;    // rows billed per day (storage, metrics)
constexpr double kSteadyShare = 0.42;      // of an average hour: always-on streams
constexpr double kSparseShare = 0.12;      // of the non-steady hourly rows
constexpr double kChurnDailyShift = 0.35;  // churn window advance per day, of its width
constexpr double kDailyChurnShift = 0.10;
constexpr double kPeakOverMean = 1.45;  // busiest hour over the mean, non-steady part
constexpr std::int64_t kMaxChurnPool = 60'000;
constexpr std::int64_t kMaxSparsePool = 90'000;
constexpr std::int64_t kMaxDailyPool = 60'000;
// Commitments.
constexpr double kRiCoverage = 0.10;  // of steady EC2 Linux instances
constexpr double kSpCoverage = 0.11;  // of other EC2 Linux instances
constexpr int kMaxReservations = 40;
constexpr double kRiUpfrontShare = 0.31;  // of the on-demand rate, per hour
constexpr double kRiRecurringShare = 0.31;
constexpr double kSpDiscount = 0.28;
constexpr int kCreditServicesPerAccount = 6;
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

std::uint64_t Fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string RandomChars(std::uint64_t seed, std::string_view alphabet, int length) {
  std::string out;
  out.reserve(static_cast<std::size_t>(length));
  std::uint64_t state = seed;
  std::uint64_t bits = SplitMix64(state);
  int left = 10;
  for (int i = 0; i < length; ++i) {
    if (left == 0) {
      bits = SplitMix64(state);
      left = 10;
    }
    out.push_back(alphabet[bits % alphabet.size()]);
    bits /= alphabet.size();
    --left;
  }
  return out;
}

std::string Hex17(std::uint64_t seed) { return "0" + RandomChars(seed, kHex, 16); }

std::string Uuid(std::uint64_t seed) {
  const std::string hex = RandomChars(seed, kHex, 32);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

// Price text as a price list prints it: at least 2 decimals, no trailing zeros beyond.
std::string PriceText(double price) {
  std::string text = fmt::format("{:.10f}", price);
  while (text.back() == '0' && text.size() - text.find('.') > 3) text.pop_back();
  return text;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int ServiceIndex(std::string_view key) {
  const auto services = Services();
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (services[i].key == key) return static_cast<int>(i);
  }
  throw std::logic_error(fmt::format("unknown service {}", key));
}

int TemplateIndex(std::string_view key) {
  const auto templates = UsageTemplates();
  for (std::size_t i = 0; i < templates.size(); ++i) {
    if (templates[i].key == key) return static_cast<int>(i);
  }
  throw std::logic_error(fmt::format("unknown usage template {}", key));
}

std::span<const InstanceType> InstanceTypes(InstanceTable table) {
  switch (table) {
    case InstanceTable::kEc2:
      return Ec2InstanceTypes();
    case InstanceTable::kRds:
      return RdsInstanceTypes();
    case InstanceTable::kCache:
      return CacheInstanceTypes();
    case InstanceTable::kNone:
      break;
  }
  return {};
}

enum class Lifecycle : std::uint8_t { kSteady, kChurn, kSparse, kDailyOnly };

class FleetBuilder {
 public:
  explicit FleetBuilder(const FleetOptions& options) : rng_(options.seed ^ 0x636f737477697365ULL) {
    fleet_.options = options;
  }

  Fleet Build() {
    BuildCalendar();
    BuildOrganisation();
    BuildResources();
    BuildCommitments();
    BuildSpecialLines();
    BuildPlan();
    return std::move(fleet_);
  }

 private:
  // ---- calendar ----------------------------------------------------------------------------
  void BuildCalendar() {
    const auto& o = fleet_.options;
    days_ = DaysInMonth(o.year, o.month);
    hours_ = days_ * 24;
    const std::int64_t epoch_day = DaysFromCivil(o.year, o.month, 1);
    fleet_.first_weekday = static_cast<int>(((epoch_day % 7) + 7 + 3) % 7);  // 1970-01-01 = Thu
    fleet_.activity.resize(static_cast<std::size_t>(hours_));
    double total = 0;
    for (int h = 0; h < hours_; ++h) {
      const int hod = h % 24;
      const int weekday = (fleet_.first_weekday + h / 24) % 7;
      const bool weekend = weekday >= 5;
      const double diurnal = 1.0 + 0.45 * std::sin(2 * std::numbers::pi * (hod - 8) / 24.0);
      const double value = diurnal * (weekend ? 0.65 : 1.0);
      fleet_.activity[static_cast<std::size_t>(h)] = value;
      total += value;
    }
    for (double& value : fleet_.activity) value *= hours_ / total;
  }

  // ---- accounts, apps, tags ----------------------------------------------------------------
  void BuildOrganisation() {
    const std::int64_t rows = fleet_.options.rows;
    const int account_count = static_cast<int>(std::clamp<std::int64_t>(rows / 20'000, 3, 50));
    const int payer_count = account_count >= 40 ? 3 : account_count >= 10 ? 2 : 1;

    const auto teams = Teams();
    for (std::size_t t = 0; t < teams.size(); ++t) {
      fleet_.cost_centers.push_back(fmt::format("CC-{}", 1000 + rng_.Below(9000)));
    }
    const auto words = AppWords();
    const std::size_t app_count = 80;
    std::unordered_set<std::string> app_names;
    while (fleet_.apps.size() < app_count) {
      std::string name = std::string(words[rng_.Below(words.size())]);
      if (rng_.Chance(0.6)) name += "-" + std::string(words[rng_.Below(words.size())]);
      if (!app_names.insert(name).second) continue;
      fleet_.apps.push_back(name);
      fleet_.app_team.push_back(static_cast<int>(rng_.Below(teams.size())));
    }

    std::unordered_set<std::string> ids;
    std::unordered_set<std::string> names;
    const auto name_words = NameWords();
    const auto regions = Regions();
    std::vector<double> region_weights;
    for (const auto& region : regions) region_weights.push_back(region.weight);
    region_picker_ = WeightedPicker(region_weights);
    const auto archetypes = Archetypes();
    for (int i = 0; i < account_count; ++i) {
      Account account;
      do {
        account.id = fmt::format("{}", 100'000'000'000ULL + rng_.Below(900'000'000'000ULL));
      } while (!ids.insert(account.id).second);
      do {
        account.name = fmt::format("{} {}", name_words[rng_.Below(name_words.size())],
                                   name_words[rng_.Below(name_words.size())]);
      } while (!names.insert(account.name).second);
      account.payer = i < payer_count ? i : static_cast<int>(rng_.Below(payer_count));
      account.home_region = static_cast<int>(region_picker_.Pick(rng_));
      const double env_draw = rng_.Uniform();
      account.env = env_draw < 0.45   ? 0
                    : env_draw < 0.6  ? 1
                    : env_draw < 0.85 ? 2
                    : env_draw < 0.93 ? 3
                                      : 4;
      const std::size_t apps = 2 + rng_.Below(5);
      for (std::size_t a = 0; a < apps; ++a) {
        account.apps.push_back(static_cast<int>(rng_.Below(fleet_.apps.size())));
      }
      account.archetype_enabled.resize(archetypes.size());
      for (std::size_t a = 0; a < archetypes.size(); ++a) {
        account.archetype_enabled[a] =
            i == 0 || IsCoreArchetype(archetypes[a].key) || rng_.Chance(0.45);
      }
      fleet_.accounts.push_back(std::move(account));
    }
    static constexpr std::array<std::string_view, 3> kEntities = {
        "Amazon Web Services, Inc.", "Amazon Web Services EMEA SARL",
        "Amazon Web Services Canada, Inc."};
    static constexpr std::array<std::string_view, 3> kTaxTypes = {"Sales Tax", "VAT", "Canada Tax"};
    static constexpr std::array<double, 3> kTaxRates = {0.0725, 0.20, 0.13};
    for (int p = 0; p < payer_count; ++p) {
      Payer payer;
      payer.account = p;
      payer.invoice_id = fmt::format("{}", 1'000'000'000ULL + rng_.Below(9'000'000'000ULL));
      payer.legal_entity = kEntities[static_cast<std::size_t>(p)];
      payer.tax_type = kTaxTypes[static_cast<std::size_t>(p)];
      payer.tax_rate = kTaxRates[static_cast<std::size_t>(p)];
      fleet_.payers.push_back(payer);
    }
    std::vector<double> account_weights;
    for (int i = 0; i < account_count; ++i) {
      auto& account = fleet_.accounts[static_cast<std::size_t>(i)];
      account.taxable = account.payer != 0 || rng_.Chance(0.55);
      account_weights.push_back(
          1.0 / std::pow(1.0 + static_cast<double>(rng_.Below(account_count)), 0.9));
    }
    account_picker_ = WeightedPicker(account_weights);
    const int credit_accounts = std::min(3, account_count);
    for (int c = 0; c < credit_accounts; ++c) {
      fleet_.accounts[rng_.Below(static_cast<std::uint64_t>(account_count))].has_credits = true;
    }
    fleet_.tag_sets.push_back(TagSet{});  // untagged
  }

  static bool IsCoreArchetype(std::string_view key) {
    static constexpr std::array<std::string_view, 11> kCore = {
        "ec2.instance",    "ebs.volume",     "ebs.snapshot", "s3.bucket",
        "cw.account",      "cw.loggroup",    "kms.key",      "vpc.ipv4",
        "lambda.function", "ec2.natgateway", "cw.api"};
    return std::ranges::find(kCore, key) != kCore.end();
  }

  int TagSetFor(const Account& account) {
    const double draw = rng_.Uniform();
    if (draw < 0.12) return 0;
    TagSet tags;
    const int app = account.apps[rng_.Below(account.apps.size())];
    tags.team = fleet_.app_team[static_cast<std::size_t>(app)];
    if (draw >= 0.18) {
      tags.app = app;
      tags.env = rng_.Chance(0.92) ? account.env : static_cast<int>(rng_.Below(kEnvs.size()));
      tags.cost_center = tags.team;
    }
    const auto key = std::make_tuple(tags.team, tags.env, tags.app, tags.cost_center);
    const auto [it, inserted] =
        tag_index_.try_emplace(key, static_cast<int>(fleet_.tag_sets.size()));
    if (inserted) fleet_.tag_sets.push_back(tags);
    return it->second;
  }

  // ---- products ----------------------------------------------------------------------------
  int ProductFor(int template_index, int instance_type, int region, int to_region) {
    const auto key = std::make_tuple(template_index, instance_type, region, to_region);
    if (const auto it = product_index_.find(key); it != product_index_.end()) return it->second;
    const UsageTemplate& tmpl = UsageTemplates()[static_cast<std::size_t>(template_index)];
    const auto regions = Regions();
    Product product;
    product.service = ServiceIndex(tmpl.service);
    product.usage_template = template_index;
    product.region = tmpl.prefix == PrefixRule::kGlobal ? -1 : region;
    product.to_region = to_region;
    product.instances = tmpl.instances;
    product.instance_type = instance_type;

    std::string usage(tmpl.usage);
    double rate = tmpl.rate;
    std::string type_name;
    if (tmpl.instances != InstanceTable::kNone) {
      const InstanceType& type =
          InstanceTypes(tmpl.instances)[static_cast<std::size_t>(instance_type)];
      type_name = std::string(type.name);
      usage = ReplaceAll(usage, "{type}", type.name);
      rate = type.rate;
      if (tmpl.key == "ec2.box.windows") {
        rate += (type.name.starts_with("t3") ? 0.0046 : 0.046) * type.vcpu;
      } else if (tmpl.key == "ec2.spot") {
        rate *= 0.35;
      }
    }
    const Region* home =
        product.region >= 0 ? &regions[static_cast<std::size_t>(product.region)] : nullptr;
    if (home != nullptr) rate *= home->price_factor;
    rate = RoundSignificant(rate, 4);
    product.rate = FixedFromDouble(rate);
    product.priced = true;

    switch (tmpl.prefix) {
      case PrefixRule::kAlways:
        product.usage_type = fmt::format("{}-{}", home->prefix, usage);
        break;
      case PrefixRule::kNotInUsEast1:
        product.usage_type =
            home->code == "us-east-1" ? usage : fmt::format("{}-{}", home->prefix, usage);
        break;
      case PrefixRule::kInterRegion:
        product.usage_type = fmt::format(
            "{}-{}-{}", home->prefix, regions[static_cast<std::size_t>(to_region)].prefix, usage);
        break;
      case PrefixRule::kGlobal:
        product.usage_type = usage;
        break;
    }
    product.operation = std::string(tmpl.operation);
    product.family = std::string(tmpl.family);
    product.unit = std::string(tmpl.unit);
    product.focus_unit = std::string(tmpl.focus_unit);
    product.term = tmpl.key == "ec2.spot" ? "" : "OnDemand";

    std::string description(tmpl.description);
    description = ReplaceAll(description, "{rate_k}", PriceText(rate * 1000));
    description = ReplaceAll(description, "{rate_m}", PriceText(rate * 1'000'000));
    description = ReplaceAll(description, "{rate}", PriceText(rate));
    description = ReplaceAll(description, "{type}", type_name);
    description = ReplaceAll(description, "{region_name}", home != nullptr ? home->name : "Global");
    product.description = std::move(description);

    const std::string sku_key = fmt::format("{}|{}|{}", product.usage_type, product.operation,
                                            home != nullptr ? home->code : "global");
    const std::uint64_t sku_hash = Fnv1a(sku_key);
    product.sku = RandomChars(sku_hash, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
    product.rate_code =
        fmt::format("{}.JRTCKXETXF.{}", product.sku,
                    RandomChars(sku_hash ^ 0x5a5a, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 10));
    product.rate_id = fmt::format("{}", 10'000'000'000ULL + (sku_hash % 90'000'000'000ULL));

    if (tmpl.family == "Data Transfer" && home != nullptr) {
      product.from_location = std::string(home->name);
      product.from_location_type = "AWS Region";
      product.from_region_code = std::string(home->code);
      if (tmpl.prefix == PrefixRule::kInterRegion) {
        const Region& to = regions[static_cast<std::size_t>(to_region)];
        product.to_location = std::string(to.name);
        product.to_location_type = "AWS Region";
        product.to_region_code = std::string(to.code);
        product.transfer_type = "InterRegion Outbound";
      } else if (tmpl.usage.find("Regional") != std::string_view::npos) {
        product.to_location = product.from_location;
        product.to_location_type = "AWS Region";
        product.to_region_code = product.from_region_code;
        product.transfer_type = "IntraRegion";
      } else {
        product.to_location = "External";
        product.to_location_type = "Other";
        product.transfer_type = "AWS Outbound";
      }
    }
    return AddProduct(std::move(product), key);
  }

  int AddProduct(Product product, std::tuple<int, int, int, int> key) {
    const int index = static_cast<int>(fleet_.products.size());
    fleet_.products.push_back(std::move(product));
    product_index_.emplace(key, index);
    return index;
  }

  // A product for fees, taxes and credits: no rate, no public on-demand cost.
  int SpecialProduct(int service, int region, std::string usage_type, std::string operation,
                     std::string description, std::string term, std::string unit) {
    Product product;
    product.service = service;
    product.region = region;
    product.usage_type = std::move(usage_type);
    product.operation = std::move(operation);
    product.description = std::move(description);
    product.term = std::move(term);
    product.unit = std::move(unit);
    product.focus_unit = product.unit.empty() ? "" : "Hours";
    const int index = static_cast<int>(fleet_.products.size());
    fleet_.products.push_back(std::move(product));
    return index;
  }

  // ---- resources and streams ---------------------------------------------------------------
  void BuildResources() {
    const std::int64_t rows = fleet_.options.rows;
    const double hourly_rows = (1.0 - kDailyRowShare) * static_cast<double>(rows) / hours_;
    const std::int64_t steady_target =
        std::max<std::int64_t>(1, std::llround(kSteadyShare * hourly_rows));
    const double rest = std::max(1.0, hourly_rows - 1.04 * static_cast<double>(steady_target));
    const double churn_width = (1.0 - kSparseShare) * rest;
    const double churn_shift = std::max(1.0, kChurnDailyShift * churn_width);
    const std::int64_t churn_target = std::min<std::int64_t>(
        kMaxChurnPool, std::llround(churn_width * kPeakOverMean + churn_shift * (days_ - 1)));
    const std::int64_t sparse_target = std::min<std::int64_t>(
        kMaxSparsePool,
        std::max<std::int64_t>(1, std::llround(kSparseShare * rest * hours_ / 3.0)));
    const double daily_rows = kDailyRowShare * static_cast<double>(rows) / days_;

    const auto archetypes = Archetypes();
    std::vector<double> steady_w, churn_w, sparse_w, daily_w;
    for (const auto& a : archetypes) {
      steady_w.push_back(a.steady_weight);
      churn_w.push_back(a.churn_weight);
      sparse_w.push_back(a.sparse_weight);
      daily_w.push_back(a.daily_weight);
    }
    const WeightedPicker steady_pick(steady_w), churn_pick(churn_w), sparse_pick(sparse_w),
        daily_pick(daily_w);

    while (static_cast<std::int64_t>(fleet_.steady.size()) < steady_target) {
      AddResource(Lifecycle::kSteady, steady_pick.Pick(rng_));
    }
    while (static_cast<std::int64_t>(fleet_.churn.size()) < churn_target) {
      AddResource(Lifecycle::kChurn, churn_pick.Pick(rng_));
    }
    while (static_cast<std::int64_t>(fleet_.sparse.size()) < sparse_target) {
      AddResource(Lifecycle::kSparse, sparse_pick.Pick(rng_));
    }
    const double daily_width =
        std::max(1.0, daily_rows - static_cast<double>(fleet_.daily_steady.size()));
    const std::int64_t daily_target = std::min<std::int64_t>(
        kMaxDailyPool, std::llround(daily_width * (1.0 + kDailyChurnShift * (days_ - 1))));
    while (static_cast<std::int64_t>(fleet_.daily_churn.size()) < daily_target) {
      AddResource(Lifecycle::kDailyOnly, daily_pick.Pick(rng_));
    }
  }

  int PickAccount(std::size_t archetype) {
    for (int attempt = 0; attempt < 32; ++attempt) {
      const std::size_t a = account_picker_.Pick(rng_);
      if (fleet_.accounts[a].archetype_enabled[archetype]) return static_cast<int>(a);
    }
    return 0;
  }

  std::string ResourceName(const Resource& resource, std::uint64_t unique) {
    const Account& account = fleet_.accounts[static_cast<std::size_t>(resource.account)];
    const TagSet& tags = fleet_.tag_sets[static_cast<std::size_t>(resource.tag_set)];
    const int app = tags.app >= 0 ? tags.app : account.apps.front();
    const int env = tags.env >= 0 ? tags.env : account.env;
    const auto words = AppWords();
    return fmt::format("{}-{}-{}-{}", fleet_.apps[static_cast<std::size_t>(app)],
                       kEnvs[static_cast<std::size_t>(env)], words[unique % words.size()],
                       RandomChars(unique, "abcdefghijklmnopqrstuvwxyz0123456789", 6));
  }

  std::string ResourceId(const Archetype& archetype, const Resource& resource,
                         std::uint64_t unique) {
    if (archetype.id_pattern.empty()) return {};
    const auto regions = Regions();
    std::string id(archetype.id_pattern);
    const std::string_view region =
        resource.region >= 0 ? regions[static_cast<std::size_t>(resource.region)].code : "";
    id = ReplaceAll(id, "{region}", region);
    id =
        ReplaceAll(id, "{account}", fleet_.accounts[static_cast<std::size_t>(resource.account)].id);
    id = ReplaceAll(id, "{hex}", Hex17(unique));
    id = ReplaceAll(id, "{uuid}", Uuid(unique ^ 0x75756964));
    id = ReplaceAll(id, "{upper}", RandomChars(unique ^ 0x7570, kUpper, 13));
    id = ReplaceAll(id, "{name}", ResourceName(resource, unique));
    return id;
  }

  void AddResource(Lifecycle lifecycle, std::size_t archetype_index) {
    const Archetype& archetype = Archetypes()[archetype_index];
    Resource resource;
    resource.archetype = static_cast<int>(archetype_index);
    resource.account = PickAccount(archetype_index);
    const Account& account = fleet_.accounts[static_cast<std::size_t>(resource.account)];
    resource.region =
        rng_.Chance(0.75) ? account.home_region : static_cast<int>(region_picker_.Pick(rng_));
    resource.zone = archetype.zonal ? static_cast<int>(rng_.Below(3)) : -1;
    resource.tag_set = TagSetFor(account);
    resource.size_gb =
        archetype.size_gb_median > 0 ? archetype.size_gb_median * rng_.LogNormal(0, 0.9) : 0;
    resource.scale = rng_.LogNormal(0, 1.0);
    const std::uint64_t unique =
        Mix64(fleet_.options.seed * 1'000'003ULL + fleet_.resources.size());
    resource.id = ResourceId(archetype, resource, unique);
    const auto resource_index = static_cast<std::uint32_t>(fleet_.resources.size());
    fleet_.resources.push_back(resource);

    // One instance type per resource; inter-region transfers go to one other region.
    int instance_type = -1;
    int to_region = -1;
    bool added = false;
    const auto templates = UsageTemplates();
    for (int pass = 0; pass < 2 && !added; ++pass) {
      for (const ArchetypeUse& use : archetype.uses) {
        if (use.usage_template.empty()) break;
        if (pass == 0 && !rng_.Chance(use.probability)) continue;
        const int t = TemplateIndex(use.usage_template);
        const UsageTemplate& tmpl = templates[static_cast<std::size_t>(t)];
        const bool daily = tmpl.granularity == Granularity::kDaily;
        if (lifecycle == Lifecycle::kDailyOnly && !daily) continue;
        if (tmpl.instances != InstanceTable::kNone && instance_type < 0) {
          const auto types = InstanceTypes(tmpl.instances);
          std::vector<double> weights;
          for (const auto& type : types) weights.push_back(type.weight);
          instance_type = static_cast<int>(WeightedPicker(weights).Pick(rng_));
        }
        if (tmpl.prefix == PrefixRule::kInterRegion && to_region < 0) {
          do {
            to_region = static_cast<int>(region_picker_.Pick(rng_));
          } while (to_region == resource.region);
        }
        const int product =
            ProductFor(t, tmpl.instances != InstanceTable::kNone ? instance_type : -1,
                       resource.region, tmpl.prefix == PrefixRule::kInterRegion ? to_region : -1);
        const auto stream_index = static_cast<std::uint32_t>(fleet_.streams.size());
        Stream stream;
        stream.resource = resource_index;
        stream.product = static_cast<std::uint32_t>(product);
        const std::string id =
            RandomChars(Mix64(fleet_.options.seed ^ (0x11ULL << 40) ^ stream_index), kBase32, 52);
        std::copy(id.begin(), id.end(), stream.line_item_id.begin());
        fleet_.streams.push_back(stream);
        added = true;
        if (daily) {
          (lifecycle == Lifecycle::kSteady ? fleet_.daily_steady : fleet_.daily_churn)
              .push_back(stream_index);
        } else if (lifecycle == Lifecycle::kSteady) {
          fleet_.steady.push_back(stream_index);
        } else if (lifecycle == Lifecycle::kChurn) {
          fleet_.churn.push_back(stream_index);
        } else {
          fleet_.sparse.push_back(stream_index);
        }
        if (pass == 1) break;
      }
    }
  }

  // ---- Reserved Instances and Savings Plans ------------------------------------------------
  std::string PeriodTimestamp(int day_offset, int seconds_of_day) const {
    const auto& o = fleet_.options;
    const std::int64_t days = DaysFromCivil(o.year, o.month, 1) + day_offset;
    // civil from days
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z", y, m, d, seconds_of_day / 3600,
                       seconds_of_day / 60 % 60, seconds_of_day % 60);
  }

  void BuildCommitments() {
    const std::int64_t rows = fleet_.options.rows;
    if (rows < 50'000) return;
    const int ec2_box = TemplateIndex("ec2.box");
    const int ec2 = ServiceIndex("ec2");
    const auto& products = fleet_.products;
    // Reserved Instances over steady Linux instances, one per (payer, instance type, region).
    std::map<std::pair<int, int>, int> ri_of;
    for (std::uint32_t s : fleet_.steady) {
      Stream& stream = fleet_.streams[s];
      const Product& product = products[stream.product];
      if (product.usage_template != ec2_box || !rng_.Chance(kRiCoverage)) continue;
      const int payer =
          fleet_.accounts[static_cast<std::size_t>(fleet_.resources[stream.resource].account)]
              .payer;
      const auto key = std::make_pair(payer, static_cast<int>(stream.product));
      auto it = ri_of.find(key);
      if (it == ri_of.end()) {
        if (static_cast<int>(fleet_.reservations.size()) >= kMaxReservations) continue;
        it = ri_of.emplace(key, NewReservation(payer, static_cast<int>(stream.product), ec2)).first;
      }
      stream.coverage = Coverage::kReservedInstance;
      stream.commitment = static_cast<std::int16_t>(it->second);
      ++fleet_.reservations[static_cast<std::size_t>(it->second)].count;
    }
    for (auto& ri : fleet_.reservations) {
      ri.upfront_value = ri.upfront_per_hour * 8760 * ri.count;
    }

    // Savings Plans, one or more per payer, over other Linux instances.
    const int plan_count = rows >= 1'000'000 ? 4 : 1;
    const int sp_service = ServiceIndex("savingsplans");
    const int sp_product = SpecialProduct(sp_service, -1, "ComputeSP:1yrNoUpfront", "",
                                          "1 year No Upfront Compute Savings Plan", "", "Hrs");
    std::vector<double> covered_per_hour(static_cast<std::size_t>(plan_count), 0.0);
    for (int p = 0; p < plan_count; ++p) {
      SavingsPlan plan;
      plan.account =
          fleet_.payers[static_cast<std::size_t>(p % static_cast<int>(fleet_.payers.size()))]
              .account;
      plan.product = sp_product;
      plan.arn = fmt::format("arn:aws:savingsplans::{}:savingsplan/{}",
                             fleet_.accounts[static_cast<std::size_t>(plan.account)].id,
                             Uuid(rng_.Next()));
      const int start_day = -static_cast<int>(30 + rng_.Below(300));
      const int start_second = static_cast<int>(rng_.Below(86400));
      plan.start_time = PeriodTimestamp(start_day, start_second);
      plan.end_time = PeriodTimestamp(start_day + 365, start_second - 1 < 0 ? 0 : start_second - 1);
      plan.discount = kSpDiscount;
      fleet_.savings_plans.push_back(plan);
    }
    auto cover = [&](std::uint32_t s, double weight) {
      Stream& stream = fleet_.streams[s];
      if (stream.coverage != Coverage::kOnDemand) return;
      const Product& product = products[stream.product];
      if (product.usage_template != ec2_box || !rng_.Chance(kSpCoverage)) return;
      const int payer =
          fleet_.accounts[static_cast<std::size_t>(fleet_.resources[stream.resource].account)]
              .payer;
      std::vector<int> candidates;
      for (int p = 0; p < plan_count; ++p) {
        if (fleet_
                .accounts[static_cast<std::size_t>(
                    fleet_.savings_plans[static_cast<std::size_t>(p)].account)]
                .payer == payer) {
          candidates.push_back(p);
        }
      }
      if (candidates.empty()) return;
      const int p = candidates[rng_.Below(candidates.size())];
      stream.coverage = Coverage::kSavingsPlan;
      stream.commitment = static_cast<std::int16_t>(p);
      covered_per_hour[static_cast<std::size_t>(p)] +=
          weight * FixedToDouble(product.rate) * (1 - kSpDiscount);
    };
    for (std::uint32_t s : fleet_.steady) cover(s, 1.0);
    for (std::uint32_t s : fleet_.churn) cover(s, 0.1);
    for (int p = 0; p < plan_count; ++p) {
      auto& plan = fleet_.savings_plans[static_cast<std::size_t>(p)];
      const double commitment = std::max(
          1.0, std::round(covered_per_hour[static_cast<std::size_t>(p)] * 1.04 * 100) / 100);
      plan.commitment_per_hour = FixedFromDouble(commitment);
    }
  }

  int NewReservation(int payer, int product_index, int ec2_service) {
    const Product& product = fleet_.products[static_cast<std::size_t>(product_index)];
    const InstanceType& type = Ec2InstanceTypes()[static_cast<std::size_t>(product.instance_type)];
    const int product_region = product.region;  // `product` dangles once products grow below
    Reservation ri;
    ri.account = fleet_.payers[static_cast<std::size_t>(payer)].account;
    ri.product = product_index;
    const double od = FixedToDouble(product.rate);
    ri.upfront_per_hour = FixedFromDouble(RoundSignificant(od * kRiUpfrontShare, 4));
    ri.recurring_per_hour = FixedFromDouble(RoundSignificant(od * kRiRecurringShare, 4));
    ri.unused_share = rng_.Uniform(0.0, 0.06);
    const auto regions = Regions();
    const Region& region = regions[static_cast<std::size_t>(product_region)];
    const std::string& account_id = fleet_.accounts[static_cast<std::size_t>(ri.account)].id;
    ri.arn = fmt::format("arn:aws:ec2:{}:{}:reserved-instances/{}", region.code, account_id,
                         Uuid(rng_.Next()));
    ri.subscription_id = fmt::format("{}", 1'000'000'000ULL + rng_.Below(9'000'000'000ULL));
    const bool bought_this_month = rng_.Chance(0.25);
    const int start_day = bought_this_month
                              ? static_cast<int>(rng_.Below(static_cast<std::uint64_t>(days_)))
                              : -static_cast<int>(20 + rng_.Below(330));
    const int start_second = static_cast<int>(rng_.Below(86400));
    ri.start_time = PeriodTimestamp(start_day, start_second);
    ri.end_time = PeriodTimestamp(start_day + 365, start_second);
    ri.start_hour = bought_this_month ? start_day * 24 + start_second / 3600 : -1;
    const std::string usage = region.code == "us-east-1"
                                  ? fmt::format("HeavyUsage:{}", type.name)
                                  : fmt::format("{}-HeavyUsage:{}", region.prefix, type.name);
    ri.fee_description = fmt::format("Sign up charge for subscription: {}, planId: {}",
                                     ri.subscription_id, 1'000'000 + rng_.Below(9'000'000));
    ri.fee_product =
        SpecialProduct(ec2_service, product_region, usage, "RunInstances",
                       fmt::format("USD {} hourly fee per Linux/UNIX (Amazon VPC), {} instance",
                                   PriceText(FixedToDouble(ri.recurring_per_hour)), type.name),
                       "Reserved", "Hrs");
    fleet_.reservations.push_back(std::move(ri));
    return static_cast<int>(fleet_.reservations.size()) - 1;
  }

  // ---- taxes, credits, support -------------------------------------------------------------
  void BuildSpecialLines() {
    const auto services = Services();
    fleet_.tax_products.assign(services.size(), -1);
    if (fleet_.options.rows < 50'000) return;
    for (std::size_t s = 0; s < services.size(); ++s) {
      fleet_.tax_products[s] =
          SpecialProduct(static_cast<int>(s), -1, "", "",
                         fmt::format("Tax for product code {}", services[s].product_code), "", "");
    }
    const int support = ServiceIndex("support");
    for (std::size_t p = 0; p < fleet_.payers.size(); ++p) {
      fleet_.support_products.push_back(
          SpecialProduct(support, -1, "Dollar", "", "AWS Support (Business)", "", ""));
    }
    // Credits: a few accounts get a daily promotional credit on their busiest services.
    std::vector<int> credit_product(services.size(), -1);
    for (std::size_t a = 0; a < fleet_.accounts.size(); ++a) {
      if (!fleet_.accounts[a].has_credits) continue;
      std::vector<int> streams_per_service(services.size(), 0);
      for (const Stream& stream : fleet_.streams) {
        if (fleet_.resources[stream.resource].account == static_cast<int>(a)) {
          ++streams_per_service[static_cast<std::size_t>(fleet_.products[stream.product].service)];
        }
      }
      std::vector<int> order(services.size());
      for (std::size_t s = 0; s < order.size(); ++s) order[s] = static_cast<int>(s);
      std::ranges::stable_sort(order, [&](int x, int y) {
        return streams_per_service[static_cast<std::size_t>(x)] >
               streams_per_service[static_cast<std::size_t>(y)];
      });
      for (int k = 0; k < kCreditServicesPerAccount; ++k) {
        const int s = order[static_cast<std::size_t>(k)];
        if (streams_per_service[static_cast<std::size_t>(s)] == 0) break;
        if (credit_product[static_cast<std::size_t>(s)] < 0) {
          credit_product[static_cast<std::size_t>(s)] =
              SpecialProduct(s, -1, "", "", "AWS Promotional Credit", "", "");
        }
        fleet_.credit_pairs.push_back(
            {static_cast<int>(a), s, credit_product[static_cast<std::size_t>(s)]});
      }
    }
  }

  // ---- the row plan --------------------------------------------------------------------------
  void BuildPlan() {
    RowPlan& plan = fleet_.plan;
    plan.days = days_;
    plan.hours = hours_;
    const std::int64_t rows = fleet_.options.rows;
    plan.sp_fee_rows = static_cast<std::int64_t>(fleet_.savings_plans.size()) * hours_;
    plan.credit_rows = static_cast<std::int64_t>(fleet_.credit_pairs.size()) * days_;
    for (const auto& ri : fleet_.reservations) plan.monthly_rows += ri.start_hour >= 0 ? 2 : 1;
    plan.closing_rows = static_cast<std::int64_t>(fleet_.support_products.size());
    if (rows >= 50'000) {
      std::vector<std::vector<bool>> seen(fleet_.accounts.size(),
                                          std::vector<bool>(Services().size(), false));
      for (const Stream& stream : fleet_.streams) {
        const int account = fleet_.resources[stream.resource].account;
        const int service = fleet_.products[stream.product].service;
        if (!fleet_.accounts[static_cast<std::size_t>(account)].taxable) continue;
        if (!seen[static_cast<std::size_t>(account)][static_cast<std::size_t>(service)]) {
          seen[static_cast<std::size_t>(account)][static_cast<std::size_t>(service)] = true;
        }
      }
      for (std::size_t a = 0; a < seen.size(); ++a) {
        for (std::size_t s = 0; s < seen[a].size(); ++s) {
          if (seen[a][s]) fleet_.tax_pairs.emplace_back(static_cast<int>(a), static_cast<int>(s));
        }
      }
      plan.closing_rows += static_cast<std::int64_t>(fleet_.tax_pairs.size());
    }
    const std::int64_t fixed =
        plan.sp_fee_rows + plan.credit_rows + plan.monthly_rows + plan.closing_rows;
    if (fixed > rows / 5) {
      throw std::invalid_argument(fmt::format("--rows {} is too small for this fleet", rows));
    }
    const std::int64_t flexible = rows - fixed;
    const std::int64_t daily_total = std::llround(kDailyRowShare * static_cast<double>(flexible));
    const std::int64_t hourly_total = flexible - daily_total;

    plan.daily_quota.resize(static_cast<std::size_t>(days_));
    for (int d = 0; d < days_; ++d) {
      plan.daily_quota[static_cast<std::size_t>(d)] =
          daily_total * (d + 1) / days_ - daily_total * d / days_;
    }
    std::vector<double> weights(static_cast<std::size_t>(hours_));
    double total = 0;
    for (int h = 0; h < hours_; ++h) {
      total += weights[static_cast<std::size_t>(h)] =
          0.5 + 0.5 * fleet_.activity[static_cast<std::size_t>(h)];
    }
    plan.hourly_quota.resize(static_cast<std::size_t>(hours_));
    double cumulative = 0;
    std::int64_t assigned = 0;
    std::int64_t widest = 0;
    const auto steady = static_cast<std::int64_t>(fleet_.steady.size());
    for (int h = 0; h < hours_; ++h) {
      cumulative += weights[static_cast<std::size_t>(h)];
      const std::int64_t target =
          h + 1 == hours_ ? hourly_total
                          : std::llround(static_cast<double>(hourly_total) * cumulative / total);
      plan.hourly_quota[static_cast<std::size_t>(h)] = target - assigned;
      widest = std::max(widest, target - assigned - steady);
      assigned = target;
    }
    plan.sparse_share = kSparseShare;
    const auto churn_width =
        static_cast<std::int64_t>(static_cast<double>(widest) * (1 - kSparseShare));
    const auto churn_pool = static_cast<std::int64_t>(fleet_.churn.size());
    plan.churn_shift =
        days_ > 1 ? std::max<std::int64_t>(0, (churn_pool - churn_width) / (days_ - 1)) : 0;
    std::int64_t daily_width = 0;
    for (std::int64_t q : plan.daily_quota) {
      daily_width =
          std::max(daily_width, q - static_cast<std::int64_t>(fleet_.daily_steady.size()));
    }
    const auto daily_pool = static_cast<std::int64_t>(fleet_.daily_churn.size());
    plan.daily_shift =
        days_ > 1 ? std::max<std::int64_t>(0, (daily_pool - daily_width) / (days_ - 1)) : 0;
  }

  Fleet fleet_;
  Rng rng_;
  int days_ = 30;
  int hours_ = 720;
  WeightedPicker region_picker_;
  WeightedPicker account_picker_;
  std::map<std::tuple<int, int, int, int>, int> product_index_;
  std::map<std::tuple<int, int, int, int>, int> tag_index_;
};

}  // namespace

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

Fleet BuildFleet(const FleetOptions& options) { return FleetBuilder(options).Build(); }

}  // namespace costwise::bench
