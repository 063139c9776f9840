// The sample workspace: a button that opens it (built from the bundled public samples the first
// time), and the banner every page shows while it is open.
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";

import { get, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { useAction } from "../lib/useAction";

export const organisationsQuery = {
  queryKey: ["organisations"],
  queryFn: () => get<Schemas["OrganisationList"]>("/api/organisations"),
};

export function OpenSampleButton() {
  const { openSample } = useSession();
  const navigate = useNavigate();
  const { run: open, busy, error } = useAction(async () => {
    await openSample();
    navigate("/");
  });
  return (
    <div className="stack">
      <div>
        <button type="button" className="primary" onClick={() => void open()} disabled={busy}>
          {busy ? "Building the sample workspace… (a few seconds)" : "Open a sample workspace"}
        </button>
      </div>
      {busy && <progress aria-label="Building the sample workspace" />}
      {error && <div className="notice error" role="alert">{error}</div>}
    </div>
  );
}

export function SampleBanner() {
  const organisations = useQuery(organisationsQuery);
  const { switchTo } = useSession();
  const list = organisations.data?.organisations ?? [];
  const current = list.find((o) => o.current);
  if (!current?.sample) return null;
  const own = list.find((o) => !o.sample);
  return (
    <div className="banner" role="note" data-testid="sample-banner">
      <strong>Sample data.</strong> Public samples (the FinOps Foundation's FOCUS sample, an
      anonymized AWS CUR, six real Bitbrains VMs), not your bill.
      {own && (
        <button type="button" className="link" onClick={() => void switchTo(own.name)}>
          Back to {own.name}
        </button>
      )}
    </div>
  );
}
