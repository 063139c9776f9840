import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { fakeFetch, renderAt } from "../test-utils";
import { Anomalies } from "./Anomalies";

afterEach(() => vi.unstubAllGlobals());

describe("Anomalies", () => {
  it("lists the synced metrics' anomalies below the cost anomalies, once there are some", async () => {
    fakeFetch({
      "GET /api/ml/anomalies": { body: { tenant: "acme", total: 0, limit: 25, offset: 0, anomalies: [] } },
      "GET /api/ml/metric-anomalies": { body: { anomalies: [{
        id: 7, instance_id: "i-big", region: "us-east-1", metric: "CPUUtilization",
        started_at: "2026-11-25T10:05:00Z", ended_at: "2026-11-25T10:30:00Z", peak_value: 80,
        expected_value: 2.94, score: 0.999, status: "closed", detected_at: "2026-11-27T09:00:00Z",
      }] } },
    });
    renderAt(<Anomalies />);
    const table = await screen.findByTestId("metric-anomalies");
    expect(within(table).getByText("CPUUtilization")).toBeTruthy();
    expect(within(table).getByText("80")).toBeTruthy();
    expect(within(table).getByText("2.94")).toBeTruthy();
  });

  it("shows no metric section without metric anomalies", async () => {
    const { calls } = fakeFetch({
      "GET /api/ml/anomalies": { body: { tenant: "acme", total: 0, limit: 25, offset: 0, anomalies: [] } },
      "GET /api/ml/metric-anomalies": { body: { anomalies: [] } },
    });
    renderAt(<Anomalies />);
    await vi.waitFor(() => expect(calls).toContain("GET /api/ml/metric-anomalies?limit=50"));
    await new Promise((resolve) => setTimeout(resolve, 50));  // the answer rendered
    expect(screen.queryByTestId("metric-anomalies")).toBeNull();
  });
});
