import { defineCapability, type CapabilitySpec } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import { assertAdmin } from '../caller-access.ts';

/** One audit entry as `auth.audit.list` answers it. */
export interface AuditView {
  id: number;
  time: number;
  actor: string;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  detail: Record<string, unknown> | null;
}

interface AuditQuery {
  since?: number;
  until?: number;
  action?: string;
  actor?: string;
  outcome?: AuditView['outcome'];
  limit?: number;
}

const DEFAULT_LIMIT = 200;

/** `auth.audit.list` (admin): the audit log, newest first, filtered by time, action, actor and outcome. */
export function auditCapabilities(state: AuthState): Record<string, CapabilitySpec> {
  return {
    'auth.audit.list': defineCapability<AuditQuery, AuditView[]>({
      description: 'The audit log of admin actions and authentication failures, newest first (admin). since/until are epoch ms; action matches exactly or by prefix ending in "." (e.g. "user.").',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          since: { type: 'number' },
          until: { type: 'number' },
          action: { type: 'string', minLength: 1 },
          actor: { type: 'string', minLength: 1 },
          outcome: { enum: ['ok', 'denied', 'failed'] },
          limit: { type: 'integer', minimum: 1, maximum: 10_000 },
        },
      },
      result: { type: 'array', items: { type: 'object' } },
      handler: async (query, ctx) => {
        assertAdmin(ctx.caller, 'auth.audit.list');
        let select = state.db.selectFrom('audit').selectAll();
        if (query.since !== undefined) select = select.where('time', '>=', query.since);
        if (query.until !== undefined) select = select.where('time', '<=', query.until);
        if (query.action !== undefined) {
          select = query.action.endsWith('.') ? select.where('action', 'like', `${query.action.replace(/[%_]/g, '')}%`) : select.where('action', '=', query.action);
        }
        if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
        if (query.outcome !== undefined) select = select.where('outcome', '=', query.outcome);
        const rows = await select.orderBy('id', 'desc').limit(query.limit ?? DEFAULT_LIMIT).execute();
        return rows.map((row) => ({ ...row, detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>) }));
      },
    }),
  };
}
