#pragma once
// The price-list attributes of a product, as the CUR's product/* columns (legacy) and product_*
// columns and product map (CUR 2.0) spell them. Fees, taxes and credits carry only a name.
#include <string>

#include "billing/fleet.h"

namespace costwise::bench {

struct ProductAttributes {
  std::string product_name;
  std::string availability, durability;
  std::string group, group_description;
  std::string instance_type, instance_family, memory, vcpu, operating_system, tenancy;
  std::string location, location_type, region, region_code;
  std::string from_location, from_location_type, from_region_code;
  std::string to_location, to_location_type, to_region_code, transfer_type;
  std::string message_delivery_frequency, message_delivery_order, queue_type;
  std::string operation, product_family;
  std::string servicecode, servicename, sku, usagetype;
  std::string storage_class, storage_media, volume_type;
  std::string normalization_factor;  // EC2 instance products: "4.0"; empty otherwise
};

[[nodiscard]] ProductAttributes DescribeProduct(const Product& product);

// The EC2 size normalization factor of an instance product, 10 decimals; 0 when none.
[[nodiscard]] std::int64_t NormalizationFactor(const Product& product);

}  // namespace costwise::bench
