// CPU a child process has used, for the benches' "server CPU per decision" columns.
import { readFileSync } from 'node:fs';

/** CPU seconds the process has used so far, all threads (utime + stime from /proc); NaN without /proc. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
