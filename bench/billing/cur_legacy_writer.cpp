// Legacy CUR ("CUR 1.0") CSV: category/Field headers, fields quoted only when they hold a comma,
// quote or line break, numbers as Java prints doubles (0.0116, 5.2E-9). The columns are those of
// the anonymized sample in shared/data/cur-sample (94), plus lineItem/ResourceId,
// reservation/ReservationARN, product/instanceType, product/memory, product/vcpu and four
// resourceTags/user:* columns, as a CUR with resource ids, RIs, EC2 and tags has them.
#include "billing/cur_legacy_writer.h"

#include <array>
#include <string>
#include <vector>

#include "billing/csv_text.h"
#include "billing/fixed10.h"
#include "billing/period_clock.h"
#include "billing/product_attributes.h"

namespace costwise::bench {
namespace {

constexpr std::array<std::string_view, 103> kColumns = {
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/InvoicingEntity",
    "bill/BillingEntity",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/NormalizationFactor",
    "lineItem/NormalizedUsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/BlendedRate",
    "lineItem/BlendedCost",
    "lineItem/LineItemDescription",
    "lineItem/TaxType",
    "lineItem/LegalEntity",
    "product/ProductName",
    "product/availability",
    "product/durability",
    "product/eventType",
    "product/feeCode",
    "product/feeDescription",
    "product/fromLocation",
    "product/fromLocationType",
    "product/fromRegionCode",
    "product/group",
    "product/groupDescription",
    "product/instanceType",
    "product/location",
    "product/locationType",
    "product/memory",
    "product/messageDeliveryFrequency",
    "product/messageDeliveryOrder",
    "product/operation",
    "product/overhead",
    "product/productFamily",
    "product/productType",
    "product/queueType",
    "product/region",
    "product/regionCode",
    "product/servicecode",
    "product/servicename",
    "product/sku",
    "product/storageClass",
    "product/storageMedia",
    "product/toLocation",
    "product/toLocationType",
    "product/toRegionCode",
    "product/transferType",
    "product/usagetype",
    "product/vcpu",
    "product/version",
    "product/volumeType",
    "pricing/RateCode",
    "pricing/RateId",
    "pricing/currency",
    "pricing/publicOnDemandCost",
    "pricing/publicOnDemandRate",
    "pricing/term",
    "pricing/unit",
    "reservation/AmortizedUpfrontCostForUsage",
    "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/EffectiveCost",
    "reservation/EndTime",
    "reservation/ModificationStatus",
    "reservation/NormalizedUnitsPerReservation",
    "reservation/NumberOfReservations",
    "reservation/RecurringFeeForUsage",
    "reservation/ReservationARN",
    "reservation/StartTime",
    "reservation/SubscriptionId",
    "reservation/TotalReservedNormalizedUnits",
    "reservation/TotalReservedUnits",
    "reservation/UnitsPerReservation",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedNormalizedUnitQuantity",
    "reservation/UnusedQuantity",
    "reservation/UnusedRecurringFee",
    "reservation/UpfrontValue",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanRate",
    "savingsPlan/UsedCommitment",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
    "resourceTags/user:team",
    "resourceTags/user:env",
    "resourceTags/user:app",
    "resourceTags/user:cost-center",
};

std::string Join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  return out;
}

// The description with one line break in it, as a handful of real bills have.
std::string WithNewline(std::string text) {
  const std::size_t space = text.rfind(' ');
  if (space != std::string::npos) text[space] = '\n';
  return text;
}

class CurLegacyWriter final : public RowWriter {
 public:
  explicit CurLegacyWriter(const Fleet& fleet)
      : fleet_(fleet), clock_(fleet.options.year, fleet.options.month, fleet.plan.hours) {
    const auto services = Services();
    for (const Product& product : fleet.products) {
      const ProductAttributes a = DescribeProduct(product);
      const Service& service = services[static_cast<std::size_t>(product.service)];
      ProductText text;
      text.code_usage_operation =
          Join({std::string(service.product_code), product.usage_type, product.operation});
      text.description = CsvField(product.description);
      text.description_newline = CsvQuoted(WithNewline(product.description));
      text.normalization_factor = NormalizationFactor(product);
      text.normalization_text = a.normalization_factor;
      text.attributes = Join({a.product_name,
                              a.availability,
                              a.durability,
                              "",
                              "",
                              "",
                              a.from_location,
                              a.from_location_type,
                              a.from_region_code,
                              a.group,
                              a.group_description,
                              a.instance_type,
                              a.location,
                              a.location_type,
                              a.memory,
                              a.message_delivery_frequency,
                              a.message_delivery_order,
                              a.operation,
                              "",
                              a.product_family,
                              "",
                              a.queue_type,
                              a.region,
                              a.region_code,
                              a.servicecode,
                              a.servicename,
                              a.sku,
                              a.storage_class,
                              a.storage_media,
                              a.to_location,
                              a.to_location_type,
                              a.to_region_code,
                              a.transfer_type,
                              a.usagetype,
                              a.vcpu,
                              "",
                              a.volume_type});
      text.rate_code_id_currency =
          product.priced ? Join({product.rate_code, product.rate_id, "USD"}) : ",,";
      text.term_unit = Join({product.term, product.unit});
      products_.push_back(std::move(text));
    }
    const std::string start(clock_.At(0, TimeStyle::kCur));
    const std::string end(clock_.At(fleet.plan.hours, TimeStyle::kCur));
    for (const Payer& payer : fleet.payers) {
      payers_.push_back(
          Join({payer.invoice_id, std::string(payer.legal_entity), "AWS", "Anniversary",
                fleet.accounts[static_cast<std::size_t>(payer.account)].id, start, end}));
      legal_entities_.push_back(CsvField(payer.legal_entity));
    }
    // reservation/* (19) and savingsPlan/* (7) of a line with no commitment: only the
    // subscription id, one per account and service.
    for (std::size_t a = 0; a < fleet.accounts.size(); ++a) {
      for (std::size_t s = 0; s < services.size(); ++s) {
        const std::uint64_t subscription =
            100'000'000 + (a * 7919 + s * 104'729 + fleet.options.seed) % 900'000'000;
        subscription_ids_.push_back(std::to_string(subscription));
        plain_commitments_.push_back(",,,,,,,,,," + subscription_ids_.back() + ",,,,,,,,,,,,,,,");
      }
    }
    for (const TagSet& tags : fleet.tag_sets) {
      tags_.push_back(Join(
          {tags.team >= 0 ? std::string(Teams()[static_cast<std::size_t>(tags.team)]) : "",
           tags.env >= 0 ? std::string(kEnvs[static_cast<std::size_t>(tags.env)]) : "",
           tags.app >= 0 ? fleet.apps[static_cast<std::size_t>(tags.app)] : "",
           tags.cost_center >= 0 ? fleet.cost_centers[static_cast<std::size_t>(tags.cost_center)]
                                 : ""}));
    }
  }

  void WriteHeader(OutputSink& sink) override {
    char* p = sink.Reserve(kMaxRowBytes);
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      if (i > 0) p = Put(p, ',');
      p = Put(p, kColumns[i]);
    }
    sink.Commit(Put(p, '\n'));
  }

