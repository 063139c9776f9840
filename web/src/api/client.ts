// The one way the UI talks to costwise: JSON over fetch, the session cookie sent by the browser,
// the CSRF token echoed on every request that changes something, and errors turned into
// ApiError with the server's code and message ({"error": {"code", "message", "details"}}).
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Principal = Schemas["Principal"];
export type Session = Schemas["Session"];
export type CostReport = Schemas["CostReport"];
export type Anomaly = Schemas["Anomaly"];
export type AnomalyPage = Schemas["AnomalyPage"];
export type RecommendationPage = Schemas["RecommendationPage"];
export type StoredForecast = Schemas["StoredForecast"];
export type ErrorCode = Schemas["Error"]["error"]["code"];
export type Job = Schemas["Job"];

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "network";
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ErrorCode | "network", message: string,
              details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken: string | undefined;

// Kept from the session (sign-up, log-in, /api/auth/me); sent back as X-CSRF-Token.
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type Query = Record<string, string | number | string[] | undefined>;

// "/api/costs" with {from: "2024-01-01", filter: ["a", "b"]} -> "/api/costs?from=...&filter=a&filter=b".
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as Schemas["Error"];
    return new ApiError(response.status, body.error.code, body.error.message,
                        (body.error.details ?? {}) as Record<string, unknown>);
  } catch {
    return new ApiError(response.status, "internal",
                        `the server answered ${response.status} ${response.statusText}`);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "costwise cannot be reached: check that the server runs");
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>("GET", withQuery(path, query));
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>("PATCH", path, body);
export const put = <T>(path: string, body: unknown) => api<T>("PUT", path, body);
export const remove = <T>(path: string) => api<T>("DELETE", path);

// Sends files as multipart/form-data to POST /api/uploads, reporting the fraction sent (fetch
// cannot report upload progress; XMLHttpRequest can). Resolves with the queued ingest job.
export function uploadFiles(files: File[], onProgress: (fraction: number) => void): Promise<Job> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/uploads");
    request.setRequestHeader("Accept", "application/json");
    if (csrfToken) request.setRequestHeader("X-CSRF-Token", csrfToken);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onerror = () => reject(new ApiError(0, "network",
        "the upload was interrupted: check the connection and that the server runs"));
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve(body as Job);
        return;
      }
      const error = (body as Schemas["Error"] | null)?.error;
      reject(new ApiError(request.status, error?.code ?? "internal",
                          error?.message ?? `the upload failed (HTTP ${request.status})`));
    };
    request.send(form);
  });
}
