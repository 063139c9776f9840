#pragma once
// Legacy CUR ("CUR 1.0") CSV: category/Field headers as in shared/data/cur-sample, plus resource
// ids, RI ARNs, instance attributes and resourceTags/user:* columns (103 columns).
#include <memory>

#include "billing/fleet.h"
#include "billing/row_writer.h"

namespace costwise::bench {

[[nodiscard]] std::unique_ptr<RowWriter> MakeCurLegacyWriter(const Fleet& fleet);

}  // namespace costwise::bench
