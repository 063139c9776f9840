// What a page shows while it loads, when there is nothing yet, and when a request failed.
import type { ReactNode } from "react";

import { ApiError } from "../api/client";

export function Skeleton({ lines = 3, height }: { lines?: number; height?: number }) {
  return (
    <div className="skeleton" aria-busy="true" aria-label="Loading">
      {height ? <div className="skeleton-block" style={{ height }} /> :
        Array.from({ length: lines }, (_, i) => <div key={i} className="skeleton-line" />)}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

// The server's message as it is (it says what and where), with what to do for the common cases.
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Your session has ended. Log in again.";
    if (error.status === 403) return `${error.message} (your role does not allow this)`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNotice({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="notice error" role="alert">
      <span>{errorText(error)}</span>
      {retry && <button type="button" className="link" onClick={retry}>Try again</button>}
    </div>
  );
}
