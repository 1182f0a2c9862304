import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '@cyberstudio/database';
import { BusError, ErrorCode, createPluginLogger, definePlugin, type Caller, type LogParams } from '@cyberstudio/sdk';
import { connectPlugin, type TestPlugin } from '@cyberstudio/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { interactionCapabilities, type InteractionListResult } from '../src/interactions/interaction-capabilities.ts';
import type { InteractionLogSettings } from '../src/interactions/interaction-config.ts';
import { INTERACTIONS_FILE, InteractionLog, openInteractionLog, type InteractionLogOptions } from '../src/interactions/interaction-log.ts';
import { interactionMigrations } from '../src/interactions/interaction-migrations.ts';
import { outcomeOf } from '../src/interactions/interaction-outcome.ts';
import { truncationMarker } from '../src/interactions/interaction-row.ts';
import type { InteractionRecord, InteractionTables, InteractionView } from '../src/interactions/interaction-types.ts';
import { busErrorOf } from './support/llm-harness.ts';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);

const alice: Caller = { kind: 'user', id: 'u-alice', name: 'alice', roles: ['developer'], keyId: 'k-alice' };
const bob: Caller = { kind: 'user', id: 'u-bob', name: 'bob', roles: ['developer'] };
const admin: Caller = { kind: 'user', id: 'u-admin', name: 'root', roles: ['admin'] };

let dir: string;
let logs: LogParams[];
const opened: InteractionLog[] = [];
const plugins: TestPlugin[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cds-interactions-'));
  logs = [];
});

afterEach(async () => {
  for (const plugin of plugins.splice(0)) await plugin.shutdown();
  for (const log of opened.splice(0)) await log.close();
  await rm(dir, { recursive: true, force: true });
});

const logger = () => createPluginLogger((record) => logs.push(record));

async function openLog(settings: InteractionLogSettings = {}, options: InteractionLogOptions = {}): Promise<InteractionLog> {
  const log = await InteractionLog.open(path.join(dir, INTERACTIONS_FILE), settings, logger(), { clock: () => NOW, ...options });
  opened.push(log);
  return log;
}

function entry(overrides: Partial<InteractionRecord> = {}): InteractionRecord {
  return {
    createdAt: NOW,
    capability: 'llm.chat',
    model: 'tiny-llama',
    caller: alice,
    traceId: '0123456789abcdef0123456789abcdef',
    prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }],
    response: 'General Kenobi',
    finishReason: 'stop',
    status: 'ok',
    promptTokens: 12,
    completionTokens: 4,
    cost: 0.0016,
    latencyMs: 42.5,
    ttftMs: 7.3,
    stream: true,
    ...overrides,
  };
}

async function recordAll(log: InteractionLog, entries: InteractionRecord[]): Promise<void> {
  for (const item of entries) log.record(item);
  await log.flush();
}

const ids = (items: InteractionView[]) => items.map((item) => item.id);

