// The cost forecast: 30, 60 or 90 days of the total with its 80% and 95% bands after the last
// 90 days of history, the backtest accuracy beside it, and the forecast per service.
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { post, type StoredForecast } from "../api/client";
import { useSession } from "../auth/session";
import { Chart, type ChartOption } from "../components/Chart";
import { EmptyState, ErrorNotice, Skeleton, errorText } from "../components/States";
import { bandSeries, dailyAxes, moneyTooltip } from "../lib/charts";
import { addDays, formatDay, formatMoney, formatPercent } from "../lib/format";
import { costOf } from "../lib/overview";
import { costsQuery, forecastQuery } from "../lib/queries";

type Horizon = 30 | 60 | 90;
type Series = StoredForecast["series"][number];
const HISTORY_DAYS = 90;

export function sumPoints(series: Series, key: "yhat" | "lo80" | "hi80" | "lo95" | "hi95"): number {
  return (series.points ?? []).reduce((sum, point) => sum + Number(point[key] ?? 0), 0);
}

function Accuracy({ series }: { series: Series }) {
  const backtest = series.backtest;
  if (!backtest || !backtest.points) {
    return <p className="muted">Not enough history for a backtest yet.</p>;
  }
  const pct = (value: number | null | undefined) => formatPercent(value, false);  // percent
  return (
    <dl className="facts" data-testid="backtest">
      <dt>MAPE</dt><dd>{formatPercent(backtest.mape, false)}</dd>
      <dt>sMAPE</dt><dd>{formatPercent(backtest.smape, false)}</dd>
      <dt>MASE</dt><dd>{backtest.mase?.toFixed(2) ?? "—"}</dd>
      <dt>80% band held</dt><dd>{pct(backtest.coverage80)}</dd>
      <dt>95% band held</dt><dd>{pct(backtest.coverage95)}</dd>
      <dt>Days tested</dt><dd>{backtest.points}</dd>
      <dt>Model</dt><dd>{series.model ?? "—"}</dd>
    </dl>
  );
}

