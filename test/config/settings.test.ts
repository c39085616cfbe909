import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, SETTING_DEFAULTS, SettingsError } from '../../src/config/settings';

describe('loadSettings', () => {
  it('fills the documented defaults', () => {
    expect(loadSettings({})).toMatchObject({ port: 3000, dataDir: './data', rulesDir: './rules', environment: 'development', watchRules: true });
  });

  it('names every bad setting and what was expected', () => {
    try {
      loadSettings({ PORT: 'eighty', LOG_LEVEL: 'loud', RULES_WATCH: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SettingsError);
      const problems = (err as SettingsError).problems;
      expect(problems).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
      expect(problems).toContain('LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
      expect(problems).toContain('RULES_WATCH: expected true or false, got "maybe"');
    }
  });

  it('refuses production without an identifier hash key, and never echoes a key', () => {
    expect(() => loadSettings({ NODE_ENV: 'production' })).toThrow(/IDENTIFIER_HASH_KEY: required when NODE_ENV=production/);
    expect(() => loadSettings({ IDENTIFIER_HASH_KEY: 'short-secret' })).toThrow(/IDENTIFIER_HASH_KEY: expected a string of at least 32 characters, got \(hidden\)/);
    expect(loadSettings({ NODE_ENV: 'production', IDENTIFIER_HASH_KEY: 'x'.repeat(32), API_KEYS_FILE: '/etc/keys.json' }).environment).toBe('production');
  });

  it('refuses production without credentials configured, and half an identity-provider configuration anywhere', () => {
    expect(() => loadSettings({ NODE_ENV: 'production', IDENTIFIER_HASH_KEY: 'x'.repeat(32) })).toThrow(/API_KEYS_FILE or OIDC_ISSUER: required when NODE_ENV=production/);
    expect(() => loadSettings({ OIDC_ISSUER: 'https://idp.bank.example' })).toThrow(/OIDC_ISSUER, OIDC_AUDIENCE and one of OIDC_JWKS_FILE/);
    expect(() => loadSettings({ OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'decisions', OIDC_JWKS_FILE: 'a.json', OIDC_JWKS_URL: 'https://idp/jwks' })).toThrow(/set one, not both/);
    expect(() =>
      loadSettings({ NODE_ENV: 'production', IDENTIFIER_HASH_KEY: 'x'.repeat(32), OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'decisions', OIDC_JWKS_URL: 'http://idp/jwks' }),
    ).toThrow(/must be https/);
    const people = loadSettings({ NODE_ENV: 'production', IDENTIFIER_HASH_KEY: 'x'.repeat(32), OIDC_ISSUER: 'https://idp', OIDC_AUDIENCE: 'decisions', OIDC_JWKS_URL: 'https://idp/jwks' });
    expect(people).toMatchObject({ oidcRolesClaim: 'roles', oidcLevelClaim: 'approval_level', apiKeysFile: undefined });
  });

  it('every setting is in the README\'s configuration table, with its default', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Guarantees'));
    const rows = new Map<string, string>();
    for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
      const [names = '', defaults = ''] = line.split('|').slice(1);
      for (const name of names.match(/[A-Z][A-Z0-9_]+/g) ?? []) rows.set(name, defaults);
    }
    for (const [name, value] of Object.entries(SETTING_DEFAULTS)) {
      expect(rows.has(name), `${name} is missing from the README`).toBe(true);
      if (value !== undefined) expect(rows.get(name), name).toContain(`\`${String(value)}\``);
    }
  });
});
