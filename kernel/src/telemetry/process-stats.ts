import pidusage from 'pidusage';

/** CPU and memory of one process at one sample. */
export interface ProcessSample {
  /** Percent of one core since this pid's previous sample (200 = two busy cores); 0 on the first sample. */
  cpuPercent: number;
  rssBytes: number;
}

/** Pids sampled and not yet forgotten; pidusage keeps history for them between samples. */
const trackedPids = new Set<number>();

/**
 * Samples CPU and resident memory of `pids`. A pid whose process has exited is left out of the
 * map instead of failing the sample; other failures reject.
 */
export async function sampleProcesses(pids: readonly number[]): Promise<Map<number, ProcessSample>> {
  const samples = new Map<number, ProcessSample>();
  const unique = [...new Set(pids)].filter((pid) => Number.isInteger(pid) && pid > 0);
  await Promise.all(unique.map(async (pid) => {
    const stat = await sampleOne(pid);
    if (stat !== undefined) samples.set(pid, { cpuPercent: stat.cpu, rssBytes: stat.memory });
  }));
  return samples;
}

/**
 * Stops tracking `pid` (call it when the process exits). pidusage can only clear the history of
 * every pid at once, and that resets the others' CPU baseline, so it is cleared when the last
 * tracked pid is forgotten; until then a forgotten pid's history expires on its own.
 */
export function forgetProcess(pid: number): void {
  if (trackedPids.delete(pid) && trackedPids.size === 0) pidusage.clear();
}

async function sampleOne(pid: number, retried = false): Promise<pidusage.Status | undefined> {
  try {
    const stat = await pidusage(pid);
    trackedPids.add(pid);
    return stat;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // On Linux pidusage keeps /proc/<pid>/stat open between samples; ESRCH from a live pid means
    // that handle belongs to an earlier process which had the same pid, so its history is stale.
    if (code === 'ESRCH' && !retried && isAlive(pid)) {
      pidusage.clear();
      return sampleOne(pid, true);
    }
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
