// Log in and sign up: one form, two modes.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";

import { useSession } from "../auth/session";
import { useAction } from "../lib/useAction";

export function AuthPage({ mode }: { mode: "login" | "signup" }) {
  const { logIn, signUp } = useSession();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [organisation, setOrganisation] = useState("");
  const signingUp = mode === "signup";
  const { run, busy, error } = useAction(async () => {
    if (signingUp) {
      await signUp(email, password, organisation);
    } else {
      await logIn(email, password);
    }
    navigate("/");
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run();
  };

  return (
    <div className="auth">
      <form className="card auth-card" onSubmit={(event) => void submit(event)}>
        <h1>costwise</h1>
        <p className="muted">
          {signingUp ? "Create your organisation's workspace." : "Log in to your workspace."}
        </p>
        <label>
          Email
          <input type="email" autoComplete="email" required value={email}
                 onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          Password
          <input type="password" required minLength={signingUp ? 10 : undefined}
                 autoComplete={signingUp ? "new-password" : "current-password"}
                 value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        {signingUp && (
          <label>
            Organisation
            <input required value={organisation} autoComplete="organization"
                   onChange={(event) => setOrganisation(event.target.value)} />
          </label>
        )}
        {error && <div className="notice error" role="alert">{error}</div>}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Please wait…" : signingUp ? "Sign up" : "Log in"}
        </button>
        <p className="muted">
          {signingUp ? <>Have an account? <Link to="/login">Log in</Link></>
                     : <>New here? <Link to="/signup">Sign up</Link></>}
        </p>
      </form>
    </div>
  );
}
