import { Show } from 'solid-js';
import type { DownloadProgress } from '../../models-types.ts';
import { formatBytes, formatRate } from './model-format.ts';

/** A download's progress bar with bytes done of the total and the speed; indeterminate while the size is unknown. */
export function DownloadProgressBar(props: { progress: DownloadProgress }) {
  const percent = () => {
    const { downloadedBytes, totalBytes } = props.progress;
    return totalBytes ? Math.min(100, Math.floor((downloadedBytes / totalBytes) * 100)) : undefined;
  };
  const amount = () => {
    const { downloadedBytes, totalBytes } = props.progress;
    return totalBytes ? `${formatBytes(downloadedBytes)} of ${formatBytes(totalBytes)}` : `${formatBytes(downloadedBytes)} so far`;
  };
  const phase = () => (props.progress.state === 'verifying' ? 'Verifying' : props.progress.state === 'done' ? 'Done' : 'Downloading');

  return (
    <div class="download-progress" data-state={props.progress.state}>
      <div
        class="download-bar"
        role="progressbar"
        aria-label={`Download of ${props.progress.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent()}
        aria-valuetext={percent() === undefined ? amount() : `${percent()}%, ${amount()}`}
        classList={{ indeterminate: percent() === undefined }}
      >
        <div class="download-bar-fill" style={{ width: `${percent() ?? 100}%` }} />
      </div>
      <p class="download-figures">
        <span>
          {phase()} <code>{props.progress.id}</code>
        </span>
        <span data-testid="download-amount">{amount()}</span>
        <Show when={percent() !== undefined}>
          <span>{percent()}%</span>
        </Show>
        <span>{formatRate(props.progress.bytesPerSecond)}</span>
        <Show when={props.progress.resumedFrom > 0}>
          <span class="muted">resumed at {formatBytes(props.progress.resumedFrom)}</span>
        </Show>
      </p>
    </div>
  );
}
