#include "ingest/aws/ec2.h"

#include <nlohmann/json.hpp>

#include "ingest/aws/xml.h"

namespace costwise::aws {
namespace {

// The largest pages the APIs allow: DescribeInstances 1000, DescribeVolumes 500.
constexpr int kInstancesPage = 1000;
constexpr int kVolumesPage = 500;

std::vector<Tag> ReadTags(const pugi::xml_node& node) {
  std::vector<Tag> tags;
  for (const pugi::xml_node item : node.child("tagSet").children("item")) {
    tags.emplace_back(item.child("key").text().as_string(), item.child("value").text().as_string());
  }
  return tags;
}

std::string Text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

// Calls `action` page after page (NextToken) and hands each parsed answer to `read`.
template <typename Read>
AwsResult<void> EachPage(AwsClient& client, std::string_view action, std::vector<QueryParam> params,
                         int page_size, Read read) {
  std::string token;
  while (true) {
    std::vector<QueryParam> page = params;
    if (page_size > 0) page.emplace_back("MaxResults", std::to_string(page_size));
    if (!token.empty()) page.emplace_back("NextToken", token);
    auto response = client.CallQuery(kEc2, action, page);
    if (!response) return unexpected<AwsError>(std::move(response.error()));
    auto document = ParseXml(kEc2, action, *response);
    if (!document) return unexpected<AwsError>(std::move(document.error()));
    const pugi::xml_node root = document->first_child();
    read(root);
    token = Text(root, "nextToken");
    if (token.empty()) return {};
  }
}

AwsResult<std::string> StateChange(AwsClient& client, std::string_view action,
                                   std::vector<QueryParam> params, bool dry_run, const char* list) {
  if (dry_run) params.emplace_back("DryRun", "true");
  auto response = client.CallQuery(kEc2, action, params);
  if (!response) {
    // "Request would have succeeded, but DryRun flag is set."
    if (dry_run && response.error().aws_code == "DryRunOperation") return std::string();
    return unexpected<AwsError>(std::move(response.error()));
  }
  if (dry_run) {
    return unexpected<AwsError>(
        MalformedAnswer(kEc2, action, "a dry run succeeded instead of answering DryRunOperation"));
  }
  if (list == nullptr) return std::string();
  auto document = ParseXml(kEc2, action, *response);
  if (!document) return unexpected<AwsError>(std::move(document.error()));
  return std::string(document->first_child()
                         .child(list)
                         .child("item")
                         .child("currentState")
                         .child("name")
                         .text()
                         .as_string());
}

}  // namespace

AwsResult<std::vector<Ec2Instance>> DescribeInstances(AwsClient& client,
                                                      const std::vector<std::string>& ids) {
  std::vector<QueryParam> params;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    params.emplace_back("InstanceId." + std::to_string(i + 1), ids[i]);
  }
  std::vector<Ec2Instance> out;
  auto done = EachPage(
      client, "DescribeInstances", params, ids.empty() ? kInstancesPage : 0,
      [&](pugi::xml_node root) {
        for (const pugi::xml_node reservation : root.child("reservationSet").children("item")) {
          for (const pugi::xml_node item : reservation.child("instancesSet").children("item")) {
            Ec2Instance instance;
            instance.instance_id = Text(item, "instanceId");
            instance.instance_type = Text(item, "instanceType");
            instance.state = item.child("instanceState").child("name").text().as_string();
            instance.availability_zone =
                item.child("placement").child("availabilityZone").text().as_string();
            instance.platform = Text(item, "platformDetails");
            if (instance.platform.empty()) instance.platform = Text(item, "platform");
            instance.launch_time = Text(item, "launchTime");
            instance.tags = ReadTags(item);
            out.push_back(std::move(instance));
          }
        }
      });
  if (!done) return unexpected<AwsError>(std::move(done.error()));
  return out;
}

AwsResult<std::vector<Ec2Volume>> DescribeVolumes(AwsClient& client) {
  std::vector<Ec2Volume> out;
  auto done = EachPage(client, "DescribeVolumes", {}, kVolumesPage, [&](pugi::xml_node root) {
    for (const pugi::xml_node item : root.child("volumeSet").children("item")) {
      Ec2Volume volume;
      volume.volume_id = Text(item, "volumeId");
      volume.volume_type = Text(item, "volumeType");
      volume.size_gib = item.child("size").text().as_double();
      volume.iops = item.child("iops").text().as_double();
      volume.throughput_mibps = item.child("throughput").text().as_double();
      volume.state = Text(item, "status");
      volume.attached_instance_id =
          item.child("attachmentSet").child("item").child("instanceId").text().as_string();
      volume.tags = ReadTags(item);
      out.push_back(std::move(volume));
    }
  });
  if (!done) return unexpected<AwsError>(std::move(done.error()));
  return out;
}

AwsResult<std::vector<Ec2Address>> DescribeAddresses(AwsClient& client) {
  std::vector<Ec2Address> out;
  // DescribeAddresses answers everything at once: it has no paging.
  auto done = EachPage(client, "DescribeAddresses", {}, 0, [&](pugi::xml_node root) {
    for (const pugi::xml_node item : root.child("addressesSet").children("item")) {
      Ec2Address address;
      address.allocation_id = Text(item, "allocationId");
      address.public_ip = Text(item, "publicIp");
      address.association_id = Text(item, "associationId");
      address.instance_id = Text(item, "instanceId");
      address.tags = ReadTags(item);
      out.push_back(std::move(address));
    }
  });
  if (!done) return unexpected<AwsError>(std::move(done.error()));
  return out;
}

AwsResult<std::string> StopInstance(AwsClient& client, const std::string& id, bool dry_run) {
  return StateChange(client, "StopInstances", {{"InstanceId.1", id}}, dry_run, "instancesSet");
}

AwsResult<std::string> StartInstance(AwsClient& client, const std::string& id, bool dry_run) {
  return StateChange(client, "StartInstances", {{"InstanceId.1", id}}, dry_run, "instancesSet");
}

AwsResult<std::string> ModifyInstanceType(AwsClient& client, const std::string& id,
                                          const std::string& instance_type, bool dry_run) {
  return StateChange(client, "ModifyInstanceAttribute",
                     {{"InstanceId", id}, {"InstanceType.Value", instance_type}}, dry_run, nullptr);
}

std::string TagsJson(const std::vector<Tag>& tags) {
  if (tags.empty()) return "";
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [key, value] : tags) object[key] = value;
  return object.dump();
}

}  // namespace costwise::aws
