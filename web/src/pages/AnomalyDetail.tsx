// One anomaly: its monitor's days with the expected band and the anomalous window shaded, the
// root causes as bars, and feedback (yes, no, planned) that retrains the detector.
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";

import { get, post, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { Badge } from "../components/Badge";
import { Chart, type ChartOption } from "../components/Chart";
import { ErrorNotice, Skeleton, errorText } from "../components/States";
import { bandSeries, dailyAxes, moneyTooltip } from "../lib/charts";
import { formatMoney, formatPercent } from "../lib/format";
import { dateRange } from "./Anomalies";

type Detail = Schemas["AnomalyDetail"];
type Verdict = "yes" | "no" | "planned";

const verdicts: { verdict: Verdict; label: string; help: string }[] = [
  { verdict: "yes", label: "Yes, a real anomaly", help: "keep alerting on this pattern" },
  { verdict: "no", label: "No, not an anomaly", help: "suppress the same pattern later" },
  { verdict: "planned", label: "Planned", help: "expected activity: suppress it later" },
];

export function seriesChart(detail: Detail, currency: string): ChartOption {
  const days = detail.series.map((day) => day.date ?? "");
  const inside = detail.series.filter((day) => day.in_anomaly);
  return {
    tooltip: moneyTooltip(currency),
    legend: { top: 0, data: ["Actual", "Expected", "Normal range"] },
    grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
    ...dailyAxes(days, currency),
    series: [
      { name: "Actual", type: "line", showSymbol: false, data: detail.series.map((d) => Number(d.actual)),
        markArea: inside.length === 0 ? undefined : {
          itemStyle: { color: "rgba(220, 38, 38, 0.12)" },
          data: [[{ name: "Anomaly", xAxis: inside[0]?.date }, { xAxis: inside.at(-1)?.date }]],
        } },
      { name: "Expected", type: "line", showSymbol: false, lineStyle: { type: "dashed" },
        data: detail.series.map((d) => Number(d.expected)) },
      ...bandSeries("Normal range", detail.series.map((d) => Number(d.lower)),
                    detail.series.map((d) => Number(d.upper))),
    ],
  };
}

export function rootCauseChart(detail: Detail, currency: string): ChartOption {
  const causes = [...(detail.root_causes ?? [])].slice(0, 12).reverse();
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
               valueFormatter: (value: number) => formatMoney(value, currency) },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", name: currency, splitNumber: 3,
             axisLabel: { hideOverlap: true, formatter: (v: number) => formatMoney(v, currency, true) } },
    yAxis: { type: "category", data: causes.map((c) => `${c.dimension}=${c.value}`),
             axisLabel: { width: 150, overflow: "truncate" } },
    series: [{ name: "Contribution", type: "bar", data: causes.map((c) => Number(c.impact)) }],
  };
}

export function AnomalyDetail() {
  const { id } = useParams();
  const client = useQueryClient();
  const { principal } = useSession();
  const [note, setNote] = useState("");
  const detail = useQuery({
    queryKey: ["anomaly", id],
    queryFn: () => get<Detail>(`/api/ml/anomalies/${id}`),
  });
  const feedback = useMutation({
    mutationFn: (verdict: Verdict) =>
      post(`/api/ml/anomalies/${id}/feedback`, { verdict, note }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["anomaly", id] });
      void client.invalidateQueries({ queryKey: ["anomalies"] });
    },
  });
  const currency = detail.data?.monitor.currency ?? "USD";
  const series = useMemo(() => (detail.data ? seriesChart(detail.data, currency) : null),
                         [detail.data, currency]);
  const causes = useMemo(() => (detail.data ? rootCauseChart(detail.data, currency) : null),
                         [detail.data, currency]);

  if (detail.isError) return <ErrorNotice error={detail.error} retry={() => void detail.refetch()} />;
  if (!detail.data) return <section><Skeleton lines={2} /><Skeleton height={320} /></section>;
  const anomaly = detail.data;
  const verdict = anomaly.feedback?.verdict ?? "none";
  return (
    <section>
      <p><Link to="/anomalies">← Anomalies</Link></p>
      <div className="page-head">
        <h1>{anomaly.monitor.label}</h1>
        <Badge tone={anomaly.severity}>{anomaly.severity}</Badge>
        <span className="muted">{anomaly.status} · {anomaly.model_version}</span>
      </div>
      <p className="muted">{dateRange(anomaly)}</p>
      <div className="metrics">
        <div className="card metric"><div className="metric-label">Impact</div>
          <div className="metric-value" data-testid="anomaly-impact">{formatMoney(anomaly.impact, currency)}</div>
          <div className="metric-detail">{formatPercent(anomaly.impact_percent)} over expected</div></div>
        <div className="card metric"><div className="metric-label">Actual spend</div>
          <div className="metric-value">{formatMoney(anomaly.actual_spend, currency)}</div></div>
        <div className="card metric"><div className="metric-label">Expected spend</div>
          <div className="metric-value">{formatMoney(anomaly.expected_spend, currency)}</div></div>
        <div className="card metric"><div className="metric-label">Score</div>
          <div className="metric-value">{(anomaly.max_score ?? 0).toFixed(3)}</div>
          <div className="metric-detail">0 routine, 1 most unusual</div></div>
      </div>
      <div className="card">
        <h2>Daily spend, expected band and the anomalous window</h2>
        {series && anomaly.series.length > 0
          ? <Chart option={series} label={`Daily spend of ${anomaly.monitor.label}`} />
          : <p className="muted">This monitor is no longer among the scanned ones.</p>}
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>Root causes</h2>
          {causes && (anomaly.root_causes?.length ?? 0) > 0
            ? <Chart option={causes} height={Math.max(200, 28 * Math.min(12, anomaly.root_causes?.length ?? 0))}
                     label="Contributions to the impact by dimension value" />
            : <p className="muted">No contributor stands out.</p>}
        </div>
        <div className="card">
          <h2>Was this an anomaly?</h2>
          <p className="muted">
            Current answer: <strong data-testid="verdict">{verdict}</strong>
            {anomaly.feedback?.note ? ` (“${anomaly.feedback.note}”)` : ""}
          </p>
          {principal?.role !== "viewer" && (
            <>
              <label>
                Note (optional)
                <input value={note} onChange={(e) => setNote(e.target.value)}
                       placeholder="e.g. the quarterly load test" />
              </label>
              <div className="button-row">
                {verdicts.map((option) => (
                  <button key={option.verdict} type="button" title={option.help}
                          aria-pressed={verdict === option.verdict}
                          disabled={feedback.isPending}
                          onClick={() => feedback.mutate(option.verdict)}>
                    {option.label}
                  </button>
                ))}
              </div>
              {feedback.isError && <div className="notice error" role="alert">{errorText(feedback.error)}</div>}
            </>
          )}
        </div>
      </div>
    </section>
  );
}
