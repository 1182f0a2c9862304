import { BusError, ErrorCode, type Caller } from '@cyberstudio/sdk';

/** The plugin name put in Overloaded errors, as the bus does for its own. */
const PLUGIN = 'llmserver';

/**
 * CapabilityInvalidParams (-32007) naming one field, shaped like the SDK's schema errors so
 * clients read both the same way; `extra` adds fields to `data` (token counts, the model).
 */
export function invalidParam(capability: string, field: string, message: string, extra: Record<string, unknown> = {}): BusError {
  return new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: /${field} ${message}`, {
    capability,
    errors: [{ instancePath: `/${field}`, message, keyword: 'llmserver', params: {} }],
    ...extra,
  });
}

/** -32007 for a model id with no file in the models folder. */
export function unknownModel(capability: string, field: string, id: string, directory: string): BusError {
  return invalidParam(capability, field, `names no model: there is no '${id}.gguf' in ${directory} (llm.models.list shows the models)`, { model: id, reason: 'unknown-model' });
}

/** -32007 for a prompt that leaves no room in the context: nothing is truncated to make it fit. */
export function promptTooLong(capability: string, field: string, promptTokens: number, contextSize: number): BusError {
  const problem = promptTokens > contextSize
    ? `is ${promptTokens} tokens, over the context size of ${contextSize} tokens`
    : `is ${promptTokens} tokens, which leaves no room to generate in the context size of ${contextSize} tokens`;
  return invalidParam(capability, field, `${problem}; it is not truncated: shorten it or use a larger contextSize`, { promptTokens, contextSize });
}

/** Overloaded (-32006): a model's generation slots and its queue are all taken. */
export function modelQueueFull(model: string, sequences: number, queueLimit: number): BusError {
  return new BusError(
    ErrorCode.Overloaded,
    `model '${model}' is busy: ${sequences} generations running and ${queueLimit} waiting (config sequences/queueLimit)`,
    { plugin: PLUGIN, model, reason: 'model-queue-full', sequences, queueLimit },
  );
}

/** Overloaded (-32006): loading a model would pass the RAM budget and no idle model can make room. */
export function ramBudgetExceeded(model: string, requiredBytes: number, usedBytes: number, ramBudgetBytes: number): BusError {
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  const message = requiredBytes > ramBudgetBytes
    ? `model '${model}' needs about ${mib(requiredBytes)}, more than the whole RAM budget of ${mib(ramBudgetBytes)} (config ramBudgetMb)`
    : `model '${model}' needs about ${mib(requiredBytes)}; ${mib(usedBytes)} of the ${mib(ramBudgetBytes)} RAM budget is held by models that are busy`;
  return new BusError(ErrorCode.Overloaded, message, { plugin: PLUGIN, model, reason: 'ram-budget', requiredBytes, usedBytes, ramBudgetBytes });
}

/** ShuttingDown (-32011): the model was unloaded (or the plugin stopped) while the call waited or ran. */
export function modelUnloaded(model: string): BusError {
  return new BusError(ErrorCode.ShuttingDown, `model '${model}' was unloaded while the call was waiting or running`, { plugin: PLUGIN, model, reason: 'model-unloaded' });
}

/**
 * Forbidden (-32008) unless the caller may administer models: an admin user, another plugin or
 * the kernel. Downloads, deletions, loads and unloads change what every user gets.
 */
export function assertModelAdmin(caller: Caller, capability: string): void {
  if (caller.kind !== 'user' || caller.roles.includes('admin')) return;
  throw new BusError(ErrorCode.Forbidden, `${capability} administers models: only admins may call it`, { capability, caller });
}

/** -32007 for a model-file operation (load, unload, validate, delete) on a remote model's id. */
export function remoteModelRefused(capability: string, id: string): BusError {
  return invalidParam(capability, 'id', `names the remote model '${id}' (config remote.${id}): it has no file here to load, unload, validate or delete`, { model: id, reason: 'remote-model' });
}
