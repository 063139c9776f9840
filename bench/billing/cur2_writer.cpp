// CUR 2.0 (AWS Data Exports) CSV: snake_case columns in alphabetical order, the price-list
// attributes that have no column of their own in the `product` map and the tags in the
// `resource_tags` map, both written as JSON objects in a quoted field. Numbers are plain decimals.
#include "billing/cur2_writer.h"

#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "billing/csv_text.h"
#include "billing/fixed10.h"
#include "billing/period_clock.h"
#include "billing/product_attributes.h"

namespace costwise::bench {
namespace {

constexpr std::array<std::string_view, 82> kColumns = {
    "bill_bill_type",
    "bill_billing_entity",
    "bill_billing_period_end_date",
    "bill_billing_period_start_date",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_payer_account_id",
    "bill_payer_account_name",
    "identity_line_item_id",
    "identity_time_interval",
    "line_item_availability_zone",
    "line_item_blended_cost",
    "line_item_blended_rate",
    "line_item_currency_code",
    "line_item_legal_entity",
    "line_item_line_item_description",
    "line_item_line_item_type",
    "line_item_normalization_factor",
    "line_item_normalized_usage_amount",
    "line_item_operation",
    "line_item_product_code",
    "line_item_resource_id",
    "line_item_tax_type",
    "line_item_unblended_cost",
    "line_item_unblended_rate",
    "line_item_usage_account_id",
    "line_item_usage_account_name",
    "line_item_usage_amount",
    "line_item_usage_end_date",
    "line_item_usage_start_date",
    "line_item_usage_type",
    "pricing_currency",
    "pricing_lease_contract_length",
    "pricing_offering_class",
    "pricing_public_on_demand_cost",
    "pricing_public_on_demand_rate",
    "pricing_purchase_option",
    "pricing_rate_code",
    "pricing_rate_id",
    "pricing_term",
    "pricing_unit",
    "product",
    "product_fee_code",
    "product_fee_description",
    "product_from_location",
    "product_from_location_type",
    "product_from_region_code",
    "product_instance_family",
    "product_instance_type",
    "product_location",
    "product_location_type",
    "product_operation",
    "product_product_family",
    "product_region_code",
    "product_servicecode",
    "product_sku",
    "product_to_location",
    "product_to_location_type",
    "product_to_region_code",
    "product_usagetype",
    "reservation_amortized_upfront_cost_for_usage",
    "reservation_amortized_upfront_fee_for_billing_period",
    "reservation_effective_cost",
    "reservation_end_time",
    "reservation_number_of_reservations",
    "reservation_recurring_fee_for_usage",
    "reservation_reservation_a_r_n",
    "reservation_start_time",
    "reservation_subscription_id",
    "reservation_total_reserved_units",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_quantity",
    "reservation_unused_recurring_fee",
    "reservation_upfront_value",
    "resource_tags",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "savings_plan_recurring_commitment_for_billing_period",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_savings_plan_rate",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
};

std::string Join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  return out;
}

// {"key":"value",...} of the non-empty pairs.
std::string JsonMap(const std::vector<std::pair<std::string_view, std::string>>& pairs) {
  std::string out = "{";
  for (const auto& [key, value] : pairs) {
    if (value.empty()) continue;
    if (out.size() > 1) out.push_back(',');
    out += JsonString(key) + ":" + JsonString(value);
  }
  out.push_back('}');
  return out;
}

std::string WithNewline(std::string text) {
  const std::size_t space = text.rfind(' ');
  if (space != std::string::npos) text[space] = '\n';
  return text;
}

class Cur2Writer final : public RowWriter {
 public:
  explicit Cur2Writer(const Fleet& fleet)
      : fleet_(fleet), clock_(fleet.options.year, fleet.options.month, fleet.plan.hours) {
    const auto services = Services();
    for (const Product& product : fleet.products) {
      const ProductAttributes a = DescribeProduct(product);
      const Service& service = services[static_cast<std::size_t>(product.service)];
      ProductText text;
      text.description = CsvField(product.description);
      text.description_newline = CsvQuoted(WithNewline(product.description));
      text.normalization_factor = NormalizationFactor(product);
      text.normalization_text = a.normalization_factor;
      text.operation_code = Join({product.operation, std::string(service.product_code)});
      text.usage_type = CsvField(product.usage_type);
      text.rate_code_id_term_unit =
          Join({product.priced ? product.rate_code : "", product.priced ? product.rate_id : "",
                product.term, product.unit});
      const std::string map = JsonMap({{"product_name", a.product_name},
                                       {"servicename", a.servicename},
                                       {"region", a.region},
                                       {"availability", a.availability},
                                       {"durability", a.durability},
                                       {"group", a.group},
                                       {"group_description", a.group_description},
                                       {"memory", a.memory},
                                       {"vcpu", a.vcpu},
                                       {"operating_system", a.operating_system},
                                       {"tenancy", a.tenancy},
                                       {"storage_class", a.storage_class},
                                       {"storage_media", a.storage_media},
                                       {"volume_type", a.volume_type},
                                       {"transfer_type", a.transfer_type},
                                       {"queue_type", a.queue_type}});
      text.attributes =
          Join({map, "", "", a.from_location, a.from_location_type, a.from_region_code,
                a.instance_family, a.instance_type, a.location, a.location_type, a.operation,
                a.product_family, a.region_code, a.servicecode, a.sku, a.to_location,
                a.to_location_type, a.to_region_code, a.usagetype});
      text.priced = product.priced;
      products_.push_back(std::move(text));
    }
    const std::string start(clock_.At(0, TimeStyle::kCur));
    const std::string end(clock_.At(fleet.plan.hours, TimeStyle::kCur));
    for (const Payer& payer : fleet.payers) {
      const Account& account = fleet.accounts[static_cast<std::size_t>(payer.account)];
      payers_.push_back(Join({"Anniversary", "AWS", end, start, payer.invoice_id,
                              std::string(payer.legal_entity), account.id, account.name}));
      legal_entities_.push_back(CsvField(payer.legal_entity));
    }
    for (const Account& account : fleet.accounts) account_names_.push_back(CsvField(account.name));
    for (std::size_t a = 0; a < fleet.accounts.size(); ++a) {
      for (std::size_t s = 0; s < services.size(); ++s) {
        const std::uint64_t subscription =
            100'000'000 + (a * 7919 + s * 104'729 + fleet.options.seed) % 900'000'000;
        subscription_ids_.push_back(std::to_string(subscription));
      }
    }
    for (const TagSet& tags : fleet.tag_sets) {
      const std::string map = JsonMap(
          {{"user_team",
            tags.team >= 0 ? std::string(Teams()[static_cast<std::size_t>(tags.team)]) : ""},
           {"user_env",
            tags.env >= 0 ? std::string(kEnvs[static_cast<std::size_t>(tags.env)]) : ""},
           {"user_app", tags.app >= 0 ? fleet.apps[static_cast<std::size_t>(tags.app)] : ""},
           {"user_cost_center", tags.cost_center >= 0
                                    ? fleet.cost_centers[static_cast<std::size_t>(tags.cost_center)]
                                    : ""}});
      tags_.push_back(map == "{}" ? "" : CsvQuoted(map));
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
    const Reservation* ri = item.reservation >= 0
                                ? &fleet_.reservations[static_cast<std::size_t>(item.reservation)]
                                : nullptr;
    const SavingsPlan* sp = item.savings_plan >= 0
                                ? &fleet_.savings_plans[static_cast<std::size_t>(item.savings_plan)]
                                : nullptr;

    char* p = sink.Reserve(kMaxRowBytes);
    p = Put(p, payers_[static_cast<std::size_t>(account.payer)]);
    p = Put(p, ',');
    p = Put(p, item.line_item_id);
    p = Put(p, ',');
    p = Put(p, clock_.At(item.start_hour, TimeStyle::kInterval));
    p = Put(p, '/');
    p = Put(p, clock_.At(item.end_hour, TimeStyle::kInterval));
    p = Put(p, ',');
    if (item.resource >= 0) {
      const Resource& resource = fleet_.resources[static_cast<std::size_t>(item.resource)];
      if (resource.zone >= 0 && resource.region >= 0) {
        p = Put(p, Regions()[static_cast<std::size_t>(resource.region)].code);
        p = Put(p, static_cast<char>('a' + resource.zone));
      }
    }
    p = Put(p, ',');
    p = PutTrimmed(p, item.cost);  // blended = unblended
    p = Put(p, ',');
    if (item.has_rate) p = PutTrimmed(p, item.rate);
    p = Put(p, ",USD,");
    p = Put(p, legal_entities_[static_cast<std::size_t>(account.payer)]);
    p = Put(p, ',');
    if (!item.description.empty()) {
      p = Put(p, CsvField(item.description));
    } else {
      p = Put(p, item.description_newline ? product.description_newline : product.description);
    }
    p = Put(p, ',');
    p = Put(p, LineTypeName(item.type));
    p = Put(p, ',');
    const bool normalized = product.normalization_factor > 0 && item.type != LineType::kTax;
    if (normalized) p = Put(p, product.normalization_text);
    p = Put(p, ',');
    if (normalized) p = PutTrimmed(p, FixedMul(item.amount, product.normalization_factor));
    p = Put(p, ',');
    p = Put(p, product.operation_code);
    p = Put(p, ',');
    p = Put(p, item.resource_id);
    p = Put(p, ',');
    if (item.type == LineType::kTax)
      p = Put(p, fleet_.payers[static_cast<std::size_t>(account.payer)].tax_type);
    p = Put(p, ',');
    p = PutTrimmed(p, item.cost);
    p = Put(p, ',');
    if (item.has_rate) p = PutTrimmed(p, item.rate);
    p = Put(p, ',');
    p = Put(p, account.id);
    p = Put(p, ',');
    p = Put(p, account_names_[static_cast<std::size_t>(item.account)]);
    p = Put(p, ',');
    p = PutTrimmed(p, item.amount);
    p = Put(p, ',');
    p = Put(p, clock_.At(item.end_hour, TimeStyle::kCur));
    p = Put(p, ',');
    p = Put(p, clock_.At(item.start_hour, TimeStyle::kCur));
    p = Put(p, ',');
    p = Put(p, product.usage_type);
    p = Put(p, ',');
    // pricing_*
    if (product.priced) p = Put(p, "USD");
    p = Put(p, ri != nullptr ? ",1yr,standard," : ",,,");
    if (item.has_public) p = PutTrimmed(p, item.public_cost);
    p = Put(p, ',');
    if (item.has_public) p = PutTrimmed(p, item.public_rate);
    p = Put(p, ri != nullptr ? ",Partial Upfront," : ",,");
    p = Put(p, product.rate_code_id_term_unit);
    p = Put(p, ',');
    p = Put(p, product.attributes);
    p = Put(p, ',');
    // reservation_*
    const std::string_view subscription =
        subscription_ids_[static_cast<std::size_t>(item.account) * Services().size() + service];
    if (ri == nullptr) {
      p = Put(p, ",,,,,,,,");
      p = Put(p, subscription);
      p = Put(p, ",,,,,");
    } else {
      p = PutReservation(p, item, *ri, subscription);
    }
    p = Put(p, ',');
    p = Put(p, tags_[static_cast<std::size_t>(item.tag_set)]);
    p = Put(p, ',');
    // savings_plan_*
    const bool sp_fee = item.type == LineType::kSavingsPlanRecurringFee;
    const bool sp_usage = item.type == LineType::kSavingsPlanCoveredUsage;
    if (sp_fee) p = Put(p, "0.0");
    p = Put(p, ',');
    if (sp_fee) p = PutTrimmed(p, item.sp_recurring_period);
    p = Put(p, ',');
    if (sp != nullptr) p = Put(p, sp->arn);
    p = Put(p, ',');
    if (sp_usage) p = PutTrimmed(p, item.sp_effective_cost);
    p = Put(p, ',');
    if (sp_usage) p = PutTrimmed(p, item.sp_rate);
    p = Put(p, ',');
    if (sp_fee) p = PutTrimmed(p, item.sp_total_commitment);
    p = Put(p, ',');
    if (sp_fee) p = PutTrimmed(p, item.sp_used_commitment);
    sink.Commit(Put(p, '\n'));
  }

 private:
  struct ProductText {
    std::string description;
    std::string description_newline;
    std::int64_t normalization_factor = 0;
    std::string normalization_text;
    std::string operation_code;
    std::string usage_type;
    std::string rate_code_id_term_unit;
    std::string attributes;
    bool priced = false;
  };

  // The 14 reservation_* columns of a line tied to a Reserved Instance.
  static char* PutReservation(char* p, const LineItem& item, const Reservation& ri,
                              std::string_view subscription) {
    const bool usage = item.type == LineType::kDiscountedUsage;
    const bool fee = item.type == LineType::kRiFee;
    const bool upfront = item.type == LineType::kFee;
    if (usage) p = PutTrimmed(p, item.ri_upfront_for_usage);
    p = Put(p, ',');
    if (fee) p = PutTrimmed(p, item.ri_amortized_upfront_period);
    p = Put(p, ',');
    if (usage) p = PutTrimmed(p, item.ri_effective_cost);
    p = Put(p, ',');
    if (fee || upfront) p = Put(p, ri.end_time);
    p = Put(p, ',');
    if (fee || upfront) p = PutUnsigned(p, static_cast<std::uint64_t>(ri.count));
    p = Put(p, ',');
    if (usage) p = PutTrimmed(p, item.ri_recurring_for_usage);
    p = Put(p, ',');
    p = Put(p, ri.arn);
    p = Put(p, ',');
    if (fee || upfront) p = Put(p, ri.start_time);
    p = Put(p, ',');
    p = Put(p, subscription);
    p = Put(p, ',');
    if (fee) p = PutTrimmed(p, item.ri_reserved_units);
    p = Put(p, ',');
    if (fee) p = PutTrimmed(p, item.ri_unused_upfront);
    p = Put(p, ',');
    if (fee) p = PutTrimmed(p, item.ri_unused_quantity);
    p = Put(p, ',');
    if (fee) p = PutTrimmed(p, item.ri_unused_recurring);
    p = Put(p, ',');
    if (fee || upfront) p = PutTrimmed(p, ri.upfront_value);
    return p;
  }

  const Fleet& fleet_;
  PeriodClock clock_;
  std::vector<ProductText> products_;
  std::vector<std::string> payers_;
  std::vector<std::string> legal_entities_;
  std::vector<std::string> account_names_;
  std::vector<std::string> subscription_ids_;
  std::vector<std::string> tags_;
};

}  // namespace

std::unique_ptr<RowWriter> MakeCur2Writer(const Fleet& fleet) {
  return std::make_unique<Cur2Writer>(fleet);
}

}  // namespace costwise::bench
