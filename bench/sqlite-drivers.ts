// better-sqlite3 against Node's built-in node:sqlite, on the audit store's own pattern: WAL,
// synchronous=FULL, group commits of decisions with ~12 KB documents, and reads by primary key.
//   npx tsx bench/sqlite-drivers.ts        (BENCH_SQLITE_N decisions per driver, default 20 000)
// Both drivers run the same statements in the same process, alternating, on a temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import BetterSqlite3 from 'better-sqlite3';

const N = Number(process.env.BENCH_SQLITE_N ?? 20_000);
const GROUP = 10;
const document = JSON.stringify({ trace: Array.from({ length: 120 }, (_, i) => ({ rule: `R${i}`, fact: 'amount', operator: 'lessThan', value: i * 100, result: i % 2 === 0 })) });

interface Driver {
  readonly name: string;
  open(file: string): { exec(sql: string): void; insert(id: string, at: number, doc: string): void; get(id: string): unknown; transaction(work: () => void): void; close(): void };
}

const drivers: Driver[] = [
  {
    name: `better-sqlite3 ${(createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string }).version}`,
    open(file) {
      const db = new BetterSqlite3(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE decisions (decision_id TEXT PRIMARY KEY, decided_at INTEGER NOT NULL, document TEXT NOT NULL)');
      const insert = db.prepare('INSERT INTO decisions VALUES (?, ?, ?)');
      const get = db.prepare('SELECT * FROM decisions WHERE decision_id = ?');
      return {
        exec: (sql) => db.exec(sql),
        insert: (id, at, doc) => void insert.run(id, at, doc),
        get: (id) => get.get(id),
        transaction: (work) => db.transaction(work)(),
        close: () => db.close(),
      };
    },
  },
  {
    name: `node:sqlite (Node ${process.versions.node}, SQLite ${process.versions.sqlite})`,
    open(file) {
      const db = new DatabaseSync(file);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
      db.exec('CREATE TABLE decisions (decision_id TEXT PRIMARY KEY, decided_at INTEGER NOT NULL, document TEXT NOT NULL)');
      const insert = db.prepare('INSERT INTO decisions VALUES (?, ?, ?)');
      const get = db.prepare('SELECT * FROM decisions WHERE decision_id = ?');
      return {
        exec: (sql) => db.exec(sql),
        insert: (id, at, doc) => void insert.run(id, at, doc),
        get: (id) => get.get(id),
        transaction: (work) => {
          db.exec('BEGIN');
          try {
            work();
            db.exec('COMMIT');
          } catch (err) {
            db.exec('ROLLBACK');
            throw err;
          }
        },
        close: () => db.close(),
      };
    },
  },
];

const results = new Map<string, { commitUs: number[]; readUs: number }>();
for (let round = 0; round < 2; round++) {
  for (const driver of drivers) {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlite-drivers-'));
    const db = driver.open(path.join(dir, 'audit.db'));
    const commits: number[] = [];
    for (let i = 0; i < N; i += GROUP) {
      const t = performance.now();
      db.transaction(() => {
        for (let k = i; k < i + GROUP; k++) db.insert(`d-${k}`, k, document);
      });
      commits.push((performance.now() - t) * 1000);
    }
    const t = performance.now();
    for (let i = 0; i < N; i++) db.get(`d-${(i * 7919) % N}`);
    const readUs = ((performance.now() - t) * 1000) / N;
    db.close();
    rmSync(dir, { recursive: true, force: true });
    // The second round is the one reported (the first warms the disk and the JIT).
    if (round === 1) results.set(driver.name, { commitUs: commits.sort((a, b) => a - b), readUs });
  }
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;
process.stdout.write(`${N} decisions of ${(document.length / 1024).toFixed(1)} KB, ${GROUP} per commit (WAL, synchronous=FULL), then ${N} reads by key\n\n`);
process.stdout.write('driver | commit p50 µs | commit p99 µs | read µs\n---|---|---|---\n');
for (const [name, r] of results) process.stdout.write(`${name} | ${pct(r.commitUs, 50).toFixed(0)} | ${pct(r.commitUs, 99).toFixed(0)} | ${r.readUs.toFixed(1)}\n`);
