import { createEffect, on, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { theme } from '../../theme.ts';
import '../../styles/charts.css';

/** uPlot's options without the size, which the chart takes from its box. */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

/**
 * A uPlot chart that fills its box's width: `options` is called again (and the chart rebuilt)
 * when the theme changes, since canvas colours are read from the theme's custom properties at
 * draw time (see themeColor); `data` changes are drawn in place. The chart is destroyed with the
 * component. `label` names it for assistive technology, which cannot read a canvas.
 */
export function Chart(props: { label: string; options: () => ChartOptions; data: () => uPlot.AlignedData; height?: number; class?: string }) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;
  const height = () => props.height ?? 160;

  const build = () => {
    plot?.destroy();
    plot = new uPlot({ ...props.options(), width: Math.max(box.clientWidth, 50), height: height() }, props.data(), box);
  };

  onMount(() => {
    build();
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(box.clientWidth, 50), height: height() }));
    observer.observe(box);
    onCleanup(() => observer.disconnect());
  });
  createEffect(on(theme, () => build(), { defer: true }));
  createEffect(on(() => props.data(), (data) => plot?.setData(data), { defer: true }));
  onCleanup(() => {
    plot?.destroy();
    plot = undefined;
  });

  return <div ref={box} class={`chart ${props.class ?? ''}`} role="img" aria-label={props.label} />;
}
