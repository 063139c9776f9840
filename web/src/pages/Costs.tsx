// The cost explorer: spend stacked by a dimension over a date range, daily or monthly, with
// filters, a table of the groups under the chart and the same query as a CSV download.
import { useMemo, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { withQuery } from "../api/client";
import { Chart, type ChartOption } from "../components/Chart";
import { EmptyState, ErrorNotice, Skeleton } from "../components/States";
import { formatDay, formatMoney, monthEnd } from "../lib/format";
import { parseFilters, stackByPeriod } from "../lib/explorer";
import { rankGroups } from "../lib/overview";
import { ALL_TIME, costsQuery, type CostQuery } from "../lib/queries";

const dimensions = [
  ["service", "Service"], ["account", "Account"], ["region", "Region"],
  ["usage-type", "Usage type"], ["resource", "Resource"], ["charge-category", "Charge category"],
] as const;

export function Costs() {
  const months = useQuery(costsQuery({ ...ALL_TIME, granularity: "month" }));
  const periods = (months.data?.rows ?? []).map((row) => row.period ?? "").sort();
  const [groupBy, setGroupBy] = useState("service");
  const [tagKey, setTagKey] = useState("");
  const [granularity, setGranularity] = useState<"day" | "month">("day");
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  const [filterText, setFilterText] = useState("");

  // Default range: the last three months with data.
  const lastPeriod = periods.at(-1);
  const defaultRange = lastPeriod
    ? { from: `${periods.at(-3) ?? periods[0]}-01`, to: monthEnd(`${lastPeriod}-01`) }
    : null;
  const shown = range ?? defaultRange;
  const group = groupBy === "tag" ? (tagKey ? `tag:${tagKey}` : "") : groupBy;
  const query: CostQuery | null = shown
    ? { ...shown, granularity, group_by: group || undefined, filter: parseFilters(filterText) }
    : null;
  const report = useQuery({
    ...costsQuery(query ?? { ...ALL_TIME, granularity }),
    enabled: Boolean(query),
    placeholderData: keepPreviousData,
  });
  const currency = report.data?.totals[0]?.currency ?? "USD";

  const chart = useMemo<ChartOption | null>(() => {
    if (!report.data) return null;
    const stacked = stackByPeriod(report.data);
    return {
      tooltip: { trigger: "axis", valueFormatter: (v: number) => formatMoney(v, currency) },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 8, top: 60, bottom: 40, containLabel: true },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 4 }],
      xAxis: { type: "category", data: stacked.periods, axisLabel: { formatter: formatDay } },
      yAxis: { type: "value", name: currency,
               axisLabel: { formatter: (v: number) => formatMoney(v, currency, true) } },
      series: stacked.series.map((s) => ({
        name: s.name, type: "bar", stack: "cost", data: s.values,
        emphasis: { focus: "series" },
      })),
    };
  }, [report.data, currency]);

  if (months.isError) return <ErrorNotice error={months.error} retry={() => void months.refetch()} />;
  if (months.isPending) return <section><h1>Cost explorer</h1><Skeleton height={360} /></section>;
  if (!shown || !query) {
    return (
      <section>
        <h1>Cost explorer</h1>
        <EmptyState title="No cost data yet">
          <p><Link to="/upload">Upload a CUR or FOCUS export</Link> to explore spend by service,
            account, region and tag.</p>
        </EmptyState>
      </section>
    );
  }
  const groups = report.data ? rankGroups(report.data, Number.MAX_SAFE_INTEGER) : [];
  const total = groups.reduce((sum, g) => sum + g.cost, 0);
  return (
    <section>
      <h1>Cost explorer</h1>
      <form className="controls" onSubmit={(event) => event.preventDefault()}>
        <label>
          Group by
          <select value={groupBy} onChange={(event) => setGroupBy(event.target.value)}>
            {dimensions.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            <option value="tag">Tag…</option>
          </select>
        </label>
        {groupBy === "tag" && (
          <label>
            Tag key
            <input value={tagKey} placeholder="team" onChange={(e) => setTagKey(e.target.value)} />
          </label>
        )}
        <label>
          From
          <input type="date" value={shown.from}
                 onChange={(e) => setRange({ ...shown, from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={shown.to}
                 onChange={(e) => setRange({ ...shown, to: e.target.value })} />
        </label>
        <fieldset className="segmented">
          <legend>Granularity</legend>
          {(["day", "month"] as const).map((value) => (
            <label key={value}>
              <input type="radio" name="granularity" value={value}
                     checked={granularity === value} onChange={() => setGranularity(value)} />
              {value === "day" ? "Daily" : "Monthly"}
            </label>
          ))}
        </fieldset>
        <label className="wide">
          Filters
          <input value={filterText} placeholder="region=us-east-1, account=123456789012"
                 onChange={(e) => setFilterText(e.target.value)} />
        </label>
        <a className="button" href={withQuery("/api/costs", { ...query, format: "csv" })}
           download="costs.csv">Export CSV</a>
      </form>
      {report.isError && <ErrorNotice error={report.error} />}
      <div className="card">
        {chart ? <Chart option={chart} height={380}
                        label={`Cost by ${group || "total"} from ${shown.from} to ${shown.to}`} />
               : <Skeleton height={380} />}
      </div>
      {report.data && (
        <div className="card">
          <table className="table" data-testid="cost-table">
            <thead>
              <tr>
                <th scope="col">{group ? dimensions.find(([v]) => v === groupBy)?.[1] ?? group : "Total"}</th>
                <th scope="col" className="num">Cost ({currency})</th>
                <th scope="col" className="num">Share</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.name}>
                  <td>{g.name}</td>
                  <td className="num">{formatMoney(g.cost, currency)}</td>
                  <td className="num">{total ? `${((g.cost / total) * 100).toFixed(1)}%` : "—"}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr><th scope="row">Total</th><td className="num">{formatMoney(total, currency)}</td><td /></tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
