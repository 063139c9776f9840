#pragma once
// The CUR through Athena: costwise pushes the daily aggregation down to Athena (Trino) as SQL
// where the CUR lives and writes the answer, a few rows per resource and day, as a CSV of the
// same columns as the billing export (CUR 2.0 names for legacy CUR and CUR 2.0 tables, FOCUS
// names for FOCUS tables). The file ingestion path reads that CSV: the same row mapping, the same
// daily cube, the same restatement of whole billing periods.
//
// The query reads only the columns the cube needs and prunes partitions by billing period
// (year/month for the legacy CUR's Athena integration, billing_period for data exports); costs
// are summed as DECIMAL(38,10), exact for the CUR's values.
#include <cstdint>
#include <string>
#include <vector>

#include "core/date.h"
#include "ingest/aws/athena.h"

namespace costwise::aws {

enum class CurTableKind { kLegacyCur, kCur2, kFocus };
enum class PartitionStyle { kYearMonth, kBillingPeriod, kNone };

struct CurTable {
  std::string database;
  std::string table;
  CurTableKind kind = CurTableKind::kCur2;
  PartitionStyle partitions = PartitionStyle::kNone;
  std::vector<std::string> columns;  // lower-case, as Athena lists them
  [[nodiscard]] bool Has(std::string_view column) const;
};

[[nodiscard]] std::string_view CurTableKindName(CurTableKind kind);  // "cur-legacy", ...

// Recognises the table from its columns. InvalidInput naming what is missing when the columns
// are not a CUR or FOCUS table's.
[[nodiscard]] Result<CurTable> DescribeCurTable(std::string database, std::string table,
                                                std::vector<std::string> columns);

// The aggregation query for one billing period (its first day).
[[nodiscard]] std::string CurAggregationSql(const CurTable& table, Date billing_period);

struct AthenaLocation {
  std::string database;
  std::string table;
  std::string workgroup;
  std::string output_location;
};

// Runs `SELECT * ... LIMIT 0` for the table's columns and recognises it.
[[nodiscard]] AwsResult<CurTable> ReadCurTable(AwsClient& client, const AthenaLocation& location,
                                               const AthenaWait& wait);

struct AthenaExport {
  std::string sql;
  AthenaExecution execution;  // bytes scanned, engine time
  std::int64_t rows = 0;      // data rows written
};

// Runs the period's aggregation and writes the answer to `csv_path` (header, then rows; NULL is
// an empty field).
[[nodiscard]] AwsResult<AthenaExport> ExportBillingPeriod(
    AwsClient& client, const AthenaLocation& location, const CurTable& table, Date billing_period,
    const std::string& csv_path, const AthenaWait& wait);

}  // namespace costwise::aws
