// Alerts: channels (signed webhook, Slack, email, SNS) with a test
// message, rules that route anomalies to them (impact, percent, severity, dimensions,
// immediate or a daily or weekly digest), and the delivery log.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { get, post, put, remove, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { CopyButton } from "../components/CopyButton";
import { EmptyState, ErrorNotice, Skeleton, errorText } from "../components/States";
import { formatMoney } from "../lib/format";

type Channel = Schemas["AlertChannel"];
type ChannelType = Channel["type"];
type Rule = Schemas["AlertRule"];

const channelTypes: { type: ChannelType; label: string }[] = [
  { type: "slack", label: "Slack incoming webhook" },
  { type: "webhook", label: "Webhook (JSON, HMAC-signed)" },
  { type: "email", label: "Email (SMTP)" },
  { type: "sns", label: "AWS SNS topic" },
];

// "service=Amazon EC2, region=us-east-1, service=Amazon S3" -> {service: [...], region: [...]}.
export function parseRuleFilters(text: string): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const part of text.split(",")) {
    const at = part.indexOf("=");
    if (at <= 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key && value) filters[key] = [...(filters[key] ?? []), value];
  }
  return filters;
}

function ChannelForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [type, setType] = useState<ChannelType>("slack");
  const [url, setUrl] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [topic, setTopic] = useState("");
  const create = useMutation({
    mutationFn: () => {
      const config: Record<string, unknown> =
        type === "sns" ? { topic_arn: topic }
        : type === "email" ? { url, from, to: to.split(",").map((t) => t.trim()).filter(Boolean),
                               ...(username ? { username, password } : {}) }
        : { url };
      return post<Schemas["NewAlertChannel"]>("/api/alerts/channels", { name, type, config });
    },
    onSuccess: () => onDone(),
  });
  const submit = (event: FormEvent) => { event.preventDefault(); create.mutate(); };
  return (
    <form className="stack" onSubmit={submit}>
      <div className="controls">
        <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Type
          <select value={type} onChange={(e) => setType(e.target.value as ChannelType)}>
            {channelTypes.map((c) => <option key={c.type} value={c.type}>{c.label}</option>)}
          </select>
        </label>
        {type === "sns" ? (
          <label className="wide">Topic ARN<input required value={topic} placeholder="arn:aws:sns:us-east-1:123456789012:costs"
                                                  onChange={(e) => setTopic(e.target.value)} /></label>
        ) : (
          <label className="wide">{type === "email" ? "SMTP server" : "URL"}
            <input required value={url} onChange={(e) => setUrl(e.target.value)}
                   placeholder={type === "email" ? "smtp://mail.example.com:587"
                     : type === "slack" ? "https://hooks.slack.com/services/..." : "https://example.com/costwise"} />
          </label>
        )}
      </div>
      {type === "email" && (
        <div className="controls">
          <label>From<input required type="email" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
          <label className="wide">To (comma-separated)<input required value={to} onChange={(e) => setTo(e.target.value)} /></label>
          <label>Username<input value={username} autoComplete="off" onChange={(e) => setUsername(e.target.value)} /></label>
          <label>Password<input type="password" value={password} autoComplete="new-password"
                                onChange={(e) => setPassword(e.target.value)} /></label>
        </div>
      )}
      {type === "sns" && <p className="muted">costwise publishes as its own AWS identity: the topic's access policy must allow it sns:Publish.</p>}
      {create.isError && <div className="notice error" role="alert">{errorText(create.error)}</div>}
      {create.data?.secret && (
        <div className="notice" role="status">
          <p>The webhook's signing key, shown only now: receivers check{" "}
            <code>X-Costwise-Signature: sha256=&lt;HMAC of the body&gt;</code>.</p>
          <pre className="code">{create.data.secret}</pre>
          <CopyButton text={create.data.secret} />
        </div>
      )}
      <div><button type="submit" className="primary" disabled={create.isPending}>Add channel</button></div>
    </form>
  );
}

