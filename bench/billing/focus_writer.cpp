// FOCUS 1.0 CSV shaped like the FinOps Foundation sample in shared/data/focus-sample: its 44
// columns in its order (including the sampler's Id column), every string quoted, numbers
// unquoted (costs with 11 decimals, ConsumedQuantity with 15), the unquoted token NULL for
// missing values, timestamps "YYYY-MM-DD HH:MM:SS", Tags as a JSON object in a quoted field.
// Savings Plan covered usage is billed at 0 and has no negation line, as AWS's FOCUS export does.
#include "billing/focus_writer.h"

#include <array>
#include <string>
#include <vector>

#include "billing/csv_text.h"
#include "billing/fixed10.h"
#include "billing/period_clock.h"

namespace costwise::bench {
namespace {

constexpr std::array<std::string_view, 44> kColumns = {
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "Id",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
};

constexpr int kCostDecimals = 11;
constexpr int kQuantityDecimals = 15;
constexpr std::string_view kNull = "NULL";

std::string WithNewline(std::string text) {
  const std::size_t space = text.rfind(' ');
  if (space != std::string::npos) text[space] = '\n';
  return text;
}

std::string QuotedOrNull(std::string_view text) {
  return text.empty() ? std::string(kNull) : CsvQuoted(text);
}

class FocusWriter final : public RowWriter {
 public:
  explicit FocusWriter(const Fleet& fleet)
      : fleet_(fleet), clock_(fleet.options.year, fleet.options.month, fleet.plan.hours) {
    const auto services = Services();
    const auto regions = Regions();
    for (const Product& product : fleet.products) {
      const Service& service = services[static_cast<std::size_t>(product.service)];
      ProductText text;
      text.description = QuotedOrNull(product.description);
      text.description_newline = CsvQuoted(WithNewline(product.description));
      text.unit = QuotedOrNull(product.focus_unit);
      text.category = CsvQuoted(service.focus_category);
      text.service = CsvQuoted(service.product_name);
      text.sku = product.priced ? CsvQuoted(product.sku) + "," + CsvQuoted(product.rate_code)
                                : "NULL,NULL";
      if (product.region >= 0) {
        const Region& region = regions[static_cast<std::size_t>(product.region)];
        text.region = CsvQuoted(region.code) + "," + CsvQuoted(region.name);
      } else {
        text.region = product.usage_template >= 0 ? R"("global","Global")" : "NULL,NULL";
      }
      char buffer[64];
      char* end = PutTrimmed(buffer, product.rate, false);
      text.list_unit_price =
          product.priced
              ? CsvQuoted(std::string_view(buffer, static_cast<std::size_t>(end - buffer)))
              : "NULL";
      text.spot = product.usage_type.find("SpotUsage") != std::string::npos;
      products_.push_back(std::move(text));
    }
    for (const Payer& payer : fleet.payers) {
      const Account& account = fleet.accounts[static_cast<std::size_t>(payer.account)];
      payers_.push_back(CsvQuoted(account.id) + "," + CsvQuoted(account.name) + R"(,"USD",")" +
                        std::string(clock_.At(fleet.plan.hours, TimeStyle::kFocus)) + R"(",")" +
                        std::string(clock_.At(0, TimeStyle::kFocus)) + "\"");
      issuers_.push_back(CsvQuoted(payer.legal_entity));
    }
    for (const Account& account : fleet.accounts)
      accounts_.push_back(CsvQuoted(account.id) + "," + CsvQuoted(account.name));
    for (const TagSet& tags : fleet.tag_sets) {
      std::string json;
      const auto add = [&json](std::string_view key, std::string_view value) {
        if (value.empty()) return;
        json += json.empty() ? "{" : ", ";
        json += JsonString(key) + ": " + JsonString(value);
      };
      add("team", tags.team >= 0 ? Teams()[static_cast<std::size_t>(tags.team)] : "");
      add("env", tags.env >= 0 ? kEnvs[static_cast<std::size_t>(tags.env)] : "");
      add("app",
          tags.app >= 0 ? std::string_view(fleet.apps[static_cast<std::size_t>(tags.app)]) : "");
      add("cost-center",
          tags.cost_center >= 0
              ? std::string_view(fleet.cost_centers[static_cast<std::size_t>(tags.cost_center)])
              : "");
      tags_.push_back(json.empty() ? std::string(kNull) : CsvQuoted(json + "}"));
    }
    for (const Archetype& archetype : Archetypes())
      resource_types_.push_back(QuotedOrNull(archetype.focus_resource_type));
  }

