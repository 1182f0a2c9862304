import type { IssuedApiKey } from '../kernel-types.ts';
import { CopyButton } from './copy-button.tsx';

/** A new API key's secret, shown this once: it lives only in the page's memory until hidden or left. */
export function IssuedKey(props: { issued: IssuedApiKey; ownerName: string; onDismiss: () => void }) {
  return (
    <section class="card issued-key" role="region" aria-label="New API key">
      <h2>API key “{props.issued.name}” for {props.ownerName}</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> The kernel keeps only its digest; a lost key cannot be recovered, only revoked and
        replaced.
      </p>
      <div class="secret-row">
        <code class="secret" data-testid="issued-key">
          {props.issued.key}
        </code>
        <CopyButton text={props.issued.key} />
      </div>
      <button type="button" class="button" onClick={() => props.onDismiss()}>
        I have copied it: hide the key
      </button>
    </section>
  );
}
