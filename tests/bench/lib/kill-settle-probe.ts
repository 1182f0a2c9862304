import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { Gateway, Kernel } from '@cyberstudio/kernel';
import { BENCH_DIST } from './build-bench.ts';
import { round } from './stats.ts';

/** Calls in flight when the provider is killed, and in the quick-call baseline. */
const IN_FLIGHT = 1000;
const WAIT_MS = 30_000;

/** What the kill -9 probe measured; every array holds one value per round. */
export interface KillSettleResult {
  inFlight: number;
  /** kill -9 of the provider to the last of IN_FLIGHT held /rpc calls settling (ms). */
  rpcSettleMs: number[];
  /** The same over one /ws socket (ms). */
  wsSettleMs: number[];
  /** Baseline: IN_FLIGHT concurrent quick /rpc calls, first sent to last answered (ms). */
  rpcQuickBurstMs: number[];
  /** Calls that never settled (a hang) across all rounds: must be 0. */
  unsettled: number;
}

/**
 * Kills the provider of IN_FLIGHT calls in flight with SIGKILL and times how long the gateway
 * takes to settle every one of them, over /rpc (one HTTP request per call) and over /ws (one
 * socket), `rounds` times each; beside it, how long the gateway takes to answer IN_FLIGHT quick
 * concurrent /rpc calls, the cost of writing that many HTTP responses in this run.
 */
export async function probeKillSettle(rounds: number, log: (line: string) => void): Promise<KillSettleResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cds-bench-kill-'));
  const registryFile = join(dir, 'plugins.json');
  const plugin = {
    name: 'bench-hold',
    entrypoint: join(BENCH_DIST, 'plugins/bench-hold/main.js'),
    activation: 'startup',
    capabilities: ['benchhold.hold', 'benchhold.held', 'benchhold.echo'],
    limits: { maxConcurrentCalls: IN_FLIGHT * 2, queueLimit: IN_FLIGHT * 2 },
    restart: { maxRestarts: 1000, windowSeconds: 60, backoff: { initialMs: 10, maxMs: 100 } },
  };
  await writeFile(registryFile, JSON.stringify({ plugins: [plugin], gateway: { limits: { wsCallsInFlight: IN_FLIGHT * 2 } } }, null, 2));
  const kernel = await Kernel.open({ registryFile, dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }) });
  const gateway = await Gateway.listen({ kernel, settings: { ...kernel.registry.gateway, port: 0 }, logger: pino({ level: 'silent' }) });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const result: KillSettleResult = { inFlight: IN_FLIGHT, rpcSettleMs: [], wsSettleMs: [], rpcQuickBurstMs: [], unsettled: 0 };
  try {
    await kernel.start();
    const rpc = (method: string) => postRpc(agent, gateway.url, method);
    // Unmeasured: opens the keep-alive sockets and warms the paths.
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => rpc('benchhold.echo')));
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const burstStarted = performance.now();
      await Promise.all(Array.from({ length: IN_FLIGHT }, () => rpc('benchhold.echo')));
      result.rpcQuickBurstMs.push(round(performance.now() - burstStarted, 1));

      const rpcSettle = await killWithCallsInFlight(kernel, () => Array.from({ length: IN_FLIGHT }, () => rpc('benchhold.hold')));
      result.rpcSettleMs.push(rpcSettle.ms);
      result.unsettled += rpcSettle.unsettled;

      const socket = await openSocket(gateway.url);
      const wsSettle = await killWithCallsInFlight(kernel, () => wsCalls(socket, 'benchhold.hold', IN_FLIGHT));
      socket.close();
      result.wsSettleMs.push(wsSettle.ms);
      result.unsettled += wsSettle.unsettled;
    }
  } finally {
    agent.destroy();
    await gateway.close();
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  }
  log(`  kill -9 with ${IN_FLIGHT} in flight: /rpc settled in ${result.rpcSettleMs.join(', ')} ms (1000 quick calls: ${result.rpcQuickBurstMs.join(', ')} ms); /ws in ${result.wsSettleMs.join(', ')} ms; unsettled ${result.unsettled}`);
  return result;
}

/** Waits for the provider to run, makes the calls, waits until all are held, kills it, and times the settling. */
async function killWithCallsInFlight(kernel: Kernel, makeCalls: () => Promise<unknown>[]): Promise<{ ms: number; unsettled: number }> {
  const supervisor = kernel.supervisor('bench-hold');
  const deadline = Date.now() + WAIT_MS;
  while (supervisor.process === undefined || supervisor.state !== 'running') {
    if (Date.now() > deadline) throw new Error(`bench-hold did not come back (state ${supervisor.state}: ${supervisor.lastError})`);
    await sleep(5);
  }
  let settled = 0;
  let lastSettledAt = 0;
  const calls = makeCalls().map((call) => call.then(() => undefined, () => undefined).finally(() => {
    settled += 1;
    lastSettledAt = performance.now();
  }));
  while (((await kernel.call('benchhold.held', {})) as { held: number }).held < calls.length) {
    if (Date.now() > deadline) throw new Error('the held calls did not all reach bench-hold');
    await sleep(5);
  }
  const killedAt = performance.now();
  process.kill(supervisor.process!.pid!, 'SIGKILL');
  await Promise.race([Promise.all(calls), sleep(WAIT_MS)]);
  return { ms: round(lastSettledAt - killedAt, 1), unsettled: calls.length - settled };
}

function postRpc(agent: Agent, gatewayUrl: string, method: string): Promise<unknown> {
  const url = new URL('/rpc', gatewayUrl);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: {} });
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function openSocket(gatewayUrl: string): Promise<WebSocket> {
  const socket = new WebSocket(`${gatewayUrl.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** `count` calls of `method` on one socket; each settles when its answer (result or error) arrives. */
function wsCalls(socket: WebSocket, method: string, count: number): Promise<unknown>[] {
  const waiting = new Map<number, () => void>();
  socket.on('message', (data) => {
    const id = (JSON.parse(data.toString()) as { id?: number }).id;
    if (id === undefined) return;
    waiting.get(id)?.();
    waiting.delete(id);
  });
  return Array.from({ length: count }, (_, index) => new Promise<void>((resolve) => {
    waiting.set(index + 1, resolve);
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: index + 1, method, params: {} }));
  }));
}
