import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiKeyRing, generateApiKey } from '../../src/access/api-keys';
import { KeysFile, KeysFileError, resolveKeysFile } from '../../src/config/api-keys-file';
import { tempDir } from '../support/server';

describe('resolveKeysFile', () => {
  it('in development with nothing configured, creates one admin key (0600) once, and the keys file holds only its hash', async () => {
    const dataDir = tempDir();
    const generated: string[] = [];
    const file = resolveKeysFile({ dataDir, apiKeysFile: undefined, oidcIssuer: undefined }, (f) => generated.push(f));
    expect(file).toBe(path.join(dataDir, 'api-keys.json'));
    expect(generated).toEqual([path.join(dataDir, 'admin-api-key')]);
    const key = readFileSync(generated[0] ?? '', 'utf8').trim();
    expect(statSync(generated[0] ?? '').mode & 0o777).toBe(0o600);
    expect(statSync(file ?? '').mode & 0o777).toBe(0o600);
    expect(readFileSync(file ?? '', 'utf8')).not.toContain(key);
    const ring = new ApiKeyRing();
    await new KeysFile(file ?? '', ring).load();
    expect(ring.authenticate(key, Date.now())).toMatchObject({ id: 'key:dev-admin', roles: ['admin'] });
    // Second start: the same key.
    expect(resolveKeysFile({ dataDir, apiKeysFile: undefined, oidcIssuer: undefined }, (f) => generated.push(f))).toBe(file);
    expect(generated).toHaveLength(1);
  });

  it('uses API_KEYS_FILE when set, and creates nothing when an identity provider is configured', () => {
    const dataDir = tempDir();
    expect(resolveKeysFile({ dataDir, apiKeysFile: '/etc/keys.json', oidcIssuer: undefined })).toBe('/etc/keys.json');
    expect(resolveKeysFile({ dataDir, apiKeysFile: undefined, oidcIssuer: 'https://idp' })).toBeUndefined();
  });
});

describe('KeysFile', () => {
  const write = (file: string, keys: unknown[]) => writeFileSync(file, JSON.stringify({ keys }));

  it('picks up a rotation whether the file is rewritten in place or replaced by a rename', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys.json');
    const first = generateApiKey({ id: 'first', roles: ['origination'] });
    const second = generateApiKey({ id: 'second', roles: ['origination'] });
    const third = generateApiKey({ id: 'third', roles: ['origination'] });
    write(file, [first.entry]);
    const ring = new ApiKeyRing();
    const keys = new KeysFile(file, ring);
    await keys.load();
    expect(await keys.check()).toBe('unchanged');

    write(file, [first.entry, second.entry]);
    expect(await keys.check()).toBe('loaded');
    expect(ring.authenticate(second.key, 0)).toBeDefined();

    write(path.join(dir, 'next.json'), [third.entry]);
    renameSync(path.join(dir, 'next.json'), file);
    expect(await keys.check()).toBe('loaded');
    expect(ring.authenticate(third.key, 0)).toBeDefined();
    expect(ring.authenticate(first.key, 0)).toBeUndefined();
  });

  it('a broken edit is rejected with its position, and the last good keys stay in force', async () => {
    const file = path.join(tempDir(), 'keys.json');
    const good = generateApiKey({ id: 'good', roles: ['admin'] });
    write(file, [good.entry]);
    const ring = new ApiKeyRing();
    const keys = new KeysFile(file, ring);
    await keys.load();
    writeFileSync(file, '{"keys": [{"id": "x", "sha256": "nothex", "roles": ["admin"]}]}');
    expect(await keys.check()).toBe('rejected');
    expect(keys.lastRejection?.messages.join('\n')).toMatch(/keys\.json:1:\d+ keys\[0\]\.sha256/);
    expect(ring.authenticate(good.key, 0)).toBeDefined();
    // At start there is no last good version: an invalid file stops the start.
    await expect(new KeysFile(file, new ApiKeyRing()).load()).rejects.toBeInstanceOf(KeysFileError);
    await expect(new KeysFile(`${file}.missing`, new ApiKeyRing()).load()).rejects.toThrow(/cannot read \(ENOENT\)/);
  });
});