  bool WritesNegations() const override { return true; }

  void WriteRow(const LineItem& item, OutputSink& sink) override {
    const ProductText& product = products_[static_cast<std::size_t>(item.product)];
    const Account& account = fleet_.accounts[static_cast<std::size_t>(item.account)];
    const std::size_t service =
        static_cast<std::size_t>(fleet_.products[static_cast<std::size_t>(item.product)].service);
    const std::size_t commitment_key =
        static_cast<std::size_t>(item.account) * Services().size() + service;

    char* p = sink.Reserve(kMaxRowBytes);
    p = Put(p, item.line_item_id);
    p = Put(p, ',');
    p = Put(p, clock_.At(item.start_hour, TimeStyle::kInterval));
    p = Put(p, '/');
    p = Put(p, clock_.At(item.end_hour, TimeStyle::kInterval));
    p = Put(p, ',');
    p = Put(p, payers_[static_cast<std::size_t>(account.payer)]);
    p = Put(p, ',');
    p = Put(p, account.id);
    p = Put(p, ',');
    p = Put(p, LineTypeName(item.type));
    p = Put(p, ',');
    p = Put(p, clock_.At(item.start_hour, TimeStyle::kCur));
    p = Put(p, ',');
    p = Put(p, clock_.At(item.end_hour, TimeStyle::kCur));
    p = Put(p, ',');
    p = Put(p, product.code_usage_operation);
    p = Put(p, ',');
    if (item.resource >= 0) {
      const Resource& resource = fleet_.resources[static_cast<std::size_t>(item.resource)];
      if (resource.zone >= 0 && resource.region >= 0) {
        p = Put(p, Regions()[static_cast<std::size_t>(resource.region)].code);
        p = Put(p, static_cast<char>('a' + resource.zone));
      }
    }
    p = Put(p, ',');
    p = Put(p, item.resource_id);
    p = Put(p, ',');
    p = PutJavaNumber(p, item.amount);
    p = Put(p, ',');
    const bool normalized = product.normalization_factor > 0 && item.type != LineType::kTax;
    if (normalized) p = Put(p, product.normalization_text);
    p = Put(p, ',');
    if (normalized) p = PutJavaNumber(p, FixedMul(item.amount, product.normalization_factor));
    p = Put(p, ",USD,");
    if (item.has_rate) p = PutJavaNumber(p, item.rate);
    p = Put(p, ',');
    p = PutJavaNumber(p, item.cost);
    p = Put(p, ',');
    if (item.has_rate)
      p = PutJavaNumber(p, item.rate);  // blended = unblended: one rate per account
    p = Put(p, ',');
    p = PutJavaNumber(p, item.cost);
    p = Put(p, ',');
    if (!item.description.empty()) {
      p = Put(p, CsvField(item.description));
    } else {
      p = Put(p, item.description_newline ? product.description_newline : product.description);
    }
    p = Put(p, ',');
    if (item.type == LineType::kTax) {
      p = Put(p, fleet_.payers[static_cast<std::size_t>(account.payer)].tax_type);
    }
    p = Put(p, ',');
    p = Put(p, legal_entities_[static_cast<std::size_t>(account.payer)]);
    p = Put(p, ',');
    p = Put(p, product.attributes);
    p = Put(p, ',');
    p = Put(p, product.rate_code_id_currency);
    p = Put(p, ',');
    if (item.has_public) p = PutJavaNumber(p, item.public_cost);
    p = Put(p, ',');
    if (item.has_public) p = PutJavaNumber(p, item.public_rate);
    p = Put(p, ',');
    p = Put(p, product.term_unit);
    p = Put(p, ',');
    if (item.reservation < 0 && item.savings_plan < 0) {
      p = Put(p, plain_commitments_[commitment_key]);
    } else {
      p = PutCommitments(p, item, subscription_ids_[commitment_key], product.normalization_factor);
    }
    p = Put(p, ',');
    p = Put(p, tags_[static_cast<std::size_t>(item.tag_set)]);
    sink.Commit(Put(p, '\n'));
  }

