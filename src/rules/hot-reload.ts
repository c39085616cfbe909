// Keeps the active rule set and replaces it, whole, when the rules folder changes.
// A rejected edit leaves the last good set serving; the rejection is kept for GET /rules.
//
// Two ways of noticing an edit, because one is not enough: Node's recursive fs.watch on Linux
// (Node 20 and 22) follows each file's inode, so once a file has been replaced (sed -i, an
// editor's atomic save) later in-place writes, cp over it and truncation go unreported and the old
// set keeps serving. Here every directory gets its own non-recursive watcher (a directory's inotify
// watch reports changes to its entries whatever their inode), re-opened as directories appear,
// vanish or are replaced; beneath them a poll stats every rule file and, when a stat moved, reads
// the folder and compares its content hash with the set being served. That comparison is also what
// GET /rules and /ready report: whether what is served is what is on disk.
import { watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isRuleFile, ruleSetVersion, type CompileResult, type RuleFileText } from './compile';
import { formatDiagnostic, type Diagnostic } from './diagnostics';
import { readRuleFiles } from './load';
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

/** What the rules folder holds, compared with the set being served. */
export interface DiskState {
  /** When the folder was last compared with the served set. */
  readonly checkedAt: Date;
  /** The rule files on disk are the ones the served set was compiled from. */
  readonly matchesLoaded: boolean;
  /** ruleSetVersion of the rule files on disk; absent when the folder could not be read. */
  readonly diskVersion?: string;
  /** When the folder was first seen to differ from the served set; absent while they match. */
  readonly differsSince?: Date;
}

/** Reports changes to the entries of one directory (not below it); closes when told. */
export type DirectoryWatch = (dir: string, onChange: (entry: string | null) => void, onError: () => void) => { close(): void };

export interface WatchOptions {
  /** Quiet time after the last change before reloading: one save is often several events. */
  readonly debounceMs?: number;
  /** How often every rule file is stat-ed: the safety net beneath the directory watchers. */
  readonly pollMs?: number;
  /** How one directory is watched (default fs.watch); tests pass one that reports nothing. */
  readonly watchDirectory?: DirectoryWatch;
}

export interface RuleSetHolderOptions {
  /** The folder the initial set was just compiled from; every reload reads it again. */
  readonly rulesDir: string;
  /** Compiles what was read from rulesDir (the caller knows how identifiers are hashed). */
  readonly compile: (files: readonly RuleFileText[]) => CompileResult;
  readonly listener?: ReloadListener;
  readonly clock?: () => number;
}

export const DEFAULT_DEBOUNCE_MS = 150;
export const DEFAULT_POLL_MS = 1000;
/**
 * Even when no stat moved the poll reads the files this often: an edit that keeps a file's size
 * and lands in the same timestamp tick as the previous look leaves its stat as it was.
 */
const REREAD_EVERY_MS = 60_000;

const watchWithFs: DirectoryWatch = (dir, onChange, onError) => {
  const watcher = watch(dir, (_event, entry) => onChange(entry));
  watcher.on('error', onError);
  return watcher;
};

interface Watching {
  readonly debounceMs: number;
  readonly pollMs: number;
  readonly watchDirectory: DirectoryWatch;
}

export class RuleSetHolder {
  private active: RuleSet;
  private rejection: ReloadRejection | undefined;
  private disk: DiskState;
  /** The disk version the last reload compiled, loaded or rejected: the poll does not retry it. */
  private attempted: string | undefined;
  /** The rule files' stats when the disk version was last read; undefined: read at the next look. */
  private readSignature: string | undefined;
  private readAt = 0;

  private readonly rulesDir: string;
  private readonly root: string;
  private readonly compile: (files: readonly RuleFileText[]) => CompileResult;
  private readonly listener: ReloadListener;
  private readonly clock: () => number;

  // One pass at a time (a look, a reload, or both); requests made meanwhile run in the next pass.
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private wantLook = false;
  private wantReload = false;

  private watching: Watching | undefined;
  private readonly directories = new Map<string, { readonly ino: number; readonly watch: { close(): void } }>();
  private settleTimer: NodeJS.Timeout | undefined;
  private settleStartedAt = 0;
  private settleReloads = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `initial` must have been compiled from `rulesDir` just now: it is taken as what the folder holds. */
  constructor(initial: RuleSet, options: RuleSetHolderOptions) {
    this.active = initial;
    this.rulesDir = options.rulesDir;
    this.root = path.resolve(options.rulesDir);
    this.compile = options.compile;
    this.listener = options.listener ?? {};
    this.clock = options.clock ?? Date.now;
    this.attempted = initial.version;
    this.disk = { checkedAt: initial.loadedAt, matchesLoaded: true, diskVersion: initial.version };
  }

