// Onboarding: connect an AWS account the way SaaS cost tools do (costwise's External ID, a role
// the customer creates from the trust and least-privilege policies shown here, the CUR source),
// or upload billing files. The last step tests the connection (assume the role, read the CUR
// source) and queues the first sync; the account is synced daily after that (docs/aws.md).
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router-dom";

import { get, post, put, type Schemas } from "../api/client";
import { CopyButton } from "../components/CopyButton";
import { ErrorNotice, Skeleton, errorText } from "../components/States";

type Account = Schemas["CloudAccount"];
type Policies = Schemas["AccountPolicies"];

function PolicyBlock({ title, policy, note }: { title: string; policy: unknown; note?: string }) {
  const text = JSON.stringify(policy, null, 2);
  return (
    <div className="policy">
      <div className="page-head"><h3>{title}</h3><CopyButton text={text} label={`Copy the ${title.toLowerCase()}`} /></div>
      {note && <p className="muted">{note}</p>}
      <pre className="code" data-testid={`policy-${title.toLowerCase().replaceAll(" ", "-")}`}>{text}</pre>
    </div>
  );
}

type TestAnswer = Schemas["ConnectionTest"];

const stepLabels: Record<string, string> = {
  "assume-role": "Assume the role with the External ID",
  identity: "The role is in this account",
  "cur-source": "Read the CUR source",
};

