// One recommendation: what to change and what it saves, the instance's utilization, the exact
// commands, and the apply flow (review, dry run, confirm, result); dismiss, snooze, reopen.
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";

import { get, post, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { Badge } from "../components/Badge";
import { Chart, type ChartOption } from "../components/Chart";
import { ErrorNotice, Skeleton, errorText } from "../components/States";
import { addDays, formatDay, formatMoney, isoDay } from "../lib/format";
import { riskName, riskTone } from "./Recommendations";

type Detail = Schemas["RecommendationDetail"];
type Plan = Schemas["ApplyPlan"];

// One small bar chart per metric (their units differ: percent, bytes, operations): mean, p95
// and max of the samples over the lookback.
function utilizationChart(detail: Detail): ChartOption | null {
  const metrics = detail.utilization?.metrics ?? [];
  if (metrics.length === 0) return null;
  const width = 100 / metrics.length;
  const stats = ["mean", "p95", "max"] as const;
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    title: metrics.map((m, i) => ({
      text: `${m.metric} (${metricUnit(m.metric ?? "")})`, left: `${i * width + width / 2}%`,
      textAlign: "center", top: 0,
      textStyle: { fontSize: 12, fontWeight: "normal" },
    })),
    grid: metrics.map((_, i) => ({
      left: `${i * width + 2}%`, width: `${width - 4}%`, top: 28, bottom: 8, containLabel: true,
    })),
    xAxis: metrics.map((_, i) => ({ type: "category", gridIndex: i, data: [...stats] })),
    yAxis: metrics.map((_, i) => ({ type: "value", gridIndex: i,
                                    axisLabel: { formatter: (v: number) => compactNumber(v) } })),
    series: metrics.map((m, i) => ({
      name: m.metric, type: "bar", xAxisIndex: i, yAxisIndex: i,
      data: stats.map((stat) => Number((m[stat] ?? 0).toFixed(2))),
    })),
  };
}

// CloudWatch's units of the metrics costwise reads (5-minute samples).
export function metricUnit(metric: string): string {
  if (metric === "CPUUtilization" || metric.endsWith("_percent")) return "%";
  if (metric.startsWith("Network") || metric.startsWith("EBSRead") || metric.startsWith("EBSWrite")) {
    return metric.endsWith("Ops") ? "operations / 5 min" : "bytes / 5 min";
  }
  return "value";
}

const compactFormat = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const compactNumber = (value: number) => compactFormat.format(value);

