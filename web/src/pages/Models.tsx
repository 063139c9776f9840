// The model registry: each model's versions with the data they trained on, their accuracy,
// metrics and status, and whether a retraining is due.
import { useQuery } from "@tanstack/react-query";

import { get, type Schemas } from "../api/client";
import { Badge } from "../components/Badge";
import { EmptyState, ErrorNotice, Skeleton } from "../components/States";
import { formatDay } from "../lib/format";

type Model = Schemas["Model"];

const accuracyNames: Record<string, string> = {
  "series-detector": "feedback precision",
  forecaster: "backtest MAPE",
};

function metricsText(metrics: Record<string, unknown> | undefined): string {
  return Object.entries(metrics ?? {})
      .map(([name, value]) => `${name} ${typeof value === "number" ? Number(value.toFixed(3)) : String(value)}`)
      .join(", ");
}

export function Models() {
  const models = useQuery({ queryKey: ["models"],
                            queryFn: () => get<Schemas["ModelList"]>("/api/ml/models") });
  if (models.isError) return <ErrorNotice error={models.error} retry={() => void models.refetch()} />;
  if (!models.data) return <section><h1>Models</h1><Skeleton lines={6} /></section>;
  const byType = new Map<string, Model[]>();
  for (const model of models.data.models) {
    byType.set(model.model_type, [...(byType.get(model.model_type) ?? []), model]);
  }
  return (
    <section>
      <h1>Models</h1>
      <p className="muted">Every anomaly, forecast and recommendation names the version that made it.</p>
      {byType.size === 0 && (
        <EmptyState title="No model has run yet">
          <p>Upload billing data: detection and forecasting train the first versions.</p>
        </EmptyState>
      )}
      {[...byType].map(([type, versions]) => (
        <div className="card table-scroll" key={type}>
          <h2>{type}</h2>
          <table className="table" data-testid={`models-${type}`}>
            <thead>
              <tr>
                <th scope="col">Version</th><th scope="col">Status</th><th scope="col">Last run</th>
                <th scope="col">Data</th><th scope="col" className="num">{accuracyNames[type] ?? "accuracy"}</th>
                <th scope="col">Metrics</th><th scope="col">Saved state</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((m) => (
                <tr key={m.id}>
                  <td>{m.label}</td>
                  <td><Badge tone={m.status === "active" ? "low" : "retired"}>{m.status}</Badge>
                    {m.retrain_requested_at && <div className="muted small">retraining at the next run</div>}</td>
                  <td>{new Date(m.trained_at).toLocaleString()}</td>
                  <td>{m.data_window?.from ? `${formatDay(m.data_window.from)} – ${formatDay(m.data_window.to ?? "")}` : "—"}</td>
                  <td className="num">{m.accuracy === null || m.accuracy === undefined ? "—" : Number(m.accuracy.toFixed(3))}</td>
                  <td className="small">{metricsText(m.metrics as Record<string, unknown>)}</td>
                  <td>{m.artifact_path ? "yes" : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
