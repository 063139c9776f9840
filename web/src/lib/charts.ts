// Pieces of ECharts options the pages share.
import { formatDay, formatMoney } from "./format";

// A shaded band between two lines: an invisible base line at `low` with `high - low` stacked on
// it as an area. Null values leave gaps. Two series; name the legend entry `name`.
export function bandSeries(name: string, low: (number | null)[], high: (number | null)[],
                           color?: string) {
  const stack = `band:${name}`;
  return [
    // stackStrategy "all": a band below zero still stacks on its low line.
    { name: `${name} (low)`, type: "line", stack, stackStrategy: "all", showSymbol: false, silent: true,
      lineStyle: { opacity: 0 }, data: low, tooltip: { show: false } },
    { name, type: "line", stack, stackStrategy: "all", showSymbol: false, silent: true,
      lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.18, ...(color ? { color } : {}) },
      ...(color ? { itemStyle: { color } } : {}),
      data: high.map((value, i) => (value === null || low[i] === null ? null
                                                                      : value - (low[i] ?? 0))) },
  ];
}

// The axes of a chart of amounts by day.
export function dailyAxes(days: string[], currency: string) {
  return {
    xAxis: { type: "category", data: days, axisLabel: { formatter: formatDay } },
    yAxis: { type: "value", name: currency, axisLabel: {
      formatter: (value: number) => formatMoney(value, currency, true) } },
  };
}

export const moneyTooltip = (currency: string) => ({
  trigger: "axis",
  valueFormatter: (value: number | null) => (value === null ? "—" : formatMoney(value, currency)),
});
