// Rendering a page for a test: a fresh query cache, a router at a path, the session (from the
// canned GET /api/auth/me, when the table has one), and fetch answered by
// a table of canned API replies (path prefix -> status and JSON body).
import type { ReactElement } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";

import { SessionProvider } from "./auth/session";

export type Replies = Record<string, { status?: number; body: unknown }>;

// Answers each request from the longest matching prefix of "METHOD /path?query".
export function fakeFetch(replies: Replies) {
  const calls: string[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? "GET"} ${String(input)}`;
    calls.push(key);
    const match = Object.keys(replies).filter((prefix) => key.startsWith(prefix))
        .sort((a, b) => b.length - a.length)[0];
    const reply = match ? replies[match]! : {
      status: 404, body: { error: { code: "not_found", message: `no reply for ${key}` } },
    };
    return new Response(JSON.stringify(reply.body), {
      status: reply.status ?? 200, headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetch);
  return { fetch, calls };
}

export function renderAt(element: ReactElement, path = "/") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <SessionProvider>{element}</SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
