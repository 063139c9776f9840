#include "ingest/csv_file.h"

#include <fmt/format.h>

#include "ingest/byte_source.h"
#include "ingest/csv_blocks.h"
#include "ingest/text.h"

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

CsvHeader::CsvHeader(const CsvRecord& header) : line_(header.line) {
  for (std::size_t j = 0; j < header.fields.size(); ++j) {
    columns_.emplace(LowerAscii(TrimSpace(header.fields[j])), j);
  }
}

Status CsvHeader::Require(std::initializer_list<std::string_view> names,
                          std::string_view source) const {
  for (const std::string_view name : names) {
    if (!columns_.contains(name)) {
      return MakeError(ErrorCode::kInvalidInput,
                       fmt::format("{}:{}: the header has no column {}", source, line_, name));
    }
  }
  return {};
}

std::string_view CsvHeader::Field(const CsvRecord& record, std::string_view name) const {
  const auto found = columns_.find(name);
  if (found == columns_.end() || found->second >= record.fields.size()) return {};
  return TrimSpace(record.fields[found->second]);
}

bool IsBlankRecord(const CsvRecord& record) {
  return record.fields.size() == 1 && TrimSpace(record.fields[0]).empty();
}

}  // namespace costwise::ingest