describe('InteractionLog store', () => {
  it('returns every recorded field of an entry', async () => {
    const log = await openLog();
    await recordAll(log, [entry()]);
    const { items } = await log.list();
    expect(items).toEqual([{
      id: 1, createdAt: NOW, capability: 'llm.chat', model: 'tiny-llama', userId: 'u-alice', userName: 'alice', keyId: 'k-alice',
      callerKind: 'user', callerPlugin: null, traceId: '0123456789abcdef0123456789abcdef',
      prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }], response: 'General Kenobi',
      truncated: false, finishReason: 'stop', status: 'ok', errorCode: null, errorMessage: null, promptTokens: 12, completionTokens: 4,
      cost: 0.0016, latencyMs: 42.5, ttftMs: 7.3, stream: true,
    }]);
    expect(await log.get(1)).toEqual(items[0]);
  });

  it('records plugin and kernel callers and failed calls with their error', async () => {
    const log = await openLog();
    await recordAll(log, [
      entry({ caller: { kind: 'plugin', name: 'repoagent' }, capability: 'llm.complete', prompt: 'def main(', stream: false }),
      entry({ caller: { kind: 'kernel' }, status: 'error', errorCode: -32007, errorMessage: 'prompt too long', response: null, ttftMs: null, cost: null }),
    ]);
    const [kernelCall, pluginCall] = (await log.list()).items;
    expect(pluginCall).toMatchObject({ callerKind: 'plugin', callerPlugin: 'repoagent', userId: null, keyId: null, prompt: 'def main(', stream: false });
    expect(kernelCall).toMatchObject({ callerKind: 'kernel', callerPlugin: null, status: 'error', errorCode: -32007, errorMessage: 'prompt too long', response: null, ttftMs: null, cost: null });
  });

  it('lists newest first and pages with the cursor, ties broken by id', async () => {
    const log = await openLog();
    await recordAll(log, [1, 2, 3, 3, 5].map((minute) => entry({ createdAt: NOW + minute * 60_000 })));
    const first = await log.list({ limit: 2 });
    expect(ids(first.items)).toEqual([5, 4]);
    const second = await log.list({ limit: 2, before: first.nextCursor! });
    expect(ids(second.items)).toEqual([3, 2]);
    const third = await log.list({ limit: 2, before: second.nextCursor! });
    expect(ids(third.items)).toEqual([1]);
    expect(third.nextCursor).toBeNull();
  });

  it('filters by user id or name, model, capability, status and time', async () => {
    const log = await openLog();
    await recordAll(log, [
      entry({ createdAt: NOW - 3_000 }),
      entry({ createdAt: NOW - 2_000, caller: bob, model: 'other' }),
      entry({ createdAt: NOW - 1_000, caller: bob, status: 'cancelled', capability: 'llm.openai.chat' }),
    ]);
    expect(ids((await log.list({ user: 'u-bob' })).items)).toEqual([3, 2]);
    expect(ids((await log.list({ user: 'alice' })).items)).toEqual([1]);
    expect(ids((await log.list({ model: 'other' })).items)).toEqual([2]);
    expect(ids((await log.list({ capability: 'llm.openai.chat' })).items)).toEqual([3]);
    expect(ids((await log.list({ status: 'cancelled' })).items)).toEqual([3]);
    expect(ids((await log.list({ since: NOW - 2_000, until: NOW - 1_500 })).items)).toEqual([2]);
  });

  it('leaves prompt and response out of a page listed without content', async () => {
    const log = await openLog();
    await recordAll(log, [entry()]);
    const [item] = (await log.list({ content: false })).items;
    expect(item).toMatchObject({ prompt: null, response: null, promptTokens: 12 });
  });

  it('prunes entries older than retentionDays', async () => {
    const log = await openLog({ retentionDays: 30 });
    await recordAll(log, [entry({ createdAt: NOW - 40 * DAY_MS }), entry({ createdAt: NOW - 10 * DAY_MS })]);
    expect(await log.prune(NOW)).toEqual({ deleted: 1 });
    expect(ids((await log.list()).items)).toEqual([2]);
  });

  it('keeps entries forever when retentionDays is 0', async () => {
    const log = await openLog({ retentionDays: 0 });
    await recordAll(log, [entry({ createdAt: NOW - 4000 * DAY_MS })]);
    expect(await log.prune(NOW)).toEqual({ deleted: 0 });
  });

  it('prunes old entries when it opens', async () => {
    const first = await openLog({ retentionDays: 30 });
    await recordAll(first, [entry({ createdAt: NOW - 40 * DAY_MS }), entry({ createdAt: NOW - 10 * DAY_MS })]);
    await first.close();
    const reopened = await openLog({ retentionDays: 30 });
    expect(ids((await reopened.list()).items)).toEqual([2]);
  });

  it('prunes the oldest entries beyond maxEntries', async () => {
    const log = await openLog({ maxEntries: 100 });
    await recordAll(log, [1, 2, 3, 4, 5].map((second) => entry({ createdAt: NOW + second * 1_000 })));
    const small = await reopenWith(log, { maxEntries: 3 });
    expect(ids((await small.list()).items)).toEqual([5, 4, 3]);
  });

  it('prunes beyond maxEntries after writes without waiting for the timer', async () => {
    const log = await openLog({ maxEntries: 10 });
    await recordAll(log, Array.from({ length: 12 }, (_, index) => entry({ createdAt: NOW + index })));
    const { items } = await log.list({ limit: 500 });
    expect(items).toHaveLength(10);
    expect(items.at(-1)!.id).toBe(3);
  });

  it('stores no prompt or response text when storeContent is false', async () => {
    const log = await openLog({ storeContent: false });
    await recordAll(log, [entry({ prompt: 'the-secret-prompt', response: 'the-secret-answer' })]);
    const [item] = (await log.list()).items;
    expect(item).toMatchObject({ prompt: null, response: null, truncated: false, promptTokens: 12, completionTokens: 4, cost: 0.0016, latencyMs: 42.5 });
    await log.close();
    const bytes = await readFile(path.join(dir, INTERACTIONS_FILE));
    expect(bytes.includes('the-secret')).toBe(false);
  });

  it('cuts long content at maxContentChars with a marker and the truncated flag, keeping the messages shape', async () => {
    const log = await openLog({ maxContentChars: 100 });
    const long = 'x'.repeat(150);
    await recordAll(log, [
      entry({ prompt: [{ role: 'user', content: long }, { role: 'assistant', content: 'y'.repeat(40) }], response: long }),
      entry({ prompt: 'short', response: 'short' }),
    ]);
    const [intact, cut] = (await log.list()).items;
    expect(cut!.truncated).toBe(true);
    expect(cut!.prompt).toEqual([
      { role: 'user', content: 'x'.repeat(100) + truncationMarker(50) },
      { role: 'assistant', content: truncationMarker(40) },
    ]);
    expect(cut!.response).toBe('x'.repeat(100) + truncationMarker(50));
    expect(intact!.truncated).toBe(false);
  });

  it('keeps its entries across a restart', async () => {
    const first = await openLog();
    await recordAll(first, [entry(), entry({ caller: bob })]);
    await first.close();
    const reopened = await openLog();
    expect(ids((await reopened.list()).items)).toEqual([2, 1]);
  });

  it('does not throw from record() when the database is closed under it, and logs the loss', async () => {
    const database = await openDatabase<InteractionTables>({ dialect: 'sqlite', file: path.join(dir, INTERACTIONS_FILE), migrations: interactionMigrations });
    const log = await InteractionLog.over(database, {}, logger());
    opened.push(log);
    await database.close();
    expect(() => log.record(entry())).not.toThrow();
    await log.flush();
    expect(logs.some((record) => record.level === 'error' && record.msg.includes('could not be written'))).toBe(true);
  });

  it('writes the rest of a batch when one entry in it is refused', async () => {
    const log = await openLog();
    log.record(entry({ model: 'first' }));
    log.record(entry({ status: 'unheard-of' as 'ok' }));
    log.record(entry({ model: 'third' }));
    await log.flush();
    expect((await log.list()).items.map((item) => item.model)).toEqual(['third', 'first']);
    expect(logs.filter((record) => record.level === 'error')).toHaveLength(1);
  });

  it('drops entries recorded after close without throwing', async () => {
    const log = await openLog();
    await log.close();
    await log.close();
    expect(() => log.record(entry())).not.toThrow();
    expect(logs.some((record) => record.level === 'warn' && record.msg.includes('after close'))).toBe(true);
  });

  it('keeps interactions.sqlite and its WAL readable by their owner only (0600)', async () => {
    const log = await openInteractionLog(path.join(dir, 'llmserver-data'), {}, logger());
    opened.push(log!);
    log!.record(entry());
    await log!.flush();
    const file = path.join(dir, 'llmserver-data', INTERACTIONS_FILE);
    const modes = [file, `${file}-wal`].filter(existsSync).map((name) => statSync(name).mode & 0o777);
    expect(modes).toEqual([0o600, 0o600]);
    expect(statSync(path.join(dir, 'llmserver-data')).mode & 0o777).toBe(0o700);
  });

  it('opens no file when the log is disabled', async () => {
    expect(await openInteractionLog(dir, { enabled: false }, logger())).toBeUndefined();
    expect(existsSync(path.join(dir, INTERACTIONS_FILE))).toBe(false);
  });

  it('names cancelled calls cancelled and other failures error', () => {
    const aborted = AbortSignal.abort();
    expect(outcomeOf(new Error('boom'), aborted)).toEqual({ status: 'cancelled', errorCode: ErrorCode.InternalError, errorMessage: 'boom' });
    expect(outcomeOf(new BusError(ErrorCode.Overloaded, 'busy'))).toEqual({ status: 'error', errorCode: ErrorCode.Overloaded, errorMessage: 'busy' });
  });
});

