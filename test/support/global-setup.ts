// One scratch folder for the whole run (stores, rule copies, model copies), removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup() {
  const root = mkdtempSync(path.join(tmpdir(), 'decision-engine-tests-'));
  process.env.TEST_SCRATCH_DIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
