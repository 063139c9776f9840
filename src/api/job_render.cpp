#include "api/job_render.h"

#include <filesystem>
#include <optional>

#include "api/json_values.h"

namespace costwise::api {
namespace {

nlohmann::json OptionalTime(const std::optional<std::int64_t>& seconds) {
  return seconds ? TimeJson(*seconds) : nlohmann::json(nullptr);
}

// Stored JSON text back as JSON; null when empty or not JSON.
nlohmann::json StoredJson(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(nullptr) : value;
}

// The payload as callers see it: uploaded files by name, without the server's folders.
nlohmann::json PublicPayload(const std::string& text) {
  nlohmann::json payload = StoredJson(text);
  if (!payload.is_object()) return payload;
  payload.erase("upload_dir");
  const auto files = payload.find("files");
  if (files != payload.end() && files->is_array()) {
    for (nlohmann::json& file : *files) {
      if (file.is_string()) file = std::filesystem::path(file.get<std::string>()).filename();
    }
  }
  return payload;
}

}  // namespace

nlohmann::json JobToJson(const store::JobRecord& job) {
  return {{"id", job.id},
          {"kind", store::JobKindName(job.kind)},
          {"status", store::JobStatusName(job.status)},
          {"progress", job.progress},
          {"progress_message", job.progress_message},
          {"attempts", job.attempts},
          {"max_attempts", job.max_attempts},
          {"run_after", TimeJson(job.run_after)},
          {"created_at", TimeJson(job.created_at)},
          {"started_at", OptionalTime(job.started_at)},
          {"finished_at", OptionalTime(job.finished_at)},
          {"cancel_requested", job.cancel_requested},
          {"payload", PublicPayload(job.payload)},
          {"result", StoredJson(job.result)},
          {"error", job.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.error)}};
}

nlohmann::json JobsToJson(const std::vector<store::JobRecord>& jobs) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::JobRecord& job : jobs) list.push_back(JobToJson(job));
  return {{"jobs", list}};
}

}  // namespace costwise::api