 private:
  struct ProductText {
    std::string code_usage_operation;
    std::string description;
    std::string description_newline;
    std::int64_t normalization_factor = 0;
    std::string normalization_text;
    std::string attributes;
    std::string rate_code_id_currency;
    std::string term_unit;
  };

  // reservation/* (19 columns) then savingsPlan/* (7 columns) of a line tied to a commitment.
  char* PutCommitments(char* p, const LineItem& item, std::string_view subscription,
                       std::int64_t factor) const {
    const Reservation* ri = item.reservation >= 0
                                ? &fleet_.reservations[static_cast<std::size_t>(item.reservation)]
                                : nullptr;
    const SavingsPlan* sp = item.savings_plan >= 0
                                ? &fleet_.savings_plans[static_cast<std::size_t>(item.savings_plan)]
                                : nullptr;
    const bool usage = item.type == LineType::kDiscountedUsage;
    const bool ri_fee = item.type == LineType::kRiFee;
    const bool upfront = item.type == LineType::kFee && ri != nullptr;
    // 0 AmortizedUpfrontCostForUsage
    if (usage) p = PutJavaNumber(p, item.ri_upfront_for_usage);
    p = Put(p, ',');
    // 1 AmortizedUpfrontFeeForBillingPeriod
    if (ri_fee) p = PutJavaNumber(p, item.ri_amortized_upfront_period);
    p = Put(p, ',');
    // 2 EffectiveCost
    if (usage) p = PutJavaNumber(p, item.ri_effective_cost);
    p = Put(p, ',');
    // 3 EndTime, 4 ModificationStatus, 5 NormalizedUnitsPerReservation, 6 NumberOfReservations
    if (ri_fee || upfront) p = Put(p, ri->end_time);
    p = Put(p, ',');
    if (ri_fee) p = Put(p, "Unmodified");
    p = Put(p, ',');
    if (ri_fee && factor > 0)
      p = PutJavaNumber(p, FixedMul(item.ri_reserved_units / ri->count, factor));
    p = Put(p, ',');
    if (ri_fee || upfront) p = PutUnsigned(p, static_cast<std::uint64_t>(ri->count));
    p = Put(p, ',');
    // 7 RecurringFeeForUsage, 8 ReservationARN, 9 StartTime, 10 SubscriptionId
    if (usage) p = PutJavaNumber(p, item.ri_recurring_for_usage);
    p = Put(p, ',');
    if (ri != nullptr) p = Put(p, ri->arn);
    p = Put(p, ',');
    if (ri_fee || upfront) p = Put(p, ri->start_time);
    p = Put(p, ',');
    p = Put(p, subscription);
    p = Put(p, ',');
    // 11 TotalReservedNormalizedUnits, 12 TotalReservedUnits, 13 UnitsPerReservation
    if (ri_fee && factor > 0) p = PutJavaNumber(p, FixedMul(item.ri_reserved_units, factor));
    p = Put(p, ',');
    if (ri_fee) p = PutJavaNumber(p, item.ri_reserved_units);
    p = Put(p, ',');
    if (ri_fee) p = PutJavaNumber(p, item.ri_reserved_units / ri->count);
    p = Put(p, ',');
    // 14 UnusedAmortizedUpfrontFeeForBillingPeriod, 15 UnusedNormalizedUnitQuantity,
    // 16 UnusedQuantity, 17 UnusedRecurringFee, 18 UpfrontValue
    if (ri_fee) p = PutJavaNumber(p, item.ri_unused_upfront);
    p = Put(p, ',');
    if (ri_fee && factor > 0) p = PutJavaNumber(p, FixedMul(item.ri_unused_quantity, factor));
    p = Put(p, ',');
    if (ri_fee) p = PutJavaNumber(p, item.ri_unused_quantity);
    p = Put(p, ',');
    if (ri_fee) p = PutJavaNumber(p, item.ri_unused_recurring);
    p = Put(p, ',');
    if (ri_fee || upfront) p = PutJavaNumber(p, ri->upfront_value);
    p = Put(p, ',');
    // savingsPlan: TotalCommitmentToDate, SavingsPlanARN, SavingsPlanRate, UsedCommitment,
    // SavingsPlanEffectiveCost, AmortizedUpfrontCommitmentForBillingPeriod,
    // RecurringCommitmentForBillingPeriod
    const bool sp_fee = item.type == LineType::kSavingsPlanRecurringFee;
    const bool sp_usage = item.type == LineType::kSavingsPlanCoveredUsage;
    if (sp_fee) p = PutJavaNumber(p, item.sp_total_commitment);
    p = Put(p, ',');
    if (sp != nullptr) p = Put(p, sp->arn);
    p = Put(p, ',');
    if (sp_usage) p = PutJavaNumber(p, item.sp_rate);
    p = Put(p, ',');
    if (sp_fee) p = PutJavaNumber(p, item.sp_used_commitment);
    p = Put(p, ',');
    if (sp_usage) p = PutJavaNumber(p, item.sp_effective_cost);
    p = Put(p, ',');
    if (sp_fee) p = Put(p, "0.0");
    p = Put(p, ',');
    if (sp_fee) p = PutJavaNumber(p, item.sp_recurring_period);
    return p;
  }

  const Fleet& fleet_;
  PeriodClock clock_;
  std::vector<ProductText> products_;
  std::vector<std::string> payers_;
  std::vector<std::string> legal_entities_;
  std::vector<std::string> subscription_ids_;
  std::vector<std::string> plain_commitments_;
  std::vector<std::string> tags_;
};

}  // namespace

std::unique_ptr<RowWriter> MakeCurLegacyWriter(const Fleet& fleet) {
  return std::make_unique<CurLegacyWriter>(fleet);
}

}  // namespace costwise::bench
