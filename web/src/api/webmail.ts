// The server's webmail endpoints (cookie session and per-user settings); the contract
// is in web/README.md. Errors are RFC 7807 problem documents.

import type { FetchLike } from '../jmap/client';

export interface WebSession {
  username: string;
  accountId: string;
  csrfToken: string;
}

export type ReceiptChoice = 'ask' | 'always' | 'never';

export interface Settings {
  language: 'en' | 'de' | null;
  receipts: {
    choice: ReceiptChoice;
    locked: boolean;
    lockedReason: string | null;
    serverOnDownload: 'off' | 'dispatched' | 'displayed';
  };
}

export type LoginFailure = 'credentials' | 'forbidden' | 'rateLimited' | 'network' | 'server';

export class LoginError extends Error {
  constructor(
    readonly kind: LoginFailure,
    readonly detail: string | null,
  ) {
    super(kind);
  }
}

const json = { 'Content-Type': 'application/json' };

export async function login(username: string, password: string, f: FetchLike = fetch): Promise<WebSession> {
  let res: Response;
  try {
    res = await f('/webmail/login', { method: 'POST', headers: json, body: JSON.stringify({ username, password }), credentials: 'same-origin' });
  } catch {
    throw new LoginError('network', null);
  }
  if (res.ok) return (await res.json()) as WebSession;
  let detail: string | null = null;
  try {
    detail = ((await res.json()) as { detail?: string }).detail ?? null;
  } catch {
    /* no problem body */
  }
  const kind: LoginFailure = res.status === 401 ? 'credentials' : res.status === 403 ? 'forbidden' : res.status === 429 ? 'rateLimited' : 'server';
  throw new LoginError(kind, detail);
}

/** The current session from the cookie, or null when there is none (401). */
export async function resume(f: FetchLike = fetch): Promise<WebSession | null> {
  const res = await f('/webmail/session', { method: 'GET', credentials: 'same-origin' });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`session check failed (${res.status})`);
  return (await res.json()) as WebSession;
}

export async function logout(csrfToken: string, everywhere: boolean, f: FetchLike = fetch): Promise<void> {
  await f('/webmail/logout', {
    method: 'POST',
    headers: { ...json, 'X-CSRF-Token': csrfToken },
    body: JSON.stringify({ everywhere }),
    credentials: 'same-origin',
  });
}

export async function getSettings(f: FetchLike = fetch): Promise<Settings> {
  const res = await f('/webmail/settings', { method: 'GET', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`settings: HTTP ${res.status}`);
  return (await res.json()) as Settings;
}

export async function putSettings(
  csrfToken: string,
  change: { language?: 'en' | 'de' | null; receiptChoice?: ReceiptChoice },
  f: FetchLike = fetch,
): Promise<Settings> {
  const res = await f('/webmail/settings', {
    method: 'PUT',
    headers: { ...json, 'X-CSRF-Token': csrfToken },
    body: JSON.stringify(change),
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(`settings: HTTP ${res.status}`);
  return (await res.json()) as Settings;
}
