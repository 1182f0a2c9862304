import { createMemo, createSignal, Match, Show, Switch } from 'solid-js';
import type { LogLevel } from '@cyberstudio/sdk';
import type { KernelClient } from '../../kernel-client.ts';
import { createLogTail, LogTailDefaults, type LogEntry, type LogFilter } from '../../stores/log-tail.ts';
import { EmptyState } from '../empty-state.tsx';
import { ErrorMessage } from '../error-message.tsx';
import { LogToolbar } from '../logs/log-toolbar.tsx';
import { LogView } from '../logs/log-view.tsx';
import '../../styles/plugin-logs.css';

/** The level the tab starts at: trace and debug lines are noise until someone asks for them. */
const DEFAULT_LEVEL: LogLevel = 'info';

function newestSeq(entries: readonly LogEntry[]): number {
  const last = entries.findLast((entry) => entry.kind === 'record');
  return last?.kind === 'record' ? last.record.seq : -1;
}

function PluginLogTail(props: { client: KernelClient; plugin: string }) {
  const [level, setLevel] = createSignal<LogLevel>(DEFAULT_LEVEL);
  const [q, setQ] = createSignal('');
  const filter = createMemo<LogFilter>(() => ({ level: level(), q: q().trim() }), { level: DEFAULT_LEVEL, q: '' }, { equals: (a, b) => a.level === b.level && a.q === b.q });
  const tail = createLogTail(props.client, props.plugin, filter);
  // Paused: the view keeps the entries it had; the tail goes on collecting behind it.
  const [frozen, setFrozen] = createSignal<readonly LogEntry[]>();
  const shown = () => frozen() ?? tail.entries();
  const newWhilePaused = () => {
    const seen = newestSeq(frozen() ?? []);
    return tail.entries().filter((entry) => entry.kind === 'record' && entry.record.seq > seen).length;
  };
  const onFilter = (change: () => void) => {
    setFrozen(undefined); // a new filter shows its own lines at once
    change();
  };

  const status = () => {
    // The count changes with every batch on a busy log: said once as "Paused", not announced on each change.
    if (frozen()) return <>Paused: <span aria-live="off">{newWhilePaused()} new {newWhilePaused() === 1 ? 'line' : 'lines'} since.</span></>;
    if (props.client.state().status !== 'connected') return 'Not connected: the lines continue once the studio reconnects.';
    if (tail.liveError() !== undefined) return 'Live lines are off.';
    return tail.loading() ? 'Loading…' : 'Live: new lines appear as they are written.';
  };
  const emptyTitle = () => {
    const where = filter().level === 'trace' ? '' : ` at ${filter().level} or above`;
    return filter().q ? `No log lines${where} contain “${filter().q}”.` : `No log lines${where} yet.`;
  };

  return (
    <div class="plugin-logs">
      <LogToolbar
        level={level()}
        onLevel={(value) => onFilter(() => setLevel(value))}
        onSearch={(value) => onFilter(() => setQ(value))}
        paused={frozen() !== undefined}
        onPause={(pause) => setFrozen(pause ? tail.entries() : undefined)}
        status={status()}
      />
      <ErrorMessage error={tail.error()} prefix="Could not load the log lines:" />
      <ErrorMessage error={tail.liveError()} prefix="New lines do not arrive live:" />
      <Show when={tail.trimmed() > 0}>
        <p class="notice">
          Showing the newest {LogTailDefaults.keep} lines: {tail.trimmed()} older {tail.trimmed() === 1 ? 'line was' : 'lines were'} dropped from this view. Narrow the
          level or search to see further back.
        </p>
      </Show>
      <Switch>
        <Match when={shown().length === 0 && tail.loading()}>
          <p class="muted">Loading log lines…</p>
        </Match>
        <Match when={shown().length === 0 && tail.error() === undefined}>
          <EmptyState title={emptyTitle()}>
            <p>Lines {props.plugin} writes appear here as they are written.</p>
          </EmptyState>
        </Match>
        <Match when={shown().length > 0}>
          <LogView entries={shown()} label={`Log lines of ${props.plugin}`} />
        </Match>
      </Switch>
    </div>
  );
}

/** The Logs tab (admins): the plugin's newest log lines, then live ones, with a level filter, search, follow and pause. */
export function PluginLogs(props: { client: KernelClient; plugin: string }) {
  // Keyed: another plugin gets a tail of its own.
  return (
    <Show when={props.plugin} keyed>
      {(plugin) => <PluginLogTail client={props.client} plugin={plugin} />}
    </Show>
  );
}
