import type { ParsedUrlQuery } from 'node:querystring';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { toLogLevel } from '../telemetry/log-record.ts';

/** One schema-style issue, as CapabilityInvalidParams carries them in `data.errors`. */
interface QueryIssue {
  instancePath: string;
  message: string;
  keyword: string;
  params: Record<string, unknown>;
}

const EPOCH_MS = /^\d{1,15}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The params of `kernel.plugins.logs` from a REST query string (`level`, `since`, `until`,
 * `limit`, `q`). `level` is a name in any case or a pino number; `since` and `until` are
 * epoch ms or ISO 8601 dates. Ranges are left to the capability's own schema. Throws
 * CapabilityInvalidParams (400) naming every bad or unknown parameter.
 */
export function logQueryFrom(query: ParsedUrlQuery, capability: string): Record<string, unknown> {
  return convert(query, capability, {
    level: { read: (text) => toLogLevel(/^\d+$/.test(text) ? Number(text) : text), expected: 'must be trace, debug, info, warn, error, fatal or 10..60', keyword: 'enum' },
    since: { read: timeOf, expected: 'must be epoch milliseconds or an ISO 8601 date', keyword: 'format' },
    until: { read: timeOf, expected: 'must be epoch milliseconds or an ISO 8601 date', keyword: 'format' },
    limit: integer,
    q: { read: (text) => text, expected: 'must be text', keyword: 'type' },
  });
}

/** The params of `kernel.plugins.telemetry` from a REST query string (`limit`); throws like logQueryFrom. */
export function telemetryQueryFrom(query: ParsedUrlQuery, capability: string): Record<string, unknown> {
  return convert(query, capability, { limit: integer });
}

/** How one query parameter is read: `read` answers undefined for text it cannot take. */
interface QueryParameter {
  read(text: string): unknown;
  expected: string;
  keyword: string;
}

const integer: QueryParameter = { read: (text) => (/^-?\d{1,15}$/.test(text) ? Number(text) : undefined), expected: 'must be an integer', keyword: 'type' };

function convert(query: ParsedUrlQuery, capability: string, parameters: Record<string, QueryParameter>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const issues: QueryIssue[] = [];
  for (const [name, value] of Object.entries(query)) {
    const parameter = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    const instancePath = `/${name}`;
    if (parameter === undefined) {
      issues.push({ instancePath, message: `is not a parameter of this route (known: ${Object.keys(parameters).join(', ')})`, keyword: 'additionalProperties', params: { additionalProperty: name } });
    } else if (typeof value !== 'string') {
      issues.push({ instancePath, message: 'must be given once', keyword: 'type', params: { type: 'string' } });
    } else {
      const converted = parameter.read(value);
      if (converted === undefined) issues.push({ instancePath, message: parameter.expected, keyword: parameter.keyword, params: {} });
      else params[name] = converted;
    }
  }
  if (issues.length > 0) {
    const text = issues.map((entry) => `${entry.instancePath.slice(1)} ${entry.message}`).join('; ');
    throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid query for ${capability}: ${text}`, { capability, errors: issues });
  }
  return params;
}

function timeOf(text: string): number | undefined {
  if (EPOCH_MS.test(text)) return Number(text);
  if (!ISO_DATE.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isFinite(time) ? time : undefined;
}
