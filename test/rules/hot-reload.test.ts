// Hot reload never misses an edit: however a rule file is changed (in place, truncated, replaced,
// copied over, restored by git, deleted, added, its folder removed and re-created) the holder
// serves what is on disk within 2 s, and says when it does not (a rejected edit).
//
// Every case first replaces the file the way `sed -i` does, as in the report that started this:
// Node's recursive watcher (Node 20 and 22 on Linux) then follows the replaced inode and misses
// the in-place write, the truncation, cp and delete-and-recreate that come next.
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRuleSet, ruleSetVersion, type RuleFileText } from '../../src/rules/compile';
import { RuleSetHolder, scanRuleFolder, type DirectoryWatch, type RuleSetHolderOptions, type WatchOptions } from '../../src/rules/hot-reload';
import { readRuleFiles } from '../../src/rules/load';
import { REPO_RULES, tempDir } from '../support/server';

const run = promisify(execFile);
/** The one time bound: an edit serves within this. */
const LOAD_BOUND_MS = 2000;
const LIST = 'lists/blocked-devices.json';
const UNUSED_LIST = 'lists/watch-test.json';

const compile = (files: readonly RuleFileText[]) => compileRuleSet(files, { hashIdentifier: (type, raw) => `${type}:${raw}` });

async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Folder {
  readonly dir: string;
  readonly scratch: string;
}

/** A private copy of the shipped rules, and a scratch folder beside it (outside the watched one). */
async function copyOfRules(): Promise<Folder> {
  const scratch = tempDir('hot-reload-');
  const dir = path.join(scratch, 'rules');
  await cp(REPO_RULES, dir, { recursive: true });
  return { dir, scratch };
}

let edits = 0;
/** The list with one more blocked device: a different, valid rule set each time. */
async function nextListText(dir: string): Promise<string> {
  const text = await readFile(path.join(dir, LIST), 'utf8');
  return text.replace('"entries": [', `"entries": ["watch-test-${++edits}", `);
}

const unusedList = (entry: string) => `${JSON.stringify({ description: 'A list no flow uses.', identifierType: 'deviceId', entries: [entry] }, null, 2)}\n`;

/** Replaces the file as sed -i does: a new file beside it, renamed over it (a new inode). */
async function replaceLikeSed(folder: Folder): Promise<void> {
  const temp = path.join(folder.dir, 'lists', 'sedAb12Cd');
  await writeFile(temp, await nextListText(folder.dir));
  await rename(temp, path.join(folder.dir, LIST));
}

const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd });

interface Change {
  readonly name: string;
  /** Run first, and waits for its outcome (e.g. adds the list a later change deletes). */
  readonly before?: (folder: Folder, holder: RuleSetHolder) => Promise<void>;
  readonly change: (folder: Folder) => Promise<void>;
}

const writeInPlace = async (f: Folder) => writeFile(path.join(f.dir, LIST), await nextListText(f.dir));

const CHANGES: readonly Change[] = [
  { name: 'an in-place write', change: writeInPlace },
  {
    name: 'truncate, then write',
    change: async (f) => {
      const text = await nextListText(f.dir);
      const file = await open(path.join(f.dir, LIST), 'r+');
      try {
        await file.truncate(0);
        await file.write(text, 0);
      } finally {
        await file.close();
      }
    },
  },
  {
    name: 'a temporary file renamed over it',
    change: async (f) => {
      const temp = path.join(f.dir, 'lists', '.blocked-devices.json.swp');
      await writeFile(temp, await nextListText(f.dir));
      await rename(temp, path.join(f.dir, LIST));
    },
  },
  {
    name: 'cp over it',
    change: async (f) => {
      const source = path.join(f.scratch, 'edited.json');
      await writeFile(source, await nextListText(f.dir));
      await copyFile(source, path.join(f.dir, LIST));
    },
  },
  {
    name: 'git checkout of the committed version',
    before: async (f, holder) => {
      await git(f.dir, 'init', '-q');
      // The checkout below must act on this temporary repository and nothing else.
      expect((await git(f.dir, 'rev-parse', '--show-toplevel')).stdout.trim()).toBe(f.dir);
      await git(f.dir, 'add', '-A');
      await git(f.dir, 'commit', '-q', '-m', 'rules');
      await expectServedWithin2s(holder, f, async () => writeFile(path.join(f.dir, LIST), await nextListText(f.dir)));
    },
    change: async (f) => {
      await git(f.dir, 'checkout', '--', LIST);
    },
  },
  {
    name: 'deleted and created again',
    change: async (f) => {
      const text = await nextListText(f.dir);
      await rm(path.join(f.dir, LIST));
      await writeFile(path.join(f.dir, LIST), text);
    },
  },
  { name: 'a new file', change: async (f) => writeFile(path.join(f.dir, UNUSED_LIST), unusedList('new-file')) },
  {
    name: 'a deleted file',
    before: (f, holder) => expectServedWithin2s(holder, f, () => writeFile(path.join(f.dir, UNUSED_LIST), unusedList('to-delete'))),
    change: async (f) => rm(path.join(f.dir, UNUSED_LIST)),
  },
  {
    name: 'a folder removed, then created again with an edited file',
    before: async (f, holder) => {
      // Without lists/ the flows' inList rules name unknown lists: rejected, and the disk differs.
      const serving = holder.current.version;
      await rename(path.join(f.dir, 'lists'), path.join(f.scratch, 'lists-removed'));
      expect(await until(() => holder.lastRejection !== undefined, LOAD_BOUND_MS)).toBe(true);
      expect(holder.current.version).toBe(serving);
      expect(holder.diskState().matchesLoaded).toBe(false);
    },
    change: async (f) => {
      await mkdir(path.join(f.dir, 'lists'));
      for (const name of await readdir(path.join(f.scratch, 'lists-removed'))) {
        await copyFile(path.join(f.scratch, 'lists-removed', name), path.join(f.dir, 'lists', name));
      }
      await writeFile(path.join(f.dir, LIST), await nextListText(f.dir));
    },
  },
];

