// The cost explorer's chart data: a grouped report as stacked series, the largest groups by
// their own and the rest as "Other" (pure, tested).
import type { CostReport } from "../api/client";
import { costOf, rankGroups } from "./overview";

export interface Stacked {
  periods: string[];
  series: { name: string; values: number[] }[];
}

export function stackByPeriod(report: CostReport, top = 8): Stacked {
  const periods = [...new Set(report.rows.map((row) => row.period ?? ""))].sort();
  const shown = rankGroups(report, Number.MAX_SAFE_INTEGER).slice(0, top).map((g) => g.name);
  const index = new Map(periods.map((period, i) => [period, i]));
  const byName = new Map<string, number[]>();
  for (const name of [...shown, "Other"]) byName.set(name, periods.map(() => 0));
  for (const row of report.rows) {
    const name = shown.includes(row.group || "(none)") ? row.group || "(none)" : "Other";
    const values = byName.get(name)!;
    const at = index.get(row.period ?? "")!;
    values[at] = (values[at] ?? 0) + costOf(row);
  }
  const series = [...byName].map(([name, values]) => ({ name, values }))
      .filter((s) => s.name !== "Other" || s.values.some((v) => v !== 0));
  return { periods, series };
}

// "service=Amazon EC2, region=us-east-1" -> ["service=Amazon EC2", "region=us-east-1"].
export function parseFilters(text: string): string[] {
  return text.split(",").map((part) => part.trim()).filter((part) => part.includes("="));
}
