#pragma once
// FOCUS 1.0 CSV shaped like shared/data/focus-sample: 44 columns, quoted strings, NULL tokens.
#include <memory>

#include "billing/fleet.h"
#include "billing/row_writer.h"

namespace costwise::bench {

[[nodiscard]] std::unique_ptr<RowWriter> MakeFocusWriter(const Fleet& fleet);

}  // namespace costwise::bench
