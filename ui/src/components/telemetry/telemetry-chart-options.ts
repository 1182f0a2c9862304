import type uPlot from 'uplot';
import type { ChartOptions } from '../charts/chart.tsx';
import { themeColor, withAlpha } from '../charts/theme-colors.ts';

/** One line of a time chart: its legend label, the theme property of its colour, and how it is drawn. */
export interface LineSpec {
  label: string;
  /** A custom property of the theme, e.g. `--accent`. */
  color: string;
  dashed?: boolean;
  filled?: boolean;
}

/** The theme colours that tell lines apart, in the order lines take them. */
export const LINE_COLORS = ['--accent', '--secondary', '--good', '--busy', '--link', '--idle'] as const;

/** The shortest span a time chart shows, so a plugin's first seconds are not stretched across the chart. */
const MIN_WINDOW_SECONDS = 60;

/** 0 up to a little over the largest value, so a line never touches the top and an idle chart still has a scale. */
function fromZero(_plot: uPlot, _min: number | null, max: number | null): uPlot.Range.MinMax {
  return [0, max !== null && max > 0 ? max * 1.15 : 1];
}

/** An x range ending at the newest sample: the history there is, at least `least` and at most `most` seconds. */
function lastSeconds(least: number, most: number): uPlot.Range.Function {
  return (_plot, min, max) => {
    const end = max ?? Date.now() / 1000;
    const span = Math.min(most, Math.max(least, end - (min ?? end)));
    return [end - span, end];
  };
}

/** The newest value of series `seriesIndex` that is not a gap, for the legend while no point is hovered. */
function newestValue(plot: uPlot, seriesIndex: number): number | null {
  const values = plot.data[seriesIndex] ?? [];
  for (let index = values.length - 1; index >= 0; index--) {
    const value = values[index];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

/**
 * Options of a time chart over the last `windowSeconds` (ending at the newest sample; less while
 * the history is shorter), its lines and axes in the theme's colours (read now: Chart calls this
 * again when the theme changes). `format` writes a value for the y axis and the legend; the
 * legend shows the hovered point's values, else the newest ones.
 */
export function timeChartOptions(lines: readonly LineSpec[], windowSeconds: number, format: (value: number) => string): ChartOptions {
  const muted = themeColor('--text-muted');
  const grid = { stroke: withAlpha(themeColor('--border'), 0.7), width: 1 };
  const font = `11px ${themeColor('--font-sans')}`;
  const axis = { stroke: muted, grid, ticks: { ...grid, size: 4 }, font };
  return {
    padding: [10, 12, 0, 0],
    scales: {
      x: { time: true, range: lastSeconds(Math.min(MIN_WINDOW_SECONDS, windowSeconds), windowSeconds) },
      y: { range: fromZero },
    },
    axes: [axis, { ...axis, size: 64, values: (_plot, splits) => splits.map(format) }],
    series: [
      { label: 'Time', value: (_plot, seconds, _series, index) => (index === null || seconds === null ? 'newest' : new Date(seconds * 1000).toLocaleTimeString()) },
      ...lines.map((line): uPlot.Series => {
        const color = themeColor(line.color);
        return {
          label: line.label,
          stroke: color,
          width: 1.5,
          dash: line.dashed ? [5, 4] : undefined,
          fill: line.filled ? withAlpha(color, 0.14) : undefined,
          points: { show: false },
          value: (plot, value, series, index) => {
            const shown = index === null ? newestValue(plot, series) : value;
            return shown === null || shown === undefined ? '—' : format(shown);
          },
        };
      }),
    ],
  };
}

/** Options of a sparkline over the last `windowSeconds` (x values in seconds): one filled line from 0, no axes, legend or cursor. */
export function sparklineOptions(color: string, windowSeconds: number): ChartOptions {
  const stroke = themeColor(color);
  return {
    padding: [3, 1, 1, 1],
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: lastSeconds(windowSeconds, windowSeconds) }, y: { range: fromZero } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke, width: 1.25, fill: withAlpha(stroke, 0.18), points: { show: false } }],
  };
}
