// The identifier HMAC key: from settings, or (outside production) generated once into DATA_DIR.
// Every composition root (the service, npm run import) hashes identifiers with the same key.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from './settings';

export function identifierKey(settings: Pick<Settings, 'identifierHashKey' | 'dataDir'>, onGenerated: (file: string) => void = () => undefined): Buffer {
  if (settings.identifierHashKey) return Buffer.from(settings.identifierHashKey, 'utf8');
  mkdirSync(settings.dataDir, { recursive: true });
  const file = path.join(settings.dataDir, 'identifier-hash.key');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    onGenerated(file);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}
