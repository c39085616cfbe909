// Every rule set the service decides with is archived by version: analysts list the versions,
// read one's files (lists by hashes only) and see what changed between two.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { copyRules, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let first: string;
let second: string;

beforeAll(async () => {
  const rulesDir = copyRules();
  server = await startTestServer({ rulesDir, env: { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' } });
  expect((await server.post('/decide', application())).status).toBe(200);
  first = server.service.rules.current.version;
  const flowFile = path.join(rulesDir, 'flows/personal_loan.json');
  writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"< 21"', '"< 30"'));
  await server.service.rules.reload();
  second = server.service.rules.current.version;
  expect(second).not.toBe(first);
  expect((await server.post('/decide', application())).status).toBe(200);
});
afterAll(() => server.close());

describe('the rule-set archive', () => {
  it('lists every version decided with, newest first, in pages', async () => {
    const all = await server.as('analyst').get('/rules/versions');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ serving: second, nextCursor: null });
    expect(all.body.versions.map((v: { version: string }) => v.version)).toEqual([second, first]);
    expect(all.body.versions[0]).toMatchObject({ archivedAt: expect.any(String), files: expect.any(Number) });
    const page1 = await server.as('analyst').get('/rules/versions?limit=1');
    expect(page1.body.versions.map((v: { version: string }) => v.version)).toEqual([second]);
    const page2 = await server.as('analyst').get(`/rules/versions?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
    expect(page2.body.versions.map((v: { version: string }) => v.version)).toEqual([first]);
    const bad = await server.as('analyst').get('/rules/versions?limit=1000&cursor=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['limit']);
    expect((await server.as('analyst').get('/rules/versions?cursor=nope')).body.error.details).toEqual([{ path: 'cursor', message: expect.stringMatching(/not one this list gave/) }]);
  });

  it("gives a version's files, its lists by their hashes only", async () => {
    const res = await server.as('analyst').get(`/rules/versions/${first}`);
    expect(res.status).toBe(200);
    const paths = res.body.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['reasons.json', 'flows/personal_loan.json', 'lists/blocked-phones.json']));
    const list = res.body.files.find((f: { path: string }) => f.path === 'lists/blocked-phones.json');
    expect(JSON.parse(list.text)).toMatchObject({ identifierType: 'phone', hashes: expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]) });
    expect(list.text).not.toMatch(/170 0000/);
    expect(JSON.parse(list.text).entries).toBeUndefined();
  });

  it('shows what changed between two versions as a unified diff', async () => {
    const res = await server.as('analyst').get(`/rules/versions/${first}/diff/${second}`);
    expect(res.status).toBe(200);
    expect(res.body.changes).toHaveLength(1);
    expect(res.body.changes[0]).toMatchObject({ path: 'flows/personal_loan.json', status: 'changed' });
    expect(res.body.changes[0].patch).toContain('-            { "rule": "age-below-minimum", "when": { "applicant.age": "< 21" }');
    expect(res.body.changes[0].patch).toContain('+            { "rule": "age-below-minimum", "when": { "applicant.age": "< 30" }');
    expect(res.body.unchanged).toBeGreaterThan(5);
  });

  it('answers 404 for a version not archived, 400 for what is not a version, 403 to other roles', async () => {
    const unknown = await server.as('analyst').get('/rules/versions/0123456789abcdef');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('RULE_SET_VERSION_NOT_FOUND');
    expect((await server.as('analyst').get(`/rules/versions/${first}/diff/0123456789abcdef`)).body.error.details).toEqual([{ path: 'version', message: 'no rule set 0123456789abcdef in the archive' }]);
    expect((await server.as('analyst').get('/rules/versions/..%2Fetc')).status).toBe(400);
    expect((await server.as('los').get('/rules/versions')).status).toBe(403);
  });
});
