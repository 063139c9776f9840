#include "service/rightsizing_actions.h"

#include <cctype>
#include <cmath>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>

#include "ingest/tag_parser.h"

namespace costwise::service {
namespace {

constexpr std::string_view kNameTag = "Name";
constexpr std::string_view kStopOption = "stop";

// The parts one after the other (GCC 12 at -O3 warns falsely about "literal" + std::string).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string text;
  for (const std::string_view part : parts) text.append(part);
  return text;
}

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Text for a "#" comment or an HCL comment: one line.
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (IsControl(c)) c = ' ';
  }
  return line;
}

// `text` as an HCL string literal with its quotes; template sequences are escaped.
std::string HclString(std::string_view text) {
  std::string quoted = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool opens_template = i + 1 < text.size() && text[i + 1] == '{';
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(c);
    } else if ((c == '$' || c == '%') && opens_template) {
      quoted.push_back(c);
      quoted.push_back(c);
    } else if (IsControl(c)) {
      quoted.push_back('?');
    } else {
      quoted.push_back(c);
    }
  }
  quoted.push_back('"');
  return quoted;
}

std::string Dollars(double amount) { return fmt::format("${:.2f}", amount); }

// "aws ec2 VERB --region R" followed by the given arguments.
std::string Ec2(std::string_view verb, std::string_view region, std::string_view arguments) {
  std::string command = "aws ec2 ";
  command.append(verb).append(" --region ").append(ShellWord(region));
  if (!arguments.empty()) command.append(" ").append(arguments);
  return command;
}

ResourceActions ResizeActions(const CloudInstance& instance,
                              const rightsizing::Recommendation& recommendation,
                              const rightsizing::SizingOption& option) {
  const std::string ids = Cat({"--instance-ids ", ShellWord(instance.instance_id)});
  const std::string& region = instance.region;
  ResourceActions actions;
  const bool arm64 = option.effort == rightsizing::MigrationEffort::kMedium;
  if (arm64) {
    actions.aws_cli.push_back(
        OneLine(fmt::format("# {} is arm64 (Graviton): the instance must run an arm64 AMI; from "
                            "an x86_64 one, launch a replacement instead of resizing in place",
                            option.type)));
  }
  actions.aws_cli.push_back(Ec2("stop-instances", region, ids));
  actions.aws_cli.push_back(Ec2("wait instance-stopped", region, ids));
  actions.aws_cli.push_back(
      Ec2("modify-instance-attribute", region,
          Cat({"--instance-id ", ShellWord(instance.instance_id), " --instance-type ",
               ShellWord(Cat({"Value=", option.type}))})));
  actions.aws_cli.push_back(Ec2("start-instances", region, ids));

  std::string& tf = actions.terraform;
  tf = OneLine(fmt::format("# costwise: {} {} ({}), {} {}/month", instance.instance_id,
                           option.monthly_savings >= 0 ? "resize" : "upsize",
                           rightsizing::FindingName(recommendation.finding),
                           option.monthly_savings >= 0 ? "save" : "costs",
                           Dollars(std::abs(option.monthly_savings))));
  tf += "\n# In the existing block; Terraform stops and starts the instance to apply it.\n";
  if (arm64) {
    tf += OneLine(fmt::format("# {} is arm64: set ami to an arm64 image as well.", option.type));
    tf += '\n';
  }
  tf += fmt::format("resource \"aws_instance\" \"{}\" {{\n",
                    TerraformName(instance.tags, instance.instance_id));
  tf += fmt::format("  instance_type = {} # was {} (costwise)\n}}\n", HclString(option.type),
                    OneLine(recommendation.current_type));
  return actions;
}

