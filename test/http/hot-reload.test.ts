// An analyst edits a rule file: a good edit serves the next request; a broken one is rejected,
// reported, and the last good set keeps serving.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { copyRules, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let flowFile: string;
beforeAll(async () => {
  const rulesDir = copyRules();
  flowFile = path.join(rulesDir, 'flows', 'personal_loan.json');
  server = await startTestServer({ rulesDir, env: { RULES_WATCH: 'true' } });
});
afterAll(async () => {
  await server.close();
});

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('hot reload', () => {
  it('applies a good edit to the next request and records the new version', async () => {
    const before = (await server.get('/rules')).body.version;
    expect((await server.post('/decide', application({ amount: 15_000 }))).body.outcome).toBe('approve');

    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"value": 20000', '"value": 10000'));
    const rules = await until(() => server.get('/rules'), (r) => r.body.version !== before);
    expect(rules.body.version).not.toBe(before);
    expect(rules.body.lastReloadError).toBeNull();

    const res = await server.post('/decide', application({ amount: 15_000 }));
    expect(res.body.outcome).toBe('decline');
    expect(res.body.versions.rules).toBe(rules.body.version);
  });

  it('rejects a broken edit: keeps serving the last good set and reports it in /rules, /ready and /metrics', async () => {
    const good = (await server.get('/rules')).body.version;
    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"operator": "greaterThan",\n                "value": 10000', '"operatr": "greaterThan",\n                "value": 10000'));
    const rules = await until(() => server.get('/rules'), (r) => r.body.lastReloadError !== null);
    expect(rules.body.version).toBe(good);
    expect(rules.body.lastReloadError.errors[0]).toMatch(/^rules\/flows\/personal_loan\.json:\d+:\d+ stages\[0\]\.rules\[\d+\]\.conditions\.all\[0\]: (missing "operator"|unknown property "operatr")/);

    const res = await server.post('/decide', application({ amount: 15_000 }));
    expect(res.status).toBe(200);
    expect(res.body.versions.rules).toBe(good);
    expect(res.body.outcome).toBe('decline');

    const ready = await server.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    const metrics: string = (await server.get('/metrics')).body;
    expect(metrics).toMatch(/rules_last_reload_ok 0/);
    expect(metrics).toMatch(/rules_reloads_total\{result="rejected"\} [1-9]/);
  });

  it('recovers when the edit is fixed', async () => {
    writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"operatr"', '"operator"'));
    const rules = await until(() => server.get('/rules'), (r) => r.body.lastReloadError === null);
    expect(rules.body.lastReloadError).toBeNull();
    expect((await server.get('/ready')).body.status).toBe('ready');
  });
});
