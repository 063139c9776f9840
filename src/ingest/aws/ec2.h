#pragma once
// EC2 through the EC2 query protocol: the inventory (DescribeInstances, DescribeVolumes,
// DescribeAddresses, every page) and the calls that apply a right-sizing (StopInstances,
// ModifyInstanceAttribute, StartInstances), each with a DryRun form that only checks permission.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ingest/aws/client.h"

namespace costwise::aws {

using Tag = std::pair<std::string, std::string>;

struct Ec2Instance {
  std::string instance_id;
  std::string instance_type;
  std::string state;  // pending | running | stopping | stopped | shutting-down | terminated
  std::string availability_zone;
  std::string platform;  // PlatformDetails: "Linux/UNIX", "Windows", ...
  std::string launch_time;
  std::vector<Tag> tags;
};

struct Ec2Volume {
  std::string volume_id;
  std::string volume_type;
  double size_gib = 0;
  double iops = 0;
  double throughput_mibps = 0;
  std::string state;  // available | in-use | ...
  std::string attached_instance_id;
  std::vector<Tag> tags;
};

struct Ec2Address {
  std::string allocation_id;
  std::string public_ip;
  std::string association_id;
  std::string instance_id;
  std::vector<Tag> tags;
};

// Every instance of the client's region (all pages), or only the given ids.
[[nodiscard]] AwsResult<std::vector<Ec2Instance>> DescribeInstances(
    AwsClient& client, const std::vector<std::string>& instance_ids = {});
[[nodiscard]] AwsResult<std::vector<Ec2Volume>> DescribeVolumes(AwsClient& client);
[[nodiscard]] AwsResult<std::vector<Ec2Address>> DescribeAddresses(AwsClient& client);

// With dry_run, AWS only checks that the call is allowed: success is AWS's DryRunOperation
// answer, and nothing changes. Without it the call is made; the result is the state AWS reports
// (StopInstances/StartInstances) or "" (ModifyInstanceAttribute).
[[nodiscard]] AwsResult<std::string> StopInstance(AwsClient& client, const std::string& id,
                                                  bool dry_run);
[[nodiscard]] AwsResult<std::string> StartInstance(AwsClient& client, const std::string& id,
                                                   bool dry_run);
[[nodiscard]] AwsResult<std::string> ModifyInstanceType(AwsClient& client, const std::string& id,
                                                        const std::string& instance_type,
                                                        bool dry_run);

// Tags as the JSON object text the inventory stores ({"Name":"web"}), "" when there are none.
[[nodiscard]] std::string TagsJson(const std::vector<Tag>& tags);

}  // namespace costwise::aws
