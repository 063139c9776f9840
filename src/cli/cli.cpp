#include "cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/cost_render.h"
#include "api/server.h"
#include "cli/anomaly_commands.h"
#include "cli/aws_commands.h"
#include "cli/forecast_commands.h"
#include "cli/inventory_commands.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "cli/recommendation_commands.h"
#include "cli/rightsize_command.h"
#include "service/cost_service.h"
#include "service/ingest_service.h"
#include "service/ml_service.h"
#include "service/sample_workspace.h"
#include "store/repository.h"

namespace costwise::cli {
namespace {

constexpr const char* kDefaultDatabase = "sqlite:var/costwise.db";
constexpr std::uint64_t kProgressMinBytes = std::uint64_t{4} << 20;

std::string DefaultDatabase() {
  const char* env = std::getenv("COSTWISE_DB");
  return env != nullptr && *env != '\0' ? env : kDefaultDatabase;
}

std::string PeriodList(const std::vector<Date>& periods) {
  std::string text;
  for (const Date& period : periods) {
    if (!text.empty()) text += ",";
    text += period.MonthString();
  }
  return text.empty() ? "-" : text;
}

int RunSampleLoad(const std::string& database, const std::string& tenant,
                  const std::string& samples_dir) {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  service::SampleLoadOptions options;
  options.samples_dir = samples_dir;
  auto loaded = service::LoadSampleData(**repository, tenant, options);
  if (!loaded) return Fail(loaded.error());
  fmt::print(
      "loaded the samples into tenant '{}': {} cube rows (billed {}), {} instances with {} metric "
      "samples; {} anomalies found over {} monitors, a forecast of {} series, {} "
      "recommendations\n",
      loaded->tenant, loaded->ingest.cube_rows, loaded->ingest.billed_total.ToString(),
      loaded->instances, loaded->metric_samples, loaded->detection.anomalies.size(),
      loaded->detection.monitors, loaded->forecast_series, loaded->recommendations);
  return 0;
}

int RunIngest(const std::string& database, const std::string& tenant,
              const std::vector<std::string>& files, int threads, double max_rejected_percent) {
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  ProgressBar bar(kProgressMinBytes);
  service::IngestOptions options;
  options.threads = threads;
  options.max_rejected_percent = max_rejected_percent;
  options.progress = [&](std::size_t index, const std::string& path, std::uint64_t done,
                         std::uint64_t total) {
    bar.Update(fmt::format("[{}/{}] {}", index + 1, files.size(), path), done, total);
  };
  options.before_store = [&](const service::IngestSummary& read) {
    bar.Finish();
    fmt::print(stderr, "read {} file(s) in {:.2f}s; writing {} cube rows of {} billing scope(s)\n",
               read.files.size(), read.read_seconds, read.cube_rows, read.scopes.size());
    std::fflush(stderr);
  };
  auto summary = service::IngestFiles(**repository, tenant, files, options);
  bar.Finish();
  if (!summary) return Fail(summary.error());
  for (const service::IngestedFile& file : summary->files) {
    fmt::print("{}: {}{}, {} rows, {} rejected, billing period {}\n", file.path, file.format,
               file.gzip ? " (gzip)" : "", file.rows, file.rejected_rows,
               PeriodList(file.billing_periods));
    for (const ingest::RejectedRow& row : file.rejections) {
      fmt::print("  rejected {}:{}: {}\n", file.path, row.line, row.reason);
    }
    if (file.rejected_rows > static_cast<std::int64_t>(file.rejections.size())) {
      fmt::print("  ... and {} more rejected rows\n",
                 file.rejected_rows - static_cast<std::int64_t>(file.rejections.size()));
    }
  }
  std::int64_t rows = 0;
  std::int64_t rejected = 0;
  for (const service::IngestedFile& file : summary->files) {
    rows += file.rows;
    rejected += file.rejected_rows;
  }
  fmt::print(
      "ingested {} rows ({} rejected) into {} cube rows for tenant '{}': replaced {} billing "
      "scope(s), {} old cube rows; billed {} effective {}; read {:.2f}s, store {:.2f}s\n",
      rows - rejected, rejected, summary->cube_rows, tenant, summary->scopes.size(),
      summary->rows_deleted, summary->billed_total.ToString(2),
      summary->effective_total.ToString(2), summary->read_seconds, summary->store_seconds);
  return 0;
}

void PrintTable(const service::CostReport& report) {
  const std::string group_title =
      report.query.group_by ? DimensionName(*report.query.group_by) : std::string("total");
  std::size_t group_width = group_title.size();
  for (const CostGroupRow& row : report.rows) {
    group_width = std::max(group_width, std::min<std::size_t>(row.group.size(), 60));
  }
  const auto group_text = [](const std::string& group) {
    if (group.empty()) return std::string("(none)");
    return group.size() > 60 ? group.substr(0, 57) + "..." : group;
  };
  group_width = std::max<std::size_t>(group_width, 6);
  fmt::print("{:<10}  {:<{}}  {:>16}  {:>16}  {:>8}\n", "period", group_title, group_width,
             "billed", "effective", "currency");
  for (const CostGroupRow& row : report.rows) {
    fmt::print("{:<10}  {:<{}}  {:>16}  {:>16}  {:>8}\n", row.period,
               report.query.group_by ? group_text(row.group) : std::string("total"), group_width,
               row.billed_cost.ToString(2), row.effective_cost.ToString(2), row.currency);
  }
  for (const service::CostTotal& total : report.totals) {
    fmt::print("{:<10}  {:<{}}  {:>16}  {:>16}  {:>8}\n", "total", "", group_width,
               total.billed_cost.ToString(2), total.effective_cost.ToString(2), total.currency);
  }
  if (report.rows.empty())
    fmt::print("(no costs in {} .. {})\n", report.query.from.ToString(),
               report.query.to.ToString());
}

int RunCosts(const std::string& database, const std::string& tenant,
             const service::CostQueryText& text, const std::string& format) {
  const Date today = DateOfTimestamp(static_cast<std::int64_t>(std::time(nullptr)));
  auto query = service::ParseCostQuery(text, today);
  if (!query) return Fail(query.error());
  auto repository = store::OpenRepository(database);
  if (!repository) return Fail(repository.error());
  auto report = service::QueryCosts(**repository, tenant, *query);
  if (!report) return Fail(report.error());
  if (format == "json") {
    fmt::print("{}\n", api::CostReportToJson(*report).dump(2));
  } else if (format == "csv") {
    fmt::print("{}", api::CostReportToCsv(*report));
  } else {
    PrintTable(*report);
  }
  return 0;
}

int RunIsolationForest(const std::string& input, const std::string& output,
                       const anomaly::IsolationForestOptions& options) {
  auto table = ingest::ReadNumericCsv(input);
  if (!table) return Fail(table.error());
  auto scores = service::IsolationForestScores(*table, options);
  if (!scores) return Fail(scores.error());
  constexpr std::size_t kMaxScoreChars = 25;  // "{}" of a double is at most 24 characters
  std::string text(scores->size() * kMaxScoreChars, '\0');
  char* end = text.data();
  for (const double score : *scores) end = fmt::format_to(end, FMT_COMPILE("{}\n"), score);
  text.resize(static_cast<std::size_t>(end - text.data()));
  if (Status written = WriteFile(output, text); !written) return Fail(written.error());
  fmt::print(stderr, "scored {} rows of {} columns ({} trees, sample size {})\n", table->rows,
             table->columns, options.num_trees,
             std::min<std::size_t>(options.sample_size, table->rows));
  return 0;
}

int RunScoreSeries(const std::string& input, const std::string& output, bool details,
                   const anomaly::SeriesDetectorOptions& options) {
  auto table = ingest::ReadSeriesCsv(input);
  if (!table) return Fail(table.error());
  auto points = service::ScoreSeries(*table, options);
  if (!points) return Fail(points.error());
  std::string text = "timestamp,value,anomaly_score,is_anomaly";
  text += details ? ",expected,lower,upper,z,level_shift,ongoing\n" : "\n";
  std::size_t anomalies = 0;
  for (std::size_t i = 0; i < points->size(); ++i) {
    const anomaly::SeriesPoint& point = (*points)[i];
    anomalies += point.is_anomaly ? 1 : 0;
    fmt::format_to(std::back_inserter(text), "{},{},{},{}", table->timestamp_text[i],
                   table->value_text[i], point.score, point.is_anomaly ? 1 : 0);
    if (details) {
      fmt::format_to(std::back_inserter(text), ",{},{},{},{},{},{}", point.expected, point.lower,
                     point.upper, point.z, point.level_shift ? 1 : 0, point.ongoing ? 1 : 0);
    }
    text += '\n';
  }
  if (Status written = WriteFile(output, text); !written) return Fail(written.error());
  fmt::print(stderr, "scored {} points of {}: {} anomalous\n", points->size(), input, anomalies);
  return 0;
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{"costwise: explainable ML on the cloud bill"};
  app.require_subcommand(1);
  std::string database = DefaultDatabase();
  app.add_option("--db", database,
                 "database: sqlite:PATH or postgresql://USER@HOST:PORT/DB (env COSTWISE_DB)")
      ->capture_default_str();

  // sample load
  auto* sample = app.add_subcommand("sample", "the bundled public samples (data/samples)");
  sample->require_subcommand(1);
  auto* sample_load = sample->add_subcommand(
      "load", "fill a tenant with the samples and run detection, a forecast and right-sizing");
  std::string sample_tenant;
  std::string samples_dir = "data/samples";
  sample_load->add_option("--tenant", sample_tenant, "tenant (organisation) name")->required();
  sample_load->add_option("--samples-dir", samples_dir, "folder of the bundled samples")
      ->capture_default_str();

  // ingest
  auto* ingest = app.add_subcommand("ingest",
                                    "read CUR / CUR 2.0 / FOCUS CSV files (plain or "
                                    "gzip) into the daily cost cube");
  std::string ingest_tenant;
  std::vector<std::string> files;
  int threads = 0;
  double max_rejected_percent = 1.0;
  ingest->add_option("--tenant", ingest_tenant, "tenant (organisation) name")->required();
  ingest->add_option("--threads", threads, "parser threads (0 = one per core)")
      ->capture_default_str();
  ingest
      ->add_option("--max-rejected-percent", max_rejected_percent,
                   "fail when more than this share of a file's rows is malformed")
      ->capture_default_str();
  ingest->add_option("files", files, "billing files; all parts of one report in one call")
      ->required()
      ->check(CLI::ExistingFile);

  // costs
  auto* costs = app.add_subcommand("costs", "query the daily cost cube");
  std::string costs_tenant;
  service::CostQueryText query_text;
  std::string format = "table";
  costs->add_option("--tenant", costs_tenant, "tenant (organisation) name")->required();
  costs->add_option("--from", query_text.from, "first day, YYYY-MM-DD (default: 30 days ago)");
  costs->add_option("--to", query_text.to, "last day, inclusive, YYYY-MM-DD (default: today)");
  costs->add_option("--group-by", query_text.group_by,
                    "service|account|billing-account|region|usage-type|resource|"
                    "charge-category|provider|tag:KEY");
  costs->add_option("--granularity", query_text.granularity, "day|month")->default_str("day");
  costs->add_option("--filter", query_text.filters,
                    "DIMENSION=VALUE[,VALUE...], repeatable (e.g. service=Amazon S3)");
  costs->add_option("--format", format, "table|csv|json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();

  // serve
  auto* serve = app.add_subcommand("serve", "start the HTTP server (API and web UI)");
  api::ServerOptions server_options;
  serve->add_option("--port", server_options.port, "TCP port")->capture_default_str();
  serve->add_option("--host", server_options.host, "address to listen on")->capture_default_str();
  serve->add_option("--web", server_options.web_dir, "folder of the web UI's built files");
  serve->add_flag("--secure-cookies", server_options.secure_cookies,
                  "mark the session cookie Secure (behind https)");
  serve->add_option("--threads", server_options.threads, "connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  serve
      ->add_option("--public-url", server_options.public_url,
                   "the URL users reach costwise at, for links in alerts")
      ->capture_default_str();
  serve
      ->add_option("--alerts-interval", server_options.alerts_interval_seconds,
                   "seconds between runs of the alert sender (0 = do not send alerts)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--alert-retry-seconds", server_options.alert_retry_seconds,
                   "wait before the first retry of a failed alert delivery (then doubled, at "
                   "most an hour)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--workers", server_options.workers,
                   "job worker threads (ingest, detect, forecast, rightsize); 0 runs no jobs")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  serve
      ->add_option("--job-lease-seconds", server_options.job_lease_seconds,
                   "a running job whose server stopped is run again after this many seconds")
      ->check(CLI::Range(1, 86'400))
      ->capture_default_str();
  serve
      ->add_option("--upload-dir", server_options.upload_dir,
                   "folder for uploaded billing files (one subfolder per organisation)")
      ->capture_default_str();
  serve
      ->add_option("--models-dir", server_options.models_dir,
                   "folder for fitted models' artifacts (the detector's saved state)")
      ->capture_default_str();
  serve
      ->add_option("--samples-dir", server_options.samples_dir,
                   "the bundled samples the sample workspace is made of")
      ->capture_default_str();
  serve
      ->add_option("--model-cache", server_options.model_cache,
                   "how many models stay loaded in memory (least recently used dropped first)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  serve
      ->add_option("--max-upload-mb", server_options.max_upload_mb,
                   "largest upload request accepted, in MiB (413 beyond)")
      ->check(CLI::Range(1, 1'048'576))
      ->capture_default_str();
  serve
      ->add_option("--aws-poll-ms", server_options.aws_poll_ms,
                   "how often to poll AWS for an Athena query's end and an instance's state "
                   "during an apply (ms)")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  serve->add_option("--aws-principal-arn", server_options.aws_principal_arn,
                    "the AWS principal onboarded accounts' IAM roles trust (costwise's own "
                    "account or role, e.g. arn:aws:iam::123456789012:root)");
  serve->add_option("--cors-origin", server_options.cors_origin,
                    "the one browser origin allowed to call the API cross-origin (default: none)");

  // ml iforest
  auto* ml = app.add_subcommand("ml", "machine-learning tools on plain numeric tables");
  ml->require_subcommand(1);
  auto* iforest = ml->add_subcommand(
      "iforest", "isolation forest anomaly scores (0 to 1, higher = more anomalous) of a CSV");
  std::string iforest_input;
  std::string iforest_output;
  anomaly::IsolationForestOptions forest_options;
  forest_options.seed = 0;
  iforest->add_option("--input", iforest_input, "numeric CSV; a header row is skipped")
      ->required()
      ->check(CLI::ExistingFile);
  iforest->add_option("--output", iforest_output, "one score per line, in input order")->required();
  iforest->add_option("--trees", forest_options.num_trees, "number of trees")
      ->capture_default_str();
  iforest->add_option("--sample-size", forest_options.sample_size, "rows per tree")
      ->capture_default_str();
  iforest->add_option("--seed", forest_options.seed, "random seed")->capture_default_str();
  iforest->add_option("--threads", forest_options.threads, "threads (0 = one per core)")
      ->capture_default_str();

  // anomalies score|detect|list|feedback
  auto* anomalies = app.add_subcommand("anomalies", "anomaly detection");
  anomalies->require_subcommand(1);
  const AnomalyCommands cost_anomalies(*anomalies);
  auto* score = anomalies->add_subcommand(
      "score", "score a time series (CSV timestamp,value), online: each point from its past only");
  std::string score_input;
  std::string score_output;
  bool score_details = false;
  anomaly::SeriesDetectorOptions detector_options;
  score->add_option("--input", score_input, "CSV with a header and columns timestamp,value")
      ->required()
      ->check(CLI::ExistingFile);
  score
      ->add_option("--output", score_output,
                   "CSV timestamp,value,anomaly_score,is_anomaly, one row per input row")
      ->required();
  score
      ->add_option("--z-threshold", detector_options.z_threshold,
                   "robust z-score scale; an anomaly needs at least half of it")
      ->capture_default_str();
  score
      ->add_option("--forest-weight", detector_options.forest_weight,
                   "how strongly the isolation forest scales deviations (0 = off)")
      ->capture_default_str();
  score->add_option("--seed", detector_options.seed, "random seed of the context forest")
      ->capture_default_str();
  score->add_flag("--details", score_details,
                  "add the columns expected,lower,upper,z,level_shift,ongoing");

  // forecast [series]
  auto* forecast = app.add_subcommand(
      "forecast",
      "a tenant's cost forecast (--tenant, --horizon), or forecasts of any series (series)");
  const ForecastCommands forecasts(*forecast);

  // rightsize; inventory import, metrics import; recommendations
  const RightsizeCommand rightsize(app);
  const InventoryCommands inventory(app);
  const RecommendationCommands recommendations(app);
  // sync; aws test, aws prices
  const AwsCommands aws_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kExitUsage;
  }
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (sample_load->parsed()) return RunSampleLoad(database, sample_tenant, samples_dir);
  if (ingest->parsed()) {
    return RunIngest(database, ingest_tenant, files, threads, max_rejected_percent);
  }
  if (costs->parsed()) return RunCosts(database, costs_tenant, query_text, format);
  if (iforest->parsed()) return RunIsolationForest(iforest_input, iforest_output, forest_options);
  if (score->parsed()) {
    return RunScoreSeries(score_input, score_output, score_details, detector_options);
  }
  if (cost_anomalies.Parsed()) return cost_anomalies.Run(database);
  if (forecasts.Parsed()) return forecasts.Run(database);
  if (rightsize.Parsed()) return rightsize.Run(database);
  if (inventory.Parsed()) return inventory.Run(database);
  if (recommendations.Parsed()) return recommendations.Run(database);
  if (aws_commands.Parsed()) return aws_commands.Run(database);
  if (serve->parsed()) {
    server_options.database_url = database;
    const Status status = api::RunServer(server_options);
    if (!status) return Fail(status.error());
    return 0;
  }
  return kExitUsage;
}

}  // namespace costwise::cli
