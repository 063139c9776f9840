#include "billing/generator.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "billing/fixed10.h"
#include "billing/random.h"

namespace costwise::bench {
namespace {

constexpr double kNewlineChance = 1e-5;   // descriptions with a line break inside
constexpr double kFractionalTail = 0.85;  // churn rows past this share of the window
constexpr double kAmountSigma = 0.35;     // spread of variable amounts hour to hour
constexpr double kStorageGrowthPerDay = 0.003;
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";

void FillId(std::uint64_t seed, std::array<char, 52>& out) {
  std::uint64_t state = seed;
  std::uint64_t bits = 0;
  int left = 0;
  for (char& c : out) {
    if (left == 0) {
      bits = SplitMix64(state);
      left = 12;
    }
    c = kBase32[bits & 31];
    bits >>= 5;
    --left;
  }
}

class Emitter {
 public:
  Emitter(const Fleet& fleet, RowWriter& writer, OutputSink& sink)
      : fleet_(fleet),
        writer_(writer),
        sink_(sink),
        rng_(fleet.options.seed ^ 0x726f777321ULL),
        negations_(writer.WritesNegations()),
        hours_(fleet.plan.hours),
        days_(fleet.plan.days),
        services_(Services().size()),
        accrued_(fleet.accounts.size() * Services().size(), 0),
        payer_accrued_(fleet.payers.size(), 0),
        resource_seen_(fleet.resources.size(), false),
        product_seen_(fleet.products.size(), false),
        account_seen_(fleet.accounts.size(), false),
        tag_set_seen_(fleet.tag_sets.size(), false),
        sp_rate_(fleet.products.size(), -1),
        credit_base_(fleet.credit_pairs.size(), 0) {
    for (std::size_t p = 0; p < fleet.savings_plans.size(); ++p) {
      FillId(Mix64(fleet.options.seed ^ (0x5350ULL << 32) ^ p), plan_ids_.emplace_back());
    }
    for (std::size_t r = 0; r < fleet.reservations.size(); ++r) {
      FillId(Mix64(fleet.options.seed ^ (0x5249ULL << 32) ^ r), ri_ids_.emplace_back());
    }
    for (std::size_t c = 0; c < fleet.credit_pairs.size(); ++c) {
      FillId(Mix64(fleet.options.seed ^ (0x4352ULL << 32) ^ c), credit_ids_.emplace_back());
    }
  }

  GenerateStats Run() {
    writer_.WriteHeader(sink_);
    EmitReservations();
    for (int day = 0; day < days_; ++day) {
      EmitDaily(day);
      for (int hod = 0; hod < 24; ++hod) EmitHour(day, day * 24 + hod);
      EmitCredits(day);
    }
    EmitClosing();
    Summarize();
    return stats_;
  }

 private:
  // ---- one row -----------------------------------------------------------------------------
  void Emit(LineItem& item) {
    item.row_number = ++stats_.rows;
    ++stats_.rows_by_type[static_cast<std::size_t>(item.type)];
    // FOCUS bills covered usage at 0 (the commitment fee carries the cost); CUR bills it on
    // demand and offsets it with the negation line.
    const bool focus_covered = item.type == LineType::kSavingsPlanCoveredUsage && !negations_;
    stats_.billed_total += focus_covered ? 0 : item.cost;
    stats_.effective_total += item.effective;
    if (item.description_newline) ++stats_.description_newlines;
    if (item.resource >= 0) resource_seen_[static_cast<std::size_t>(item.resource)] = true;
    product_seen_[static_cast<std::size_t>(item.product)] = true;
    account_seen_[static_cast<std::size_t>(item.account)] = true;
    tag_set_seen_[static_cast<std::size_t>(item.tag_set)] = true;
    if (item.type != LineType::kTax && !(item.type == LineType::kFee && item.reservation < 0)) {
      const int service = fleet_.products[static_cast<std::size_t>(item.product)].service;
      accrued_[static_cast<std::size_t>(item.account) * services_ +
               static_cast<std::size_t>(service)] += item.cost;
      const int payer = fleet_.accounts[static_cast<std::size_t>(item.account)].payer;
      payer_accrued_[static_cast<std::size_t>(payer)] += item.cost;
    }
    writer_.WriteRow(item, sink_);
  }

