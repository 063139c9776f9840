import { describe, expect, it } from "vitest";

import { metricUnit } from "./RecommendationDetail";

describe("metricUnit", () => {
  it("names CloudWatch's units", () => {
    expect(metricUnit("CPUUtilization")).toBe("%");
    expect(metricUnit("mem_used_percent")).toBe("%");
    expect(metricUnit("NetworkIn")).toBe("bytes / 5 min");
    expect(metricUnit("EBSReadOps")).toBe("operations / 5 min");
    expect(metricUnit("Something")).toBe("value");
  });
});
