// Settings: the organisation's members and invitations (owners and admins manage them) and the
// API tokens for automation (Authorization: Bearer).
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { get, patch, post, remove, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { CopyButton } from "../components/CopyButton";
import { ErrorNotice, Skeleton, errorText } from "../components/States";
import { formatDay } from "../lib/format";

type Role = Schemas["Role"];
const roles: Role[] = ["viewer", "admin", "owner"];

function Members({ manage, me }: { manage: boolean; me: number }) {
  const client = useQueryClient();
  const members = useQuery({ queryKey: ["members"],
                             queryFn: () => get<Schemas["MemberList"]>("/api/members") });
  const change = useMutation({
    mutationFn: ({ id, role }: { id: number; role?: Role }) =>
      role ? patch(`/api/members/${id}`, { role }) : remove(`/api/members/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["members"] }),
  });
  if (members.isError) return <ErrorNotice error={members.error} />;
  if (!members.data) return <Skeleton lines={3} />;
  return (
    <>
      {change.isError && <div className="notice error" role="alert">{errorText(change.error)}</div>}
      <table className="table">
        <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th><th /></tr></thead>
        <tbody>
          {members.data.members.map((member) => {
            const id = member.user.id ?? 0;
            return (
              <tr key={id}>
                <td>{member.user.email}{id === me ? " (you)" : ""}</td>
                <td>
                  {manage ? (
                    <select aria-label={`Role of ${member.user.email}`} value={member.role}
                            onChange={(e) => change.mutate({ id, role: e.target.value as Role })}>
                      {roles.map((role) => <option key={role} value={role}>{role}</option>)}
                    </select>
                  ) : member.role}
                </td>
                <td>{formatDay(member.joined_at)}</td>
                <td>{manage && id !== me && (
                  <button type="button" onClick={() => {
                    if (window.confirm(`Remove ${member.user.email}? Their sessions and tokens stop working.`)) {
                      change.mutate({ id });
                    }
                  }}>Remove</button>
                )}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function Invitations() {
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const invitations = useQuery({ queryKey: ["invitations"],
                                 queryFn: () => get<Schemas["InvitationList"]>("/api/invitations") });
  const invite = useMutation({
    mutationFn: () => post<Schemas["NewInvitation"]>("/api/invitations", { email, role }),
    onSuccess: () => { setEmail(""); void client.invalidateQueries({ queryKey: ["invitations"] }); },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => remove(`/api/invitations/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["invitations"] }),
  });
  const link = invite.data ? `${window.location.origin}/invite?token=${invite.data.token}` : "";
  const submit = (event: FormEvent) => { event.preventDefault(); invite.mutate(); };
  return (
    <>
      <form className="controls" onSubmit={submit}>
        <label>Email<input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
        <label>Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit" disabled={invite.isPending}>Invite</button>
      </form>
      {invite.isError && <div className="notice error" role="alert">{errorText(invite.error)}</div>}
      {invite.data && (
        <div className="notice" role="status">
          <p>Send this link to {invite.data.email}; it is shown only now and expires{" "}
            {formatDay(invite.data.expires_at)}:</p>
          <pre className="code">{link}</pre>
          <CopyButton text={link} label="Copy the link" />
        </div>
      )}
      {invitations.data && invitations.data.invitations.length > 0 && (
        <table className="table">
          <thead><tr><th scope="col">Invited</th><th scope="col">Role</th><th scope="col">Expires</th><th /></tr></thead>
          <tbody>
            {invitations.data.invitations.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td><td>{i.role}</td>
                <td>{i.expired ? "expired" : formatDay(i.expires_at)}</td>
                <td><button type="button" onClick={() => revoke.mutate(i.id)}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Tokens() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const tokens = useQuery({ queryKey: ["tokens"],
                            queryFn: () => get<Schemas["ApiTokenList"]>("/api/tokens") });
  const create = useMutation({
    mutationFn: () => post<Schemas["NewApiToken"]>("/api/tokens", { name }),
    onSuccess: () => { setName(""); void client.invalidateQueries({ queryKey: ["tokens"] }); },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => remove(`/api/tokens/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
  return (
    <>
      <form className="controls" onSubmit={(event) => { event.preventDefault(); create.mutate(); }}>
        <label>Token name<input required value={name} placeholder="nightly export"
                                onChange={(e) => setName(e.target.value)} /></label>
        <button type="submit" disabled={create.isPending}>Create token</button>
      </form>
      {create.isError && <div className="notice error" role="alert">{errorText(create.error)}</div>}
      {create.data && (
        <div className="notice" role="status" data-testid="new-token">
          <p>The token “{create.data.name}”, shown only now: send it as{" "}
            <code>Authorization: Bearer …</code>.</p>
          <pre className="code">{create.data.token}</pre>
          <CopyButton text={create.data.token} />
        </div>
      )}
      {tokens.isError && <ErrorNotice error={tokens.error} />}
      {tokens.data && (
        <table className="table">
          <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Created</th>
            <th scope="col">Last used</th><th /></tr></thead>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td><td>{t.user?.email}</td><td>{formatDay(t.created_at ?? "")}</td>
                <td>{t.last_used_at ? formatDay(t.last_used_at) : "never"}</td>
                <td>{t.revoked_at ? `revoked ${formatDay(t.revoked_at)}`
                  : <button type="button" onClick={() => revoke.mutate(t.id ?? 0)}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function Settings() {
  const { principal } = useSession();
  const manage = principal?.role === "owner" || principal?.role === "admin";
  return (
    <section>
      <h1>Settings</h1>
      <p className="muted">{principal?.organisation.name} · you are {principal?.role}</p>
      <div className="card table-scroll">
        <h2>Members</h2>
        <Members manage={manage} me={principal?.user.id ?? 0} />
      </div>
      {manage && (
        <div className="card table-scroll">
          <h2>Invitations</h2>
          <Invitations />
        </div>
      )}
      <div className="card table-scroll">
        <h2>API tokens</h2>
        <Tokens />
      </div>
    </section>
  );
}
