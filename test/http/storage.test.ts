// A full disk: decisions are refused with 503 + Retry-After (never a 500, nothing half-stored),
// /ready names the cause, and the service is ready again by itself when space returns.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, tempDir, type TestServer } from '../support/server';

// A real small filesystem (tmpfs) for the data directory. The test machines run as root; without
// the right to mount, this test fails rather than pretending.
const mountPoint = path.join(tempDir('tmpfs-'), 'disk');
let server: TestServer | undefined;

beforeAll(() => {
  mkdirSync(mountPoint, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
});
afterAll(async () => {
  await server?.close();
  execFileSync('umount', ['-l', mountPoint]);
});

const until = async (condition: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('disk full', () => {
  it('is a 503 with Retry-After and a not-ready /ready naming the cause, and recovers when space returns', async () => {
    server = await startTestServer({ dataDir: path.join(mountPoint, 'data') });
    const s = server;
    expect((await s.post('/decide', application({ applicationId: 'DISK-0' }))).status).toBe(200);
    // Leave almost nothing free.
    const filler = path.join(mountPoint, 'filler');
    let size = 4 * 1024 * 1024;
    for (;;) {
      try {
        writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
      } catch {
        if (size <= 1024) break;
        size = Math.floor(size / 2);
      }
    }

    const answers: { status: number; code?: string; retryAfter: string | null; id: string }[] = [];
    for (let i = 1; i <= 60 && !answers.some((a) => a.status === 503); i++) {
      const res = await s.as('los').post('/decide', application({ applicationId: `DISK-${i}` }));
      answers.push({ status: res.status, code: res.body.error?.code, retryAfter: res.headers.get('retry-after'), id: `DISK-${i}` });
    }
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
    for (const a of refused) {
      expect(['STORE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']).toContain(a.code);
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
    }
    const ready = await s.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.store).toMatchObject({ ok: false, detail: expect.stringContaining('SQLITE_FULL') });
    // While faulted, decisions are refused before anything is evaluated.
    const blocked = await s.as('los').post('/decide', application({ applicationId: 'DISK-BLOCKED' }));
    expect(blocked.status).toBe(503);
    expect(blocked.body.error.details).toEqual([expect.objectContaining({ path: 'store' })]);

    rmSync(filler);
    await until(async () => (await s.get('/ready')).status === 200, '/ready to recover');
    const after = await s.as('los').post('/decide', application({ applicationId: 'DISK-AFTER' }));
    expect(after.status).toBe(200);
    // Every acknowledged decision is stored; none of the refused ones is.
    for (const a of answers) {
      const stored = s.service.store.findByApplicationId(a.id);
      expect(Boolean(stored), a.id).toBe(a.status === 200);
    }
  }, 60_000);
});