describe('llm.interactions.* capabilities', () => {
  async function serve(log: InteractionLog | undefined): Promise<TestPlugin> {
    const plugin = await connectPlugin(definePlugin({ name: 'interactions-test', version: '0.0.0', capabilities: interactionCapabilities(() => log) }));
    plugins.push(plugin);
    return plugin;
  }

  async function seeded(): Promise<TestPlugin> {
    const log = await openLog();
    await recordAll(log, [entry({ caller: alice }), entry({ caller: bob }), entry({ caller: { kind: 'plugin', name: 'repoagent' } })]);
    return serve(log);
  }

  const list = (plugin: TestPlugin, params: Record<string, unknown>, caller: Caller) =>
    plugin.call<InteractionListResult>('llm.interactions.list', params, { caller });

  it('shows a user only their own entries', async () => {
    const plugin = await seeded();
    const page = await list(plugin, {}, alice);
    expect(page.items.map((item) => item.userId)).toEqual(['u-alice']);
    expect(page.enabled).toBe(true);
    expect((await list(plugin, { user: 'alice' }, alice)).items).toHaveLength(1);
  });

  it("refuses a user asking for another user's entries with Forbidden", async () => {
    const plugin = await seeded();
    const error = await busErrorOf(list(plugin, { user: 'u-bob' }, alice));
    expect(error.code).toBe(ErrorCode.Forbidden);
  });

  it("refuses a user reading another user's entry by id with Forbidden", async () => {
    const plugin = await seeded();
    const error = await busErrorOf(plugin.call('llm.interactions.get', { id: 2 }, { caller: alice }));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(await plugin.call('llm.interactions.get', { id: 1 }, { caller: alice })).toMatchObject({ id: 1, userId: 'u-alice' });
  });

  it('shows an admin and the kernel every entry, and lets an admin filter by user', async () => {
    const plugin = await seeded();
    expect((await list(plugin, {}, admin)).items).toHaveLength(3);
    expect((await list(plugin, {}, { kind: 'kernel' })).items).toHaveLength(3);
    expect((await list(plugin, { user: 'bob' }, admin)).items.map((item) => item.userId)).toEqual(['u-bob']);
  });

  it('answers an empty list with enabled false when the log is disabled', async () => {
    const plugin = await serve(undefined);
    expect(await list(plugin, {}, alice)).toEqual({ items: [], nextCursor: null, enabled: false });
  });

  it('refuses a malformed cursor and an unknown id with CapabilityInvalidParams', async () => {
    const plugin = await seeded();
    expect((await busErrorOf(list(plugin, { before: 'yesterday' }, admin))).code).toBe(ErrorCode.CapabilityInvalidParams);
    expect((await busErrorOf(plugin.call('llm.interactions.get', { id: 99 }, { caller: admin }))).code).toBe(ErrorCode.CapabilityInvalidParams);
  });
});

/** Closes `log` and opens its file again with other settings (the new settings prune at open). */
async function reopenWith(log: InteractionLog, settings: InteractionLogSettings): Promise<InteractionLog> {
  await log.close();
  return openLog(settings);
}
