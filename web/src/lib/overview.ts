// The Overview's numbers, computed from API answers (pure, so tested without a server).
import type { CostReport, StoredForecast } from "../api/client";
import { monthEnd } from "./format";

export type CostRow = CostReport["rows"][number];

// The measure the dashboards show: billed cost, as `costwise costs` reports it and as the
// forecaster models it (so month to date and the forecast of the remaining days add up).
export function costOf(row: { billed_cost?: string }): number {
  return Number(row.billed_cost ?? 0);
}

export interface MonthToDate {
  currency: string;
  latestDay: string;  // the last day with cost data: "today" for the dashboards
  monthStart: string;
  total: number;      // the latest month up to latestDay
  previousSamePeriod: number | null;  // the previous month's same days, when there are any
  changePercent: number | null;
}

// From a daily report (no grouping) over at least the latest two months.
export function monthToDate(daily: CostReport): MonthToDate | null {
  const rows = daily.rows.filter((row) => row.period);
  if (rows.length === 0) return null;
  const currency = rows[0]?.currency ?? "USD";
  const latestDay = rows.map((row) => row.period ?? "").reduce((a, b) => (a > b ? a : b));
  const month = latestDay.slice(0, 7);
  const dayOfMonth = Number(latestDay.slice(8, 10));
  const previous = new Date(`${month}-01T00:00:00Z`);
  previous.setUTCMonth(previous.getUTCMonth() - 1);
  const previousMonth = previous.toISOString().slice(0, 7);
  let total = 0;
  let before = 0;
  let beforeDays = 0;
  for (const row of rows) {
    const period = row.period ?? "";
    if (period.startsWith(month)) total += costOf(row);
    if (period.startsWith(previousMonth) && Number(period.slice(8, 10)) <= dayOfMonth) {
      before += costOf(row);
      beforeDays += 1;
    }
  }
  const previousSamePeriod = beforeDays > 0 ? before : null;
  const changePercent =
    previousSamePeriod !== null && previousSamePeriod !== 0
      ? ((total - previousSamePeriod) / Math.abs(previousSamePeriod)) * 100
      : null;
  return { currency, latestDay, monthStart: `${month}-01`, total, previousSamePeriod,
           changePercent };
}

export interface Projection {
  value: number;  // month to date plus the forecast of the month's remaining days
  low80: number;
  high80: number;
  forecastDays: number;
}

// The end-of-month projection: the month so far plus the total series' forecast for the days
// after the latest day up to the month's end. The band adds the days' 80% bounds, which is wider
// than the 80% interval of the sum (days' errors are not perfectly correlated): a cautious band.
export function projectMonthEnd(mtd: MonthToDate, forecast: StoredForecast | undefined):
    Projection | null {
  const total = forecast?.series.find((series) => series.kind === "total");
  if (!total?.points) return null;
  const end = monthEnd(mtd.latestDay);
  let value = mtd.total;
  let low80 = mtd.total;
  let high80 = mtd.total;
  let forecastDays = 0;
  for (const point of total.points) {
    const day = point.date ?? "";
    if (day <= mtd.latestDay || day > end) continue;
    value += Number(point.yhat ?? 0);
    low80 += Number(point.lo80 ?? 0);
    high80 += Number(point.hi80 ?? 0);
    forecastDays += 1;
  }
  const missing = Number(end.slice(8, 10)) - Number(mtd.latestDay.slice(8, 10)) - forecastDays;
  if (missing > 0) return null;  // the forecast does not reach the month's end
  return { value, low80, high80, forecastDays };
}

export interface Ranked {
  name: string;
  cost: number;
}

// A grouped report's groups by cost, largest first; beyond `top`, the rest as one "Other".
export function rankGroups(report: CostReport, top = 5): Ranked[] {
  const sums = new Map<string, number>();
  for (const row of report.rows) {
    const name = row.group || "(none)";
    sums.set(name, (sums.get(name) ?? 0) + costOf(row));
  }
  const ranked = [...sums].map(([name, cost]) => ({ name, cost }))
      .sort((a, b) => b.cost - a.cost || a.name.localeCompare(b.name));
  if (ranked.length <= top) return ranked;
  const rest = ranked.slice(top).reduce((sum, group) => sum + group.cost, 0);
  return [...ranked.slice(0, top), { name: "Other", cost: rest }];
}
