import { describe, expect, it } from "vitest";

import { totalSavings } from "./savings";

describe("totalSavings", () => {
  it("adds the monthly savings and makes a year of them", () => {
    expect(totalSavings([{ monthly_savings: "70.5" }, { monthly_savings: "29.5" }]))
        .toEqual({ monthly: 100, yearly: 1200 });
    expect(totalSavings([])).toEqual({ monthly: 0, yearly: 0 });
  });
});
