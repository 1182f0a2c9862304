import { BusError, ErrorCode } from '@cyberstudio/sdk';

/**
 * CapabilityInvalidParams (-32007) naming one field, shaped like the SDK's schema errors so
 * clients read both the same way: `data.errors[0].instancePath` is `/<field>`.
 */
export function invalidParam(capability: string, field: string, message: string): BusError {
  return new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${capability}: /${field} ${message}`, {
    capability,
    errors: [{ instancePath: `/${field}`, message, keyword: 'auth', params: {} }],
  });
}
