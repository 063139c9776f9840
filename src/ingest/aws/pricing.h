#pragma once
// The Price List Query API (JSON 1.1): GetProducts for AmazonEC2, every page, and the on-demand
// Linux hourly price of each instance type read from the price-list documents it answers.
#include <optional>
#include <string>
#include <vector>

#include "ingest/aws/client.h"

namespace costwise::aws {

struct PricingFilter {
  std::string field;  // "regionCode", "operatingSystem", ...
  std::string value;
};

// Every price-list document (each a JSON text) that matches TERM_MATCH filters.
[[nodiscard]] AwsResult<std::vector<std::string>> GetProducts(
    AwsClient& client, const std::string& service_code, const std::vector<PricingFilter>& filters);

struct Ec2Price {
  std::string instance_type;
  std::string region_code;
  int vcpu = 0;
  double memory_gib = 0;
  std::string architecture;  // "arm64" for a Graviton physicalProcessor, else "x86_64"
  double gpus = 0;
  double usd_per_hour = 0;
};

// The on-demand hourly USD price of one EC2 product document; empty for documents that are not a
// plain instance price (no instanceType, no on-demand term, a non-hourly unit).
[[nodiscard]] std::optional<Ec2Price> ParseEc2Price(const std::string& document);

// GetProducts for on-demand, shared-tenancy Linux without pre-installed software in a region,
// turned into prices.
[[nodiscard]] AwsResult<std::vector<Ec2Price>> GetEc2LinuxPrices(AwsClient& client,
                                                                 const std::string& region_code);

}  // namespace costwise::aws
