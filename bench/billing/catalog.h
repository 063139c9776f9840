#pragma once
// Static price-list knowledge the billing generator draws from: AWS regions, instance types,
// services with their real product codes and names, usage templates (one per kind of line item a
// service bills, with the real usage-type, operation, unit, list price and description shapes) and
// resource archetypes (which line items one resource produces). Prices are public us-east-1
// on-demand list prices (Linux, shared tenancy) as of 2024, scaled per region by a factor.
#include <cstdint>
#include <span>
#include <string_view>

namespace costwise::bench {

struct Region {
  std::string_view code;    // us-east-1
  std::string_view name;    // US East (N. Virginia)
  std::string_view prefix;  // USE1, the usage-type prefix
  double price_factor;      // price relative to us-east-1
  double weight;            // share of resources placed in the region
};

struct InstanceType {
  std::string_view name;  // m5.large (db. and cache. prefixes are added per service)
  double rate;            // on-demand USD per hour in us-east-1
  int vcpu;
  double memory_gib;
  double normalization_factor;  // EC2 size normalization (large = 4)
  double weight;
};

enum class InstanceTable : std::uint8_t { kNone, kEc2, kRds, kCache };

// How a usage type is prefixed with the region code, as AWS does it.
enum class PrefixRule : std::uint8_t {
  kAlways,        // USW2-Requests-Tier1 (USE1- too)
  kNotInUsEast1,  // BoxUsage:m5.large in us-east-1, USW2-BoxUsage:m5.large elsewhere
  kInterRegion,   // USE1-USW2-AWS-Out-Bytes
  kGlobal,        // global services: no prefix, no region
};

enum class AmountModel : std::uint8_t {
  kInstanceHour,  // 1 hour, or a fraction of one at the edge of a scaling window
  kStorage,       // the resource size in GB, as GB-month per hour or per day
  kVariable,      // continuous, lognormal around the scale, times the daily/weekly pattern
  kCount,         // integer counts (requests), lognormal times the daily/weekly pattern
  kMonthlyUnit,   // one unit per month, billed per hour (keys, secrets, hosted zones)
};

enum class Granularity : std::uint8_t { kHourly, kDaily };

struct Service {
  std::string_view key;
  std::string_view product_code;    // lineItem/ProductCode, e.g. AmazonEC2
  std::string_view product_name;    // product/ProductName, FOCUS ServiceName
  std::string_view focus_category;  // FOCUS ServiceCategory
};

struct UsageTemplate {
  std::string_view key;
  std::string_view service;  // Service::key
  std::string_view usage;    // usage type without region prefix; {type} = instance type
  PrefixRule prefix;
  std::string_view operation;
  std::string_view family;      // product/productFamily
  std::string_view unit;        // pricing/unit
  std::string_view focus_unit;  // FOCUS ConsumedUnit / PricingUnit
  InstanceTable instances;      // where {type} and the rate come from
  double rate;                  // USD per unit in us-east-1 when instances == kNone
  AmountModel amount;
  double amount_scale;  // typical amount per hour (hourly) or per day (daily)
  Granularity granularity;
  // {rate}, {rate_k} (per 1,000), {rate_m} (per million), {type}, {region_name}
  std::string_view description;
};

struct ArchetypeUse {
  std::string_view usage_template;  // UsageTemplate::key
  double probability;               // chance that a resource of this archetype bills it
};

// How a resource id is spelled; placeholders: {region} {account} {hex} (17 hex digits, starting
// with 0 as AWS ids do), {uuid}, {name} (a readable name unique to the resource), {upper} (13
// upper-case alphanumerics).
struct Archetype {
  std::string_view key;
  std::string_view id_pattern;           // empty: the line items carry no resource id
  std::string_view focus_resource_type;  // empty: NULL
  bool zonal;                            // has an availability zone
  double steady_weight;                  // share among always-on hourly resources
  double churn_weight;                   // share among resources that come and go over days
  double sparse_weight;                  // share among resources billed now and then
  double daily_weight;                   // share among resources billed only daily
  double size_gb_median;                 // storage size median (kStorage amounts)
  ArchetypeUse uses[6];
};

std::span<const Region> Regions();
std::span<const InstanceType> Ec2InstanceTypes();
std::span<const InstanceType> RdsInstanceTypes();
std::span<const InstanceType> CacheInstanceTypes();
std::span<const Service> Services();
std::span<const UsageTemplate> UsageTemplates();
std::span<const Archetype> Archetypes();

// Word lists for account names, application names and teams.
std::span<const std::string_view> NameWords();
std::span<const std::string_view> Teams();
std::span<const std::string_view> AppWords();

}  // namespace costwise::bench
