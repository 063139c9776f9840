#include "api/job_handlers.h"

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "api/error_status.h"
#include "api/job_kinds.h"
#include "api/job_render.h"
#include "service/job_service.h"

namespace costwise::api {
namespace {

constexpr int kPayloadTooLarge = 413;
constexpr int kAccepted = 202;
constexpr int kDefaultJobLimit = 100;
constexpr std::array<std::string_view, 2> kUploadSuffixes = {".csv", ".csv.gz"};

Error TooLarge(const Context& context) {
  return Error{ErrorCode::kInvalidInput,
               fmt::format("the upload is larger than this server accepts ({} MB): split the "
                           "billing data into smaller files or ask the operator to raise "
                           "serve --max-upload-mb",
                           context.max_upload_bytes / kBytesPerMegabyte)};
}

// A file name safe to create in the upload folder: the client's base name with anything but
// letters, digits, '.', '-' and '_' replaced by '_'.
std::string SafeFileName(const std::string& client_name) {
  std::string name = std::filesystem::path(client_name).filename().string();
  for (char& c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    if (!safe) c = '_';
  }
  if (name.empty() || name.front() == '.') name.insert(0, "upload");
  return name;
}

bool HasUploadSuffix(const std::string& name) {
  for (const std::string_view suffix : kUploadSuffixes) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

// A new folder for one upload: <upload_dir>/<tenant id>/<time>-<random>.
Result<std::filesystem::path> NewUploadFolder(const Context& context, std::int64_t tenant_id) {
  std::random_device random;
  const std::filesystem::path folder = std::filesystem::path(context.upload_dir) /
                                       std::to_string(tenant_id) /
                                       fmt::format("{}-{:08x}", Now(), random());
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return MakeError(ErrorCode::kUnavailable, fmt::format("cannot create the upload folder {}: {}",
                                                          folder.string(), error.message()));
  }
  return folder;
}

// Writes the multipart body's files to `folder` as they arrive.
class UploadWriter {
 public:
  UploadWriter(const Context& context, std::filesystem::path folder)
      : context_(context), folder_(std::move(folder)) {}

  bool StartPart(const httplib::MultipartFormData& part) {
    out_.close();
    writing_ = false;
    if (part.filename.empty()) return true;  // a plain form field: ignored
    std::string name = SafeFileName(part.filename);
    if (!HasUploadSuffix(name)) {
      failure_ = Error{ErrorCode::kInvalidInput,
                       fmt::format("{}: upload CUR or FOCUS billing files ending in .csv or "
                                   ".csv.gz",
                                   part.filename)};
      return false;
    }
    while (!names_.insert(name).second) name.insert(0, "1-");  // the same name twice
    const std::filesystem::path path = folder_ / name;
    out_.open(path, std::ios::binary);
    if (!out_) return Fail(path);
    paths_.push_back(path.string());
    writing_ = true;
    return true;
  }

  bool Write(const char* data, std::size_t size) {
    received_ += size;
    if (received_ > context_.max_upload_bytes) {
      failure_ = TooLarge(context_);
      too_large_ = true;
      return false;
    }
    if (!writing_) return true;
    out_.write(data, static_cast<std::streamsize>(size));
    if (!out_) return Fail(paths_.back());
    return true;
  }

  // The files written, once the body is read; the error otherwise.
  Result<std::vector<std::string>> Finish(bool read) {
    out_.close();
    if (failure_) return unexpected(*failure_);
    if (!read) {
      return MakeError(ErrorCode::kInvalidInput,
                       "the upload ended before its multipart/form-data body was complete");
    }
    if (paths_.empty()) {
      return MakeError(ErrorCode::kInvalidInput,
                       "no file in the upload: send one or more CUR or FOCUS files as "
                       "multipart/form-data file fields");
    }
    return paths_;
  }

  [[nodiscard]] bool too_large() const { return too_large_; }

 private:
  bool Fail(const std::filesystem::path& path) {
    failure_ =
        Error{ErrorCode::kUnavailable,
              fmt::format("cannot write the uploaded file {} (is the disk full?)", path.string())};
    return false;
  }

  const Context& context_;
  std::filesystem::path folder_;
  std::ofstream out_;
  bool writing_ = false;
  bool too_large_ = false;
  std::uint64_t received_ = 0;
  std::set<std::string> names_;
  std::vector<std::string> paths_;
  std::optional<Error> failure_;
};

void SendTooLarge(const Context& context, httplib::Response& response) {
  SendJson(response, kPayloadTooLarge, ErrorBody(TooLarge(context)));
}

void SendJob(Context& context, httplib::Response& response, int status,
             const Result<store::JobRecord>& job) {
  if (job && context.jobs != nullptr) context.jobs->Wake();
  SendResult(response, status, job, JobToJson);
}

}  // namespace

void UploadFiles(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller, const httplib::ContentReader& reader) {
  if (!request.is_multipart_form_data()) {
    return SendError(
        response, Error{ErrorCode::kInvalidInput, "send the billing files as multipart/form-data"});
  }
  if (request.has_header("Content-Length")) {
    const std::string length_text = request.get_header_value("Content-Length");
    std::uint64_t length = 0;
    std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (length > context.max_upload_bytes) return SendTooLarge(context, response);
  }
  auto folder = NewUploadFolder(context, caller.principal.tenant_id);
  if (!folder) return SendError(response, folder.error());
  UploadWriter writer(context, *folder);
  const bool read =
      reader([&](const httplib::MultipartFormData& part) { return writer.StartPart(part); },
             [&](const char* data, std::size_t size) { return writer.Write(data, size); });
  Result<std::vector<std::string>> paths = writer.Finish(read);
  if (!paths) {
    std::error_code ignored;
    std::filesystem::remove_all(*folder, ignored);
    if (writer.too_large()) return SendTooLarge(context, response);
    return SendError(response, paths.error());
  }
  SendJob(context, response, kAccepted,
          service::SubmitIngest(*context.repository, caller.principal,
                                IngestPayload(*paths, folder->string()).dump(), Now()));
}

void ListJobs(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller) {
  int limit = kDefaultJobLimit;
  if (request.has_param("limit")) {
    const std::string text = request.get_param_value("limit");
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size()) limit = 0;
  }
  SendResult(
      response, 200,
      service::ListJobs(*context.repository, caller.principal, request.get_param_value("status"),
                        request.get_param_value("kind"), limit),
      JobsToJson);
}

void GetJob(Context& context, const httplib::Request& request, httplib::Response& response,
            const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "job");
  if (!id) return SendError(response, id.error());
  SendResult(response, 200, service::GetJob(*context.repository, caller.principal, *id), JobToJson);
}

void CancelJob(Context& context, const httplib::Request& request, httplib::Response& response,
               const Caller& caller) {
  const Result<std::int64_t> id = PathId(request, 1, "job");
  if (!id) return SendError(response, id.error());
  SendResult(response, 200, service::CancelJob(*context.repository, caller.principal, *id, Now()),
             JobToJson);
}

void SubmitJob(Context& context, const httplib::Request& request, httplib::Response& response,
               const Caller& caller) {
  auto fields = StringMembers<1>(request, {"kind"});
  if (!fields) return SendError(response, fields.error());
  SendJob(context, response, kAccepted,
          service::SubmitJob(*context.repository, caller.principal, (*fields)[0], Now()));
}

}  // namespace costwise::api
