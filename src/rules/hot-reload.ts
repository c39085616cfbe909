// Keeps the active rule set and replaces it, whole, when the rules folder changes.
// A rejected edit leaves the last good set serving; the rejection is kept for GET /rules.
import { watch, type FSWatcher } from 'node:fs';
import type { CompileResult } from './compile';
import { formatDiagnostic, type Diagnostic } from './diagnostics';
import type { RuleSet } from './ruleset';

export interface ReloadRejection {
  readonly at: Date;
  readonly diagnostics: readonly Diagnostic[];
  readonly messages: readonly string[];
}

export interface ReloadListener {
  onReloaded?(ruleSet: RuleSet, previous: RuleSet): void;
  onRejected?(rejection: ReloadRejection): void;
  onUnchanged?(ruleSet: RuleSet): void;
}

export class RuleSetHolder {
  private active: RuleSet;
  private rejection: ReloadRejection | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    initial: RuleSet,
    private readonly compile: () => Promise<CompileResult>,
    private readonly listener: ReloadListener = {},
  ) {
    this.active = initial;
  }

  get current(): RuleSet {
    return this.active;
  }

  /** The last rejected edit, until a later edit loads cleanly. */
  get lastRejection(): ReloadRejection | undefined {
    return this.rejection;
  }

  /** Re-reads and swaps; concurrent calls coalesce into one more pass after the running one. */
  reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.reloadOnce();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reloadOnce(): Promise<void> {
    let result: CompileResult;
    try {
      result = await this.compile();
    } catch (err) {
      // A file vanishing mid-read (editor's atomic save) is a rejection, not a crash.
      const message = `rules could not be read: ${(err as Error).message}`;
      result = { ok: false, diagnostics: [{ code: 'MISSING_FILE', file: '', line: 1, column: 1, path: '', message }] };
    }
    if (!result.ok) {
      this.rejection = { at: new Date(), diagnostics: result.diagnostics, messages: result.diagnostics.map(formatDiagnostic) };
      this.listener.onRejected?.(this.rejection);
      return;
    }
    this.rejection = undefined;
    if (result.ruleSet.version === this.active.version) {
      this.listener.onUnchanged?.(this.active);
      return;
    }
    const previous = this.active;
    this.active = result.ruleSet;
    this.listener.onReloaded?.(result.ruleSet, previous);
  }

  /** Watches the folder; bursts of events (an editor's save) settle for debounceMs first. */
  watch(dir: string, debounceMs = 150): void {
    this.watcher = watch(dir, { recursive: true, persistent: false }, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), debounceMs);
    });
    this.watcher.on('error', () => {
      /* the folder being replaced is followed by a reload on the next event */
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.watcher?.close();
    await this.running;
  }
}