  std::int64_t Amount(const UsageTemplate& tmpl, const Resource& resource, double activity,
                      bool daily, bool fractional, int day) {
    switch (tmpl.amount) {
      case AmountModel::kInstanceHour:
        if (!fractional) return kFixedScale;
        return FixedFromDouble(static_cast<double>(60 + rng_.Below(3540)) / 3600.0);
      case AmountModel::kStorage: {
        const double gb = resource.size_gb * tmpl.amount_scale * (1.0 + kStorageGrowthPerDay * day);
        return FixedFromDouble(gb / (daily ? days_ : hours_));
      }
      case AmountModel::kVariable:
        return std::max<std::int64_t>(
            1, FixedFromDouble(tmpl.amount_scale * resource.scale * activity *
                               rng_.LogNormal(0, kAmountSigma)));
      case AmountModel::kCount: {
        const double count =
            tmpl.amount_scale * resource.scale * activity * rng_.LogNormal(0, kAmountSigma);
        return std::max<std::int64_t>(1, std::llround(count)) * kFixedScale;
      }
      case AmountModel::kMonthlyUnit:
        return FixedFromDouble(1.0 / (daily ? days_ : hours_));
    }
    return kFixedScale;
  }

  std::int64_t SavingsPlanRate(const Product& product, std::uint32_t product_index,
                               double discount) {
    std::int64_t& rate = sp_rate_[product_index];
    if (rate < 0)
      rate = FixedFromDouble(RoundSignificant(FixedToDouble(product.rate) * (1 - discount), 4));
    return rate;
  }

  // Writes the line(s) of one stream for one hour (or one day); returns the rows written.
  int EmitStream(std::uint32_t stream_index, int start_hour, int length, double activity,
                 bool fractional, std::int64_t room) {
    const Stream& stream = fleet_.streams[stream_index];
    const Product& product = fleet_.products[stream.product];
    const UsageTemplate& tmpl = UsageTemplates()[static_cast<std::size_t>(product.usage_template)];
    const Resource& resource = fleet_.resources[stream.resource];
    LineItem item;
    item.line_item_id = std::string_view(stream.line_item_id.data(), stream.line_item_id.size());
    item.product = static_cast<int>(stream.product);
    item.account = resource.account;
    item.resource = static_cast<int>(stream.resource);
    item.resource_id = resource.id;
    item.tag_set = resource.tag_set;
    item.start_hour = start_hour;
    item.end_hour = start_hour + length;
    item.description_newline = rng_.Chance(kNewlineChance);
    item.amount = Amount(tmpl, resource, activity, length > 1, fractional, start_hour / 24);
    item.has_rate = true;
    item.rate = product.rate;
    item.cost = FixedMul(item.amount, product.rate);
    item.has_public = true;
    item.public_rate = product.rate;
    item.public_cost = item.cost;
    switch (stream.coverage) {
      case Coverage::kOnDemand:
        item.effective = item.cost;
        break;
      case Coverage::kReservedInstance: {
        const Reservation& ri = fleet_.reservations[static_cast<std::size_t>(stream.commitment)];
        item.type = LineType::kDiscountedUsage;
        item.reservation = stream.commitment;
        item.rate = 0;
        item.cost = 0;
        item.ri_upfront_for_usage = FixedMul(item.amount, ri.upfront_per_hour);
        item.ri_recurring_for_usage = FixedMul(item.amount, ri.recurring_per_hour);
        item.ri_effective_cost = item.ri_upfront_for_usage + item.ri_recurring_for_usage;
        item.effective = item.ri_effective_cost;
        break;
      }
      case Coverage::kSavingsPlan: {
        const SavingsPlan& plan = fleet_.savings_plans[static_cast<std::size_t>(stream.commitment)];
        item.type = LineType::kSavingsPlanCoveredUsage;
        item.savings_plan = stream.commitment;
        item.sp_rate = SavingsPlanRate(product, stream.product, plan.discount);
        item.sp_effective_cost = FixedMul(item.amount, item.sp_rate);
        item.effective = item.sp_effective_cost;
        break;
      }
    }
    Emit(item);
    if (item.type != LineType::kSavingsPlanCoveredUsage || !negations_ || room < 2) return 1;

    const std::string& account_id = fleet_.accounts[static_cast<std::size_t>(item.account)].id;
    negation_description_ = fmt::format(
        "SavingsPlanNegation used by AccountId : {} and UsageSku : {}", account_id, product.sku);
    FillId(
        Mix64(stream_index ^ (0x4e4547ULL << 32) ^ (static_cast<std::uint64_t>(start_hour) << 20)),
        negation_id_);
    item.type = LineType::kSavingsPlanNegation;
    item.line_item_id = std::string_view(negation_id_.data(), negation_id_.size());
    item.description = negation_description_;
    item.description_newline = false;
    item.amount = 0;
    item.cost = -item.public_cost;
    item.has_public = false;
    item.public_rate = 0;
    item.public_cost = 0;
    item.effective = 0;
    item.sp_effective_cost = 0;
    item.sp_rate = 0;
    Emit(item);
    return 2;
  }

