/** JSON Schemas of the metering capabilities' params and results. */

const userRef = { type: 'string', minLength: 1, maxLength: 200, description: 'User id or username.' } as const;
const tokens = { type: 'integer', minimum: 0 } as const;
/** Most tokens one reservation or commit may name: a 32-bit signed count, far above any context window. */
export const MAX_CALL_TOKENS = 2 ** 31 - 1;
const callTokens = { type: 'integer', minimum: 0, maximum: MAX_CALL_TOKENS } as const;
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', description: 'UTC day, YYYY-MM-DD.' } as const;
const reservationId = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** `auth.usage.reserve` params. */
export const reserveParams = {
  type: 'object',
  additionalProperties: false,
  required: ['user', 'model', 'tokens'],
  properties: {
    user: userRef,
    keyId: { type: 'string', minLength: 1, maxLength: 200, description: 'The API key the request came through (caller.keyId).' },
    model: { type: 'string', minLength: 1, maxLength: 200 },
    tokens: { ...callTokens, description: 'Most tokens the generation may use (prompt + completion).' },
  },
} as const;

/** `auth.usage.reserve` result. */
export const reserveResult = {
  type: 'object',
  required: ['reservationId', 'expiresAt', 'balance'],
  properties: { reservationId: { type: 'string' }, expiresAt: { type: 'integer' }, balance: tokens },
} as const;

/** `auth.usage.commit` params. */
export const commitParams = {
  type: 'object',
  additionalProperties: false,
  required: ['reservationId', 'promptTokens', 'completionTokens'],
  properties: {
    reservationId,
    promptTokens: { ...callTokens, description: 'Prompt tokens used; with completionTokens at most the tokens reserved.' },
    completionTokens: { ...callTokens, description: 'Completion tokens used; with promptTokens at most the tokens reserved.' },
  },
} as const;

/** `auth.usage.commit` result. */
export const commitResult = {
  type: 'object',
  required: ['charged', 'refunded', 'balance'],
  properties: { charged: tokens, refunded: tokens, balance: tokens },
} as const;

/** `auth.usage.progress` params: the tokens delivered so far, bounded as a commit's. */
export const progressParams = commitParams;

/** `auth.usage.progress` result. */
export const progressResult = { type: 'object', additionalProperties: false, properties: {} } as const;

/** `auth.usage.release` params. */
export const releaseParams = {
  type: 'object',
  additionalProperties: false,
  required: ['reservationId'],
  properties: { reservationId, reason: { type: 'string', maxLength: 500, description: 'Why (abort, error); logged.' } },
} as const;

/** `auth.usage.release` result. */
export const releaseResult = {
  type: 'object',
  required: ['refunded', 'balance'],
  properties: { refunded: tokens, balance: tokens },
} as const;

/** `auth.balance.get` params. */
export const balanceGetParams = {
  type: 'object',
  additionalProperties: false,
  properties: { user: userRef },
} as const;

/** `auth.balance.set` params: at least one change; balance and add exclude each other. */
export const balanceSetParams = {
  type: 'object',
  additionalProperties: false,
  required: ['user'],
  properties: {
    user: userRef,
    balance: { ...tokens, description: 'The new balance.' },
    add: { type: 'integer', description: 'Tokens to add; negative takes, but never below zero.' },
    unlimited: { type: 'boolean' },
  },
  anyOf: [{ required: ['balance'] }, { required: ['add'] }, { required: ['unlimited'] }],
} as const;

/** `auth.balance.get` and `auth.balance.set` result. */
export const balanceResult = {
  type: 'object',
  required: ['userId', 'balance', 'unlimited', 'reserved'],
  properties: { userId: { type: 'string' }, balance: tokens, unlimited: { type: 'boolean' }, reserved: tokens },
} as const;

/** `auth.usage.history` params. */
export const historyParams = {
  type: 'object',
  additionalProperties: false,
  properties: { user: userRef, from: day, to: day, model: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** `auth.usage.history` result. */
export const historyResult = {
  type: 'array',
  items: {
    type: 'object',
    required: ['userId', 'username', 'model', 'day', 'requests', 'promptTokens', 'completionTokens'],
    properties: {
      userId: { type: 'string' }, username: { type: 'string' }, model: { type: 'string' }, day: { type: 'string' },
      requests: tokens, promptTokens: tokens, completionTokens: tokens,
    },
  },
} as const;
