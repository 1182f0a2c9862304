import type { JSX } from 'solid-js';

/** An inline "are you sure?": a question, a danger button that confirms and a button that backs out. */
export function ConfirmInline(props: { question?: JSX.Element; confirmLabel: string; cancelLabel?: string; busy?: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <span class="confirm-inline">
      {props.question}
      <button type="button" class="button danger" disabled={props.busy} onClick={() => props.onConfirm()}>
        {props.confirmLabel}
      </button>
      <button type="button" class="button" disabled={props.busy} onClick={() => props.onCancel()}>
        {props.cancelLabel ?? 'Cancel'}
      </button>
    </span>
  );
}