  void WriteHeader(OutputSink& sink) override {
    char* p = sink.Reserve(kMaxRowBytes);
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      if (i > 0) p = Put(p, ',');
      p = Put(p, '"');
      p = Put(p, kColumns[i]);
      p = Put(p, '"');
    }
    sink.Commit(Put(p, '\n'));
  }

  bool WritesNegations() const override { return false; }

  void WriteRow(const LineItem& item, OutputSink& sink) override {
    const ProductText& product = products_[static_cast<std::size_t>(item.product)];
    const Account& account = fleet_.accounts[static_cast<std::size_t>(item.account)];
    const Resource* resource =
        item.resource >= 0 ? &fleet_.resources[static_cast<std::size_t>(item.resource)] : nullptr;
    const bool usage = item.type == LineType::kUsage || item.type == LineType::kDiscountedUsage ||
                       item.type == LineType::kSavingsPlanCoveredUsage;
    const bool covered =
        item.type == LineType::kDiscountedUsage || item.type == LineType::kSavingsPlanCoveredUsage;
    const std::int64_t billed = covered ? 0 : item.cost;

    char* p = sink.Reserve(kMaxRowBytes);
    // AvailabilityZone
    if (resource != nullptr && resource->zone >= 0 && resource->region >= 0) {
      p = Put(p, '"');
      p = Put(p, Regions()[static_cast<std::size_t>(resource->region)].code);
      p = Put(p, static_cast<char>('a' + resource->zone));
      p = Put(p, '"');
    } else {
      p = Put(p, kNull);
    }
    p = Put(p, ',');
    p = PutFixedDecimals(p, billed, kCostDecimals);
    p = Put(p, ',');
    p = Put(
        p,
        payers_[static_cast<std::size_t>(account.payer)]);  // BillingAccountId..BillingPeriodStart
    p = Put(p, ',');
    p = Put(p, ChargeCategory(item.type));
    p = Put(p, ",NULL,");  // ChargeClass
    if (!item.description.empty()) {
      p = Put(p, CsvQuoted(item.description));
    } else {
      p = Put(p, item.description_newline ? product.description_newline : product.description);
    }
    p = Put(p, ',');
    p = Put(p, ChargeFrequency(item.type, item.reservation >= 0));
    p = Put(p, ",\"");
    p = Put(p, clock_.At(item.end_hour, TimeStyle::kFocus));
    p = Put(p, "\",\"");
    p = Put(p, clock_.At(item.start_hour, TimeStyle::kFocus));
    p = Put(p, "\",");
    // CommitmentDiscountCategory, Id, Name, Status, Type
    if (item.reservation >= 0) {
      p = Put(p, "\"Usage\",\"");
      p = Put(p, fleet_.reservations[static_cast<std::size_t>(item.reservation)].arn);
      p = Put(p, item.type == LineType::kDiscountedUsage ? "\",NULL,\"Used\",\"Reserved Instance\","
                                                         : "\",NULL,NULL,\"Reserved Instance\",");
    } else if (item.savings_plan >= 0) {
      p = Put(p, "\"Spend\",\"");
      p = Put(p, fleet_.savings_plans[static_cast<std::size_t>(item.savings_plan)].arn);
      p = Put(p, covered ? "\",NULL,\"Used\",\"Savings Plan\"," : "\",NULL,NULL,\"Savings Plan\",");
    } else {
      p = Put(p, "NULL,NULL,NULL,NULL,NULL,");
    }
    // ConsumedQuantity, ConsumedUnit
    if (usage) {
      p = PutFixedDecimals(p, item.amount, kQuantityDecimals);
      p = Put(p, ',');
      p = Put(p, product.unit);
    } else {
      p = Put(p, "NULL,NULL");
    }
    p = Put(p, ',');
    // ContractedCost, ContractedUnitPrice (no negotiated discounts: on-demand)
    p = PutFixedDecimals(p, item.has_public ? item.public_cost : item.cost, kCostDecimals);
    p = Put(p, ',');
    if (item.has_public) {
      p = PutFixedDecimals(p, item.public_rate, kCostDecimals);
    } else {
      p = Put(p, kNull);
    }
    p = Put(p, ',');
    p = PutFixedDecimals(p, item.effective, kCostDecimals);
    p = Put(p, ',');
    const std::string& issuer = issuers_[static_cast<std::size_t>(account.payer)];
    p = Put(p, issuer);
    p = Put(p, ',');
    p = PutFixedDecimals(p, item.has_public ? item.public_cost : item.cost, kCostDecimals);
    p = Put(p, ',');
    p = Put(p, item.has_public ? std::string_view(product.list_unit_price) : kNull);
    p = Put(p, ',');
    p = Put(p, PricingCategory(item, product));
    p = Put(p, ',');
    if (usage) {
      p = PutFixedDecimals(p, item.amount, kCostDecimals);
      p = Put(p, ',');
      p = Put(p, product.unit);
    } else {
      p = Put(p, "NULL,NULL");
    }
    p = Put(p, ",\"AWS\",");
    p = Put(p, issuer);  // PublisherName
    p = Put(p, ',');
    p = Put(p, product.region);
    p = Put(p, ',');
    // ResourceId, ResourceName, ResourceType
    if (item.resource_id.empty()) {
      p = Put(p, "NULL");
    } else {
      p = Put(p, '"');
      p = Put(p, item.resource_id);
      p = Put(p, '"');
    }
    p = Put(p, ",NULL,");
    p = Put(p,
            resource != nullptr
                ? std::string_view(resource_types_[static_cast<std::size_t>(resource->archetype)])
                : kNull);
    p = Put(p, ',');
    // ServiceCategory, Id, ServiceName
    p = Put(p, product.category);
    p = Put(p, ',');
    p = PutUnsigned(p, static_cast<std::uint64_t>(item.row_number));
    p = Put(p, ',');
    p = Put(p, product.service);
    p = Put(p, ',');
    p = Put(p, product.sku);
    p = Put(p, ',');
    p = Put(p, accounts_[static_cast<std::size_t>(item.account)]);
    p = Put(p, ',');
    p = Put(p, tags_[static_cast<std::size_t>(item.tag_set)]);
    sink.Commit(Put(p, '\n'));
  }