const silent: DirectoryWatch = () => ({ close: () => undefined });
// Each mechanism alone must catch every change; the defaults (both, a 1 s poll) are what
// test/http/hot-reload.test.ts runs against the real service for each change.
const MODES: readonly { readonly name: string; readonly options: WatchOptions }[] = [
  // The poll alone, as if every directory watcher missed everything.
  { name: 'the poll alone (watchers that report nothing)', options: { watchDirectory: silent, pollMs: 250 } },
  { name: 'the directory watchers alone (no poll within the test)', options: { pollMs: 3_600_000 } },
];

let current: RuleSetHolder | undefined;
let folders: string[] = [];
afterEach(async () => {
  await current?.close();
  current = undefined;
  await Promise.all(folders.map((d) => rm(d, { recursive: true, force: true })));
  folders = [];
});

async function watchedCopy(options: WatchOptions = {}, extra: Pick<RuleSetHolderOptions, 'clock' | 'listener'> = {}): Promise<{ folder: Folder; holder: RuleSetHolder }> {
  const folder = await copyOfRules();
  folders.push(folder.scratch);
  const initial = compile(await readRuleFiles(folder.dir));
  if (!initial.ok) throw new Error(`the shipped rules do not compile: ${initial.diagnostics.map((d) => d.message).join('; ')}`);
  const holder = new RuleSetHolder(initial.ruleSet, { rulesDir: folder.dir, compile, ...extra });
  current = holder;
  await holder.watch(options);
  return { folder, holder };
}

const onDisk = async (dir: string) => ruleSetVersion(await readRuleFiles(dir));

/** Makes the change, then expects the holder to serve what is on disk (a new version) within 2 s. */
async function expectServedWithin2s(holder: RuleSetHolder, folder: Folder, change: (f: Folder) => Promise<void>): Promise<void> {
  const before = holder.current.version;
  await change(folder);
  const served = await until(async () => holder.current.version === (await onDisk(folder.dir)), LOAD_BOUND_MS);
  const disk = await onDisk(folder.dir);
  expect(disk, 'the change made a different rule set').not.toBe(before);
  expect(served, `serves ${disk} (what is on disk) within ${LOAD_BOUND_MS} ms; serving ${holder.current.version}`).toBe(true);
  expect(holder.lastRejection?.messages).toBeUndefined();
  expect(holder.diskState()).toMatchObject({ matchesLoaded: true, diskVersion: disk });
  expect(holder.diskState().differsSince).toBeUndefined();
}

describe.each(MODES)('hot reload with $name', ({ options }) => {
  it.each(CHANGES)('loads $name within 2 s, and an in-place write after it', async ({ before, change }) => {
    const { folder, holder } = await watchedCopy(options);
    await expectServedWithin2s(holder, folder, replaceLikeSed);
    await before?.(folder, holder);
    await expectServedWithin2s(holder, folder, change);
    // A watcher that lost track of the file (or of a re-created folder) shows here.
    await expectServedWithin2s(holder, folder, writeInPlace);
  });
});

