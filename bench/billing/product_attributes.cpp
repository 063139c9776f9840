#include "billing/product_attributes.h"

#include <fmt/format.h>

#include "billing/csv_text.h"
#include "billing/fixed10.h"

namespace costwise::bench {
namespace {

std::span<const InstanceType> InstanceTypesOf(InstanceTable table) {
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

std::string Trimmed(double value) {
  char buffer[64];
  char* end = PutTrimmed(buffer, FixedFromDouble(value), false);
  return std::string(buffer, end);
}

}  // namespace

std::int64_t NormalizationFactor(const Product& product) {
  if (product.instances != InstanceTable::kEc2 || product.instance_type < 0) return 0;
  return FixedFromDouble(
      Ec2InstanceTypes()[static_cast<std::size_t>(product.instance_type)].normalization_factor);
}

ProductAttributes DescribeProduct(const Product& product) {
  const Service& service = Services()[static_cast<std::size_t>(product.service)];
  ProductAttributes a;
  a.product_name = std::string(service.product_name);
  const Region* region =
      product.region >= 0 ? &Regions()[static_cast<std::size_t>(product.region)] : nullptr;
  if (region != nullptr) {
    a.location = std::string(region->name);
    a.location_type = "AWS Region";
    a.region = std::string(region->code);
    a.region_code = std::string(region->code);
  }
  if (product.usage_template < 0) return a;  // fees, taxes, credits

  const UsageTemplate& tmpl = UsageTemplates()[static_cast<std::size_t>(product.usage_template)];
  const std::string_view key = tmpl.key;
  if (region == nullptr) {
    a.location = "Global";
    a.location_type = "Other";
    a.region = "global";
  }
  a.operation = product.operation;
  a.product_family = product.family;
  a.sku = product.sku;
  a.usagetype = product.usage_type;
  const bool transfer = product.family == "Data Transfer";
  a.servicecode = transfer ? "AWSDataTransfer" : std::string(service.product_code);
  a.servicename = transfer ? "AWS Data Transfer" : std::string(service.product_name);
  a.from_location = product.from_location;
  a.from_location_type = product.from_location_type;
  a.from_region_code = product.from_region_code;
  a.to_location = product.to_location;
  a.to_location_type = product.to_location_type;
  a.to_region_code = product.to_region_code;
  a.transfer_type = product.transfer_type;
  if (product.instance_type >= 0) {
    const InstanceType& type =
        InstanceTypesOf(product.instances)[static_cast<std::size_t>(product.instance_type)];
    a.instance_type = std::string(type.name);
    const std::string_view name = type.name.starts_with("db.")      ? type.name.substr(3)
                                  : type.name.starts_with("cache.") ? type.name.substr(6)
                                                                    : type.name;
    a.instance_family = std::string(name.substr(0, name.find('.')));
    a.memory = fmt::format("{} GiB", Trimmed(type.memory_gib));
    a.vcpu = fmt::format("{}", type.vcpu);
    if (product.instances == InstanceTable::kEc2) {
      a.operating_system = key == "ec2.box.windows" ? "Windows" : "Linux";
      a.tenancy = "Shared";
      a.normalization_factor = Trimmed(
          Ec2InstanceTypes()[static_cast<std::size_t>(product.instance_type)].normalization_factor);
      if (a.normalization_factor.find('.') == std::string::npos) a.normalization_factor += ".0";
    }
  }
  if (key == "s3.storage" || key == "s3.storage.int") {
    a.availability = "99.99%";
    a.durability = "99.999999999%";
    a.storage_class = key == "s3.storage" ? "General Purpose" : "Intelligent-Tiering";
    a.storage_media = "Amazon S3";
    a.volume_type = "Standard";
  } else if (key == "s3.storage.glacier") {
    a.availability = "99.99%";
    a.durability = "99.999999999%";
    a.storage_class = "Archive";
    a.volume_type = "Amazon Glacier";
  } else if (key.starts_with("ebs.")) {
    a.storage_media = "SSD-backed";
    a.volume_type = key == "ebs.io2"        ? "Provisioned IOPS"
                    : key == "ebs.snapshot" ? ""
                                            : "General Purpose";
  } else if (key == "s3.requests.tier1") {
    a.group = "S3-API-Tier1";
    a.group_description = "PUT/COPY/POST or LIST requests";
  } else if (key == "s3.requests.tier2") {
    a.group = "S3-API-Tier2";
    a.group_description = "GET and all other requests";
  } else if (key == "sqs.requests") {
    a.group = "SQS-APIRequest-Tier1";
    a.group_description = "Amazon SQS Requests";
    a.message_delivery_frequency = "At Least Once";
    a.message_delivery_order = "Not Guaranteed";
    a.queue_type = "Standard";
  } else if (key == "lambda.requests") {
    a.group = "AWS-Lambda-Requests";
    a.group_description = "Invocation call for a Lambda function";
  } else if (key.starts_with("lambda.compute")) {
    a.group = "AWS-Lambda-Duration";
    a.group_description = "Invocation duration, billed per millisecond";
  }
  return a;
}

}  // namespace costwise::bench
