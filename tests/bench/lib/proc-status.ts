import { readFileSync } from 'node:fs';

/** Resident memory of `pid` in MiB, from /proc/<pid>/status (Linux); undefined when unreadable. */
export function residentMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Math.round((Number(kib) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux builds). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) `pid` has used so far, in ms at 10 ms resolution; undefined when unreadable. */
export function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (Linux /proc/<pid>/task/<pid>/children); empty when unreadable. */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `pid` and every process below it, depth first; the ones that exit meanwhile are skipped. */
export function processTree(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap((child) => processTree(child))];
}

/**
 * Proportional set size of `pid` in MiB (/proc/<pid>/smaps_rollup): its private pages plus its
 * share of pages it shares (the node binary's code, mapped by every node process), so the PSS of
 * a process tree adds up to the memory the tree really holds; undefined when unreadable.
 */
export function proportionalMiB(pid: number): number | undefined {
  try {
    const kib = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Math.round((Number(kib) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}
