#pragma once
// The handlers of uploads and background jobs: POST /api/uploads streams CUR or FOCUS files to
// disk and queues their ingest; GET /api/jobs, GET /api/jobs/{id}, POST /api/jobs/{id}/cancel and
// POST /api/jobs (run a detect, forecast or rightsize job now). docs/service.md, "Jobs".
#include "api/http.h"

namespace costwise::api {

void UploadFiles(Context& context, const httplib::Request& request, httplib::Response& response,
                 const Caller& caller, const httplib::ContentReader& reader);
void ListJobs(Context& context, const httplib::Request& request, httplib::Response& response,
              const Caller& caller);
void GetJob(Context& context, const httplib::Request& request, httplib::Response& response,
            const Caller& caller);
void CancelJob(Context& context, const httplib::Request& request, httplib::Response& response,
               const Caller& caller);
void SubmitJob(Context& context, const httplib::Request& request, httplib::Response& response,
               const Caller& caller);

}  // namespace costwise::api
