#include "billing/row_writer.h"

#include "billing/cur2_writer.h"
#include "billing/cur_legacy_writer.h"
#include "billing/focus_writer.h"

namespace costwise::bench {

std::unique_ptr<RowWriter> MakeRowWriter(std::string_view format, const Fleet& fleet) {
  if (format == "cur-legacy") return MakeCurLegacyWriter(fleet);
  if (format == "cur2") return MakeCur2Writer(fleet);
  if (format == "focus") return MakeFocusWriter(fleet);
  return nullptr;
}

}  // namespace costwise::bench