  get current(): RuleSet {
    return this.active;
  }

  /** The last rejected edit, until a later edit loads cleanly. */
  get lastRejection(): ReloadRejection | undefined {
    return this.rejection;
  }

  /** Whether the folder is being watched (without it, diskState is as of the last reload). */
  get isWatching(): boolean {
    return this.watching !== undefined && !this.closed;
  }

  diskState(): DiskState {
    return this.disk;
  }

  /** Whole seconds since the served set was loaded. */
  loadedAgeSeconds(): number {
    return Math.max(0, Math.floor((this.clock() - this.active.loadedAt.getTime()) / 1000));
  }

  /**
   * The folder has differed from the served set for longer than an edit takes to load (the
   * debounce plus one poll): the edit was rejected, or it is not being picked up.
   */
  reloadOverdue(): boolean {
    const since = this.disk.differsSince;
    const windowMs = (this.watching?.debounceMs ?? DEFAULT_DEBOUNCE_MS) + (this.watching?.pollMs ?? DEFAULT_POLL_MS);
    return since !== undefined && this.clock() - since.getTime() > windowMs;
  }

  /** Re-reads and swaps; concurrent calls coalesce into one more pass after the running one. */
  reload(): Promise<void> {
    this.wantReload = true;
    return this.run();
  }

  /**
   * Watches every directory of the folder and polls its rule files' stats. Resolves once the
   * directories are watched and the folder has been compared with the served set.
   */
  async watch(options: WatchOptions = {}): Promise<void> {
    if (this.watching || this.closed) return;
    this.watching = {
      debounceMs: options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
      pollMs: options.pollMs ?? DEFAULT_POLL_MS,
      watchDirectory: options.watchDirectory ?? watchWithFs,
    };
    this.wantLook = true;
    await this.run();
    this.schedulePoll();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.settleTimer);
    clearTimeout(this.pollTimer);
    for (const { watch: watcher } of this.directories.values()) watcher.close();
    this.directories.clear();
    await this.drained;
  }

  private run(): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      this.drained = this.drain();
    }
    return this.drained;
  }

  private async drain(): Promise<void> {
    try {
      while (this.wantLook || this.wantReload) {
        const reload = this.wantReload;
        const look = this.wantLook;
        this.wantLook = false;
        this.wantReload = false;
        // A reload reads the folder anyway; the look then only follows its directories.
        const due = look && !this.closed ? await this.look(!reload) : false;
        if (reload) await this.reloadOnce();
        else if (due) this.settle(true);
      }
    } finally {
      // Cleared in the same step as the last check of the flags, so no request falls in between.
      this.draining = false;
    }
  }

  /** Follows the folder's directories and, when asked, compares the folder with the served set; true when a reload is due. */
  private async look(compare: boolean): Promise<boolean> {
    const scan = await scanRuleFolder(this.root);
    if (this.closed) return false;
    this.followDirectories(scan.directories);
    if (!compare) return false;
    const now = this.clock();
    if (scan.signature === this.readSignature && now - this.readAt < REREAD_EVERY_MS) {
      this.recordDisk(this.disk.diskVersion, now);
      return false;
    }
    let diskVersion: string | undefined;
    try {
      diskVersion = ruleSetVersion(await readRuleFiles(this.rulesDir));
    } catch {
      diskVersion = undefined;
    }
    // The stats from before the read: an edit landing during the read shows as a change next time.
    this.readSignature = scan.signature;
    this.readAt = now;
    this.recordDisk(diskVersion, this.clock());
    return diskVersion !== this.attempted;
  }

  private async reloadOnce(): Promise<void> {
    let files: RuleFileText[] | undefined;
    let result: CompileResult;
    try {
      files = await readRuleFiles(this.rulesDir);
      result = this.compile(files);
    } catch (err) {
      // A file vanishing mid-read (editor's atomic save) is a rejection, not a crash.
      const message = `rules could not be read: ${(err as Error).message}`;
      result = { ok: false, diagnostics: [{ code: 'MISSING_FILE', file: '', line: 1, column: 1, path: '', message }] };
    }
    const diskVersion = files ? ruleSetVersion(files) : undefined;
    this.attempted = diskVersion;
    // The folder may have moved on since this read: the next look reads it again.
    this.readSignature = undefined;
    if (!result.ok) {
      this.rejection = { at: new Date(this.clock()), diagnostics: result.diagnostics, messages: result.diagnostics.map(formatDiagnostic) };
      this.recordDisk(diskVersion, this.clock());
      this.listener.onRejected?.(this.rejection);
      return;
    }
    this.rejection = undefined;
    if (result.ruleSet.version === this.active.version) {
      this.recordDisk(diskVersion, this.clock());
      this.listener.onUnchanged?.(this.active);
      return;
    }
    const previous = this.active;
    this.active = result.ruleSet;
    this.recordDisk(diskVersion, this.clock());
    this.listener.onReloaded?.(result.ruleSet, previous);
  }

  private recordDisk(diskVersion: string | undefined, at: number): void {
    const matchesLoaded = diskVersion !== undefined && diskVersion === this.active.version;
    this.disk = {
      checkedAt: new Date(at),
      matchesLoaded,
      ...(diskVersion !== undefined ? { diskVersion } : {}),
      ...(matchesLoaded ? {} : { differsSince: this.disk.differsSince ?? new Date(at) }),
    };
  }

  /** Lets a burst of changes settle, then looks (and reloads, if a rule file was named or the look finds the folder changed). */
  private settle(reload: boolean): void {
    if (this.closed || !this.watching) return;
    this.settleReloads ||= reload;
    const now = this.clock();
    if (this.settleTimer) {
      // A file rewritten without pause (a log, a swap file) must not postpone the reload for ever.
      if (now - this.settleStartedAt >= this.watching.pollMs) return;
      clearTimeout(this.settleTimer);
    } else {
      this.settleStartedAt = now;
    }
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.wantLook = true;
      this.wantReload ||= this.settleReloads;
      this.settleReloads = false;
      void this.run();
    }, this.watching.debounceMs);
  }

  private schedulePoll(): void {
    if (this.closed || !this.watching) return;
    // The next poll is timed from the end of this one, so a slow look on a busy machine never overlaps the next.
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.wantLook = true;
      void this.run().finally(() => this.schedulePoll());
    }, this.watching.pollMs);
  }

  private onChange(dir: string, entry: string | null): void {
    if (entry === null) return this.settle(true);
    const relPath = path.relative(this.root, path.join(dir, entry)).split(path.sep).join('/');
    // What readRuleFiles skips (editor swap files, .git) changes nothing.
    if (relPath.split('/').some((part) => part.startsWith('.'))) return;
    // Anything else may be a directory appearing or going: look, and reload if that changed the rule files.
    this.settle(isRuleFile(relPath));
  }

  /** One watcher per directory the scan found; a directory gone or replaced (new inode) loses its old watcher. */
  private followDirectories(directories: ReadonlyMap<string, number>): void {
    const watching = this.watching;
    if (!watching) return;
    for (const [dir, watched] of this.directories) {
      if (directories.get(dir) === watched.ino) continue;
      watched.watch.close();
      this.directories.delete(dir);
    }
    for (const [dir, ino] of directories) {
      if (this.directories.has(dir)) continue;
      try {
        const watcher = watching.watchDirectory(dir, (entry) => this.onChange(dir, entry), () => this.onWatchError(dir));
        this.directories.set(dir, { ino, watch: watcher });
      } catch {
        // Gone again since the scan; the next look settles it.
      }
    }
  }

  private onWatchError(dir: string): void {
    this.directories.get(dir)?.watch.close();
    this.directories.delete(dir);
    this.settle(false);
  }
}