function ConnectionTest({ account, onTested }: { account: Account; onTested: () => void }) {
  const test = useMutation({
    mutationFn: () => post<TestAnswer>(`/api/cloud-accounts/${account.id}/test`, {}),
    onSuccess: onTested,
  });
  const answer = test.data;
  return (
    <div className="card stack" data-testid="connection-test">
      <h2>4. Connection test</h2>
      <p>costwise assumes the role with the External ID, checks that it is in account{" "}
        {account.account_id}, and reads the CUR source. When it passes, the first sync starts
        (twelve months of CUR, the EC2 inventory and 14 days of CloudWatch metrics) and the
        account is synced daily.</p>
      <div><button type="button" className="primary" onClick={() => test.mutate()}
                   disabled={test.isPending}>
        {test.isPending ? "Testing…" : "Test the connection"}
      </button></div>
      {test.isPending && <progress aria-label="Testing the connection" />}
      {test.isError && <div className="notice error" role="alert">{errorText(test.error)}</div>}
      {answer && (
        <div aria-live="polite">
          <ul className="checks" data-testid="connection-steps">
            {answer.steps.map((step) => (
              <li key={step.step} className={`check-${step.status}`}>
                <span className="check-status">{step.status}</span> {stepLabels[step.step] ?? step.step}
                {step.detail && <div className="muted">{step.detail}</div>}
              </li>
            ))}
          </ul>
          {answer.ok ? (
            <p className="notice" role="status">Connected. The first sync is running
              {answer.sync_job ? ` (job ${answer.sync_job.id})` : ""};
              costs, anomalies and recommendations appear when it ends.</p>
          ) : (
            <p className="notice error" role="alert">The test failed: fix what the failed step says
              (often the trust policy's External ID or a missing permission), then test again.</p>
          )}
        </div>
      )}
    </div>
  );
}

// Queues a sync of every connected account now (they are synced daily anyway).
function SyncNow() {
  const sync = useMutation({
    mutationFn: () => post<Schemas["Job"]>("/api/jobs", { kind: "sync" }),
  });
  return (
    <div className="button-row">
      <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>Sync now</button>
      {sync.data && <span className="muted" role="status">Sync queued (job {sync.data.id})</span>}
      {sync.isError && <span className="notice error" role="alert">{errorText(sync.error)}</span>}
    </div>
  );
}

function NewAccount({ onCreated }: { onCreated: (account: Account) => void }) {
  const [name, setName] = useState("");
  const [accountId, setAccountId] = useState("");
  const create = useMutation({
    mutationFn: () => post<Account>("/api/cloud-accounts", { name, account_id: accountId }),
    onSuccess: onCreated,
  });
  const submit = (event: FormEvent) => { event.preventDefault(); create.mutate(); };
  return (
    <form className="card stack" onSubmit={submit}>
      <h2>1. The account</h2>
      <div className="controls">
        <label>Name<input required value={name} placeholder="production" onChange={(e) => setName(e.target.value)} /></label>
        <label>AWS account ID<input required inputMode="numeric" pattern="[0-9]{12}" value={accountId}
                                    placeholder="123456789012" title="12 digits"
                                    onChange={(e) => setAccountId(e.target.value.trim())} /></label>
      </div>
      {create.isError && <div className="notice error" role="alert">{errorText(create.error)}</div>}
      <div><button type="submit" className="primary" disabled={create.isPending}>Continue</button></div>
    </form>
  );
}

function CurSourceForm({ account, onSaved }: { account: Account; onSaved: () => void }) {
  // Starts from the saved source, when the account has one.
  const saved = account.cur_source ?? null;
  const [kind, setKind] = useState<"athena" | "s3">(saved && "s3" in saved ? "s3" : "athena");
  const [fields, setFields] = useState<Record<string, string>>({
    database: "", table: "", workgroup: "primary", output_location: "", data_location: "",
    region: "us-east-1", bucket: "", prefix: "",
    ...(saved && "athena" in saved ? saved.athena : {}),
    ...(saved && "s3" in saved ? { ...saved.s3, prefix: saved.s3.prefix ?? "" } : {}),
  });
  const field = (name: string, label: string, placeholder = "") => (
    <label key={name}>{label}
      <input required={name !== "prefix"} value={fields[name]} placeholder={placeholder}
             onChange={(e) => setFields({ ...fields, [name]: e.target.value.trim() })} />
    </label>
  );
  const save = useMutation({
    mutationFn: () => put<Account>(`/api/cloud-accounts/${account.id}`, {
      cur_source: kind === "athena"
        ? { athena: { database: fields.database, table: fields.table, workgroup: fields.workgroup,
                      output_location: fields.output_location, data_location: fields.data_location,
                      region: fields.region } }
        : { s3: { bucket: fields.bucket, prefix: fields.prefix, region: fields.region } },
    }),
    onSuccess: onSaved,
  });
  return (
    <form className="card stack" onSubmit={(event) => { event.preventDefault(); save.mutate(); }}>
      <h2>2. Where the Cost and Usage Report is</h2>
      <fieldset className="segmented">
        <legend>Read it through</legend>
        <label><input type="radio" checked={kind === "athena"} onChange={() => setKind("athena")} /> Athena (recommended at scale)</label>
        <label><input type="radio" checked={kind === "s3"} onChange={() => setKind("s3")} /> S3 files</label>
      </fieldset>
      <div className="controls">
        {kind === "athena" ? [
          field("database", "Database", "athenacurcfn_cur"), field("table", "Table", "cur"),
          field("workgroup", "Workgroup"), field("output_location", "Query results", "s3://bucket/athena-results/"),
          field("data_location", "CUR data", "s3://bucket/cur/"), field("region", "Region"),
        ] : [
          field("bucket", "Bucket", "my-cur-bucket"), field("prefix", "Prefix", "cur/"), field("region", "Region"),
        ]}
      </div>
      {save.isError && <div className="notice error" role="alert">{errorText(save.error)}</div>}
      <div><button type="submit" className="primary" disabled={save.isPending}>Save and show the policies</button></div>
    </form>
  );
}

function RoleStep({ account, onSaved }: { account: Account; onSaved: () => void }) {
  const [roleArn, setRoleArn] = useState(account.role_arn ?? "");
  const policies = useQuery({
    queryKey: ["cloud-account-policies", account.id],
    queryFn: () => get<Policies>(`/api/cloud-accounts/${account.id}/policies`),
  });
  const save = useMutation({
    mutationFn: () => put<Account>(`/api/cloud-accounts/${account.id}`, { role_arn: roleArn }),
    onSuccess: onSaved,
  });
  return (
    <div className="card stack">
      <h2>3. The IAM role costwise assumes</h2>
      <p>In account {account.account_id}, create a role with this trust policy (it only trusts
        costwise, and only with your External ID) and attach the permissions policy. The apply
        policy is optional: attach it only if costwise may resize and stop instances for you.</p>
      <div className="page-head">
        <span>External ID: <code data-testid="external-id">{account.external_id}</code></span>
        <CopyButton text={account.external_id} label="Copy the External ID" />
      </div>
      {policies.isError && <ErrorNotice error={policies.error} />}
      {!policies.data ? <Skeleton lines={6} /> : (
        <>
          {!policies.data.principal_configured && (
            <div className="notice" role="status">The trust policy names a placeholder principal:
              the server's operator sets costwise's own AWS principal with
              <code> serve --aws-principal-arn</code>.</div>
          )}
          <PolicyBlock title="Trust policy" policy={policies.data.trust_policy} />
          {policies.data.permissions_policy && (
            <PolicyBlock title="Permissions policy" policy={policies.data.permissions_policy}
                         note="Read only: the CUR (Athena, Glue, S3), CloudWatch metrics, EC2 inventory and prices." />
          )}
          <PolicyBlock title="Apply policy" policy={policies.data.apply_policy}
                       note="Optional: stop, modify and start instances to apply a right-sizing." />
        </>
      )}
      <form className="controls" onSubmit={(event) => { event.preventDefault(); save.mutate(); }}>
        <label className="wide">Role ARN
          <input required value={roleArn} pattern="arn:aws:iam::[0-9]{12}:role/.+"
                 placeholder={`arn:aws:iam::${account.account_id}:role/costwise`}
                 onChange={(e) => setRoleArn(e.target.value.trim())} />
        </label>
        <button type="submit" className="primary" disabled={save.isPending}>Save the role</button>
      </form>
      {save.isError && <div className="notice error" role="alert">{errorText(save.error)}</div>}
    </div>
  );
}

export function Onboarding() {
  const [params, setParams] = useSearchParams();
  const client = useQueryClient();
  const accountId = params.get("account");
  const account = useQuery({
    queryKey: ["cloud-account", accountId],
    queryFn: () => get<Account>(`/api/cloud-accounts/${accountId}`),
    enabled: Boolean(accountId),
  });
  const accounts = useQuery({
    queryKey: ["cloud-accounts"],
    queryFn: () => get<Schemas["CloudAccountList"]>("/api/cloud-accounts"),
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["cloud-account", accountId] });
    void client.invalidateQueries({ queryKey: ["cloud-accounts"] });
    void client.invalidateQueries({ queryKey: ["cloud-account-policies"] });
  };
  const current = account.data;
  return (
    <section>
      <h1>Connect your cloud costs</h1>
      {!accountId && (
        <div className="grid-2">
          <NewAccount onCreated={(created) => {
            void client.invalidateQueries({ queryKey: ["cloud-accounts"] });
            setParams({ account: String(created.id) });
          }} />
          <div className="card">
            <h2>Or upload files</h2>
            <p>CUR (legacy or 2.0) and FOCUS exports from AWS, Azure, GCP or OCI.</p>
            <Link className="button" to="/upload">Upload billing files</Link>
          </div>
        </div>
      )}
      {accountId && account.isError && <ErrorNotice error={account.error} />}
      {accountId && !current && !account.isError && <Skeleton lines={4} />}
      {current && (
        <>
          <p className="muted">{current.name} ({current.account_id}) · status <strong data-testid="account-status">{current.status}</strong></p>
          <CurSourceForm account={current} onSaved={refresh} />
          {current.cur_source && <RoleStep account={current} onSaved={refresh} />}
          {current.role_arn && current.cur_source && (
            <ConnectionTest account={current} onTested={refresh} />
          )}
        </>
      )}
      {accounts.data && accounts.data.cloud_accounts.length > 0 && (
        <div className="card table-scroll">
          <div className="page-head">
            <h2>Accounts</h2>
            {accounts.data.cloud_accounts.some((a) => a.role_arn) && <SyncNow />}
          </div>
          <table className="table" data-testid="cloud-accounts">
            <thead><tr><th scope="col">Account</th><th scope="col">Status</th><th scope="col">Last sync</th><th scope="col">CUR source</th><th /></tr></thead>
            <tbody>
              {accounts.data.cloud_accounts.map((a) => (
                <tr key={a.id}>
                  <td>{a.name} ({a.account_id})</td>
                  <td>{a.status}{a.last_error ? `: ${a.last_error}` : ""}</td>
                  <td>{a.last_sync_at ? new Date(a.last_sync_at).toLocaleString() : "never"}</td>
                  <td>{a.cur_source ? ("athena" in a.cur_source ? "Athena" : "S3") : "—"}</td>
                  <td><Link to={`/onboarding?account=${a.id}`}>Set up</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
