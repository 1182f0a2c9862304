import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BusError } from '@cyberstudio/sdk';
import { connectPlugin, type TestPlugin } from '@cyberstudio/sdk/testing';
import { expect } from 'vitest';
import type { LlmConfig } from '../../src/llm-config.ts';
import { createLlmPlugin, type LlmPluginOptions } from '../../src/llm-plugin.ts';
import type { LlmState } from '../../src/llm-state.ts';

/** llmserver served in-process over a temp data directory. */
export interface LlmHarness {
  plugin: TestPlugin;
  state: LlmState;
  dataDir: string;
  /** `<dataDir>/models`, the default models folder. */
  modelsDir: string;
  /** Shuts the plugin down (models are disposed) and removes the data directory; safe to call twice. */
  close(): Promise<void>;
}

/** Options of startLlm. */
export interface LlmHarnessOptions extends LlmPluginOptions {
  /** Prepares the data directory before the plugin starts (write models into `<dataDir>/models`). */
  prepare?: (dataDir: string) => Promise<void>;
}

/** Starts llmserver through connectPlugin's real handshake with `config` (one thread, as on this machine). */
export async function startLlm(config: Partial<LlmConfig> = {}, options: LlmHarnessOptions = {}): Promise<LlmHarness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-llm-'));
  const { plugin: definition, state } = createLlmPlugin(options);
  let plugin: TestPlugin;
  try {
    await options.prepare?.(dataDir);
    plugin = await connectPlugin(definition, { config: { threads: 1, ...config }, dataDir });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    plugin,
    state,
    dataDir,
    modelsDir: path.join(dataDir, 'models'),
    close: () =>
      (closed ??= (async () => {
        await plugin.shutdown();
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** Awaits `promise`, expects it to reject with a BusError, and returns that error. */
export async function busErrorOf(promise: Promise<unknown>): Promise<BusError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BusError);
  return error as BusError;
}

/** Polls `check` every 10 ms until it returns true; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
