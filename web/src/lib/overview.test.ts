import { describe, expect, it } from "vitest";

import type { CostReport, StoredForecast } from "../api/client";
import { monthToDate, projectMonthEnd, rankGroups } from "./overview";

function daily(days: Record<string, number>): CostReport {
  return {
    tenant: "acme",
    query: {},
    totals: [],
    rows: Object.entries(days).map(([period, cost]) => ({
      period, currency: "USD", billed_cost: String(cost), effective_cost: String(cost + 1),
    })),
  };
}

describe("monthToDate", () => {
  it("sums the latest month and compares with the same days of the month before", () => {
    const mtd = monthToDate(daily({
      "2024-07-01": 10, "2024-07-02": 10, "2024-07-03": 50,
      "2024-08-01": 12, "2024-08-02": 13,
    }));
    expect(mtd).not.toBeNull();
    expect(mtd?.latestDay).toBe("2024-08-02");
    expect(mtd?.monthStart).toBe("2024-08-01");
    expect(mtd?.total).toBe(25);
    expect(mtd?.previousSamePeriod).toBe(20);  // July 1-2, not July 3
    expect(mtd?.changePercent).toBeCloseTo(25);
  });

  it("has no change without the previous month, and nothing without data", () => {
    expect(monthToDate(daily({ "2024-08-01": 5 }))?.changePercent).toBeNull();
    expect(monthToDate(daily({}))).toBeNull();
  });
});

function forecast(from: string, days: number, yhat: number): StoredForecast {
  const points = Array.from({ length: days }, (_, i) => {
    const date = new Date(`${from}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + i);
    return { date: date.toISOString().slice(0, 10), yhat: String(yhat),
             lo80: String(yhat - 1), hi80: String(yhat + 2) };
  });
  return { tenant: "acme", horizon: 30, as_of: from, model_version: "forecaster/1",
           series: [{ kind: "total", label: "total", points }] } as StoredForecast;
}

describe("projectMonthEnd", () => {
  const mtd = monthToDate(daily({ "2024-08-01": 10, "2024-08-02": 10 }))!;

  it("adds the forecast of the month's remaining days with their band", () => {
    const projection = projectMonthEnd(mtd, forecast("2024-08-03", 30, 10));
    expect(projection?.forecastDays).toBe(29);  // Aug 3..31
    expect(projection?.value).toBe(20 + 290);
    expect(projection?.low80).toBe(20 + 29 * 9);
    expect(projection?.high80).toBe(20 + 29 * 12);
  });

  it("needs a forecast that reaches the month's end", () => {
    expect(projectMonthEnd(mtd, forecast("2024-08-03", 10, 10))).toBeNull();
    expect(projectMonthEnd(mtd, undefined)).toBeNull();
  });
});

describe("rankGroups", () => {
  it("ranks by cost and folds the tail into Other", () => {
    const report = daily({});
    report.rows = [
      { group: "EC2", billed_cost: "50" }, { group: "S3", billed_cost: "20" },
      { group: "EC2", billed_cost: "25" }, { group: "RDS", billed_cost: "5" },
      { group: "", billed_cost: "1" },
    ];
    expect(rankGroups(report, 2)).toEqual([
      { name: "EC2", cost: 75 }, { name: "S3", cost: 20 }, { name: "Other", cost: 6 },
    ]);
  });
});