  // ---- the plan ----------------------------------------------------------------------------
  void EmitReservations() {
    for (std::size_t r = 0; r < fleet_.reservations.size(); ++r) {
      const Reservation& ri = fleet_.reservations[r];
      const int start = std::max(0, ri.start_hour);
      const std::int64_t units =
          static_cast<std::int64_t>(ri.count) * (hours_ - start) * kFixedScale;
      LineItem item;
      item.type = LineType::kRiFee;
      item.line_item_id = std::string_view(ri_ids_[r].data(), ri_ids_[r].size());
      item.product = ri.fee_product;
      item.account = ri.account;
      item.resource_id = ri.arn;
      item.start_hour = start;
      item.end_hour = hours_;
      item.amount = units;
      item.has_rate = true;
      item.rate = ri.recurring_per_hour;
      item.cost = FixedMul(units, ri.recurring_per_hour);
      item.reservation = static_cast<int>(r);
      item.ri_reserved_units = units;
      item.ri_amortized_upfront_period = FixedMul(units, ri.upfront_per_hour);
      item.ri_unused_quantity =
          FixedFromDouble(std::round(FixedToDouble(units) * ri.unused_share * 100) / 100);
      item.ri_unused_upfront = FixedMul(item.ri_unused_quantity, ri.upfront_per_hour);
      item.ri_unused_recurring = FixedMul(item.ri_unused_quantity, ri.recurring_per_hour);
      item.effective = item.ri_unused_upfront + item.ri_unused_recurring;
      Emit(item);
      if (ri.start_hour < 0) continue;
      LineItem fee;
      fee.type = LineType::kFee;
      std::array<char, 52>& id = fee_ids_.emplace_back();
      FillId(Mix64(fleet_.options.seed ^ (0x4645ULL << 32) ^ r), id);
      fee.line_item_id = std::string_view(id.data(), id.size());
      fee.product = ri.fee_product;
      fee.account = ri.account;
      fee.resource_id = ri.arn;
      fee.description = ri.fee_description;
      fee.start_hour = ri.start_hour;
      fee.end_hour = ri.start_hour + 1;
      fee.amount = static_cast<std::int64_t>(ri.count) * kFixedScale;
      fee.has_rate = true;
      fee.rate = ri.upfront_value / ri.count;
      fee.cost = ri.upfront_value;
      fee.reservation = static_cast<int>(r);
      fee.effective = 0;
      Emit(fee);
    }
  }

  double DayActivity(int day) const {
    double total = 0;
    for (int h = day * 24; h < day * 24 + 24; ++h)
      total += fleet_.activity[static_cast<std::size_t>(h)];
    return total / 24;
  }

  void EmitDaily(int day) {
    std::int64_t left = fleet_.plan.daily_quota[static_cast<std::size_t>(day)];
    const double activity = DayActivity(day);
    for (std::uint32_t s : fleet_.daily_steady) {
      if (left <= 0) return;
      left -= EmitStream(s, day * 24, 24, activity, false, left);
    }
    const auto& pool = fleet_.daily_churn;
    const std::int64_t offset = fleet_.plan.daily_shift * day;
    for (std::size_t i = 0; left > 0 && i < pool.size(); ++i) {
      left -= EmitStream(pool[(static_cast<std::size_t>(offset) + i) % pool.size()], day * 24, 24,
                         activity, false, left);
    }
    while (left > 0) {  // a pool smaller than the day's quota: top up with steady daily streams
      const auto& fallback = fleet_.daily_steady.empty() ? fleet_.steady : fleet_.daily_steady;
      left -= EmitStream(fallback[rng_.Below(fallback.size())], day * 24,
                         fleet_.daily_steady.empty() ? 1 : 24, activity, false, left);
    }
  }

