// Cost anomalies: the list by impact with filters and paging, and a way to run detection now;
// below, the anomalies of the CloudWatch series synced from AWS (docs/aws.md).
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router-dom";

import { get, post, type Anomaly, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { Badge } from "../components/Badge";
import { EmptyState, ErrorNotice, Skeleton, errorText } from "../components/States";
import { formatDay, formatMoney, formatPercent } from "../lib/format";
import { anomaliesQuery } from "../lib/queries";

const PAGE = 25;

export function dateRange(anomaly: Pick<Anomaly, "start_date" | "end_date">): string {
  return anomaly.start_date === anomaly.end_date
    ? formatDay(anomaly.start_date)
    : `${formatDay(anomaly.start_date)} – ${formatDay(anomaly.end_date)}`;
}

type MetricAnomaly = Schemas["MetricAnomaly"];

function formatValue(value: number): string {
  return Math.abs(value) >= 1000 ? compact.format(value) : value.toFixed(value % 1 === 0 ? 0 : 2);
}
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

// The synced CloudWatch series' anomalies: shown only once there are some (AWS accounts synced).
function MetricAnomalies() {
  const list = useQuery({
    queryKey: ["metric-anomalies"],
    queryFn: () => get<{ anomalies: MetricAnomaly[] }>("/api/ml/metric-anomalies?limit=50"),
  });
  if (list.isError) return <ErrorNotice error={list.error} retry={() => void list.refetch()} />;
  if (!list.data || list.data.anomalies.length === 0) return null;
  return (
    <div className="card table-scroll" data-testid="metric-anomalies">
      <h2>Metric anomalies</h2>
      <p className="muted">CloudWatch series of the synced instances, scored by the same streaming detector.</p>
      <table className="table">
        <thead><tr><th scope="col">Instance</th><th scope="col">Metric</th><th scope="col">From</th>
          <th scope="col">To</th><th scope="col" className="num">Peak</th>
          <th scope="col" className="num">Expected</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {list.data.anomalies.map((a) => (
            <tr key={a.id}>
              <td>{a.instance_id} <span className="muted">{a.region}</span></td>
              <td>{a.metric}</td>
              <td>{new Date(a.started_at).toLocaleString()}</td>
              <td>{new Date(a.ended_at).toLocaleString()}</td>
              <td className="num">{formatValue(a.peak_value)}</td>
              <td className="num">{formatValue(a.expected_value)}</td>
              <td>{a.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Anomalies() {
  const [status, setStatus] = useState("open");
  const [severity, setSeverity] = useState("");
  const [offset, setOffset] = useState(0);
  const navigate = useNavigate();
  const client = useQueryClient();
  const { principal } = useSession();
  const page = useQuery({
    ...anomaliesQuery({ status: status || undefined, severity: severity || undefined,
                        limit: PAGE, offset }),
    placeholderData: keepPreviousData,
  });
  const detect = useMutation({
    mutationFn: () => post<{ new: number; monitors: number }>("/api/ml/anomalies/detect"),
    onSuccess: () => client.invalidateQueries({ queryKey: ["anomalies"] }),
  });

  return (
    <section>
      <div className="page-head">
        <h1>Anomalies</h1>
        {principal?.role !== "viewer" && (
          <button type="button" onClick={() => detect.mutate()} disabled={detect.isPending}>
            {detect.isPending ? "Detecting…" : "Detect now"}
          </button>
        )}
      </div>
      {detect.data && (
        <p className="notice" role="status">
          Scanned {detect.data.monitors} monitors: {detect.data.new} new anomalies.
        </p>
      )}
      {detect.isError && <div className="notice error" role="alert">{errorText(detect.error)}</div>}
      <form className="controls" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }}>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
            <option value="suppressed">Suppressed</option>
            <option value="">All</option>
          </select>
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => { setSeverity(e.target.value); setOffset(0); }}>
            <option value="">Any</option>
            {["critical", "high", "medium", "low"].map((level) => (
              <option key={level} value={level}>{level}</option>
            ))}
          </select>
        </label>
      </form>
      {page.isError && <ErrorNotice error={page.error} retry={() => void page.refetch()} />}
      {page.isPending ? <Skeleton lines={8} /> : page.data && page.data.total === 0 ? (
        <EmptyState title={status === "open" ? "No open anomalies" : "No anomalies match"}>
          <p>Detection runs after every upload and daily. Look at closed ones with the Status
            filter, or <Link to="/upload">upload more billing data</Link>.</p>
        </EmptyState>
      ) : page.data && (
        <div className="card">
          <div className="table-scroll">
          <table className="table" data-testid="anomaly-table">
            <thead>
              <tr>
                <th scope="col">Monitor</th>
                <th scope="col">Days</th>
                <th scope="col" className="num">Impact</th>
                <th scope="col" className="num">Change</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Top root cause</th>
              </tr>
            </thead>
            <tbody>
              {page.data.anomalies.map((anomaly) => {
                const cause = anomaly.root_causes?.[0];
                const currency = anomaly.monitor.currency ?? "USD";
                return (
                  <tr key={anomaly.id} className="clickable"
                      onClick={() => navigate(`/anomalies/${anomaly.id}`)}>
                    <td><Link to={`/anomalies/${anomaly.id}`}>{anomaly.monitor.label}</Link></td>
                    <td>{dateRange(anomaly)}</td>
                    <td className="num">{formatMoney(anomaly.impact, currency)}</td>
                    <td className="num">{formatPercent(anomaly.impact_percent)}</td>
                    <td><Badge tone={anomaly.severity}>{anomaly.severity}</Badge></td>
                    <td>{anomaly.status}</td>
                    <td>{cause ? `${cause.dimension}=${cause.value} (${formatMoney(cause.impact, currency)})` : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          </div>
          <div className="pager">
            <span className="muted">
              {offset + 1}–{offset + page.data.anomalies.length} of {page.data.total}
            </span>
            <button type="button" disabled={offset === 0}
                    onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <button type="button" disabled={offset + PAGE >= page.data.total}
                    onClick={() => setOffset(offset + PAGE)}>Next</button>
          </div>
        </div>
      )}
      <MetricAnomalies />
    </section>
  );
}
