import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { fakeFetch, renderAt } from "../test-utils";
import { Overview } from "./Overview";

vi.mock("../components/Chart", () => ({
  Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

afterEach(() => vi.unstubAllGlobals());

const row = (period: string, cost: string, group?: string) =>
  ({ period, group, currency: "USD", billed_cost: cost, effective_cost: "0" });

describe("Overview", () => {
  it("shows month to date, the change, top services, anomalies and savings", async () => {
    fakeFetch({
      "GET /api/costs?from=2000-01-01": { body: { tenant: "acme", query: {}, totals: [],
        rows: [row("2024-07", "300"), row("2024-08", "250")] } },
      "GET /api/costs?from=2024-07-01": { body: { tenant: "acme", query: {}, totals: [],
        rows: [row("2024-07-01", "100"), row("2024-07-02", "100"), row("2024-07-03", "100"),
               row("2024-08-01", "125"), row("2024-08-02", "125")] } },
      "GET /api/costs?from=2024-08-01": { body: { tenant: "acme", query: {}, totals: [],
        rows: [row("2024-08", "200", "Amazon EC2"), row("2024-08", "50", "Amazon S3")] } },
      "GET /api/ml/forecast": { status: 404, body: { error: { code: "not_found", message: "none" } } },
      "GET /api/ml/anomalies": { body: { tenant: "acme", total: 2, anomalies: [
        { id: 1, impact: "1600.5" }] } },
      "GET /api/ml/recommendations": { body: { tenant: "acme", total: 2, recommendations: [
        { id: 1, monthly_savings: "70" }, { id: 2, monthly_savings: "30.25" }] } },
    });
    renderAt(<Overview />);
    const mtd = await screen.findByTestId("month-to-date");
    expect(within(mtd).getByText("$250.00")).toBeTruthy();
    expect(within(mtd).getByText("+25% vs the same days last month")).toBeTruthy();
    expect(within(screen.getByTestId("projected")).getByText("no forecast yet")).toBeTruthy();
    expect(await screen.findByText("Amazon EC2")).toBeTruthy();
    const anomalies = screen.getByTestId("open-anomalies");
    expect(within(anomalies).getByText("2")).toBeTruthy();
    expect(within(anomalies).getByText("largest $1,600.50")).toBeTruthy();
    expect(within(screen.getByTestId("savings")).getByText("$100.25/mo")).toBeTruthy();
  });

  it("says what to do when there is no cost data", async () => {
    fakeFetch({
      "GET /api/costs": { body: { tenant: "acme", query: {}, totals: [], rows: [] } },
      "GET /api/ml": { body: { tenant: "acme", total: 0, anomalies: [], recommendations: [] } },
    });
    renderAt(<Overview />);
    expect(await screen.findByText("No cost data yet")).toBeTruthy();
    expect(screen.getByText(/upload a CUR or FOCUS export/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Open a sample workspace" })).toBeTruthy();
  });

  it("shows the server's error with a way to retry", async () => {
    fakeFetch({ "GET /api/costs": { status: 503, body: { error: {
      code: "unavailable", message: "the database does not answer" } } } });
    renderAt(<Overview />);
    expect(await screen.findByRole("alert")).toBeTruthy();
    expect(screen.getByText("the database does not answer")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
