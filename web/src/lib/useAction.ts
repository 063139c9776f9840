// A user action that calls the server: whether it runs, and the error to show when it failed
// (the server's message, errorText). `run` resolves once it ended either way.
import { useState } from "react";

import { errorText } from "../components/States";

export function useAction(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error };
}