function RuleForm({ channels, onDone }: { channels: Channel[]; onDone: () => void }) {
  const [name, setName] = useState("");
  const [minImpact, setMinImpact] = useState("100");
  const [minPercent, setMinPercent] = useState("");
  const [severity, setSeverity] = useState<Rule["min_severity"]>("medium");
  const [frequency, setFrequency] = useState<Rule["frequency"]>("immediate");
  const [filters, setFilters] = useState("");
  const [chosen, setChosen] = useState<number[]>([]);
  const create = useMutation({
    mutationFn: () => post("/api/alerts/rules", {
      name, min_impact: minImpact || "0", min_percent: minPercent ? Number(minPercent) : null,
      min_severity: severity, frequency, filters: parseRuleFilters(filters), channel_ids: chosen,
      enabled: true,
    }),
    onSuccess: () => onDone(),
  });
  return (
    <form className="stack" onSubmit={(event) => { event.preventDefault(); create.mutate(); }}>
      <div className="controls">
        <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Least impact ($)<input inputMode="decimal" value={minImpact} onChange={(e) => setMinImpact(e.target.value)} /></label>
        <label>Least change (%)<input inputMode="decimal" value={minPercent} placeholder="any"
                                      onChange={(e) => setMinPercent(e.target.value)} /></label>
        <label>Least severity
          <select value={severity} onChange={(e) => setSeverity(e.target.value as Rule["min_severity"])}>
            {["low", "medium", "high", "critical"].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>When
          <select value={frequency} onChange={(e) => setFrequency(e.target.value as Rule["frequency"])}>
            <option value="immediate">at once</option>
            <option value="daily">daily digest</option>
            <option value="weekly">weekly digest</option>
          </select>
        </label>
      </div>
      <label>Only these (optional)
        <input value={filters} placeholder="service=Amazon EC2, tag:team=ml, monitor=total"
               onChange={(e) => setFilters(e.target.value)} />
      </label>
      <fieldset className="segmented">
        <legend>Send to</legend>
        {channels.length === 0 && <span className="muted">Add a channel first.</span>}
        {channels.map((channel) => (
          <label key={channel.id}>
            <input type="checkbox" checked={chosen.includes(channel.id)}
                   onChange={() => setChosen(chosen.includes(channel.id)
                     ? chosen.filter((c) => c !== channel.id) : [...chosen, channel.id])} />
            {channel.name}
          </label>
        ))}
      </fieldset>
      {create.isError && <div className="notice error" role="alert">{errorText(create.error)}</div>}
      <div><button type="submit" className="primary" disabled={create.isPending || chosen.length === 0}>Add rule</button></div>
    </form>
  );
}

export function Alerts() {
  const client = useQueryClient();
  const { principal } = useSession();
  const canWrite = principal?.role !== "viewer";
  const channels = useQuery({ queryKey: ["alert-channels"],
    queryFn: () => get<Schemas["AlertChannelList"]>("/api/alerts/channels") });
  const rules = useQuery({ queryKey: ["alert-rules"],
    queryFn: () => get<Schemas["AlertRuleList"]>("/api/alerts/rules") });
  const deliveries = useQuery({ queryKey: ["alert-deliveries"],
    queryFn: () => get<Schemas["AlertDeliveryList"]>("/api/alerts/deliveries"),
    refetchInterval: 10_000 });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["alert-channels"] });
    void client.invalidateQueries({ queryKey: ["alert-rules"] });
    void client.invalidateQueries({ queryKey: ["alert-deliveries"] });
  };
  const act = useMutation({
    mutationFn: ({ method, path, body }: { method: "post" | "put" | "delete"; path: string; body?: unknown }) =>
      method === "post" ? post(path, body) : method === "put" ? put(path, body) : remove(path),
    onSuccess: refresh,
  });
  const channelList = channels.data?.channels ?? [];
  const channelName = (id: number) => channelList.find((c) => c.id === id)?.name ?? `#${id}`;

  return (
    <section>
      <h1>Alerts</h1>
      {act.isError && <div className="notice error" role="alert">{errorText(act.error)}</div>}
      <div className="card table-scroll">
        <h2>Rules</h2>
        {rules.isError && <ErrorNotice error={rules.error} />}
        {!rules.data ? <Skeleton lines={3} /> : rules.data.rules.length === 0 ? (
          <EmptyState title="No alert rules">
            <p>A rule sends the anomalies it matches to its channels, at once or as a digest.</p>
          </EmptyState>
        ) : (
          <table className="table" data-testid="alert-rules">
            <thead><tr><th scope="col">Rule</th><th scope="col">Matches</th><th scope="col">When</th>
              <th scope="col">Channels</th><th scope="col">On</th><th /></tr></thead>
            <tbody>
              {rules.data.rules.map((rule) => (
                <tr key={rule.id}>
                  <td>{rule.name}</td>
                  <td>≥ {formatMoney(rule.min_impact)}{rule.min_percent !== null && rule.min_percent !== undefined ? `, ≥ ${rule.min_percent}%` : ""},
                    {" "}{rule.min_severity}+
                    {Object.entries(rule.filters).map(([k, v]) => `, ${k}=${v.join("|")}`).join("")}</td>
                  <td>{rule.frequency}</td>
                  <td>{rule.channel_ids.map(channelName).join(", ")}</td>
                  <td>{canWrite ? (
                    <input type="checkbox" aria-label={`Enable ${rule.name}`} checked={rule.enabled}
                           onChange={() => act.mutate({ method: "put", path: `/api/alerts/rules/${rule.id}`,
                             body: { ...rule, enabled: !rule.enabled } })} />
                  ) : rule.enabled ? "yes" : "no"}</td>
                  <td>{canWrite && <button type="button" onClick={() => act.mutate({ method: "delete", path: `/api/alerts/rules/${rule.id}` })}>Delete</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canWrite && <details><summary>Add a rule</summary><RuleForm channels={channelList} onDone={refresh} /></details>}
      </div>
      <div className="card table-scroll">
        <h2>Channels</h2>
        {channels.isError && <ErrorNotice error={channels.error} />}
        {!channels.data ? <Skeleton lines={3} /> : channelList.length > 0 && (
          <table className="table" data-testid="alert-channels">
            <thead><tr><th scope="col">Channel</th><th scope="col">Type</th><th scope="col">Where</th><th /></tr></thead>
            <tbody>
              {channelList.map((channel) => (
                <tr key={channel.id}>
                  <td>{channel.name}</td>
                  <td>{channel.type}</td>
                  <td className="small">{channel.config.topic_arn ?? channel.config.url}
                    {channel.config.to ? ` → ${channel.config.to.join(", ")}` : ""}</td>
                  <td className="button-row">{canWrite && (
                    <>
                      <button type="button" onClick={() => act.mutate({ method: "post", path: `/api/alerts/channels/${channel.id}/test` })}>Send a test</button>
                      <button type="button" onClick={() => act.mutate({ method: "delete", path: `/api/alerts/channels/${channel.id}` })}>Delete</button>
                    </>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canWrite && <details><summary>Add a channel</summary><ChannelForm onDone={refresh} /></details>}
      </div>
      <div className="card table-scroll">
        <h2>Deliveries</h2>
        {deliveries.data && deliveries.data.deliveries.length === 0 && <p className="muted">Nothing sent yet.</p>}
        {deliveries.data && deliveries.data.deliveries.length > 0 && (
          <table className="table" data-testid="alert-deliveries">
            <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Rule → channel</th>
              <th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr></thead>
            <tbody>
              {deliveries.data.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>{d.created_at ? new Date(d.created_at).toLocaleString() : "—"}</td>
                  <td>{d.kind}</td>
                  <td>{d.rule?.name ?? "—"} → {d.channel?.name ?? "—"}</td>
                  <td>{d.status}</td>
                  <td>{d.attempts}</td>
                  <td className="small">{d.last_error || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
