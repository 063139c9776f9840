#include "ingest/aws/pricing.h"

#include <nlohmann/json.hpp>

#include "ingest/aws/json_read.h"
#include "ingest/aws/xml.h"

namespace costwise::aws {
namespace {

double NumberIn(const std::string& text) {
  // "8 GiB", "1,952 GiB", "4"
  std::string digits;
  for (char c : text) {
    if ((c >= '0' && c <= '9') || c == '.') {
      digits.push_back(c);
    } else if (c != ',') {
      if (!digits.empty()) break;
    }
  }
  try {
    return digits.empty() ? 0.0 : std::stod(digits);
  } catch (const std::exception&) {
    return 0.0;
  }
}

}  // namespace

AwsResult<std::vector<std::string>> GetProducts(AwsClient& client, const std::string& service_code,
                                                const std::vector<PricingFilter>& filters) {
  std::vector<std::string> documents;
  std::string token;
  do {
    nlohmann::json body = {
        {"ServiceCode", service_code}, {"FormatVersion", "aws_v1"}, {"MaxResults", 100}};
    body["Filters"] = nlohmann::json::array();
    for (const PricingFilter& filter : filters) {
      body["Filters"].push_back(
          {{"Type", "TERM_MATCH"}, {"Field", filter.field}, {"Value", filter.value}});
    }
    if (!token.empty()) body["NextToken"] = token;
    auto response = client.CallJson(kPricing, "GetProducts", body.dump());
    if (!response) return unexpected<AwsError>(std::move(response.error()));
    const auto answer = nlohmann::json::parse(response->body, nullptr, false);
    if (!answer.is_object() || !answer.contains("PriceList") || !answer["PriceList"].is_array()) {
      return unexpected<AwsError>(MalformedAnswer(kPricing, "GetProducts", "no PriceList"));
    }
    for (const auto& document : answer["PriceList"]) {
      // Each element is a JSON document in a string (it is a JSON value in some SDKs' models).
      documents.push_back(document.is_string() ? document.get<std::string>() : document.dump());
    }
    token = TextOf(answer, "NextToken");
  } while (!token.empty());
  return documents;
}

std::optional<Ec2Price> ParseEc2Price(const std::string& document) {
  const auto json = nlohmann::json::parse(document, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  const nlohmann::json& attributes = Member(Member(json, "product"), "attributes");
  Ec2Price price;
  price.instance_type = TextOf(attributes, "instanceType");
  if (price.instance_type.empty()) return std::nullopt;
  price.region_code = TextOf(attributes, "regionCode");
  price.vcpu = static_cast<int>(NumberIn(TextOf(attributes, "vcpu")));
  price.memory_gib = NumberIn(TextOf(attributes, "memory"));
  // processorArchitecture says "64-bit" for Intel, AMD and Graviton alike: the processor's name
  // tells them apart.
  const std::string processor = TextOf(attributes, "physicalProcessor");
  price.architecture = processor.find("Graviton") != std::string::npos ? "arm64" : "x86_64";
  price.gpus = NumberIn(TextOf(attributes, "gpu"));
  const nlohmann::json& on_demand = Member(Member(json, "terms"), "OnDemand");
  for (const auto& [offer, term] : on_demand.items()) {
    for (const auto& [dimension, detail] : Member(term, "priceDimensions").items()) {
      const std::string unit = TextOf(detail, "unit");
      if (unit != "Hrs" && unit != "Hours") continue;
      const std::string usd = TextOf(Member(detail, "pricePerUnit"), "USD");
      if (usd.empty()) continue;
      try {
        price.usd_per_hour = std::stod(usd);
      } catch (const std::exception&) {
        continue;
      }
      return price;
    }
  }
  return std::nullopt;
}

AwsResult<std::vector<Ec2Price>> GetEc2LinuxPrices(AwsClient& client,
                                                   const std::string& region_code) {
  auto documents = GetProducts(client, "AmazonEC2",
                               {{"regionCode", region_code},
                                {"operatingSystem", "Linux"},
                                {"tenancy", "Shared"},
                                {"preInstalledSw", "NA"},
                                {"capacitystatus", "Used"}});
  if (!documents) return unexpected<AwsError>(std::move(documents.error()));
  std::vector<Ec2Price> prices;
  for (const std::string& document : *documents) {
    if (auto price = ParseEc2Price(document); price && price->usd_per_hour > 0) {
      prices.push_back(std::move(*price));
    }
  }
  return prices;
}

}  // namespace costwise::aws
