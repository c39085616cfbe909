// Raw identifiers never reach the store, the logs or any API response.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

const raw = {
  nationalId: '11010119900307123X',
  phone: '+86 138 0013 8000',
  deviceId: 'device-4242-secret',
  ip: '203.0.113.77',
  email: 'wei.zhang@example.org',
  address: '88 Jianguo Road Chaoyang',
  bankAccount: '6222020200112233445',
  employer: 'Sunrise Textiles',
};
/** What a leak would look like: each raw value and its normalised form. */
const needles = [...Object.values(raw), '8613800138000', '13800138000', 'wei.zhang', '6222020200112233445', 'jianguo road', 'sunrise textiles', '0307123'];

let server: TestServer;
const logLines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({ logger: createLogger('debug', sink), dataDir: undefined });
});
afterAll(async () => {
  await server.close();
});

function assertNoRawIdentifier(text: string, where: string) {
  const lower = text.toLowerCase();
  for (const needle of needles) expect(lower.includes(needle.toLowerCase()), `${where} contains "${needle}"`).toBe(false);
}

describe('identifiers are personal data', () => {
  it('no raw identifier in responses, stored decisions, the database files or the logs', async () => {
    const decided = await server.post('/decide', application({ identifiers: raw }));
    expect(decided.status).toBe(200);
    const retry = await server.post('/decide', application({ applicationId: decided.body.applicationId, identifiers: raw }));
    const stored = await server.get(`/decisions/${decided.body.decisionId}`);
    assertNoRawIdentifier(JSON.stringify(decided.body), 'the decision response');
    assertNoRawIdentifier(JSON.stringify(retry.body), 'the 409 response');
    assertNoRawIdentifier(JSON.stringify(stored.body), 'GET /decisions');
    expect(stored.body.request.identifiers.phone.masked).toBe('***8000');

    for (const file of readdirSync(server.dataDir).filter((f) => f.startsWith('audit.db'))) {
      assertNoRawIdentifier(readFileSync(path.join(server.dataDir, file)).toString('latin1'), file);
    }
    expect(logLines.some((l) => l.includes('"msg":"decision"'))).toBe(true);
    assertNoRawIdentifier(logLines.join('\n'), 'the log');
  });
});