 private:
  struct ProductText {
    std::string description;
    std::string description_newline;
    std::string unit;
    std::string category;  // "ServiceCategory"
    std::string service;   // "ServiceName"
    std::string sku;       // "SkuId","SkuPriceId"
    std::string region;    // "RegionId","RegionName"
    std::string list_unit_price;
    bool spot = false;
  };

  static std::string_view ChargeCategory(LineType type) {
    switch (type) {
      case LineType::kTax:
        return "\"Tax\"";
      case LineType::kCredit:
        return "\"Credit\"";
      case LineType::kRiFee:
      case LineType::kFee:
      case LineType::kSavingsPlanRecurringFee:
        return "\"Purchase\"";
      default:
        return "\"Usage\"";
    }
  }

  static std::string_view ChargeFrequency(LineType type, bool reservation) {
    switch (type) {
      case LineType::kRiFee:
      case LineType::kSavingsPlanRecurringFee:
      case LineType::kTax:
        return "\"Recurring\"";
      case LineType::kFee:
        return reservation ? "\"One-Time\"" : "\"Recurring\"";
      case LineType::kCredit:
        return "\"One-Time\"";
      default:
        return "\"Usage-Based\"";
    }
  }

  static std::string_view PricingCategory(const LineItem& item, const ProductText& product) {
    switch (item.type) {
      case LineType::kUsage:
        return product.spot ? "\"Dynamic\"" : "\"Standard\"";
      case LineType::kDiscountedUsage:
      case LineType::kSavingsPlanCoveredUsage:
        return "\"Committed\"";
      default:
        return kNull;
    }
  }

  const Fleet& fleet_;
  PeriodClock clock_;
  std::vector<ProductText> products_;
  std::vector<std::string> payers_;
  std::vector<std::string> issuers_;
  std::vector<std::string> accounts_;
  std::vector<std::string> tags_;
  std::vector<std::string> resource_types_;
};

}  // namespace

std::unique_ptr<RowWriter> MakeFocusWriter(const Fleet& fleet) {
  return std::make_unique<FocusWriter>(fleet);
}

}  // namespace costwise::bench
