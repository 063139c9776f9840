#pragma once
// What to run to carry out a right-sizing recommendation: the exact AWS CLI commands, in order,
// and a minimal Terraform change. Text only: nothing here calls AWS (applying a recommendation
// comes with the AWS connectors). Every value taken from the inventory is quoted for the shell
// and escaped for HCL, so a strange id cannot turn a command into another one.
#include <string>
#include <string_view>
#include <vector>

#include "core/cloud_inventory.h"
#include "engines/rightsizing/idle_resources.h"
#include "engines/rightsizing/recommend.h"
#include "ingest/instances_csv.h"

namespace costwise::service {

struct ResourceActions {
  std::vector<std::string> aws_cli;  // in order; an element starting with "# " is a comment
  std::string terraform;             // ends with a newline
  [[nodiscard]] bool empty() const { return aws_cli.empty() && terraform.empty(); }
};

// The instance's best option. A resize: stop, wait until stopped, change the type, start (with
// a warning first when the new type is arm64), and `instance_type = "NEW" # was OLD (costwise)`
// in its aws_instance block. An idle instance: stop (terminate as a commented alternative), and
// an aws_ec2_instance_state resource that keeps it stopped. Empty for an instance without
// options (optimized, insufficient data, nothing fits).
[[nodiscard]] ResourceActions InstanceActions(const CloudInstance& instance,
                                              const rightsizing::Recommendation& recommendation);

// An unattached volume: snapshot it, wait for the snapshot, delete it. An unassociated address:
// release it (by allocation id, or by public IP for an address without one). Terraform: a note
// to remove the resource's block.
[[nodiscard]] ResourceActions IdleResourceActions(const rightsizing::IdleResource& resource);

// The Terraform resource name for a resource: its Name tag (tags as a JSON object or
// {key=value} map) or else its id, as a valid identifier (letters, digits, '_' and '-', not
// starting with a digit or '-').
[[nodiscard]] std::string TerraformName(std::string_view tags, std::string_view id);

// `text` as one shell word: unchanged when it holds only letters, digits and "._-/:=@+,", else
// in single quotes. Control characters (which no AWS id has) become '?'.
[[nodiscard]] std::string ShellWord(std::string_view text);

}  // namespace costwise::service
