#pragma once
// Numbers as the one-line summaries print them: "$70.08", "60%".
#include <cstdio>
#include <string>

namespace costwise::rightsizing {

[[nodiscard]] inline std::string MoneyText(double dollars) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.2f", dollars);
  return text;
}

[[nodiscard]] inline std::string PercentText(double percent) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f%%", percent);
  return text;
}

}  // namespace costwise::rightsizing
