// Reads the rules folder (the I/O edge of the rules domain) and compiles it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { compileRuleSet, isRuleFile, type CompileOptions, type CompileResult, type RuleFileText } from './compile';

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** How a file is named in diagnostics: under the rules folder's own name, e.g. rules/flows/x.json. */
export function displayPathOf(rulesDir: string, relPath: string): string {
  return `${path.basename(path.resolve(rulesDir))}/${relPath}`;
}

export async function readRuleFiles(rulesDir: string): Promise<RuleFileText[]> {
  const rels = (await listFiles(rulesDir)).filter(isRuleFile);
  return Promise.all(
    rels.map(async (relPath) => ({
      relPath,
      displayPath: displayPathOf(rulesDir, relPath),
      text: await readFile(path.join(rulesDir, relPath), 'utf8'),
    })),
  );
}

export async function loadRuleSet(rulesDir: string, options: CompileOptions): Promise<CompileResult> {
  return compileRuleSet(await readRuleFiles(rulesDir), options);
}
