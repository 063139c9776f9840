// The Overview: month-to-date spend and its end-of-month projection with a band, the change
// against the same days of last month, the top services, open anomalies and the potential
// savings of open recommendations.
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { Chart, type ChartOption } from "../components/Chart";
import { OpenSampleButton } from "../components/SampleWorkspace";
import { EmptyState, ErrorNotice, Skeleton } from "../components/States";
import { bandSeries, dailyAxes, moneyTooltip } from "../lib/charts";
import { addDays, formatDay, formatMoney, formatPercent, monthEnd } from "../lib/format";
import { costOf, monthToDate, projectMonthEnd, rankGroups } from "../lib/overview";
import { ALL_TIME, anomaliesQuery, costsQuery, forecastQuery,
         recommendationsQuery } from "../lib/queries";

function Metric({ label, value, detail, testId }:
                { label: string; value: string; detail?: string; testId: string }) {
  return (
    <div className="card metric" data-testid={testId}>
      <div className="metric-label">{label}</div>
      <div className="metric-value">{value}</div>
      {detail && <div className="metric-detail">{detail}</div>}
    </div>
  );
}

export function Overview() {
  const months = useQuery(costsQuery({ ...ALL_TIME, granularity: "month" }));
  const latestMonth = months.data?.rows.map((row) => row.period ?? "").sort().at(-1);
  const previousStart = latestMonth ? addDays(`${latestMonth}-01`, -1).slice(0, 7) + "-01" : "";
  const daily = useQuery({
    ...costsQuery({ from: previousStart, to: latestMonth ? monthEnd(`${latestMonth}-01`) : "",
                    granularity: "day" }),
    enabled: Boolean(latestMonth),
  });
  const mtd = useMemo(() => (daily.data ? monthToDate(daily.data) : null), [daily.data]);
  const services = useQuery({
    ...costsQuery({ from: mtd?.monthStart ?? "", to: mtd?.latestDay ?? "", granularity: "month",
                    group_by: "service" }),
    enabled: Boolean(mtd),
  });
  const forecast = useQuery(forecastQuery(30));
  const anomalies = useQuery(anomaliesQuery({ status: "open", limit: 5 }));
  const savings = useQuery(recommendationsQuery({ status: "open", limit: 1000 }));
  const projection = mtd ? projectMonthEnd(mtd, forecast.data ?? undefined) : null;
  const currency = mtd?.currency ?? "USD";
  const monthlySavings = (savings.data?.recommendations ?? [])
      .reduce((sum, r) => sum + Number(r.monthly_savings), 0);

  const chart = useMemo<ChartOption | null>(() => {
    if (!daily.data || !mtd) return null;
    const days = daily.data.rows.filter((row) => row.period)
        .sort((a, b) => (a.period ?? "").localeCompare(b.period ?? ""));
    const total = forecast.data?.series.find((series) => series.kind === "total");
    const ahead = (total?.points ?? []).filter((p) => (p.date ?? "") > mtd.latestDay &&
                                                   (p.date ?? "") <= monthEnd(mtd.latestDay));
    const labels = [...days.map((row) => row.period ?? ""), ...ahead.map((p) => p.date ?? "")];
    const blank = days.map(() => null);
    return {
      tooltip: moneyTooltip(currency),
      legend: { top: 0, data: ["Daily cost", "Forecast", "80% band"] },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      ...dailyAxes(labels, currency),
      series: [
        { name: "Daily cost", type: "bar", data: days.map((row) => costOf(row)) },
        { name: "Forecast", type: "line", showSymbol: false,
          data: [...blank, ...ahead.map((p) => Number(p.yhat))] },
        ...bandSeries("80% band", [...blank, ...ahead.map((p) => Number(p.lo80))],
                      [...blank, ...ahead.map((p) => Number(p.hi80))]),
      ],
    };
  }, [daily.data, mtd, forecast.data, currency]);

  if (months.isError) return <ErrorNotice error={months.error} retry={() => void months.refetch()} />;
  if (months.isPending || (latestMonth && daily.isPending)) {
    return (
      <section>
        <h1>Overview</h1>
        <div className="metrics">{[1, 2, 3, 4].map((i) => <Skeleton key={i} lines={2} />)}</div>
        <Skeleton height={320} />
      </section>
    );
  }
  if (!latestMonth || !mtd) {
    return (
      <section>
        <h1>Overview</h1>
        <EmptyState title="No cost data yet">
          <p><Link to="/onboarding">Connect an AWS account</Link> or{" "}
            <Link to="/upload">upload a CUR or FOCUS export</Link> (or run{" "}
            <code>costwise ingest</code>) and the Overview fills in: spend, forecast, anomalies
            and savings.</p>
          <p>No cloud account at hand? Look around a workspace of public sample data first.</p>
          <OpenSampleButton />
        </EmptyState>
      </section>
    );
  }
  return (
    <section>
      <h1>Overview</h1>
      <p className="muted">
        {formatDay(mtd.monthStart)} to {formatDay(mtd.latestDay)} (the latest day billed),
        billed cost
      </p>
      {daily.isError && <ErrorNotice error={daily.error} />}
      <div className="metrics">
        <Metric testId="month-to-date" label="Month to date" value={formatMoney(mtd.total, currency)}
                detail={mtd.changePercent === null ? "no data for last month" :
                  `${formatPercent(mtd.changePercent)} vs the same days last month`} />
        <Metric testId="projected" label="Projected end of month"
                value={projection ? formatMoney(projection.value, currency) : "—"}
                detail={projection && projection.forecastDays === 0
                  ? "the month is complete: nothing left to forecast"
                  : projection
                  ? `80% band ${formatMoney(projection.low80, currency)} – ${formatMoney(projection.high80, currency)}`
                  : forecast.isPending ? "loading the forecast" : "no forecast yet"} />
        <Metric testId="open-anomalies" label="Open anomalies"
                value={anomalies.data ? String(anomalies.data.total) : "—"}
                detail={anomalies.data?.anomalies[0]
                  ? `largest ${formatMoney(anomalies.data.anomalies[0].impact, currency)}`
                  : "none open"} />
        <Metric testId="savings" label="Potential savings"
                value={savings.data ? `${formatMoney(monthlySavings, currency)}/mo` : "—"}
                detail={savings.data ? `${savings.data.total} open recommendations` : undefined} />
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>Daily cost and forecast</h2>
          {chart ? <Chart option={chart} label="Daily cost of the last two months and the forecast to the month's end" />
                 : <Skeleton height={320} />}
        </div>
        <div className="card">
          <h2>Top services this month</h2>
          {services.isPending ? <Skeleton lines={5} /> : services.isError
            ? <ErrorNotice error={services.error} />
            : (
              <table className="table">
                <thead><tr><th scope="col">Service</th><th scope="col" className="num">Cost</th></tr></thead>
                <tbody>
                  {rankGroups(services.data, 6).map((group) => (
                    <tr key={group.name}>
                      <td>{group.name}</td>
                      <td className="num">{formatMoney(group.cost, currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          <p><Link to="/costs">Open the cost explorer</Link></p>
        </div>
      </div>
    </section>
  );
}
