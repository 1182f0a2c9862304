import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { forgetProcess, sampleProcesses } from '../../src/telemetry/index.ts';

describe('sampleProcesses', () => {
  afterAll(() => forgetProcess(process.pid));

  it('reports memory and a CPU share for the test process itself', async () => {
    const samples = await sampleProcesses([process.pid]);
    const own = samples.get(process.pid);
    expect(own?.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(own?.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('leaves out a pid whose process has exited', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)']);
    await once(child, 'spawn');
    const pid = child.pid!;
    expect((await sampleProcesses([pid])).has(pid)).toBe(true);
    child.kill();
    await once(child, 'exit');
    const samples = await sampleProcesses([pid, process.pid]);
    forgetProcess(pid);
    expect(samples.has(pid)).toBe(false);
    expect(samples.has(process.pid)).toBe(true);
  });

  it('leaves out a pid that never existed', async () => {
    expect((await sampleProcesses([2 ** 22 + 12345])).size).toBe(0);
  });
});