/** The directories a look watches, and the stats of the rule files in them. */
export interface RuleFolderScan {
  /** Every directory that can hold rule files, with its inode. */
  readonly directories: ReadonlyMap<string, number>;
  /** Each rule file's path, inode, size, mtime and ctime: equal signatures, the same files. */
  readonly signature: string;
}

/**
 * Stats the files readRuleFiles would read (dot-entries skipped, symlinks not followed). ctime is
 * in the signature because a restore may set mtime back (cp -p, tar, rsync -t); ctime cannot be.
 */
export async function scanRuleFolder(rulesDir: string): Promise<RuleFolderScan> {
  const root = path.resolve(rulesDir);
  const directories = new Map<string, number>();
  const lines: string[] = [];
  const walk = async (dir: string, relDir: string): Promise<void> => {
    let entries;
    try {
      const [self, listed] = await Promise.all([stat(dir), readdir(dir, { withFileTypes: true })]);
      directories.set(dir, self.ino);
      entries = listed;
    } catch (err) {
      lines.push(`${relDir}/\0${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      return;
    }
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name.startsWith('.')) return;
        const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
        const full = path.join(dir, entry.name);
        // A folder none of whose files could be rule files (tests/, schema/) is neither watched nor stat-ed.
        if (entry.isDirectory()) return isRuleFile(`${relPath}/x.json`) ? walk(full, relPath) : undefined;
        if (!entry.isFile() || !isRuleFile(relPath)) return;
        try {
          const s = await stat(full);
          lines.push(`${relPath}\0${s.ino}\0${s.size}\0${s.mtimeMs}\0${s.ctimeMs}`);
        } catch (err) {
          lines.push(`${relPath}\0${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
        }
      }),
    );
  };
  await walk(root, '');
  return { directories, signature: lines.sort().join('\n') };
}
