import { createMemo, Show, type JSX } from 'solid-js';
import type { KernelClient } from '../../kernel-client.ts';
import { createTelemetryHistory } from '../../stores/telemetry-history.ts';
import { Chart } from '../charts/chart.tsx';
import { ErrorMessage } from '../error-message.tsx';
import { LatencyTable } from '../telemetry/latency-table.tsx';
import { LINE_COLORS, timeChartOptions, type LineSpec } from '../telemetry/telemetry-chart-options.ts';
import { TelemetryNow } from '../telemetry/telemetry-now.tsx';
import {
  calledCapabilities,
  callSeries,
  cpuSeries,
  formatMs,
  formatPercent,
  hasProcess,
  LATENCY_CHART_CAPABILITIES,
  latencySeries,
  memorySeries,
} from '../telemetry/telemetry-series.ts';
import '../../styles/telemetry.css';

/** The span of the charts; the kernel keeps 300 samples, one a second. */
const WINDOW_SECONDS = 300;

function ChartPanel(props: { title: string; children: JSX.Element }) {
  return (
    <section class="telemetry-panel">
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

/** p50 (solid) and p95 (dashed) of each capability, in the colour the capability takes. */
function latencyLines(capabilities: readonly string[]): LineSpec[] {
  return capabilities.flatMap((name, index) => {
    const color = LINE_COLORS[index % LINE_COLORS.length]!;
    return [
      { label: `${name} p50`, color },
      { label: `${name} p95`, color, dashed: true },
    ];
  });
}

function PluginTelemetryCharts(props: { client: KernelClient; plugin: string }) {
  const history = createTelemetryHistory(props.client, { plugin: props.plugin, limit: WINDOW_SECONDS, plugins: () => [props.plugin] });
  const samples = () => history.samples(props.plugin);
  // The latency chart is rebuilt only when the set of capabilities it draws changes.
  const drawn = createMemo(() => calledCapabilities(samples()).slice(0, LATENCY_CHART_CAPABILITIES).join('\n'));
  const count = (value: number) => String(Math.round(value));
  const megabytes = (value: number) => `${value.toFixed(0)} MB`;

  return (
    <div class="plugin-telemetry" data-samples={samples().length}>
      <ErrorMessage error={history.error()} prefix="Could not load the telemetry history:" />
      <ErrorMessage error={history.liveError()} prefix="New samples do not arrive live:" />
      <Show
        when={samples().at(-1)}
        fallback={<p class="muted">{history.error() === undefined ? 'Waiting for the first sample: the kernel measures every plugin once a second.' : ''}</p>}
      >
        {(latest) => (
          <>
            <Show when={!hasProcess(latest())}>
              <p class="notice warning" role="status">
                {props.plugin} is {latest().state}: there is no process to measure. The charts keep its history and go on when it runs again.
              </p>
            </Show>
            <TelemetryNow samples={samples()} />
            <div class="telemetry-charts">
              <ChartPanel title="CPU">
                <Chart label={`CPU of ${props.plugin} over the last 5 minutes, in percent of one core`} options={() => timeChartOptions([{ label: 'CPU', color: '--accent', filled: true }], WINDOW_SECONDS, formatPercent)} data={() => cpuSeries(samples())} />
              </ChartPanel>
              <ChartPanel title="Memory (RSS)">
                <Chart label={`Resident memory of ${props.plugin} over the last 5 minutes, in MB`} options={() => timeChartOptions([{ label: 'RSS', color: '--secondary', filled: true }], WINDOW_SECONDS, megabytes)} data={() => memorySeries(samples())} />
              </ChartPanel>
              <ChartPanel title="Calls and errors per interval">
                <Chart
                  label={`Calls and failed calls of ${props.plugin} per sampling interval over the last 5 minutes`}
                  options={() => timeChartOptions([{ label: 'Calls', color: '--good', filled: true }, { label: 'Errors', color: '--bad' }], WINDOW_SECONDS, count)}
                  data={() => callSeries(samples())}
                />
              </ChartPanel>
              <ChartPanel title="Latency p50 / p95">
                <Show when={drawn()} keyed fallback={<p class="muted telemetry-none">No calls yet: latency shows once a capability of {props.plugin} has been called.</p>}>
                  {(key) => {
                    const capabilities = key.split('\n');
                    return (
                      <Chart
                        label={`Latency p50 and p95 of the most called capabilities of ${props.plugin} over the last 5 minutes, in ms`}
                        options={() => timeChartOptions(latencyLines(capabilities), WINDOW_SECONDS, formatMs)}
                        data={() => latencySeries(samples(), capabilities)}
                      />
                    );
                  }}
                </Show>
              </ChartPanel>
            </div>
            <Show when={drawn()}>
              <h3 class="telemetry-table-title">Latency now</h3>
              <LatencyTable sample={latest()} />
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}

/** The Telemetry tab (admins): CPU, memory, calls, errors and latency over the last 5 minutes, live, with the current values as text. */
export function PluginTelemetry(props: { client: KernelClient; plugin: string }) {
  // Keyed: another plugin gets a history of its own.
  return (
    <Show when={props.plugin} keyed>
      {(plugin) => <PluginTelemetryCharts client={props.client} plugin={plugin} />}
    </Show>
  );
}
