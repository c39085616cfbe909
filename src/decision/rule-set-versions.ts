// Every rule set that decides is archived in the audit store by its version before its first
// decision commits, so any stored decision can be replayed against the rules it was made with,
// long after they were edited. Archived versions compile again on demand (a few kept compiled).
import type { CompileResult, RuleFileText } from '../rules/compile';
import type { RuleSet } from '../rules/ruleset';
import type { AuditStore } from '../store/audit-store';

/** Compiled archived versions kept in memory (each holds its flows' evaluators). */
const COMPILED_KEPT = 4;

export interface RuleSetVersionsDeps {
  readonly store: AuditStore;
  /** The rule set serving now (replays of its own decisions need no archive read). */
  readonly current: () => RuleSet;
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

  /** The rule set of a version: the serving one, or the archived one compiled again; undefined when not archived. */
  async ofVersion(version: string): Promise<RuleSet | undefined> {
    const current = this.deps.current();
    if (current.version === version) return current;
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