ResourceActions StopActions(const CloudInstance& instance) {
  const std::string ids = Cat({"--instance-ids ", ShellWord(instance.instance_id)});
  ResourceActions actions;
  actions.aws_cli.push_back(Ec2("stop-instances", instance.region, ids));
  actions.aws_cli.push_back(Cat({"# or, when nothing needs it any more: ",
                                 Ec2("terminate-instances", instance.region, ids)}));
  const std::string name = TerraformName(instance.tags, instance.instance_id);
  std::string& tf = actions.terraform;
  tf =
      OneLine(fmt::format("# costwise: {} is idle; keep it stopped (or remove its aws_instance "
                          "block to terminate it).",
                          instance.instance_id));
  tf += '\n';
  tf += fmt::format("resource \"aws_ec2_instance_state\" \"{}\" {{\n", name);
  tf += fmt::format("  instance_id = aws_instance.{}.id\n", name);
  tf += "  state       = \"stopped\"\n}\n";
  return actions;
}

}  // namespace

std::string ShellWord(std::string_view text) {
  const auto plain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("._-/:=@+,").find(c) != std::string_view::npos;
  };
  std::string word;
  bool quote = text.empty();
  for (const char c : text) {
    word.push_back(IsControl(c) ? '?' : c);
    if (!plain(c)) quote = true;
  }
  if (!quote) return word;
  std::string quoted = "'";
  for (const char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  quoted.push_back('\'');
  return quoted;
}

std::string TerraformName(std::string_view tags, std::string_view id) {
  std::string name;
  if (!tags.empty()) {
    std::string storage;
    storage.reserve(tags.size() * 2);
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    if (ingest::ParseTagMap(tags, storage, pairs)) {
      for (const auto& [key, value] : pairs) {
        if (key == kNameTag && !value.empty()) name = std::string(value);
      }
    }
  }
  if (name.empty()) name = std::string(id);
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-') c = '_';
  }
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0 ||
      name.front() == '-') {
    name.insert(name.begin(), '_');
  }
  return name;
}

ResourceActions InstanceActions(const CloudInstance& instance,
                                const rightsizing::Recommendation& recommendation) {
  if (recommendation.options.empty()) return {};
  const rightsizing::SizingOption& best = recommendation.options.front();
  if (recommendation.finding == rightsizing::Finding::kIdle || best.type == kStopOption) {
    return StopActions(instance);
  }
  return ResizeActions(instance, recommendation, best);
}

ResourceActions IdleResourceActions(const rightsizing::IdleResource& resource) {
  ResourceActions actions;
  const std::string id = ShellWord(resource.id);
  if (resource.kind == rightsizing::IdleKind::kUnattachedVolume) {
    const std::string description =
        ShellWord(Cat({"costwise: before deleting unattached volume ", resource.id}));
    actions.aws_cli.push_back(Cat({"SNAPSHOT_ID=$(",
                                   Ec2("create-snapshot", resource.region,
                                       Cat({"--volume-id ", id, " --description ", description,
                                            " --query SnapshotId --output text"})),
                                   ")"}));
    actions.aws_cli.push_back(
        Ec2("wait snapshot-completed", resource.region, "--snapshot-ids \"$SNAPSHOT_ID\""));
    actions.aws_cli.push_back(Ec2("delete-volume", resource.region, Cat({"--volume-id ", id})));
    actions.terraform =
        OneLine(fmt::format("# costwise: {} ({}) is attached to no instance, {}/month.",
                            resource.id, resource.detail, Dollars(resource.monthly_cost)));
    actions.terraform += '\n';
    actions.terraform += OneLine(fmt::format(
        "# After the snapshot completes, remove the resource \"aws_ebs_volume\" block of {} (and "
        "any aws_volume_attachment of it), then run terraform apply.",
        resource.id));
    actions.terraform += '\n';
    return actions;
  }
  // An EC2-Classic address has no allocation id: its id is the public IP.
  const bool by_ip = resource.id == resource.detail;
  actions.aws_cli.push_back(Ec2("release-address", resource.region,
                                Cat({by_ip ? "--public-ip " : "--allocation-id ", id})));
  actions.terraform =
      OneLine(fmt::format("# costwise: {} ({}) is associated with nothing, {}/month.", resource.id,
                          resource.detail, Dollars(resource.monthly_cost)));
  actions.terraform += '\n';
  actions.terraform += OneLine(fmt::format(
      "# Remove the resource \"aws_eip\" block of {}, then run terraform apply.", resource.id));
  actions.terraform += '\n';
  return actions;
}

}  // namespace costwise::service
