// The benchmarks run the service on its development defaults, which create an admin API key in
// DATA_DIR on first start (src/config/api-keys-file.ts); every bench request presents it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEV_ADMIN_KEY_FILE } from '../src/config/api-keys-file';

export const devAuthorization = (dataDir: string): string => `Bearer ${readFileSync(path.join(dataDir, DEV_ADMIN_KEY_FILE), 'utf8').trim()}`;
