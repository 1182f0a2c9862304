import { createEffect, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import { BusError, ErrorCode, type LogLevel } from '@cyberstudio/sdk';
import type { KernelClient, Subscription, TopicEvent } from '../kernel-client.ts';
import type { LogRecord } from '../kernel-types.ts';

/** A line of the tail: a record, or the place where the gateway skipped `skipped` records of a slow connection. */
export type LogEntry = { kind: 'record'; record: LogRecord } | { kind: 'gap'; skipped: number; id: number };

/** What the tail shows: records at `level` or more severe whose message or fields contain `q` (any case). */
export interface LogFilter {
  level: LogLevel;
  q: string;
}

/** A plugin's log lines, loaded and then live. */
export interface LogTail {
  /** Oldest first, at most LogTailDefaults.keep. */
  entries: Accessor<readonly LogEntry[]>;
  /** True from the start of a (re)load until its answer. */
  loading: Accessor<boolean>;
  /** Why the last load failed, if it did. */
  error: Accessor<unknown>;
  /** Why live lines are off (the `kernel.log` subscription was refused), if they are. */
  liveError: Accessor<unknown>;
  /** Older entries dropped since the last load to stay within LogTailDefaults.keep. */
  trimmed: Accessor<number>;
}

/** Sizes and waits of the tail; one place for every default. */
export const LogTailDefaults = {
  /** Records loaded with kernel.plugins.logs. */
  loadLimit: 500,
  /** Entries kept in memory; older ones are dropped (and counted in `trimmed`). */
  keep: 2000,
  /** Live records arriving within this window are added in one update, so a burst renders once. */
  flushMs: 50,
} as const;

/** The same test the kernel's `q` applies (log-query.ts): the message or the fields' JSON, any case. */
export function logTextMatcher(q: string): (record: LogRecord) => boolean {
  const needle = q.trim().toLowerCase();
  if (needle === '') return () => true;
  return (record) => record.msg.toLowerCase().includes(needle) || (record.fields !== undefined && JSON.stringify(record.fields).toLowerCase().includes(needle));
}

/**
 * Tails `plugin`'s log under `filter`: subscribes to `kernel.log` ({plugin, level}) and, each time
 * the kernel confirms the subscription (at first, after every reconnect and after a filter change),
 * loads the newest records with kernel.plugins.logs. Live records wait while a load runs and are
 * then added only when newer (by `seq`) than the last record shown, so the switch from loaded to
 * live has neither duplicates nor gaps. Lives as long as the calling component.
 */
export function createLogTail(client: KernelClient, plugin: string, filter: Accessor<LogFilter>): LogTail {
  const [entries, setEntries] = createSignal<readonly LogEntry[]>([]);
  const [loading, setLoading] = createSignal(true);
  const [error, setError] = createSignal<unknown>();
  const [liveError, setLiveError] = createSignal<unknown>();
  const [trimmed, setTrimmed] = createSignal(0);
  let subscription: Subscription | undefined;
  let pending: LogEntry[] = [];
  let loadingNow = true;
  let lastSeq = -1;
  let generation = 0;
  let gapIds = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  const bounded = (list: LogEntry[]): LogEntry[] => {
    if (list.length <= LogTailDefaults.keep) return list;
    setTrimmed((count) => count + list.length - LogTailDefaults.keep);
    return list.slice(-LogTailDefaults.keep);
  };
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (loadingNow || pending.length === 0) return;
    const fresh: LogEntry[] = [];
    for (const entry of pending) {
      if (entry.kind === 'record') {
        if (entry.record.seq <= lastSeq) continue; // already in the loaded lines
        lastSeq = entry.record.seq;
      }
      fresh.push(entry);
    }
    pending = [];
    if (fresh.length > 0) setEntries((list) => bounded([...list, ...fresh]));
  };

  const load = async (current: LogFilter) => {
    const mine = ++generation;
    inFlight?.abort();
    const controller = (inFlight = new AbortController());
    loadingNow = true;
    setLoading(true);
    try {
      const params = { plugin, level: current.level, limit: LogTailDefaults.loadLimit, ...(current.q.trim() ? { q: current.q.trim() } : {}) };
      const records = await client.call<LogRecord[]>('kernel.plugins.logs', params, { signal: controller.signal });
      if (mine !== generation) return;
      lastSeq = records.at(-1)?.seq ?? -1;
      setTrimmed(0);
      setEntries(records.map((record) => ({ kind: 'record', record })));
      setError(undefined);
    } catch (failure) {
      if (mine !== generation || (failure instanceof BusError && failure.code === ErrorCode.Cancelled)) return;
      setError(failure);
    }
    loadingNow = false;
    setLoading(false);
    flush();
  };

  const receive = (event: TopicEvent, matches: (record: LogRecord) => boolean) => {
    if (event.dropped) pending.push({ kind: 'gap', skipped: event.dropped, id: ++gapIds });
    const record = event.data as LogRecord;
    if (matches(record)) pending.push({ kind: 'record', record });
    // While a load runs nothing is flushed: keep the waiting lines within the same bound.
    if (pending.length > LogTailDefaults.keep) pending.splice(0, pending.length - LogTailDefaults.keep);
    if (!loadingNow) flushTimer ??= setTimeout(flush, LogTailDefaults.flushMs);
  };

  createEffect(
    on(filter, (current) => {
      subscription?.dispose();
      generation++; // a load of the previous filter is no longer wanted
      pending = [];
      loadingNow = true;
      setLoading(true);
      setEntries([]);
      setLiveError(undefined);
      const matches = logTextMatcher(current.q);
      // Answers to a subscription of an earlier filter must not load that filter's lines again.
      const mine: Subscription = client.subscribe(
        { topic: 'kernel.log', plugin, level: current.level },
        (event) => receive(event, matches),
        (failure) => {
          if (subscription !== mine) return;
          setLiveError(failure);
          void load(current); // no live lines, but the stored ones still show
        },
        () => subscription === mine && void load(current),
      );
      subscription = mine;
    }),
  );

  onCleanup(() => {
    subscription?.dispose();
    inFlight?.abort();
    clearTimeout(flushTimer);
    generation++;
  });
  return { entries, loading, error, liveError, trimmed };
}
