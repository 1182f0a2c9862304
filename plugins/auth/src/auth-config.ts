/** The auth plugin's config (plugins.json `config`), with its defaults. */
export interface AuthConfig {
  /** Name of the admin created on first start. */
  adminUsername: string;
  /** How long a studio session lasts, in hours. */
  sessionTtlHours: number;
  /** Failed logins in a row before the account locks; each failure before that waits longer. */
  maxFailedLogins: number;
  lockMinutes: number;
  /** An open reservation expires (its tokens return to the balance) after this long. */
  reservationTtlSeconds: number;
  /** Balance of a user created without one. */
  defaultBalance: number;
  /** Name of the studio session cookie; must equal the gateway's `gateway.auth.sessionCookie`. */
  sessionCookie: string;
}

/** JSON Schema of AuthConfig; the SDK applies it before `init`. */
export const authConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    adminUsername: { type: 'string', pattern: '^[a-z][a-z0-9._-]{1,63}$', default: 'admin' },
    sessionTtlHours: { type: 'number', exclusiveMinimum: 0, maximum: 8760, default: 168 },
    maxFailedLogins: { type: 'integer', minimum: 1, default: 5 },
    lockMinutes: { type: 'number', exclusiveMinimum: 0, default: 15 },
    reservationTtlSeconds: { type: 'integer', minimum: 1, default: 600 },
    defaultBalance: { type: 'integer', minimum: 0, default: 0 },
    sessionCookie: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', default: 'cyberstudio_session' },
  },
} as const;

/** The config with every default filled in. */
export function withDefaults(config: Partial<AuthConfig>): AuthConfig {
  const defaults = Object.fromEntries(Object.entries(authConfigSchema.properties).map(([key, schema]) => [key, schema.default]));
  return { ...defaults, ...config } as AuthConfig;
}
