// The API keys file: named by API_KEYS_FILE, or (outside production, with no identity provider
// either) created in DATA_DIR on first start with one admin key. Checked for changes by polling
// its stat, so a rotation lands whether the file was edited in place, replaced or restored: a
// directory watcher misses replacements on this platform (see the rules hot-reload issue).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { generateApiKey, parseKeysFile, type ApiKeyRing } from '../access/api-keys';
import { formatDiagnostic } from '../rules/diagnostics';
import type { Settings } from './settings';

export const DEV_ADMIN_KEY_FILE = 'admin-api-key';
export const DEV_KEYS_FILE = 'api-keys.json';

/**
 * The keys file to serve from. Without API_KEYS_FILE: none when an identity provider is configured
 * (people only); otherwise DATA_DIR/api-keys.json, created with a fresh admin key written to
 * DATA_DIR/admin-api-key (0600) the first time. loadSettings already refused production without either.
 */
export function resolveKeysFile(settings: Pick<Settings, 'apiKeysFile' | 'oidcIssuer' | 'dataDir'>, onGenerated: (keyFile: string) => void = () => undefined): string | undefined {
  if (settings.apiKeysFile) return settings.apiKeysFile;
  if (settings.oidcIssuer) return undefined;
  mkdirSync(settings.dataDir, { recursive: true });
  const keysFile = path.join(settings.dataDir, DEV_KEYS_FILE);
  if (!existsSync(keysFile)) {
    const { key, entry } = generateApiKey({ id: 'dev-admin', roles: ['admin'], comment: 'generated on first start (development)' });
    const keyFile = path.join(settings.dataDir, DEV_ADMIN_KEY_FILE);
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    writeFileSync(keysFile, `${JSON.stringify({ keys: [entry] }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    onGenerated(keyFile);
  }
  return keysFile;
}

export class KeysFileError extends Error {}

export interface KeysFileRejection {
  readonly at: Date;
  readonly messages: readonly string[];
}

/** Keeps an ApiKeyRing equal to the last valid version of the keys file. */
export class KeysFile {
  private signature = '';
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  lastRejection: KeysFileRejection | undefined;
  loadedAt: Date | undefined;

  constructor(
    readonly file: string,
    private readonly ring: ApiKeyRing,
    private readonly hooks: { onLoaded?: (keys: number) => void; onRejected?: (rejection: KeysFileRejection) => void } = {},
  ) {}

  /** First load: an unreadable or invalid file stops the start (there is no last good version yet). */
  async load(): Promise<void> {
    const outcome = await this.check();
    if (outcome === 'rejected') throw new KeysFileError(`API keys file ${this.file} is invalid:\n  ${this.lastRejection?.messages.join('\n  ')}`);
  }

  watch(intervalMs: number): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Reloads when the file changed (inode, size or mtime); a bad version is rejected and the last good one stays. */
  async check(): Promise<'loaded' | 'unchanged' | 'rejected'> {
    if (this.checking) return 'unchanged';
    this.checking = true;
    try {
      let text: string;
      let signature: string;
      try {
        const s = await stat(this.file);
        signature = `${s.ino}:${s.size}:${s.mtimeMs}`;
        if (signature === this.signature) return 'unchanged';
        text = await readFile(this.file, 'utf8');
      } catch (err) {
        return this.reject([`${this.file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
      }
      const parsed = parseKeysFile(this.file, text);
      this.signature = signature;
      if (!parsed.ok) return this.reject(parsed.diagnostics.map(formatDiagnostic));
      this.ring.replace(parsed.keys);
      this.lastRejection = undefined;
      this.loadedAt = new Date();
      this.hooks.onLoaded?.(parsed.keys.length);
      return 'loaded';
    } finally {
      this.checking = false;
    }
  }

  private reject(messages: string[]): 'rejected' {
    this.lastRejection = { at: new Date(), messages };
    this.hooks.onRejected?.(this.lastRejection);
    return 'rejected';
  }
}
