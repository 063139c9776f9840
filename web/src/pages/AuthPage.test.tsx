import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { SessionProvider } from "../auth/session";
import { fakeFetch } from "../test-utils";
import { AuthPage } from "./AuthPage";

afterEach(() => vi.unstubAllGlobals());

function renderSignUp() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={["/signup"]}>
        <SessionProvider>
          <Routes>
            <Route path="/signup" element={<AuthPage mode="signup" />} />
            <Route path="/" element={<p>signed in</p>} />
          </Routes>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

async function fillIn() {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), "ana@example.com");
  await user.type(screen.getByLabelText("Password"), "correct horse battery");
  await user.type(screen.getByLabelText("Organisation"), "Acme");
  await user.click(screen.getByRole("button", { name: "Sign up" }));
}

describe("AuthPage", () => {
  it("signs up and goes to the Overview, sending the fields the API takes", async () => {
    const { fetch } = fakeFetch({
      "GET /api/auth/me": { status: 401, body: { error: { code: "unauthenticated", message: "no" } } },
      "POST /api/auth/signup": { status: 201, body: {
        user: { id: 1, email: "ana@example.com" }, organisation: { id: 1, name: "Acme" },
        role: "owner", csrf_token: "t", expires_at: "2030-01-01T00:00:00Z" } },
    });
    renderSignUp();
    await fillIn();
    expect(await screen.findByText("signed in")).toBeTruthy();
    const signup = fetch.mock.calls.find(([url]) => String(url) === "/api/auth/signup");
    expect(JSON.parse(String(signup?.[1]?.body))).toEqual({
      email: "ana@example.com", password: "correct horse battery", organisation: "Acme",
    });
  });

  it("shows why the server refused", async () => {
    fakeFetch({
      "GET /api/auth/me": { status: 401, body: { error: { code: "unauthenticated", message: "no" } } },
      "POST /api/auth/signup": { status: 409, body: { error: {
        code: "conflict", message: "an organisation named 'Acme' exists" } } },
    });
    renderSignUp();
    await fillIn();
    expect((await screen.findByRole("alert")).textContent)
        .toBe("an organisation named 'Acme' exists");
    expect(screen.queryByText("signed in")).toBeNull();
  });
});
