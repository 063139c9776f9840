#pragma once
// The simulated organisation behind a generated bill: payer and usage accounts, tag sets,
// resources, the products (priced usage types) they consume, the streams of line items they
// produce, Reserved Instances and Savings Plans, and the plan that says how many line items each
// hour and day of the billing period gets. Everything is drawn from one seed; the fleet does not
// depend on the output format, only on the row count and the seed.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "billing/catalog.h"

namespace costwise::bench {

struct FleetOptions {
  std::int64_t rows = 0;
  std::uint64_t seed = 1;
  int year = 2024;
  int month = 9;
};

struct Payer {
  int account = 0;  // index into Fleet::accounts
  std::string invoice_id;
  std::string_view legal_entity;  // bill/InvoicingEntity, lineItem/LegalEntity
  std::string_view tax_type;      // lineItem/TaxType on Tax lines
  double tax_rate = 0;
};

struct Account {
  std::string id;    // 12 digits
  std::string name;  // "Atlas Nimbus"
  int payer = 0;     // index into Fleet::payers
  int home_region = 0;
  int env = 0;  // index into Fleet::envs: the environment most of its resources carry
  std::vector<int> apps;
  bool taxable = false;
  bool has_credits = false;
  std::vector<bool> archetype_enabled;
};

// The resource tags of a resource; -1 = tag absent.
struct TagSet {
  int team = -1;
  int env = -1;
  int app = -1;
  int cost_center = -1;
};

// A priced usage type in one region: what lineItem/ProductCode, UsageType, Operation, the
// product/* and pricing/* columns say. Special products carry fees, taxes and credits.
struct Product {
  int service = 0;          // index into Services()
  int usage_template = -1;  // index into UsageTemplates(); -1 for fees, taxes, credits
  int region = -1;          // index into Regions(); -1 = global
  int to_region = -1;       // inter-region transfer destination
  InstanceTable instances = InstanceTable::kNone;
  int instance_type = -1;
  std::string usage_type;
  std::string operation;
  std::string description;
  std::string family;
  std::string unit;
  std::string focus_unit;
  std::string sku;
  std::string rate_code;
  std::string rate_id;
  std::string term;  // OnDemand, or empty for fees and taxes
  std::string from_location, from_location_type, from_region_code;
  std::string to_location, to_location_type, to_region_code, transfer_type;
  std::int64_t rate = 0;  // on-demand rate, 10 decimals
  bool priced = false;    // has a rate and public on-demand cost
};

struct Resource {
  std::string id;  // empty for account-level usage with no resource id
  int account = 0;
  int region = -1;
  int zone = -1;  // 0 = a, 1 = b, ...; -1 = none
  int tag_set = 0;
  int archetype = 0;
  double size_gb = 0;
  double scale = 1;  // multiplies variable amounts (heavy-tailed)
};

enum class Coverage : std::uint8_t { kOnDemand, kReservedInstance, kSavingsPlan };

struct Stream {
  std::uint32_t resource = 0;
  std::uint32_t product = 0;
  Coverage coverage = Coverage::kOnDemand;
  std::int16_t commitment = -1;  // index into reservations or savings_plans
  std::array<char, 52> line_item_id{};
};

struct Reservation {
  int account = 0;      // the payer account that bought it
  int product = 0;      // the EC2 product (instance type, region) it covers
  int fee_product = 0;  // HeavyUsage product for RIFee and Fee lines
  int count = 0;        // number of reserved instances
  std::string arn;
  std::string subscription_id;
  std::string start_time, end_time;     // 2024-03-14T08:12:45.000Z
  std::string fee_description;          // description of the upfront Fee line
  int start_hour = -1;                  // hour of the billing period it was bought in, -1 = before
  std::int64_t upfront_per_hour = 0;    // amortized upfront per instance hour
  std::int64_t recurring_per_hour = 0;  // recurring fee per instance hour
  std::int64_t upfront_value = 0;       // whole upfront payment
  double unused_share = 0;              // share of reserved hours left unused
};

struct SavingsPlan {
  int account = 0;
  int product = 0;
  std::string arn;
  std::string start_time, end_time;
  std::int64_t commitment_per_hour = 0;
  double discount = 0;  // SP rate = on-demand rate * (1 - discount)
};

// How many line items each part of the period gets; sums to FleetOptions::rows.
struct RowPlan {
  int days = 0;
  int hours = 0;
  std::vector<std::int64_t> hourly_quota;  // flexible hourly rows per hour
  std::vector<std::int64_t> daily_quota;   // daily rows per day, written at 00:00
  std::int64_t sp_fee_rows = 0;
  std::int64_t credit_rows = 0;
  std::int64_t monthly_rows = 0;  // RIFee + Fee rows at the start
  std::int64_t closing_rows = 0;  // Tax + support Fee rows at the end
  std::int64_t churn_shift = 0;   // churn window advance per day, in streams
  std::int64_t daily_shift = 0;
  double sparse_share = 0;  // share of non-steady hourly rows from the sparse pool
};

struct CreditPair {
  int account = 0;
  int service = 0;
  int product = 0;  // the credit product
};

struct Fleet {
  FleetOptions options;
  std::vector<Payer> payers;
  std::vector<Account> accounts;
  std::vector<TagSet> tag_sets;
  std::vector<Product> products;
  std::vector<Resource> resources;
  std::vector<Stream> streams;
  std::vector<Reservation> reservations;
  std::vector<SavingsPlan> savings_plans;
  std::vector<CreditPair> credit_pairs;
  std::vector<int> tax_products;               // per service: the Tax product
  std::vector<std::pair<int, int>> tax_pairs;  // (account, service) billed a Tax line
  std::vector<int> support_products;           // per payer: the support Fee product
  std::vector<std::string> cost_centers;
  std::vector<std::string> apps;  // application names
  std::vector<int> app_team;      // team of each app
  // Pools of stream indices.
  std::vector<std::uint32_t> steady;        // every hour
  std::vector<std::uint32_t> churn;         // sliding window over days
  std::vector<std::uint32_t> sparse;        // picked at random now and then
  std::vector<std::uint32_t> daily_steady;  // every day at 00:00
  std::vector<std::uint32_t> daily_churn;   // sliding window over days at 00:00
  RowPlan plan;
  // Relative activity of each hour of the billing period (mean 1): the daily and weekly pattern.
  std::vector<double> activity;
  int first_weekday = 0;  // 0 = Monday
};

inline constexpr std::array<std::string_view, 5> kEnvs = {"prod", "staging", "dev", "test",
                                                          "sandbox"};

// Builds the fleet and its row plan for `options`. The plan counts rows, whatever the format:
// where a format writes two lines for one charge (CUR's SavingsPlanNegation after covered usage)
// the pair takes two rows of the hour's quota.
[[nodiscard]] Fleet BuildFleet(const FleetOptions& options);

[[nodiscard]] int DaysInMonth(int year, int month);

}  // namespace costwise::bench
