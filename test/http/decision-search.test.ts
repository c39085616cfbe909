// Finding decisions by an identifier: every spelling of a value finds the applications that carried
// it, newest first, in pages; an origination system sees only its own; the raw value and its hash
// are never in an answer (not even an error) or a log line.
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger';
import { application } from '../support/factories';
import { startTestServer, type TestCaller, type TestServer } from '../support/server';

/** One phone, written four ways (+86, national, 0086, punctuation): one canonical number. */
const SHARED = ['+86 139 1234 5678', '13912345678', '0086-139-1234-5678', '+86 (139) 1234-5678'];
/** What a leak would look like: each spelling, the national and canonical digits. */
const needles = [...SHARED, '13912345678', '8613912345678', '12345678'];

let server: TestServer;
const logLines: string[] = [];
/** The decisions that carried the shared phone, oldest first, and who asked for each. */
const sharing: { decisionId: string; applicationId: string; caller: TestCaller }[] = [];
let phoneHash: string;

const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({ logger: createLogger('debug', sink), env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
  const callers: TestCaller[] = ['los', 'los', 'otherLos', 'admin'];
  for (const [i, phone] of SHARED.entries()) {
    const caller = callers[i] as TestCaller;
    const res = await server.as(caller).post('/decide', application({ identifiers: { phone } }));
    expect(res.status).toBe(200);
    sharing.push({ decisionId: res.body.decisionId, applicationId: res.body.applicationId, caller });
    // Others between them: another phone, the same digits as another type, no identifier at all.
    const others = [{ phone: '+86 139 8765 4321' }, { deviceId: '13912345678' }, undefined];
    const other = others[i % others.length];
    expect((await server.as(caller).post('/decide', application(other ? { identifiers: other } : {}))).status).toBe(200);
    await pause(); // distinct decision times, so "newest first" is the reverse of this order
  }
  phoneHash = (await server.get(`/decisions/${sharing[0]?.decisionId}`)).body.request.identifiers.phone.hash;
  expect(phoneHash).toMatch(/^[0-9a-f]{64}$/);
});
afterAll(() => server.close());

const search = (caller: TestCaller, body: unknown) => server.as(caller).post('/decisions/search', body);
const phone = (value: string, extra: object = {}) => ({ identifier: { type: 'phone', value }, ...extra });
const ids = (body: { decisions: { decisionId: string }[] }) => body.decisions.map((d) => d.decisionId);
const newestFirst = (callers?: TestCaller[]) => sharing.filter((s) => !callers || callers.includes(s.caller)).map((s) => s.decisionId).reverse();

function assertNothingOfTheValue(text: string, where: string) {
  for (const needle of [...needles, phoneHash]) expect(text.includes(needle), `${where} contains "${needle}"`).toBe(false);
}

