import { For } from 'solid-js';
import { formatCount } from '../../format.ts';
import type { TelemetrySample } from '../../telemetry-types.ts';
import { calledCapabilities, formatMs } from './telemetry-series.ts';

/** Each called capability's latency now (p50, p95, p99, max over its last 1024 calls) with its call and error totals. */
export function LatencyTable(props: { sample: TelemetrySample }) {
  const rows = () => calledCapabilities([props.sample]).map((name) => ({ name, latency: props.sample.latency[name]! }));
  return (
    <table class="table latency-table">
      <caption class="visually-hidden">Latency of each capability with calls</caption>
      <thead>
        <tr>
          <th scope="col">Capability</th>
          <th scope="col" class="numeric">Calls</th>
          <th scope="col" class="numeric">Errors</th>
          <th scope="col" class="numeric">p50</th>
          <th scope="col" class="numeric">p95</th>
          <th scope="col" class="numeric">p99</th>
          <th scope="col" class="numeric">Max</th>
        </tr>
      </thead>
      <tbody>
        <For each={rows()}>
          {(row) => (
            <tr data-capability={row.name}>
              <th scope="row">
                <code>{row.name}</code>
              </th>
              <td class="numeric">{formatCount(row.latency.count)}</td>
              <td class="numeric">{formatCount(row.latency.errors)}</td>
              <td class="numeric">{formatMs(row.latency.p50)}</td>
              <td class="numeric">{formatMs(row.latency.p95)}</td>
              <td class="numeric">{formatMs(row.latency.p99)}</td>
              <td class="numeric">{formatMs(row.latency.max)}</td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