  // A promotional credit on each credited (account, service): a share of the day's spend on it.
  void EmitCredits(int day) {
    for (std::size_t c = 0; c < fleet_.credit_pairs.size(); ++c) {
      const CreditPair& pair = fleet_.credit_pairs[c];
      const std::size_t key = static_cast<std::size_t>(pair.account) * services_ +
                              static_cast<std::size_t>(pair.service);
      const std::int64_t spent_today = accrued_[key] - credit_base_[c];
      LineItem item;
      item.type = LineType::kCredit;
      item.line_item_id = std::string_view(credit_ids_[c].data(), credit_ids_[c].size());
      item.product = pair.product;
      item.account = pair.account;
      item.start_hour = day * 24;
      item.end_hour = day * 24 + 24;
      item.amount = 0;
      item.cost = -FixedMul(std::max<std::int64_t>(0, spent_today),
                            FixedFromDouble(rng_.Uniform(0.2, 0.5)));
      item.effective = item.cost;
      Emit(item);
      credit_base_[c] = accrued_[key];
    }
  }

  void EmitHour(int day, int hour) {
    const double activity = fleet_.activity[static_cast<std::size_t>(hour)];
    for (std::size_t p = 0; p < fleet_.savings_plans.size(); ++p) {
      const SavingsPlan& plan = fleet_.savings_plans[p];
      LineItem item;
      item.type = LineType::kSavingsPlanRecurringFee;
      item.line_item_id = std::string_view(plan_ids_[p].data(), plan_ids_[p].size());
      item.product = plan.product;
      item.account = plan.account;
      item.resource_id = plan.arn;
      item.start_hour = hour;
      item.end_hour = hour + 1;
      item.amount = kFixedScale;
      item.has_rate = true;
      item.rate = plan.commitment_per_hour;
      item.cost = plan.commitment_per_hour;
      item.savings_plan = static_cast<int>(p);
      item.sp_total_commitment = plan.commitment_per_hour;
      item.sp_used_commitment =
          FixedMul(plan.commitment_per_hour, FixedFromDouble(rng_.Uniform(0.88, 1.0)));
      item.sp_recurring_period = plan.commitment_per_hour * hours_;
      item.effective = item.sp_total_commitment - item.sp_used_commitment;
      Emit(item);
    }

    std::int64_t left = fleet_.plan.hourly_quota[static_cast<std::size_t>(hour)];
    for (std::uint32_t s : fleet_.steady) {
      if (left <= 0) return;
      left -= EmitStream(s, hour, 1, activity, false, left);
    }
    const auto& sparse = fleet_.sparse;
    const auto sparse_rows = static_cast<std::int64_t>(
        std::llround(fleet_.plan.sparse_share * static_cast<double>(left)));
    for (std::int64_t j = 0; j < sparse_rows && left > 0 && !sparse.empty(); ++j) {
      left -= EmitStream(sparse[rng_.Below(sparse.size())], hour, 1, activity, false, left);
    }
    const auto& churn = fleet_.churn;
    const std::int64_t width = left;
    const auto offset = static_cast<std::size_t>(fleet_.plan.churn_shift * day);
    for (std::size_t i = 0; left > 0 && i < churn.size(); ++i) {
      const bool fractional =
          static_cast<double>(i) >= kFractionalTail * static_cast<double>(width);
      left -= EmitStream(churn[(offset + i) % churn.size()], hour, 1, activity, fractional, left);
    }
    while (left > 0) {  // pools smaller than the hour's quota (tiny files)
      const auto& fallback = sparse.empty() ? fleet_.steady : sparse;
      left -= EmitStream(fallback[rng_.Below(fallback.size())], hour, 1, activity, false, left);
    }
  }

