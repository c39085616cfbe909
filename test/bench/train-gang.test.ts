// Retraining the gang-case model from the labels in the store is one command: history imported
// with investigators' labels, then npm run gang:train -- --from-store, gives a model the service loads.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GANG_FEATURES } from '../../src/graph/gang-features';
import { loadGangModel } from '../../src/graph/gang-model';
import { application } from '../support/factories';
import { REPO_RULES, tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const T0 = Date.UTC(2025, 3, 1);
const HOUR = 3_600_000;

function history(): string {
  const lines: object[] = [];
  const at = (h: number) => new Date(T0 + h * HOUR).toISOString();
  for (let r = 0; r < 4; r++)
    for (let k = 0; k < 5; k++)
      lines.push({
        ...application({ applicationId: `R${r}-${k}`, identifiers: { deviceId: `ring${r}-dev`, bankAccount: `ring${r}-mule-${k % 2}`, nationalId: `1101051990${r}${k}000000`, address: `${r}${k} Dock St` } }),
        submittedAt: at(r * 100 + k),
        ...(k === 0 ? { label: 'fraud' } : {}),
      });
  for (let h = 0; h < 4; h++)
    for (let k = 0; k < 3; k++)
      lines.push({
        ...application({ applicationId: `H${h}-${k}`, identifiers: { phone: `+86 10 6555 00${h}0`, deviceId: `home${h}-tablet`, address: `${h} Park Road`, nationalId: `2201051980${h}${k}000000` } }),
        submittedAt: at(h * 700 + k * 24 * 30),
        ...(k === 0 ? { label: 'legit' } : {}),
      });
  for (let i = 0; i < 30; i++) lines.push({ ...application({ applicationId: `S${i}`, identifiers: { nationalId: `3301051970${String(i).padStart(8, '0')}` } }), submittedAt: at(i * 50) });
  return lines.map((l) => JSON.stringify(l)).join('\n');
}

describe('npm run gang:train -- --from-store', () => {
  it('learns from the store’s labelled communities and writes a model the service accepts', async () => {
    const dataDir = tempDir();
    const out = tempDir('gang-');
    const file = path.join(dataDir, 'history.ndjson');
    writeFileSync(file, history());
    const env = { ...process.env, DATA_DIR: dataDir, RULES_DIR: REPO_RULES, IDENTIFIER_HASH_KEY: 'k'.repeat(40), NODE_ENV: 'test' };
    await run(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file], { cwd: ROOT, env });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/train-gang.ts', '--from-store', dataDir, '--out', out], { cwd: ROOT, env });
    const summary = JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1));
    expect(summary).toMatchObject({ communities: 8, positives: 4 });
    const load = await loadGangModel(out, 'gang-model.card.json', GANG_FEATURES);
    expect(load.status, load.detail).toBe('ready');
    if (load.status === 'ready') {
      expect(load.model.card.training).toMatchObject({ source: expect.stringContaining("investigators' labels") });
      await load.model.close();
    }
  });
});
