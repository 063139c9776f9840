import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { fakeFetch, renderAt } from "../test-utils";
import { Recommendations, riskName } from "./Recommendations";

afterEach(() => vi.unstubAllGlobals());

const recommendation = (id: number, resource: string, savings: string) => ({
  id, kind: "instance", resource_id: resource, region: "us-east-1", finding: "idle",
  action: "stop", current_type: "m5.large", recommended_type: null, monthly_savings: savings,
  performance_risk: 1, confidence: 0.9, status: "open", model_version: "rightsizing/1",
  actions: { aws_cli: [] },
});

describe("Recommendations", () => {
  it("adds up the selected recommendations by month and by year", async () => {
    fakeFetch({ "GET /api/ml/recommendations": { body: { tenant: "acme", total: 2,
      recommendations: [recommendation(1, "i-a", "70"), recommendation(2, "i-b", "30.5")] } } });
    renderAt(<Recommendations />);
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText("Select i-b"));
    const calculator = screen.getByTestId("savings-calculator");
    expect(within(calculator).getByText("1 selected")).toBeTruthy();
    expect(within(calculator).getByText("$30.50 a month")).toBeTruthy();
    expect(within(calculator).getByText("$366.00 a year")).toBeTruthy();
    await user.click(screen.getByLabelText("Select all"));
    expect(within(calculator).getByText("$100.50 a month")).toBeTruthy();
    await user.click(screen.getByLabelText("Select all"));
    expect(within(calculator).getByText("0 selected")).toBeTruthy();
  });

  it("names the risk on Compute Optimizer's scale", () => {
    expect(riskName(0)).toBe("very low");
    expect(riskName(2)).toBe("medium");
    expect(riskName(9)).toBe("very high");
  });
});
