// Who is signed in: the session behind the cookie (GET /api/auth/me), kept by TanStack Query.
// Sign-up and log-in store the CSRF token the server hands out; log-out forgets everything.
import { createContext, useContext, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { ApiError, get, post, setCsrfToken, type Principal, type Session } from "../api/client";

interface SessionState {
  principal: Principal | null;  // null: nobody signed in
  loading: boolean;
  logIn: (email: string, password: string) => Promise<void>;
  signUp: (email: string, password: string, organisation: string) => Promise<void>;
  logOut: () => Promise<void>;
  // A session in another organisation of the user, or in their sample workspace (made and
  // filled on first use); every cached read belongs to the old one and is dropped.
  switchTo: (organisation: string) => Promise<void>;
  openSample: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export const meKey = ["auth", "me"] as const;

async function fetchMe(): Promise<Principal | null> {
  try {
    const me = await get<Principal>("/api/auth/me");
    setCsrfToken(me.csrf_token);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 60_000 });
  const started = (session: Session) => {
    setCsrfToken(session.csrf_token);
    client.clear();
    client.setQueryData(meKey, session);
  };
  const logIn = useMutation({
    mutationFn: (input: { email: string; password: string }) =>
      post<Session>("/api/auth/login", input),
    onSuccess: started,
  });
  const signUp = useMutation({
    mutationFn: (input: { email: string; password: string; organisation: string }) =>
      post<Session>("/api/auth/signup", input),
    onSuccess: started,
  });
  const logOut = useMutation({
    mutationFn: () => post<void>("/api/auth/logout"),
    onSettled: () => {
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(meKey, null);
    },
  });
  const switchTo = useMutation({
    mutationFn: (organisation: string) => post<Session>("/api/auth/switch", { organisation }),
    onSuccess: started,
  });
  const openSample = useMutation({
    mutationFn: () => post<Session>("/api/sample-workspace"),
    onSuccess: started,
  });
  const state: SessionState = {
    principal: me.data ?? null,
    loading: me.isPending,
    logIn: async (email, password) => { await logIn.mutateAsync({ email, password }); },
    signUp: async (email, password, organisation) => {
      await signUp.mutateAsync({ email, password, organisation });
    },
    logOut: async () => { await logOut.mutateAsync(); },
    switchTo: async (organisation) => { await switchTo.mutateAsync(organisation); },
    openSample: async () => { await openSample.mutateAsync(); },
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}
