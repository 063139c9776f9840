import { describe, expect, it } from "vitest";

import { addDays, formatDay, formatMoney, formatPercent, monthEnd } from "./format";

describe("formatMoney", () => {
  it("shows exact decimal strings to the cent with the currency", () => {
    expect(formatMoney("1234.567890123")).toBe("$1,234.57");
    expect(formatMoney("-3.5", "EUR")).toBe("-€3.50");
    expect(formatMoney(1500, "USD", true)).toBe("$1.5K");
  });

  it("shows a dash for nothing and for text that is not a number", () => {
    expect(formatMoney(undefined)).toBe("—");
    expect(formatMoney("lots")).toBe("—");
  });

  it("falls back to the code for a currency Intl does not know", () => {
    expect(formatMoney("2", "XXXX")).toBe("2.00 XXXX");
  });
});

describe("formatPercent", () => {
  it("signs increases and keeps one decimal below ten", () => {
    expect(formatPercent(4.25)).toBe("+4.3%");
    expect(formatPercent(-12.6)).toBe("-13%");
    expect(formatPercent(null)).toBe("—");
  });
});

describe("days", () => {
  it("formats days and months in UTC", () => {
    expect(formatDay("2024-08-20")).toBe("Aug 20, 2024");
    expect(formatDay("2024-08")).toBe("August 2024");
  });

  it("adds days and finds the month's end across years and leap days", () => {
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(monthEnd("2024-02-10")).toBe("2024-02-29");
    expect(monthEnd("2023-12-05")).toBe("2023-12-31");
  });
});