function ApplyFlow({ detail, canApply }: { detail: Detail; canApply: boolean }) {
  const client = useQueryClient();
  const [plan, setPlan] = useState<Plan | null>(null);
  const [progress, setProgress] = useState("");
  const apply = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const answer = await post<Plan>(`/api/ml/recommendations/${detail.id}/apply`, { dry_run: dryRun });
      if (answer.outcome !== "queued" || !answer.job_id) return answer;
      // A real apply runs as a job (stop, resize, start): follow it, then read what the audit
      // log says happened.
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const job = await get<Schemas["Job"]>(`/api/jobs/${answer.job_id}`);
        setProgress(job.progress_message || job.status);
        if (job.status === "succeeded" || job.status === "failed" || job.status === "cancelled") break;
      }
      const latest = await get<Detail>(`/api/ml/recommendations/${detail.id}`);
      const request = latest.apply_requests.find((r) => r.id === answer.request_id);
      return { ...answer, ...(request?.plan as Partial<Plan> | undefined), dry_run: false,
               recommendation: latest } as Plan;
    },
    onSuccess: (result) => {
      setPlan(result);
      setProgress("");
      void client.invalidateQueries({ queryKey: ["recommendation", String(detail.id)] });
      void client.invalidateQueries({ queryKey: ["recommendations"] });
    },
  });
  return (
    <div className="card" data-testid="apply-flow">
      <h2>Apply</h2>
      <ol className="steps">
        <li className={plan ? "done" : "current"}>Review the commands below</li>
        <li className={plan?.dry_run ? "done" : plan ? "" : "current"}>Dry run: check permissions and state</li>
        <li className={plan && !plan.dry_run ? "done" : ""}>Confirm and apply</li>
      </ol>
      {canApply ? (
        <div className="button-row">
          <button type="button" onClick={() => apply.mutate(true)} disabled={apply.isPending}>
            {apply.isPending && apply.variables ? "Running the dry run…" : "Dry run"}
          </button>
          <button type="button" className="primary" disabled={!plan?.ready || apply.isPending}
                  title={plan?.ready ? undefined : "run a dry run that passes first"}
                  onClick={() => {
                    if (window.confirm(`Apply to ${detail.resource_id}? The instance is stopped, changed and started again.`)) {
                      apply.mutate(false);
                    }
                  }}>
            Apply
          </button>
        </div>
      ) : <p className="muted">Your role can read recommendations but not apply them.</p>}
      {apply.isPending && <progress aria-label="Applying" />}
      {apply.isPending && progress && <p className="muted" role="status">{progress}</p>}
      {apply.isError && <div className="notice error" role="alert">{errorText(apply.error)}</div>}
      {plan && (
        <div data-testid="apply-result" aria-live="polite">
          <h3>{plan.dry_run ? "Dry run" : "Apply"}: {plan.outcome ?? (plan.ready ? "ready" : "not ready")}</h3>
          {plan.message && (
            <p className={plan.outcome === "applied" || plan.outcome === "planned" ? "notice" : "notice error"}
               role="status">{plan.message}</p>
          )}
          {plan.steps && plan.steps.length > 0 && (
            <>
              <h3>Steps in AWS</h3>
              <ol className="checks" data-testid="apply-steps">
                {plan.steps.map((step, index) => (
                  <li key={`${step.step}-${index}`} className={`check-${step.status}`}>
                    <span className="check-status">{step.status}</span> {step.step}
                    {step.detail && <span className="muted"> · {step.detail}</span>}
                  </li>
                ))}
              </ol>
            </>
          )}
          <ul className="checks">
            {plan.checks.map((check) => (
              <li key={check.check} className={`check-${check.status}`}>
                <span className="check-status">{check.status}</span> {check.check}
              </li>
            ))}
          </ul>
          {plan.changes.length > 0 && (
            <>
              <h3>What would change</h3>
              <ul>{plan.changes.map((change) => <li key={change}>{change}</li>)}</ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}

export function RecommendationDetail() {
  const { id } = useParams();
  const client = useQueryClient();
  const { principal } = useSession();
  const [until, setUntil] = useState(addDays(isoDay(new Date()), 30));
  const detail = useQuery({
    queryKey: ["recommendation", id],
    queryFn: () => get<Detail>(`/api/ml/recommendations/${id}`),
  });
  const change = useMutation({
    mutationFn: ({ action, body }: { action: string; body?: unknown }) =>
      post(`/api/ml/recommendations/${id}/${action}`, body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["recommendation", id] });
      void client.invalidateQueries({ queryKey: ["recommendations"] });
    },
  });
  const chart = useMemo(() => (detail.data ? utilizationChart(detail.data) : null), [detail.data]);

  if (detail.isError) return <ErrorNotice error={detail.error} retry={() => void detail.refetch()} />;
  if (!detail.data) return <section><Skeleton lines={3} /><Skeleton height={260} /></section>;
  const r = detail.data;
  const canWrite = principal?.role !== "viewer";
  return (
    <section>
      <p><Link to="/recommendations">← Recommendations</Link></p>
      <div className="page-head">
        <h1>{r.resource_id}</h1>
        <span className="muted">{r.kind} · {r.region} · {r.status}
          {r.snoozed_until ? ` until ${formatDay(r.snoozed_until)}` : ""}</span>
      </div>
      <p>{r.summary}</p>
      <div className="metrics">
        <div className="card metric"><div className="metric-label">Change</div>
          <div className="metric-value">{r.recommended_type ? `${r.current_type} → ${r.recommended_type}` : r.action}</div>
          <div className="metric-detail">{r.finding}</div></div>
        <div className="card metric"><div className="metric-label">Savings</div>
          <div className="metric-value">{formatMoney(r.monthly_savings)}/mo</div>
          <div className="metric-detail">{formatMoney(Number(r.monthly_savings) * 12)} a year, of {formatMoney(r.current_monthly_cost)}/mo now</div></div>
        <div className="card metric"><div className="metric-label">Performance risk</div>
          <div className="metric-value">{r.performance_risk === null || r.performance_risk === undefined ? "—"
            : <Badge tone={riskTone(r.performance_risk)}>{riskName(r.performance_risk)}</Badge>}</div></div>
        <div className="card metric"><div className="metric-label">Confidence</div>
          <div className="metric-value">{r.confidence === undefined ? "—" : `${Math.round(r.confidence * 100)}%`}</div>
          <div className="metric-detail">{r.model_version}</div></div>
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>Utilization{r.utilization?.from ? `, ${formatDay(r.utilization.from)} – ${formatDay(r.utilization.to ?? "")}` : ""}</h2>
          {chart ? <Chart option={chart} height={260} label="Utilization: mean, p95 and max of each metric" />
                 : <p className="muted">No utilization: this is a {r.kind}.</p>}
        </div>
        <ApplyFlow detail={r} canApply={canWrite && r.status === "open"} />
      </div>
      <div className="card">
        <h2>Commands</h2>
        <pre className="code" data-testid="aws-cli">{(r.actions.aws_cli ?? []).join("\n")}</pre>
        {r.actions.terraform && <><h3>Terraform</h3><pre className="code">{r.actions.terraform}</pre></>}
      </div>
      {canWrite && (
        <div className="card">
          <h2>Not now</h2>
          <div className="button-row">
            {r.status === "open" ? (
              <>
                <button type="button" onClick={() => change.mutate({ action: "dismiss" })}>Dismiss</button>
                <label className="inline">Snooze until
                  <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
                </label>
                <button type="button" onClick={() => change.mutate({ action: "snooze", body: { until } })}>Snooze</button>
              </>
            ) : (
              <button type="button" onClick={() => change.mutate({ action: "reopen" })}>Reopen</button>
            )}
          </div>
          {change.isError && <div className="notice error" role="alert">{errorText(change.error)}</div>}
        </div>
      )}
      {r.apply_requests.length > 0 && (
        <div className="card">
          <h2>Apply history</h2>
          <ul>
            {r.apply_requests.map((request) => (
              <li key={request.id}>
                {new Date(request.requested_at ?? "").toLocaleString()}: {request.dry_run ? "dry run" : "apply"},{" "}
                {request.outcome} ({(request.user as { email?: string } | null)?.email ?? "API token"})
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
