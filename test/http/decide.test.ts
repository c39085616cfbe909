import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('POST /decide', () => {
  it('approves a clean application and records the rule-set version and stage timings', async () => {
    const res = await server.post('/decide', application());
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('approve');
    expect(res.body.reasons).toEqual([]);
    expect(res.body.versions.rules).toBe(server.service.rules.current.version);
    expect(Object.keys(res.body.timings.stages)).toEqual(['eligibility', 'fraud']);
  });
});