describe('hot reload: staleness', () => {
  it('rejects a broken edit: the last good set serves, the disk is reported as different and, past debounce + poll, overdue; fixing it loads', async () => {
    // Frozen while the overdue window is checked, so that no slow step of the test can cross it.
    let frozenAt: number | undefined;
    const { folder, holder } = await watchedCopy({}, { clock: () => frozenAt ?? Date.now() });
    const good = holder.current.version;
    const file = path.join(folder.dir, LIST);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"identifierType"', '"identifierTyp"'));
    const broken = await onDisk(folder.dir);

    expect(await until(() => holder.lastRejection !== undefined && holder.diskState().diskVersion === broken, LOAD_BOUND_MS)).toBe(true);
    expect(holder.current.version).toBe(good);
    expect(holder.lastRejection?.messages.join('\n')).toMatch(/blocked-devices\.json/);
    const disk = holder.diskState();
    expect(disk).toMatchObject({ matchesLoaded: false, diskVersion: broken });
    expect(disk.differsSince).toBeInstanceOf(Date);
    const since = disk.differsSince?.getTime() ?? Number.NaN;
    frozenAt = since + 1_150; // the default debounce (150 ms) and poll (1 s)
    expect(holder.reloadOverdue()).toBe(false);
    frozenAt = since + 1_151;
    expect(holder.reloadOverdue()).toBe(true);
    frozenAt = undefined;

    await expectServedWithin2s(holder, folder, () => writeFile(file, text.replace('"entries": [', '"entries": ["fixed", ')));
    expect(holder.reloadOverdue()).toBe(false);
  });

  it('a rules folder that cannot be read is a rejection; the same files back make it match again', async () => {
    const { folder, holder } = await watchedCopy();
    const good = holder.current.version;
    await rename(folder.dir, path.join(folder.scratch, 'rules-away'));
    expect(await until(() => holder.lastRejection !== undefined, LOAD_BOUND_MS)).toBe(true);
    expect(holder.lastRejection?.messages.join('\n')).toMatch(/rules could not be read/);
    expect(holder.current.version).toBe(good);
    expect(holder.diskState().matchesLoaded).toBe(false);
    expect(holder.diskState().diskVersion).toBeUndefined();

    // A copy, not a rename back: a new inode, which the root's old watcher knows nothing of.
    await cp(path.join(folder.scratch, 'rules-away'), folder.dir, { recursive: true });
    expect(await until(() => holder.lastRejection === undefined && holder.diskState().matchesLoaded, LOAD_BOUND_MS)).toBe(true);
    expect(holder.current.version).toBe(good);
  });

  it('loads a rules folder swapped for an edited copy (the folder itself a new inode), and edits in the new folder', async () => {
    const { folder, holder } = await watchedCopy();
    await expectServedWithin2s(holder, folder, async (f) => {
      const next = path.join(f.scratch, 'rules-next');
      await cp(f.dir, next, { recursive: true });
      await writeFile(path.join(next, UNUSED_LIST), unusedList('swapped-in'));
      await rename(f.dir, path.join(f.scratch, 'rules-previous'));
      await rename(next, f.dir);
    });
    // A watcher still on the old folder's inode would miss this one.
    await expectServedWithin2s(holder, folder, writeInPlace);
  });

  it('ignores what is not a rule set: test cases, schemas and editor files start no reload', async () => {
    const passes: string[] = [];
    const listener = { onReloaded: () => passes.push('reloaded'), onRejected: () => passes.push('rejected'), onUnchanged: () => passes.push('unchanged') };
    const { folder, holder } = await watchedCopy({ pollMs: 100 }, { listener });
    await writeFile(path.join(folder.dir, 'tests', 'watch-test.json'), '{}');
    await writeFile(path.join(folder.dir, 'schema', 'watch-test.json'), '{}');
    await writeFile(path.join(folder.dir, 'lists', '.blocked-devices.json.swp'), 'not json');
    await writeFile(path.join(folder.dir, 'lists', 'blocked-devices.json~'), 'not json');
    // Looked at again well after the debounce: whatever those writes started has run by now.
    const after = Date.now() + 500;
    expect(await until(() => holder.diskState().checkedAt.getTime() > after, 10_000)).toBe(true);
    expect(passes).toEqual([]);
    expect(holder.diskState().matchesLoaded).toBe(true);
  });
});

describe('hot reload: close', () => {
  const count = (resource: string) => process.getActiveResourcesInfo().filter((r) => r === resource).length;

  it('watches the root and every folder that can hold rule files, and closes each watcher', async () => {
    const open = new Set<string>();
    const counting: DirectoryWatch = (dir, onChange, onError) => {
      const watcher = silent(dir, onChange, onError);
      open.add(dir);
      return { close: () => (open.delete(dir), watcher.close()) };
    };
    const { folder, holder } = await watchedCopy({ watchDirectory: counting, pollMs: 50 });
    // Not tests/ or schema/: nothing in them is a rule file.
    const folders = (await readdir(folder.dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !['tests', 'schema'].includes(e.name)).map((e) => e.name);
    expect(folders).toContain('flows');
    expect([...open].map((d) => path.relative(folder.dir, d)).sort()).toEqual(['', ...folders].sort());
    await holder.close();
    current = undefined;
    expect(open.size).toBe(0);
  });

  it('leaves no fs watcher and no timer behind', async () => {
    const watchers = count('FSEventWrap');
    // A poll that never comes due within the test: its timer is the one pending timer of the holder.
    const { folder, holder } = await watchedCopy({ pollMs: 3_600_000 });
    expect(count('FSEventWrap')).toBe(watchers + (await scanRuleFolder(folder.dir)).directories.size);
    const timers = count('Timeout');
    await holder.close();
    current = undefined;
    expect(count('Timeout')).toBe(timers - 1);
    // A closed handle leaves the loop's list once libuv has closed it, a turn or so later.
    expect(await until(() => count('FSEventWrap') === watchers, 5000)).toBe(true);
  });
});
