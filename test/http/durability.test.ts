// Nothing acknowledged is lost: a decision that got a 200 is in the audit store, even if the
// process is killed the next instant; SIGTERM drains in-flight requests before exiting.
import { afterEach, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startServiceProcess, type ServiceProcess } from '../support/process';
import { tempDir } from '../support/server';

let running: ServiceProcess | undefined;
afterEach(() => {
  running?.child.kill('SIGKILL');
  running = undefined;
});

const decide = (url: string) =>
  fetch(`${url}/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(application()) }).then(
    async (res) => ({ status: res.status, body: (await res.json()) as { decisionId: string } }),
    () => undefined, // connection refused or reset: never acknowledged
  );

describe('durability', () => {
  it('kill -9 during concurrent decisions: every acknowledged decision is in the store after restart', async () => {
    const dataDir = tempDir();
    running = await startServiceProcess({ DATA_DIR: dataDir });
    const { url } = running;
    const acknowledged: string[] = [];
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const res = await decide(url);
        if (res?.status === 200) acknowledged.push(res.body.decisionId);
        if (acknowledged.length >= 150 && !killed) {
          killed = true;
          running?.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await running.exited;

    running = await startServiceProcess({ DATA_DIR: dataDir });
    const missing: string[] = [];
    for (const id of acknowledged) {
      const res = await fetch(`${running.url}/decisions/${id}`);
      if (res.status !== 200) missing.push(id);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(missing).toEqual([]);
  });

  it('SIGTERM: in-flight requests finish, the process exits 0, and their decisions are stored', async () => {
    const dataDir = tempDir();
    running = await startServiceProcess({ DATA_DIR: dataDir });
    const { url } = running;
    const inFlight = Array.from({ length: 40 }, () => decide(url));
    await new Promise((r) => setTimeout(r, 5));
    running.child.kill('SIGTERM');
    const results = await Promise.all(inFlight);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('"msg":"stopped"');
    const acknowledged = results.filter((r) => r?.status === 200).map((r) => r!.body.decisionId);
    expect(results.every((r) => r === undefined || r.status === 200)).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(0);

    running = await startServiceProcess({ DATA_DIR: dataDir });
    for (const id of acknowledged) expect((await fetch(`${running.url}/decisions/${id}`)).status).toBe(200);
  });
});
