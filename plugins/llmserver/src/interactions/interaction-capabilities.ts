import { BusError, ErrorCode, defineCapability, type Caller, type CapabilitySpec } from '@cyberstudio/sdk';
import { invalidParam } from '../llm-errors.ts';
import type { InteractionLog } from './interaction-log.ts';
import { CURSOR_PATTERN, InteractionPaging } from './interaction-query.ts';
import type { InteractionFilter, InteractionPage, InteractionView } from './interaction-types.ts';

/** Params of llm.interactions.list: the filter, without the user id scope the capability sets itself. */
type ListParams = Omit<InteractionFilter, 'userId'>;

/** What llm.interactions.list answers; `enabled: false` (and no items) when the log is off. */
export interface InteractionListResult extends InteractionPage {
  enabled: boolean;
}

const LIST = 'llm.interactions.list';
const GET = 'llm.interactions.get';
const ADMIN_ROLE = 'admin';

const nullable = (type: string) => ({ type: [type, 'null'] });

/** JSON Schema of one InteractionView. */
const interactionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, createdAt: { type: 'integer' }, capability: { type: 'string' }, model: nullable('string'),
    userId: nullable('string'), userName: nullable('string'), keyId: nullable('string'),
    callerKind: { enum: ['user', 'plugin', 'kernel'] }, callerPlugin: nullable('string'), traceId: nullable('string'),
    prompt: {}, response: nullable('string'), truncated: { type: 'boolean' }, finishReason: nullable('string'),
    status: { enum: ['ok', 'error', 'cancelled'] }, errorCode: nullable('integer'), errorMessage: nullable('string'),
    promptTokens: { type: 'integer' }, completionTokens: { type: 'integer' }, cost: nullable('number'),
    latencyMs: { type: 'number' }, ttftMs: nullable('number'), stream: { type: 'boolean' },
  },
  required: ['id', 'createdAt', 'capability', 'callerKind', 'status', 'promptTokens', 'completionTokens', 'latencyMs', 'stream'],
} as const;

/**
 * `llm.interactions.list` and `llm.interactions.get` over the log `getLog` returns (undefined:
 * the log is disabled). Admins, plugins and the kernel see every entry; any other user only their own.
 */
export function interactionCapabilities(getLog: () => InteractionLog | undefined): Record<string, CapabilitySpec> {
  return {
    [LIST]: defineCapability<ListParams, InteractionListResult>({
      description:
        'The interaction log, newest first: one entry per generation call with prompt, response, model, tokens, cost, latency and caller. ' +
        'since/until are epoch ms (inclusive); `user` is a user id or name; pass `nextCursor` back as `before` for the next page; ' +
        '`content: false` leaves prompt and response out. A user who is not an admin sees only their own entries.',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          user: { type: 'string', minLength: 1 },
          model: { type: 'string', minLength: 1 },
          capability: { type: 'string', minLength: 1 },
          status: { enum: ['ok', 'error', 'cancelled'] },
          since: { type: 'number', minimum: 0 },
          until: { type: 'number', minimum: 0 },
          limit: { type: 'integer', minimum: 1, maximum: InteractionPaging.maxLimit },
          before: { type: 'string', pattern: CURSOR_PATTERN },
          content: { type: 'boolean' },
        },
      },
      result: {
        type: 'object',
        properties: { items: { type: 'array', items: interactionSchema }, nextCursor: nullable('string'), enabled: { type: 'boolean' } },
        required: ['items', 'nextCursor', 'enabled'],
      },
      handler: async ({ user, ...rest }, ctx) => {
        const filter: InteractionFilter = { ...rest, ...scopeOf(ctx.caller, user) };
        const log = getLog();
        if (log === undefined) return { items: [], nextCursor: null, enabled: false };
        return { ...(await log.list(filter)), enabled: true };
      },
    }),
    [GET]: defineCapability<{ id: number }, InteractionView>({
      description: 'One entry of the interaction log by id, content included. A user who is not an admin may read only their own entries.',
      params: { type: 'object', additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
      result: interactionSchema,
      handler: async ({ id }, ctx) => {
        const log = getLog();
        if (log === undefined) throw invalidParam(GET, 'id', 'names no interaction: the interaction log is disabled (config interactionLog.enabled)');
        const item = await log.get(id);
        if (item === undefined) throw invalidParam(GET, 'id', `names no interaction: there is no entry ${id} (never recorded, or pruned)`);
        if (!isAdmin(ctx.caller) && item.userId !== callerId(ctx.caller)) throw forbidden(GET, ctx.caller, "may read another user's entry only as an admin");
        return item;
      },
    }),
  };
}

/** True for callers who see every entry: the kernel, plugins (their bus permission was checked) and admins. */
function isAdmin(caller: Caller): boolean {
  return caller.kind !== 'user' || caller.roles.includes(ADMIN_ROLE);
}

function callerId(caller: Caller): string | undefined {
  return caller.kind === 'user' ? caller.id : undefined;
}

/** The user filter a caller may use: an admin any (or none), a user only themselves, by id or name. */
function scopeOf(caller: Caller, user: string | undefined): Pick<InteractionFilter, 'user' | 'userId'> {
  if (caller.kind === 'user' && !isAdmin(caller)) {
    const self = user === undefined || user === caller.id || (caller.name !== undefined && user === caller.name);
    if (!self) throw forbidden(LIST, caller, "may list another user's entries only as an admin");
    return { userId: caller.id };
  }
  return user === undefined ? {} : { user };
}

/** Forbidden -32008 with data { capability, caller }, as the access policy and the auth plugin refuse. */
function forbidden(capability: string, caller: Caller, why: string): BusError {
  return new BusError(ErrorCode.Forbidden, `Forbidden: ${capability} ${why}`, { capability, caller });
}
