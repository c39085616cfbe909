import { describe, expect, it } from 'vitest';
import { ApiKeyRing, generateApiKey, hashApiKey, parseKeysFile } from '../../src/access/api-keys';
import { Authenticator } from '../../src/access/authenticator';

describe('the API keys file', () => {
  it('admits a key by the SHA-256 of what the caller presents; the file never holds the key', () => {
    const { key, entry } = generateApiKey({ id: 'los-main', roles: ['origination'] });
    expect(key).toMatch(/^dk_[A-Za-z0-9_-]{43}$/);
    expect(entry.sha256).toBe(hashApiKey(key));
    expect(JSON.stringify(entry)).not.toContain(key.slice(3));
    const ring = new ApiKeyRing([entry]);
    expect(ring.authenticate(key, 0)).toEqual({ id: 'key:los-main', kind: 'api-key', roles: ['origination'] });
    expect(ring.authenticate(`${key}x`, 0)).toBeUndefined();
    expect(ring.authenticate(key.slice(3), 0)).toBeUndefined();
  });

  it('refuses a key past its notAfter (rotation), and carries a reviewer level', () => {
    const old = generateApiKey({ id: 'old', roles: ['reviewer'], level: 'L2', notAfter: '2026-06-01T00:00:00Z' });
    const ring = new ApiKeyRing([old.entry]);
    expect(ring.authenticate(old.key, Date.parse('2026-05-31T23:59:59Z'))).toMatchObject({ id: 'key:old', level: 'L2' });
    expect(ring.authenticate(old.key, Date.parse('2026-06-01T00:00:00Z'))).toBeUndefined();
  });

  it('names the file, line, column and JSON path of every problem', () => {
    const good = generateApiKey({ id: 'a', roles: ['admin'] }).entry;
    const text = JSON.stringify(
      {
        keys: [
          good,
          { ...good, id: 'a' },
          { id: 'r', sha256: 'f'.repeat(64), roles: ['reviewer'] },
          { id: 'x', sha256: 'e'.repeat(64), roles: ['origination'], level: 'L1' },
          { id: 'y', sha256: 'NOTHEX', roles: ['superuser'] },
        ],
      },
      null,
      2,
    );
    const result = parseKeysFile('keys.json', text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.diagnostics.map((d) => `${d.file}:${d.line} ${d.path}: ${d.message}`);
    expect(messages.some((m) => /keys\.json:\d+ keys\[4\]\.sha256: /.test(m))).toBe(true);
    expect(messages.some((m) => /keys\[4\]\.roles\[0\]: .*origination/.test(m))).toBe(true);
    // Schema problems first; the cross-key checks run once the shape is right.
    const shaped = parseKeysFile('keys.json', JSON.stringify({ keys: [good, { ...good, id: 'a' }, { id: 'r', sha256: 'f'.repeat(64), roles: ['reviewer'] }, { id: 'x', sha256: 'e'.repeat(64), roles: ['origination'], level: 'L1' }] }, null, 2));
    expect(shaped.ok).toBe(false);
    if (shaped.ok) return;
    expect(shaped.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'keys[1].id: duplicate key id "a"',
      'keys[1].sha256: the same key is listed twice',
      'keys[2]: a reviewer key needs "level" (L1, L2, L3)',
      'keys[3].level: only a reviewer key carries a level',
    ]);
    expect(parseKeysFile('keys.json', '{ "keys": [ }').ok).toBe(false);
  });
});

describe('Authenticator', () => {
  const { key, entry } = generateApiKey({ id: 'los', roles: ['origination'] });
  const auth = new Authenticator({ keys: new ApiKeyRing([entry]), clock: () => 0 });

  it('accepts "Bearer <key>" only, and says why anything else is refused', async () => {
    expect(await auth.authenticate(`Bearer ${key}`)).toMatchObject({ ok: true, principal: { id: 'key:los' } });
    expect(await auth.authenticate(`bearer  ${key}`)).toMatchObject({ ok: true });
    for (const [header, reason] of [
      [undefined, /no credential/],
      ['', /no credential/],
      [key, /must be "Bearer/],
      [`Basic ${Buffer.from('a:b').toString('base64')}`, /must be "Bearer/],
      [`Bearer ${key} extra`, /must be "Bearer/],
      ['Bearer dk_unknown', /unknown, revoked or expired/],
      ['Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', /no identity provider/],
    ] as const) {
      const result = await auth.authenticate(header);
      expect(result.ok, String(header)).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });
});
