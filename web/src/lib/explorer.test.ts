import { describe, expect, it } from "vitest";

import type { CostReport } from "../api/client";
import { parseFilters, stackByPeriod } from "./explorer";

const report = (rows: [string, string, number][]): CostReport => ({
  tenant: "acme", query: {}, totals: [],
  rows: rows.map(([period, group, cost]) => ({ period, group, billed_cost: String(cost) })),
});

describe("stackByPeriod", () => {
  it("keeps the largest groups and folds the rest into Other, per period", () => {
    const stacked = stackByPeriod(report([
      ["2024-01", "EC2", 10], ["2024-02", "EC2", 30], ["2024-01", "S3", 5],
      ["2024-02", "RDS", 2], ["2024-01", "Lambda", 1],
    ]), 2);
    expect(stacked.periods).toEqual(["2024-01", "2024-02"]);
    expect(stacked.series).toEqual([
      { name: "EC2", values: [10, 30] },
      { name: "S3", values: [5, 0] },
      { name: "Other", values: [1, 2] },
    ]);
  });

  it("has no Other when every group is shown", () => {
    const stacked = stackByPeriod(report([["2024-01", "EC2", 10]]));
    expect(stacked.series.map((s) => s.name)).toEqual(["EC2"]);
  });
});

describe("parseFilters", () => {
  it("keeps dimension=value pairs", () => {
    expect(parseFilters(" service=Amazon EC2, junk ,region=us-east-1")).toEqual([
      "service=Amazon EC2", "region=us-east-1",
    ]);
  });
});
