import { Show } from 'solid-js';
import { formatCount } from '../../format.ts';
import type { TelemetrySample } from '../../telemetry-types.ts';
import { formatMemory, formatPercent, hasProcess } from './telemetry-series.ts';

/** One value of the summary: `name` is its data-telemetry key, for tests and styles. */
function Value(props: { label: string; name: string; value: string; detail?: string }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd data-telemetry={props.name}>{props.value}</dd>
      <Show when={props.detail}>{(detail) => <dd class="muted telemetry-detail">{detail()}</dd>}</Show>
    </div>
  );
}

/** The newest sample as text (a chart alone says nothing to a screen reader): CPU, memory, calls, errors, load. */
export function TelemetryNow(props: { samples: readonly TelemetrySample[] }) {
  const latest = () => props.samples.at(-1)!;
  const previous = () => props.samples.at(-2);
  const live = () => hasProcess(latest());
  const growth = (counter: 'calls' | 'errors') => {
    const before = previous();
    return before === undefined ? 0 : Math.max(0, latest()[counter] - before[counter]);
  };
  const interval = () => {
    const before = previous();
    return before === undefined ? 'since the last sample' : `in the last ${Math.max(1, Math.round((latest().time - before.time) / 1000))} s`;
  };
  return (
    <dl class="facts telemetry-now" aria-label="Current values">
      <Value label="CPU" name="cpu" value={live() ? formatPercent(latest().cpuPercent) : '—'} detail="100 % is one core" />
      <Value label="Memory (RSS)" name="memory" value={live() ? formatMemory(latest().rssBytes) : '—'} />
      <Value label="Calls" name="calls" value={formatCount(growth('calls'))} detail={`${interval()}; ${formatCount(latest().calls)} in all`} />
      <Value label="Errors" name="errors" value={formatCount(growth('errors'))} detail={`${interval()}; ${formatCount(latest().errors)} in all`} />
      <Value label="In flight" name="in-flight" value={formatCount(latest().inFlight)} detail={`${formatCount(latest().queueDepth)} queued`} />
    </dl>
  );
}
