// npm run bench:import -- [--lines 1000000] [--disk]: writes a history file of that many lines
// (a /decide body with six identifiers, a submission time spread over a year, outcomes, some
// reasons and labels), then times `npm run import` on it in a child process, as an operator runs
// it, and prints the rate beside the target (1M lines in at most 2 minutes) and the store's size.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

const args = process.argv.slice(2);
const lines = Number(args.includes('--lines') ? args[args.indexOf('--lines') + 1] : 1_000_000);
const root = args.includes('--disk') || !existsSync('/dev/shm') ? tmpdir() : '/dev/shm';
const dir = mkdtempSync(path.join(root, 'bench-import-'));
const file = path.join(dir, 'history.ndjson');
const TARGET_S = 120 * (lines / 1_000_000);

const applicant = {
  age: 35, checkingAccountStatus: 'none', creditHistory: 'critical', purpose: 'radio_television', savingsAccountBonds: 'unknown',
  employmentDuration: 'gt_7', personalStatusSex: 'male_single', otherDebtorsGuarantors: 'none', property: 'real_estate',
  otherInstallmentPlans: 'none', housing: 'own', job: 'skilled_employee', installmentRatePct: 2, residenceYears: 4,
  existingCredits: 1, dependents: 1, hasTelephone: true, foreignWorker: false,
};
try {
  const start = Date.UTC(2025, 0, 1);
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const line = {
      applicationId: `H-${i}`, product: i % 5 ? 'personal_loan' : 'micro_loan', region: ['east', 'north', 'south', 'west'][i % 4], amount: 1000 + (i % 2000), termMonths: 12,
      applicant,
      identifiers: {
        phone: `+86 139 ${String(i % 900_000).padStart(8, '0')}`, email: `p${i}@example.com`, nationalId: `110105${String(i).padStart(11, '0')}X`,
        deviceId: `dev-${i % 700_000}`, address: `${i % 400_000} High Street`, bankAccount: `GB29NWBK6016${String(i).padStart(10, '0')}`,
      },
      submittedAt: new Date(start + Math.floor((i / lines) * 364 * 86_400_000)).toISOString(),
      outcome: i % 10 === 0 ? 'decline' : 'approve',
      ...(i % 50 === 0 ? { reasons: ['VELOCITY_PHONE'] } : {}),
      ...(i % 1000 === 0 ? { label: 'legit' } : {}),
    };
    chunk += `${JSON.stringify(line)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  console.log(`history file: ${lines.toLocaleString('en')} lines, ${(statSync(file).size / 1e6).toFixed(0)} MB, data directory on ${root}`);
  const t = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, DATA_DIR: path.join(dir, 'data'), IDENTIFIER_HASH_KEY: 'bench-key-not-secret-0123456789abcdef', LOG_LEVEL: 'silent' },
    stdio: 'inherit',
  });
  const seconds = (performance.now() - t) / 1000;
  const bytes = statSync(path.join(dir, 'data', 'audit.db')).size;
  console.log(`import: ${lines.toLocaleString('en')} lines in ${seconds.toFixed(1)} s (${Math.round(lines / seconds).toLocaleString('en')} lines/s; target ≤ ${TARGET_S.toFixed(0)} s: ${(seconds / TARGET_S).toFixed(2)} of it); store ${(bytes / 1e6).toFixed(0)} MB, ${Math.round(bytes / lines)} bytes per application`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
