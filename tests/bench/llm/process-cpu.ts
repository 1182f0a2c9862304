import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (µs) all live threads of `pid` have run so far, from /proc/<pid>/task/<tid>/schedstat
 * (Linux, nanosecond resolution); undefined when unreadable. One generation of the tiny model
 * takes about 100 ms, so /proc/<pid>/stat's 10 ms ticks would be too coarse; the threads that
 * matter here (node's main thread, llama.cpp's worker, libuv's pool) live as long as the process.
 */
export function processCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read: its time is gone either way.
      }
    }
    return ns / 1000;
  } catch {
    return undefined;
  }
}

/** The processes one side of the comparison runs in, by name (`harness`, `kernel`, `llmserver`). */
export type ProcessIds = Record<string, number | undefined>;

/** Reads every process's CPU time, runs `work`, and returns its result with the CPU µs each process spent meanwhile. */
export async function withProcessCpu<T>(processes: ProcessIds, work: () => Promise<T>): Promise<[T, Record<string, number>]> {
  const before = Object.entries(processes).map(([name, pid]) => [name, pid, processCpuUs(pid)] as const);
  const result = await work();
  const spent: Record<string, number> = {};
  for (const [name, pid, start] of before) {
    const end = processCpuUs(pid);
    if (start !== undefined && end !== undefined) spent[name] = Math.round(end - start);
  }
  return [result, spent];
}
