/** The `interactionLog` section of llmserver's config, with every default filled in. */
export interface InteractionLogConfig {
  /** False: nothing is recorded and no database file is opened. */
  enabled: boolean;
  /** Entries older than this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
  /** Beyond this many entries the oldest are deleted; 0 means no limit. */
  maxEntries: number;
  /** False keeps tokens, cost, latency and errors but no prompt or response text (privacy). */
  storeContent: boolean;
  /** Longer prompt text, responses and error messages are cut here, with a marker and `truncated` set. */
  maxContentChars: number;
}

/** JSON Schema of `interactionLog`; llmConfigSchema lists it under `properties.interactionLog`. */
export const interactionLogConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true },
    retentionDays: { type: 'number', minimum: 0, default: 30 },
    maxEntries: { type: 'integer', minimum: 0, default: 100_000 },
    storeContent: { type: 'boolean', default: true },
    maxContentChars: { type: 'integer', minimum: 1, default: 100_000 },
  },
  default: {},
} as const;

/** `interactionLog` as the operator wrote it (any member may be left out). */
export type InteractionLogSettings = Partial<InteractionLogConfig>;

/** `settings` with the schema's defaults filled in; undefined gives every default. */
export function resolveInteractionLogConfig(settings: InteractionLogSettings = {}): InteractionLogConfig {
  const defaults = Object.fromEntries(
    Object.entries(interactionLogConfigSchema.properties).map(([key, schema]) => [key, schema.default]),
  ) as unknown as InteractionLogConfig;
  return { ...defaults, ...settings };
}
