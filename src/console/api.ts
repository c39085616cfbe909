// Every call the console makes: to this service's own API, with the investigator's credential.
// The credential lives in sessionStorage only (gone when the tab closes, never in a cookie, so no
// other site's form can spend it), and is sent as a Bearer header on every request.

const CREDENTIAL_KEY = 'console.credential';

export function credential(): string | null {
  return sessionStorage.getItem(CREDENTIAL_KEY);
}

export function signIn(key: string): void {
  sessionStorage.setItem(CREDENTIAL_KEY, key);
}

export function signOut(): void {
  sessionStorage.removeItem(CREDENTIAL_KEY);
}

/** The API refused or failed: its status, its stable error code and what it said. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(message);
  }

  /** In words an investigator can act on: a 401 and a 403 say what to do about them. */
  explain(neededRoles: string): string {
    const detail = this.details.map((d) => d.message).join('; ');
    if (this.status === 401) return `Not signed in, or the API key was not accepted (401). Sign in again with an API key holding the ${neededRoles} role.`;
    if (this.status === 403) return `Your API key may not do this (403): it needs the ${neededRoles} role.${detail ? ` The service said: ${detail}.` : ''}`;
    return `${this.message}${detail ? ` (${detail})` : ''} [${this.status} ${this.code}]`;
  }
}

async function request(method: 'GET' | 'POST', path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { accept };
  const key = credential();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), cache: 'no-store', credentials: 'omit' });
  if (!response.ok) {
    let error: { code?: string; message?: string; details?: { path: string; message: string }[] } = {};
    try {
      error = ((await response.json()) as { error?: typeof error }).error ?? {};
    } catch {
      // Not the API's JSON error (a proxy's page): the status says enough.
    }
    throw new ApiFailure(response.status, error.code ?? 'HTTP_ERROR', error.message ?? response.statusText, error.details ?? []);
  }
  return response;
}

export async function apiGet<T>(path: string): Promise<T> {
  return (await (await request('GET', path)).json()) as T;
}

/** A POST's status and answer (a label's 201 and a clearance's 202 mean different things). */
export async function apiPost<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await request('POST', path, body);
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * An export (GEXF, CSV) saved as a file: fetched with the credential (a plain link could
 * not send it) and handed to the browser as a blob download.
 */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await request('GET', path, undefined, '*/*');
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A path segment: ids come from the API, but are encoded all the same. */
export const segment = (value: string) => encodeURIComponent(value);
