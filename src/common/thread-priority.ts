// Background threads (reclustering, backtests) lower their own scheduling priority to nice 19
// where the OS allows it, so on a busy machine the request thread keeps the CPU and /decide
// latency does not move while they run. Linux applies setpriority to a single thread when given
// its thread id.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Lowers the calling thread's priority (nice 19); does nothing where that is not possible. */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, 19);
  } catch {
    /* not Linux, or not permitted: run at normal priority */
  }
}
