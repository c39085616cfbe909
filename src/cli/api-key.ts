// npm run api-key -- add --file keys.json --id los-main --role origination [--role …] [--level L2] [--not-after 2027-06-30T00:00:00Z]
// npm run api-key -- revoke --file keys.json --id los-main
// Adds a key (printed once on stdout; only its SHA-256 goes into the file) or removes one. The file
// is replaced atomically (0600), so a running service picks the change up on its next check.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateApiKey, parseKeysFile, type ApiKeyEntry } from '../access/api-keys';
import { isReviewerLevel, isRole, type Role } from '../access/roles';
import { formatDiagnostic } from '../rules/diagnostics';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    file: { type: 'string' },
    id: { type: 'string' },
    role: { type: 'string', multiple: true },
    level: { type: 'string' },
    'not-after': { type: 'string' },
    comment: { type: 'string' },
  },
});
const command = positionals[0];
if ((command !== 'add' && command !== 'revoke') || !values.file || !values.id) {
  fail('usage: npm run api-key -- add --file keys.json --id ID --role ROLE [--role ROLE] [--level L1|L2|L3] [--not-after ISO-8601] [--comment TEXT]\n       npm run api-key -- revoke --file keys.json --id ID');
}
const file = values.file;
let keys: ApiKeyEntry[] = [];
if (existsSync(file)) {
  const parsed = parseKeysFile(file, readFileSync(file, 'utf8'));
  if (!parsed.ok) fail(parsed.diagnostics.map(formatDiagnostic).join('\n'));
  keys = parsed.keys;
}

let key: string | undefined;
if (command === 'add') {
  if (keys.some((k) => k.id === values.id)) fail(`${file} already has a key "${values.id}" (revoke it first, or choose another id to rotate)`);
  const roles = values.role ?? [];
  const unknown = roles.filter((r) => !isRole(r));
  if (!roles.length || unknown.length) fail(`--role: give one or more of the roles (unknown: ${unknown.join(', ') || 'none given'})`);
  if (values.level !== undefined && !isReviewerLevel(values.level)) fail('--level: L1, L2 or L3');
  const made = generateApiKey({
    id: values.id,
    roles: roles as Role[],
    ...(values.level ? { level: values.level as ApiKeyEntry['level'] } : {}),
    ...(values['not-after'] ? { notAfter: values['not-after'] } : {}),
    ...(values.comment ? { comment: values.comment } : {}),
  });
  keys = [...keys, made.entry];
  key = made.key;
} else {
  if (!keys.some((k) => k.id === values.id)) fail(`${file} has no key "${values.id}"`);
  keys = keys.filter((k) => k.id !== values.id);
}

const text = `${JSON.stringify({ keys }, null, 2)}\n`;
const checked = parseKeysFile(file, text);
if (!checked.ok) fail(checked.diagnostics.map(formatDiagnostic).join('\n'));
const temporary = `${file}.${process.pid}.tmp`;
writeFileSync(temporary, text, { mode: 0o600 });
renameSync(temporary, file);
if (key) process.stdout.write(`${key}\n`);
process.stderr.write(`${command === 'add' ? 'added' : 'revoked'} "${values.id}" in ${file} (${keys.length} key(s))\n`);