export function Forecast() {
  const [horizon, setHorizon] = useState<Horizon>(30);
  const { principal } = useSession();
  const client = useQueryClient();
  const total = useQuery(forecastQuery(horizon));
  const byService = useQuery(forecastQuery(horizon, "service"));
  const asOf = total.data?.as_of;
  const history = useQuery({
    ...costsQuery({ from: asOf ? addDays(asOf, -(HISTORY_DAYS - 1)) : "", to: asOf ?? "",
                    granularity: "day" }),
    enabled: Boolean(asOf),
  });
  const run = useMutation({
    mutationFn: async () => {
      await post("/api/ml/forecast", { horizon });
      await post("/api/ml/forecast", { horizon, group_by: "service" });
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["forecast"] }),
  });
  const totalSeries = total.data?.series.find((series) => series.kind === "total");
  const currency = totalSeries?.currency ?? "USD";

  const chart = useMemo<ChartOption | null>(() => {
    if (!totalSeries?.points || !history.data) return null;
    const past = history.data.rows.filter((row) => row.period)
        .sort((a, b) => (a.period ?? "").localeCompare(b.period ?? ""));
    const ahead = totalSeries.points;
    const blank = past.map(() => null);
    const future = (key: "yhat" | "lo80" | "hi80" | "lo95" | "hi95") =>
      [...blank, ...ahead.map((point) => Number(point[key]))];
    return {
      tooltip: moneyTooltip(currency),
      legend: { top: 0, data: ["Actual", "Forecast", "80% band", "95% band"] },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      ...dailyAxes([...past.map((row) => row.period ?? ""), ...ahead.map((p) => p.date ?? "")],
                   currency),
      series: [
        { name: "Actual", type: "line", showSymbol: false, data: past.map((row) => costOf(row)) },
        { name: "Forecast", type: "line", showSymbol: false, lineStyle: { type: "dashed" },
          data: future("yhat") },
        ...bandSeries("95% band", future("lo95"), future("hi95"), "#93c5fd"),
        ...bandSeries("80% band", future("lo80"), future("hi80"), "#3b82f6"),
      ],
    };
  }, [totalSeries, history.data, currency]);

  const head = (
    <div className="page-head">
      <h1>Forecast</h1>
      <fieldset className="segmented" aria-label="Horizon">
        {([30, 60, 90] as const).map((days) => (
          <label key={days}>
            <input type="radio" name="horizon" checked={horizon === days}
                   onChange={() => setHorizon(days)} />
            {days} days
          </label>
        ))}
      </fieldset>
      {principal?.role !== "viewer" && (
        <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>
          {run.isPending ? "Forecasting…" : "Forecast now"}
        </button>
      )}
    </div>
  );
  if (total.isError) return <section>{head}<ErrorNotice error={total.error} /></section>;
  if (total.isPending) return <section>{head}<Skeleton height={360} /></section>;
  if (!total.data || !totalSeries) {
    return (
      <section>
        {head}
        {run.isError && <div className="notice error" role="alert">{errorText(run.error)}</div>}
        <EmptyState title={`No ${horizon}-day forecast yet`}>
          <p>A 30-day forecast runs after every upload. Press “Forecast now” for this horizon.</p>
        </EmptyState>
      </section>
    );
  }
  const services = (byService.data?.series ?? []).filter((series) => series.kind !== "total");
  return (
    <section>
      {head}
      {run.isError && <div className="notice error" role="alert">{errorText(run.error)}</div>}
      <p className="muted">
        {formatDay(total.data.forecast_from ?? "")} to {formatDay(total.data.forecast_to ?? "")},
        from the billed cost up to {formatDay(total.data.as_of)} · {total.data.model_version}
      </p>
      <div className="metrics">
        <div className="card metric" data-testid="forecast-total">
          <div className="metric-label">Forecast, next {horizon} days</div>
          <div className="metric-value">{formatMoney(sumPoints(totalSeries, "yhat"), currency)}</div>
          <div className="metric-detail">
            80% {formatMoney(sumPoints(totalSeries, "lo80"), currency)} – {formatMoney(sumPoints(totalSeries, "hi80"), currency)}
          </div>
        </div>
        <div className="card metric">
          <div className="metric-label">95% range, next {horizon} days</div>
          <div className="metric-value">
            {formatMoney(sumPoints(totalSeries, "lo95"), currency, true)} – {formatMoney(sumPoints(totalSeries, "hi95"), currency, true)}
          </div>
          <div className="metric-detail">the days' bounds added: a cautious range</div>
        </div>
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>Daily cost: the last {HISTORY_DAYS} days and the forecast</h2>
          {chart ? <Chart option={chart} height={360} label="Daily cost history and forecast with 80% and 95% bands" />
                 : <Skeleton height={360} />}
        </div>
        <div className="card">
          <h2>Backtest accuracy</h2>
          <p className="muted">The model forecast the days it had already seen, before seeing them.</p>
          <Accuracy series={totalSeries} />
        </div>
      </div>
      <div className="card">
        <h2>By service</h2>
        {byService.isPending ? <Skeleton lines={5} /> : services.length === 0 ? (
          <p className="muted">No per-service forecast for this horizon yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="table" data-testid="forecast-services">
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col" className="num">Forecast</th>
                  <th scope="col" className="num">80% range</th>
                  <th scope="col" className="num">Backtest MAPE</th>
                </tr>
              </thead>
              <tbody>
                {services.sort((a, b) => sumPoints(b, "yhat") - sumPoints(a, "yhat")).map((series) => (
                  <tr key={series.id ?? series.label}>
                    <td>{series.label}</td>
                    <td className="num">{formatMoney(sumPoints(series, "yhat"), currency)}</td>
                    <td className="num">
                      {formatMoney(sumPoints(series, "lo80"), currency)} – {formatMoney(sumPoints(series, "hi80"), currency)}
                    </td>
                    <td className="num">{formatPercent(series.backtest?.mape, false)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
