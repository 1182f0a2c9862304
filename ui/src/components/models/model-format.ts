import type { ModelLimits } from '../../models-types.ts';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** `587 KB`, `1.2 GB`: a size in binary units, three significant digits at most. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** `3.4 MB/s`: a transfer rate. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** `143.6 K`, `1.24 B`: a parameter count as model cards write it (K, M, B of parameters). */
export function formatParameters(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(2)} B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)} M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)} K`;
  return String(count);
}

/** The limits of one model as short phrases (`max 256 tokens`, `context 1024` ...), empty when none is set. */
export function describeLimits(limits: ModelLimits | undefined, currency = 'USD'): string[] {
  if (!limits) return [];
  const parts: string[] = [];
  if (limits.maxTokens !== undefined) parts.push(`max ${limits.maxTokens.toLocaleString()} tokens`);
  if (limits.contextSize !== undefined) parts.push(`context ${limits.contextSize.toLocaleString()}`);
  if (limits.threads !== undefined) parts.push(`${limits.threads} thread${limits.threads === 1 ? '' : 's'}`);
  if (limits.temperature !== undefined) parts.push(`temperature ${limits.temperature}`);
  if (limits.topK !== undefined) parts.push(`top-k ${limits.topK}`);
  if (limits.costPerToken) parts.push(`${limits.costPerToken.prompt} / ${limits.costPerToken.completion} ${currency} per token`);
  return parts;
}
