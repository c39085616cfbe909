import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiKeyRing, parseKeysFile } from '../../src/access/api-keys';
import { tempDir } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/api-key.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run api-key', () => {
  it('adds a key (shown once, stored as a hash, file 0600) and revokes it', () => {
    const file = path.join(tempDir(), 'keys.json');
    const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/api-key.ts', 'add', '--file', file, '--id', 'reviewer-li', '--role', 'reviewer', '--level', 'L2'], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(key).toMatch(/^dk_/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(key);
    const parsed = parseKeysFile(file, text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(new ApiKeyRing(parsed.keys).authenticate(key, Date.now())).toMatchObject({ id: 'key:reviewer-li', roles: ['reviewer'], level: 'L2' });

    const duplicate = run(['add', '--file', file, '--id', 'reviewer-li', '--role', 'reviewer', '--level', 'L2']);
    expect(duplicate.status).toBe(2);
    expect(duplicate.stderr).toContain('already has a key "reviewer-li"');
    const noLevel = run(['add', '--file', file, '--id', 'r2', '--role', 'reviewer']);
    expect(noLevel.status).toBe(2);
    expect(noLevel.stderr).toMatch(/a reviewer key needs "level"/);
    expect(run(['add', '--file', file, '--id', 'x', '--role', 'root']).stderr).toContain('unknown: root');

    expect(run(['revoke', '--file', file, '--id', 'reviewer-li']).status).toBe(0);
    const after = parseKeysFile(file, readFileSync(file, 'utf8'));
    expect(after.ok && after.keys).toEqual([]);
  });
});
