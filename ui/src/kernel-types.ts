// The studio's view of the management answers it reads (docs/API.md). The sdk carries the
// protocol (messages, errors); these result shapes are the kernel's and the auth plugin's.

import type { PluginState } from '@cyberstudio/kernel/answers';

// The kernel's own types where its module is free of Node imports, so the browser build can check against them.
export type { PluginState, StateChange } from '@cyberstudio/kernel/answers';

/** One entry of `kernel.plugins.list`, also the answer of start, stop and restart. */
export interface PluginSummary {
  name: string;
  description: string;
  state: PluginState;
  enabled: boolean;
  activation: 'startup' | 'lazy' | string;
  required: boolean;
  pid: number | null;
  /** Epoch ms; null while no process is serving. */
  startedAt: number | null;
  restarts: number;
  lastError: string | null;
  capabilities: string[];
  load: { active: number; queued: number };
}


/** One log record (`kernel.plugins.get` gives the last ones as `recentLogs`). */
export interface LogRecord {
  seq: number;
  time: number;
  plugin: string;
  level: string;
  msg: string;
  /** Structured data of the line (pino's extra keys, a `$/log` record's fields). */
  fields?: Record<string, unknown>;
  source: string;
}

/** The part of `kernel.plugins.get` the dashboard shows for a failing plugin. */
export interface PluginDetail extends PluginSummary {
  recentLogs: LogRecord[];
}

/** The answer of `kernel.status`. */
export interface KernelStatus {
  name: string;
  version: string;
  pid: number;
  uptimeMs: number;
  rssBytes: number;
  plugins: Partial<Record<PluginState, number>>;
}

// The auth plugin's own views of users and keys (import-free, so the browser build checks against them).
export type {
  /** A user of the auth plugin (`auth.users.*`). */
  UserView as StudioUser,
  /** An API key as listed (`auth.keys.list`); never the secret itself. */
  KeyView as ApiKey,
  /** The answer of `auth.keys.create`: the key's entry plus the secret, shown this one time. */
  IssuedKey as IssuedApiKey,
} from '@cyberstudio/plugin-auth/answers';
