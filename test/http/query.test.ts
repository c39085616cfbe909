// Query parameters: what an error quotes back of a caller's value is bounded, so a request cannot
// make the service write (and a client or a log keep) a copy of a page-long string.
import { describe, expect, it } from 'vitest';
import type { ErrorDetail } from '../../src/http/errors';
import { integer, quoted, readQuery } from '../../src/http/query';
import { startTestServer } from '../support/server';

describe('query parameters', () => {
  it('quote at most 40 characters of a value back', () => {
    expect(quoted('east')).toBe('"east"');
    expect(quoted('x'.repeat(5000))).toBe(`"${'x'.repeat(40)}…"`);
    const problems: ErrorDetail[] = [];
    expect(integer('9'.repeat(3000), 'limit', 1, 200, problems)).toBeUndefined();
    expect(problems[0]?.message).toBe(`expected an integer from 1 to 200, got "${'9'.repeat(40)}…"`);
  });

  it('name an unknown parameter by at most 40 characters of its name', () => {
    const { problems } = readQuery({ ['p'.repeat(500)]: '1', limit: ['1', '2'] }, ['limit']);
    expect(problems).toEqual([
      { path: `${'p'.repeat(40)}…`, message: 'unknown query parameter (expected: limit)' },
      { path: 'limit', message: 'give this parameter once, as a single value' },
    ]);
  });

  it('answers ids it does not know with at most 40 characters of them', async () => {
    const server = await startTestServer();
    try {
      const long = 'x'.repeat(3000);
      for (const [path, caller] of [[`/decisions/${long}`, 'admin'], [`/clusters/${long}`, 'investigator'], [`/applications/${long}/network`, 'investigator']] as const) {
        const res = await server.as(caller).get(path);
        expect(res.status, path.slice(0, 20)).toBe(404);
        expect(JSON.stringify(res.body).length, path.slice(0, 20)).toBeLessThan(600);
        expect(res.body.error.details[0].message).toContain(`"${'x'.repeat(40)}…"`);
      }
    } finally {
      await server.close();
    }
  });
});