describe('POST /decisions/search', () => {
  it('any spelling of the value finds exactly the applications that carried it, newest first, as GET /decisions lists them', async () => {
    for (const spelling of SHARED) {
      const res = await search('reviewerL1', phone(spelling));
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual(newestFirst());
      expect(res.body.nextCursor).toBeNull();
      assertNothingOfTheValue(JSON.stringify(res.body), `the answer to ${spelling}`);
    }
    const res = await search('investigator', phone(SHARED[1] as string));
    const byApplication = await server.as('reviewerL1').get(`/decisions?applicationId=${encodeURIComponent(sharing[3]?.applicationId as string)}`);
    expect(res.body.decisions[0]).toEqual(byApplication.body.decisions[0]);
    expect(res.body.decisions[0]).toMatchObject({ caller: 'key:admin', status: expect.any(String), currentOutcome: expect.any(String) });
    expect((await search('analyst', phone(SHARED[0] as string))).body.decisions).toHaveLength(SHARED.length);
  });

  it('pages with a cursor: limit=1 walks every one once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages <= SHARED.length + 1; pages++) {
      const res: { status: number; body: { decisions: { decisionId: string }[]; nextCursor: string | null } } = await search('reviewerL1', phone('13912345678', { limit: 1, ...(cursor ? { cursor } : {}) }));
      expect(res.status).toBe(200);
      expect(res.body.decisions.length).toBeLessThanOrEqual(1);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
      if (!cursor) break;
      assertNothingOfTheValue(cursor, 'a cursor');
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual(newestFirst());
  });

  it('gives an origination system only the decisions it asked for, each page filled from its own', async () => {
    expect(ids((await search('los', phone('13912345678'))).body)).toEqual(newestFirst(['los']));
    expect(ids((await search('otherLos', phone('13912345678'))).body)).toEqual(newestFirst(['otherLos']));
    const first = await search('los', phone('13912345678', { limit: 1 }));
    expect(ids(first.body)).toEqual(newestFirst(['los']).slice(0, 1));
    expect(ids((await search('los', phone('13912345678', { limit: 1, cursor: first.body.nextCursor }))).body)).toEqual(newestFirst(['los']).slice(1, 2));
  });

  it('an identifier no decision carried, or the same digits as another type, finds nothing', async () => {
    const unknown = await search('reviewerL1', phone('+86 139 0000 1111'));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ decisions: [], nextCursor: null });
    expect((await search('reviewerL1', { identifier: { type: 'email', value: '13912345678' } })).body.decisions).toEqual([]);
    expect((await search('reviewerL1', { identifier: { type: 'deviceId', value: '13912345678' } })).body.decisions).toHaveLength(1);
  });

  it('names the field of a bad body, a placeholder value or a bad cursor, and echoes none of the value', async () => {
    const problems = async (body: unknown) => {
      const res = await search('reviewerL1', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      assertNothingOfTheValue(JSON.stringify(res.body), `the 400 for ${JSON.stringify(body)}`);
      return res.body.error.details.map((d: { path: string }) => d.path).sort();
    };
    expect(await problems({ identifier: { type: 'passport', value: '13912345678' } })).toEqual(['identifier.type']);
    expect(await problems({ identifier: { type: 'phone' } })).toEqual(['identifier.value']);
    expect(await problems({ identifier: { type: 'phone', value: 13912345678 } })).toEqual(['identifier.value']);
    expect(await problems({ identifier: { type: 'phone', value: `1391234567${'8'.repeat(250)}` } })).toEqual(['identifier.value']);
    expect(await problems({})).toEqual(['identifier']);
    expect(await problems(phone('13912345678', { limit: 0, offset: 10 }))).toEqual(['limit', 'offset']);
    expect(await problems(phone('13912345678', { limit: 101 }))).toEqual(['limit']);
    expect(await problems(phone('13912345678', { cursor: 'x' }))).toEqual(['cursor']);
    for (const placeholder of ['N/A', '0000000', '   ', 'no phone']) expect(await problems(phone(placeholder))).toEqual(['identifier.value']);
    // Malformed JSON: the parser's message would quote the text around the fault.
    const malformed = await server.as('reviewerL1').raw('/decisions/search', 'x13912345678');
    expect(malformed.body.error.code).toBe('INVALID_JSON');
    assertNothingOfTheValue(JSON.stringify(malformed.body), 'the INVALID_JSON answer');
    expect((await server.as('reviewerL1').raw('/decisions/search', 'identifier=13912345678', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('is refused to a role without access (403), and the value reaches no log line', async () => {
    const refused = await search('monitoring', phone('13912345678'));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    assertNothingOfTheValue(logLines.join('\n'), 'the log');
  });

  it('answers as the OpenAPI document says', async () => {
    const doc = (await server.get('/openapi.json')).body;
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    const responses = doc.paths['/decisions/search'].post.responses;
    const validate = (status: number, body: unknown) => {
      const schema = responses[status].content['application/json'].schema;
      const check = ajv.compile(schema.$ref ? { $ref: `openapi${schema.$ref}` } : JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"openapi#/components')));
      expect(check(body), JSON.stringify(check.errors)).toBe(true);
    };
    validate(200, (await search('reviewerL1', phone('13912345678', { limit: 2 }))).body);
    validate(400, (await search('reviewerL1', {})).body);
  });
});
