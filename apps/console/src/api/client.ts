/** One field's complaint in an API error (docs/errors.md). */
export interface FieldProblem {
  field: string;
  reason: string;
  message: string;
}

/** An API error: its status, catalog code, bilingual title and field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly title: { vi: string; en: string } | undefined,
    readonly errors: FieldProblem[],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | undefined;

/** The CSRF token of the browser session (sent with every write, X-CSRF-Token). */
export const setCsrfToken = (t: string | null): void => void (csrfToken = t);

/** Called when the session has ended (401 on any call): the app shows the sign-in page. */
export const setUnauthorizedHandler = (f: () => void): void => void (onUnauthorized = f);

/** A failure for people: the API's message and each field's problem, or the error's message. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return [e.message, ...e.errors.map((x) => `${x.field}: ${x.message}`)].join(' — ');
  return e instanceof Error ? e.message : String(e);
}

/** The path with its query; undefined and empty values are left out. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Calls the IOC's HTTP API with the session cookie; JSON in and out; errors as ApiError. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, opts: { signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body), signal: opts.signal });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string; title?: { vi: string; en: string }; errors?: FieldProblem[] };
    if (res.status === 401 && !path.endsWith('/auth/login')) onUnauthorized?.();
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText, e.title, e.errors ?? []);
  }
  return json as T;
}