  void EmitClosing() {
    for (const auto& [account, service] : fleet_.tax_pairs) {
      const Payer& payer = fleet_.payers[static_cast<std::size_t>(
          fleet_.accounts[static_cast<std::size_t>(account)].payer)];
      LineItem item;
      item.type = LineType::kTax;
      std::array<char, 52>& id = closing_ids_.emplace_back();
      FillId(
          Mix64(fleet_.options.seed ^ (0x5458ULL << 32) ^
                (static_cast<std::uint64_t>(account) << 16) ^ static_cast<std::uint64_t>(service)),
          id);
      item.line_item_id = std::string_view(id.data(), id.size());
      item.product = fleet_.tax_products[static_cast<std::size_t>(service)];
      item.account = account;
      item.start_hour = 0;
      item.end_hour = hours_;
      item.amount = kFixedScale;
      const std::int64_t base = accrued_[static_cast<std::size_t>(account) * services_ +
                                         static_cast<std::size_t>(service)];
      item.cost = FixedMul(std::max<std::int64_t>(0, base), FixedFromDouble(payer.tax_rate));
      item.effective = item.cost;
      Emit(item);
    }
    for (std::size_t p = 0; p < fleet_.support_products.size(); ++p) {
      const Payer& payer = fleet_.payers[p];
      const double spend = FixedToDouble(std::max<std::int64_t>(0, payer_accrued_[p]));
      const double fee = std::max(100.0, 0.10 * std::min(spend, 10'000.0) +
                                             0.07 * std::clamp(spend - 10'000.0, 0.0, 70'000.0) +
                                             0.05 * std::clamp(spend - 80'000.0, 0.0, 170'000.0) +
                                             0.03 * std::max(spend - 250'000.0, 0.0));
      LineItem item;
      item.type = LineType::kFee;
      std::array<char, 52>& id = closing_ids_.emplace_back();
      FillId(Mix64(fleet_.options.seed ^ (0x5355ULL << 32) ^ p), id);
      item.line_item_id = std::string_view(id.data(), id.size());
      item.product = fleet_.support_products[p];
      item.account = payer.account;
      item.start_hour = 0;
      item.end_hour = hours_;
      item.amount = kFixedScale;
      item.cost = FixedFromDouble(std::round(fee * 100) / 100);
      item.effective = item.cost;
      Emit(item);
    }
  }

  void Summarize() {
    const auto count = [](const std::vector<bool>& seen) {
      return static_cast<std::int64_t>(std::count(seen.begin(), seen.end(), true));
    };
    std::set<std::string_view> ids, usage_types, codes, regions;
    std::set<int> payers;
    for (std::size_t r = 0; r < resource_seen_.size(); ++r) {
      if (resource_seen_[r] && !fleet_.resources[r].id.empty()) ids.insert(fleet_.resources[r].id);
    }
    for (const auto& ri : fleet_.reservations) ids.insert(ri.arn);
    for (const auto& plan : fleet_.savings_plans) ids.insert(plan.arn);
    for (std::size_t p = 0; p < product_seen_.size(); ++p) {
      if (!product_seen_[p]) continue;
      const Product& product = fleet_.products[p];
      if (!product.usage_type.empty()) usage_types.insert(product.usage_type);
      codes.insert(Services()[static_cast<std::size_t>(product.service)].product_code);
      if (product.region >= 0)
        regions.insert(Regions()[static_cast<std::size_t>(product.region)].code);
    }
    for (std::size_t a = 0; a < account_seen_.size(); ++a) {
      if (account_seen_[a]) payers.insert(fleet_.accounts[a].payer);
    }
    stats_.resource_ids = static_cast<std::int64_t>(ids.size());
    stats_.usage_types = static_cast<std::int64_t>(usage_types.size());
    stats_.services = static_cast<std::int64_t>(codes.size());
    stats_.regions = static_cast<std::int64_t>(regions.size());
    stats_.accounts = count(account_seen_);
    stats_.payers = static_cast<std::int64_t>(payers.size());
    stats_.tag_sets = count(tag_set_seen_);
  }

  const Fleet& fleet_;
  RowWriter& writer_;
  OutputSink& sink_;
  Rng rng_;
  bool negations_;
  int hours_;
  int days_;
  std::size_t services_;
  std::vector<std::int64_t> accrued_;        // unblended cost per (account, service)
  std::vector<std::int64_t> payer_accrued_;  // unblended cost per payer
  std::vector<bool> resource_seen_, product_seen_, account_seen_, tag_set_seen_;
  std::vector<std::int64_t> sp_rate_;      // per product, -1 until computed
  std::vector<std::int64_t> credit_base_;  // accrued cost of each credit pair at its last credit
  std::vector<std::array<char, 52>> plan_ids_, ri_ids_, credit_ids_;
  std::vector<std::array<char, 52>> fee_ids_, closing_ids_;
  std::array<char, 52> negation_id_{};
  std::string negation_description_;
  GenerateStats stats_;
};

}  // namespace

GenerateStats Generate(const Fleet& fleet, RowWriter& writer, OutputSink& sink) {
  return Emitter(fleet, writer, sink).Run();
}

}  // namespace costwise::bench
