import { createSignal, type Accessor } from 'solid-js';
import type { KernelClient } from '../../kernel-client.ts';
import type { ModelEntry } from '../../models-types.ts';

/** An admin action on one model. */
export type ModelAction = 'load' | 'unload' | 'delete';

/** One model's admin actions: what runs now, the last failure, and the delete confirmation. */
export interface ModelActions {
  busy: Accessor<ModelAction | undefined>;
  /** The last action that failed, and why. */
  failure: Accessor<{ action: ModelAction; error: unknown } | undefined>;
  confirmingDelete: Accessor<boolean>;
  run(action: ModelAction): Promise<void>;
  askDelete(): void;
  cancelDelete(): void;
}

/**
 * Runs `llm.models.load`, `unload` and `delete` for `model()`, one at a time, and calls
 * `onChanged` after each (success or not: a failed load still changes what the list must show).
 * The error stays until the next action, so a refusal (too large for the RAM budget) can be read.
 */
export function createModelActions(client: KernelClient, model: Accessor<ModelEntry>, onChanged: () => void): ModelActions {
  const [busy, setBusy] = createSignal<ModelAction>();
  const [failure, setFailure] = createSignal<{ action: ModelAction; error: unknown }>();
  const [confirmingDelete, setConfirmingDelete] = createSignal(false);

  const run = async (action: ModelAction) => {
    if (busy()) return;
    setConfirmingDelete(false);
    setBusy(action);
    setFailure(undefined);
    try {
      await client.call(`llm.models.${action}`, { id: model().id });
    } catch (error) {
      setFailure({ action, error });
    } finally {
      setBusy(undefined);
      onChanged();
    }
  };

  return {
    busy,
    failure,
    confirmingDelete,
    run,
    askDelete: () => {
      setFailure(undefined);
      setConfirmingDelete(true);
    },
    cancelDelete: () => setConfirmingDelete(false),
  };
}
