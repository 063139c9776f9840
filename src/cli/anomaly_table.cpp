#include "cli/anomaly_table.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace costwise::cli {
namespace {

constexpr std::size_t kColumns = 11;
constexpr std::size_t kMaxMonitorWidth = 40;
constexpr std::size_t kMaxCauseWidth = 60;
constexpr std::string_view kEllipsis = "...";

using Row = std::array<std::string, kColumns>;

constexpr std::array<std::string_view, kColumns> kHeader = {
    "id",     "monitor",  "start",    "end",    "actual",        "expected",
    "impact", "impact %", "severity", "status", "top root cause"};
// Money and percentages are right-aligned.
constexpr std::array<bool, kColumns> kRightAligned = {true, false, false, false, true, true,
                                                      true, true,  false, false, false};

std::string Shorten(std::string text, std::size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - kEllipsis.size()) + std::string(kEllipsis);
}

// "region=(none)" rather than "region=" for the costs without a value.
std::string MonitorText(const AnomalyMonitor& monitor) {
  const std::string label = MonitorLabel(monitor);
  return monitor.dimension && monitor.value.empty() ? label + "(none)" : label;
}

std::string CauseText(const CostAnomaly& anomaly) {
  const RootCause* top = TopRootCause(anomaly);
  if (top == nullptr) return "-";
  const std::string value = top->value.empty() ? "(none)" : top->value;
  return fmt::format("{}={} (+{})", top->dimension, value, top->impact.ToString(2));
}

Row RowOf(const CostAnomaly& anomaly) {
  return {std::to_string(anomaly.id),
          Shorten(MonitorText(anomaly.monitor), kMaxMonitorWidth),
          anomaly.start_date.ToString(),
          anomaly.end_date.ToString(),
          anomaly.actual_spend.ToString(2),
          anomaly.expected_spend.ToString(2),
          anomaly.impact.ToString(2),
          anomaly.impact_percent ? fmt::format("{:.1f}", *anomaly.impact_percent) : "-",
          std::string(SeverityName(anomaly.severity)),
          std::string(StatusName(anomaly.status)),
          Shorten(CauseText(anomaly), kMaxCauseWidth)};
}

void AppendRow(std::string& out, const Row& row, const std::array<std::size_t, kColumns>& widths) {
  std::string line;
  for (std::size_t i = 0; i < kColumns; ++i) {
    if (i > 0) line += "  ";
    line += kRightAligned[i] ? fmt::format("{:>{}}", row[i], widths[i])
                             : fmt::format("{:<{}}", row[i], widths[i]);
  }
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}

}  // namespace

std::string AnomalyTable(const std::vector<CostAnomaly>& anomalies) {
  if (anomalies.empty()) return "(no anomalies)\n";
  std::vector<Row> rows;
  rows.reserve(anomalies.size());
  for (const CostAnomaly& anomaly : anomalies) rows.push_back(RowOf(anomaly));
  std::array<std::size_t, kColumns> widths{};
  for (std::size_t i = 0; i < kColumns; ++i) widths[i] = kHeader[i].size();
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < kColumns; ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  Row header;
  std::copy(kHeader.begin(), kHeader.end(), header.begin());
  std::string out;
  AppendRow(out, header, widths);
  for (const Row& row : rows) AppendRow(out, row, widths);
  return out;
}

}  // namespace costwise::cli
