#include "ingest/csv_file.h"

#include <fmt/format.h>

#include "ingest/byte_source.h"
#include "ingest/csv_blocks.h"

namespace costwise::ingest {

Status ForEachCsvRecord(const std::string& path,
                        const std::function<Status(const CsvRecord&)>& visit) {
  auto source = ByteSource::Open(path);
  if (!source) return unexpected(source.error());
  CsvBlockSplitter splitter(*source);
  CsvBlock block;
  CsvRecord record;
  std::int64_t line_offset = 0;  // lines of the blocks before this one
  while (true) {
    auto got = splitter.Next(block);
    if (!got) return unexpected(got.error());
    if (!*got) return {};
    CsvParser parser(block.view(), line_offset + 1);
    while (true) {
      const CsvParser::Status status = parser.Next(record);
      if (status == CsvParser::Status::kEnd) break;
      if (status == CsvParser::Status::kMalformed) {
        return MakeError(ErrorCode::kInvalidInput,
                         fmt::format("{}:{}: {}", path, record.line, record.error));
      }
      if (Status visited = visit(record); !visited) return visited;
    }
    line_offset = parser.line() - 1;
  }
}

Status ForEachCsvRecordInText(std::string_view text, std::string_view name,
                              const std::function<Status(const CsvRecord&)>& visit) {
  CsvParser parser(text, 1);
  CsvRecord record;
  while (true) {
    const CsvParser::Status status = parser.Next(record);
    if (status == CsvParser::Status::kEnd) return {};
    if (status == CsvParser::Status::kMalformed) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: {}", name, record.line, record.error));
    }
    if (Status visited = visit(record); !visited) return visited;
  }
}

}  // namespace costwise::ingest
