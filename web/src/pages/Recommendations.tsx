// Right-sizing and idle resources: the open recommendations by savings, with a savings
// calculator over the ones selected.
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { Badge } from "../components/Badge";
import { EmptyState, ErrorNotice, Skeleton } from "../components/States";
import { formatMoney } from "../lib/format";
import { recommendationsQuery } from "../lib/queries";
import { totalSavings } from "../lib/savings";

// Performance risk on Compute Optimizer's scale: 0 very low to 4 very high.
const riskNames = ["very low", "low", "medium", "high", "very high"];
export function riskName(risk: number): string {
  return riskNames[Math.max(0, Math.min(4, Math.round(risk)))] ?? String(risk);
}
export function riskTone(risk: number): string {
  return risk >= 3 ? "critical" : risk >= 2 ? "medium" : "low";
}

export function Recommendations() {
  const [status, setStatus] = useState("open");
  const [kind, setKind] = useState("");
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const page = useQuery({
    ...recommendationsQuery({ status: status || undefined, kind: kind || undefined, limit: 500 }),
    placeholderData: keepPreviousData,
  });
  const rows = page.data?.recommendations ?? [];
  const chosen = rows.filter((r) => selected.has(r.id));
  const savings = totalSavings(chosen);
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id); else next.add(id);
    setSelected(next);
  };
  const allChosen = rows.length > 0 && chosen.length === rows.length;

  return (
    <section>
      <h1>Recommendations</h1>
      <form className="controls" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => { setStatus(e.target.value); setSelected(new Set()); }}>
            {["open", "snoozed", "dismissed", "applied"].map((s) => <option key={s} value={s}>{s}</option>)}
            <option value="">all</option>
          </select>
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => { setKind(e.target.value); setSelected(new Set()); }}>
            <option value="">any</option>
            <option value="instance">EC2 instances</option>
            <option value="volume">EBS volumes</option>
            <option value="address">Elastic IPs</option>
          </select>
        </label>
      </form>
      {page.isError && <ErrorNotice error={page.error} retry={() => void page.refetch()} />}
      {page.isPending ? <Skeleton lines={8} /> : rows.length === 0 ? (
        <EmptyState title="No recommendations here">
          <p>Right-sizing runs on the instances' inventory and CloudWatch metrics
            (<code>costwise rightsize --tenant</code>, or the AWS sync once an account is
            connected).</p>
        </EmptyState>
      ) : (
        <>
          <div className="card calculator" data-testid="savings-calculator" aria-live="polite">
            <strong>{chosen.length} selected</strong>
            <span>{formatMoney(savings.monthly)} a month</span>
            <span>{formatMoney(savings.yearly)} a year</span>
          </div>
          <div className="card table-scroll">
            <table className="table" data-testid="recommendation-table">
              <thead>
                <tr>
                  <th scope="col">
                    <input type="checkbox" aria-label="Select all" checked={allChosen}
                           onChange={() => setSelected(allChosen ? new Set() : new Set(rows.map((r) => r.id)))} />
                  </th>
                  <th scope="col">Resource</th>
                  <th scope="col">Finding</th>
                  <th scope="col">Change</th>
                  <th scope="col" className="num">Savings / month</th>
                  <th scope="col">Risk</th>
                  <th scope="col" className="num">Confidence</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <input type="checkbox" aria-label={`Select ${r.resource_id}`}
                             checked={selected.has(r.id)} onChange={() => toggle(r.id)} />
                    </td>
                    <td><Link to={`/recommendations/${r.id}`}>{r.resource_id}</Link>
                      <div className="muted small">{r.kind} · {r.region}</div></td>
                    <td>{r.finding}</td>
                    <td>{r.recommended_type ? `${r.current_type} → ${r.recommended_type}` : r.action}</td>
                    <td className="num">{formatMoney(r.monthly_savings)}</td>
                    <td>{r.performance_risk === null || r.performance_risk === undefined ? "—"
                      : <Badge tone={riskTone(r.performance_risk)}>{riskName(r.performance_risk)}</Badge>}</td>
                    <td className="num">{r.confidence === undefined ? "—" : `${Math.round(r.confidence * 100)}%`}</td>
                    <td>{r.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
