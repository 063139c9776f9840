// Joining an organisation from an invitation link (/invite?token=...): choose a password (or
// give yours, when the email already has an account) and land in the organisation.
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearchParams } from "react-router-dom";

import { post, setCsrfToken, type Session } from "../api/client";
import { meKey } from "../auth/session";
import { errorText } from "../components/States";

export function AcceptInvitation() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const client = useQueryClient();
  const navigate = useNavigate();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const session = await post<Session>("/api/invitations/accept", { token, password });
      setCsrfToken(session.csrf_token);
      client.clear();
      client.setQueryData(meKey, session);
      navigate("/");
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <div className="auth">
      <form className="card auth-card" onSubmit={(event) => void submit(event)}>
        <h1>Join your team on costwise</h1>
        {!token && <div className="notice error" role="alert">This link has no invitation token.</div>}
        <label>
          Password
          <input type="password" required minLength={10} autoComplete="new-password"
                 value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <div className="notice error" role="alert">{error}</div>}
        <button type="submit" className="primary" disabled={!token}>Join</button>
      </form>
    </div>
  );
}
