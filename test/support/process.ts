// Runs the service as a real child process (npm start's entry point), for crash and signal tests.
// Like startTestServer, it reads the shipped rules with generous budgets (testRulesDir) and queues
// rather than sheds decisions (TEST_ADMISSION_ENV), unless the caller's env says otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_ADMISSION_ENV, testRulesDir } from './server';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  /** `Bearer <the development admin key the service generated into DATA_DIR>`. */
  readonly authorization: string;
}

export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RULES_WATCH: 'false', RULES_DIR: testRulesDir(), ...TEST_ADMISSION_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    // A hang guard, not a speed check: starting tsx and the service takes seconds on a loaded machine.
    const timer = setTimeout(() => {
      // Never left running behind a failed test: a child that did not start is killed.
      child.kill('SIGKILL');
      reject(new Error(`service did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const match = /"port":(\d+)[^\n]*"msg":"ready"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += String(c)));
    void exited.then(() => reject(new Error(`service exited:\n${output}`)));
  });
  const authorization = env.DATA_DIR && !env.API_KEYS_FILE ? `Bearer ${readFileSync(path.join(env.DATA_DIR, 'admin-api-key'), 'utf8').trim()}` : '';
  return { child, url: `http://127.0.0.1:${port}`, exited, output: () => output, authorization };
}
