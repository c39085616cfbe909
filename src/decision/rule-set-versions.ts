// Every rule set that decides is archived in the audit store by its version before its first
// decision commits, so any stored decision can be replayed against the rules it was made with,
// long after they were edited. Archived versions compile again on demand (a few kept compiled).
import { createTwoFilesPatch } from 'diff';
import type { CompileResult, RuleFileText } from '../rules/compile';
import type { RuleSet } from '../rules/ruleset';
import type { AuditStore } from '../store/audit-store';

/** A version as GET /rules/versions lists it. */
export interface ArchivedVersion {
  readonly version: string;
  readonly archivedAt: string;
  readonly files: number;
}

export interface RuleFileChange {
  readonly path: string;
  readonly status: 'added' | 'removed' | 'changed';
  /** A unified diff of the file (3 lines of context), as `git diff` shows it. */
  readonly patch: string;
}

/** Compiled archived versions kept in memory (each holds its flows' evaluators). */
const COMPILED_KEPT = 4;

export interface RuleSetVersionsDeps {
  readonly store: AuditStore;
  /** The rule set serving now (replays of its own decisions need no archive read); tools have none. */
  readonly current?: () => RuleSet;
  /** Compiles rule files as the service does. */
  readonly compile: (files: readonly RuleFileText[]) => CompileResult;
  readonly clock: () => number;
}

export class RuleSetVersions {
  private readonly archived = new Map<string, Promise<void>>();
  private readonly compiled = new Map<string, RuleSet | undefined>();

  constructor(private readonly deps: RuleSetVersionsDeps) {}

  /** Resolves once the rule set is in the archive (committed once per version; later calls wait for nothing). */
  archive(ruleSet: RuleSet): Promise<void> {
    let archiving = this.archived.get(ruleSet.version);
    if (!archiving) {
      const { store, clock } = this.deps;
      archiving = store.commit(() => store.archiveRuleSet(ruleSet.version, ruleSet.archive, clock()));
      this.archived.set(ruleSet.version, archiving);
      // A failed write (disk full) is tried again by the next decision.
      archiving.catch(() => this.archived.delete(ruleSet.version));
    }
    return archiving;
  }

  /** Archived versions, newest first; `next` continues the list. */
  list(limit: number, cursor?: string): { versions: ArchivedVersion[]; next: string | undefined } {
    const before = cursor === undefined ? undefined : parseCursor(cursor);
    const rows = this.deps.store.archivedRuleSets(limit, before);
    const last = rows[rows.length - 1];
    return {
      versions: rows.map((r) => ({ version: r.version, archivedAt: new Date(r.archivedAt).toISOString(), files: r.files })),
      next: last && rows.length === limit ? `${last.archivedAt}.${last.version}` : undefined,
    };
  }

  /** An archived version's files, as the archive holds them (lists by their hashes). */
  files(version: string): { version: string; archivedAt: string; files: { path: string; text: string }[] } | undefined {
    const stored = this.deps.store.archivedRuleSet(version);
    return stored && { version, archivedAt: new Date(stored.archivedAt).toISOString(), files: stored.files };
  }

  /** What changed from one archived version to another, file by file; undefined when either is not archived. */
  diff(from: string, to: string): { from: string; to: string; changes: RuleFileChange[]; unchanged: number } | undefined {
    const a = this.deps.store.archivedRuleSet(from);
    const b = this.deps.store.archivedRuleSet(to);
    if (!a || !b) return undefined;
    const before = new Map(a.files.map((f) => [f.path, f.text]));
    const after = new Map(b.files.map((f) => [f.path, f.text]));
    const changes: RuleFileChange[] = [];
    let unchanged = 0;
    for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const was = before.get(path);
      const now = after.get(path);
      if (was === now) {
        unchanged++;
        continue;
      }
      const status = was === undefined ? 'added' : now === undefined ? 'removed' : 'changed';
      changes.push({ path, status, patch: createTwoFilesPatch(`${from}/${path}`, `${to}/${path}`, was ?? '', now ?? '', undefined, undefined, { context: 3 }) });
    }
    return { from, to, changes, unchanged };
  }

  /** The rule set of a version: the serving one, or the archived one compiled again; undefined when not archived. */
  async ofVersion(version: string): Promise<RuleSet | undefined> {
    const current = this.deps.current?.();
    if (current?.version === version) return current;
    if (this.compiled.has(version)) return this.compiled.get(version);
    const stored = this.deps.store.archivedRuleSet(version);
    if (!stored) return undefined;
    const result = this.deps.compile(stored.files.map((f) => ({ relPath: f.path, displayPath: `archive ${version.slice(0, 12)}/${f.path}`, text: f.text })));
    const ruleSet = result.ok ? result.ruleSet : undefined;
    if (this.compiled.size >= COMPILED_KEPT) this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(version, ruleSet);
    return ruleSet;
  }
}

/** A cursor of the versions list: "<archivedAt ms>.<version>". */
function parseCursor(cursor: string): { archivedAt: number; version: string } {
  const m = /^(\d{1,15})\.([0-9a-f]{16})$/.exec(cursor);
  if (!m) throw new InvalidCursorError(cursor);
  return { archivedAt: Number(m[1]), version: m[2] as string };
}

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`cursor "${cursor.slice(0, 40)}" is not one this list gave`);
  }
}
