#pragma once
// A billing file format: writes the header and one CSV row per line item.
#include <memory>
#include <string_view>

#include "billing/fleet.h"
#include "billing/line_item.h"
#include "billing/output_sink.h"

namespace costwise::bench {

class RowWriter {
 public:
  // Room reserved in the sink for one row; no generated row comes near it.
  static constexpr std::size_t kMaxRowBytes = 64 << 10;

  virtual ~RowWriter() = default;
  virtual void WriteHeader(OutputSink& sink) = 0;
  virtual void WriteRow(const LineItem& item, OutputSink& sink) = 0;
  // Whether Savings Plan covered usage is followed by a SavingsPlanNegation line.
  [[nodiscard]] virtual bool WritesNegations() const = 0;
};

// format: cur-legacy, cur2 or focus; nullptr for an unknown format.
[[nodiscard]] std::unique_ptr<RowWriter> MakeRowWriter(std::string_view format, const Fleet& fleet);

}  // namespace costwise::bench
