#pragma once
// CUR 2.0 (Data Exports) CSV: 82 snake_case columns, `product` and `resource_tags` as JSON maps.
#include <memory>

#include "billing/fleet.h"
#include "billing/row_writer.h"

namespace costwise::bench {

[[nodiscard]] std::unique_ptr<RowWriter> MakeCur2Writer(const Fleet& fleet);

}  // namespace costwise::bench
