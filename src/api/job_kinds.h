#pragma once
// The functions the job runner runs for each kind (service/jobs.h): each reads the job's JSON
// payload, calls one service use case on the worker's repository and renders its summary as the
// job's JSON result. ingest reads the uploaded files (service::IngestFiles, one transaction);
// detect, forecast and rightsize run on the tenant's stored data; detect and forecast follow
// every successful ingest, whose uploaded files are then removed (only inside `upload_root`).
// sync reads the tenant's onboarded AWS accounts (service::SyncAwsAccounts; payload {"account"}
// for one) and is followed by detect, forecast and rightsize. apply carries out a recommendation
// through AWS (service::RunQueuedApply; payload {"recommendation_id", "request_id"}), once.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "service/aws_sync.h"
#include "service/ec2_apply.h"
#include "service/ingest_service.h"
#include "service/jobs.h"
#include "service/model_store.h"

namespace costwise::api {

// `models`: where detect jobs keep the detector's state (null: none); `aws`: costwise's AWS
// access for sync and apply jobs, `apply` how applies wait (null: no sync or apply jobs). They
// must outlive the jobs.
[[nodiscard]] service::JobRegistry BuiltinJobKinds(const std::string& upload_root,
                                                   service::ModelStore* models,
                                                   const service::AwsSyncOptions* aws,
                                                   const service::Ec2ApplyOptions* apply = nullptr);

// The result of a sync job and of `costwise sync --json`.
[[nodiscard]] nlohmann::json SyncSummaryToJson(const service::AwsSyncSummary& summary);

// The payload of an ingest job: {"files": [paths], "upload_dir": folder}.
[[nodiscard]] nlohmann::json IngestPayload(const std::vector<std::string>& paths,
                                           const std::string& upload_dir);

// The result of an ingest job.
[[nodiscard]] nlohmann::json IngestSummaryToJson(const service::IngestSummary& summary);

}  // namespace costwise::api
