import { LocalError, LocalErrorCode, formatIssues, type InitializeResult } from '@cyberstudio/sdk';
import initializeResultSchema from '../../../schemas/protocol/initialize-result.schema.json' with { type: 'json' };
import { kernelValidator } from '../kernel-validator.ts';

// Imported, not read from disk: the build puts it inside the kernel's bundle.
const checkResultShape = kernelValidator.compile(initializeResultSchema as Record<string, unknown>);

/**
 * Checks a plugin's `initialize` answer: its shape (schemas/protocol/initialize-result), its name,
 * its protocol version, and that its capabilities equal those plugins.json declares (when it
 * declares any). Throws CDS_ERR_HANDSHAKE_FAILED or CDS_ERR_HANDSHAKE_MISMATCH naming the difference.
 */
export function checkHandshake(
  plugin: string,
  result: unknown,
  versions: { min: number; max: number },
  declared: readonly string[],
): InitializeResult {
  const issues = checkResultShape(result);
  if (issues.length > 0) {
    throw new LocalError(LocalErrorCode.HandshakeFailed, `Plugin '${plugin}' answered initialize with a malformed result: ${formatIssues(issues)}`, {
      plugin,
      reason: 'malformed result',
      errors: issues,
    });
  }
  const answer = result as InitializeResult;
  if (answer.protocolVersion < versions.min || answer.protocolVersion > versions.max) {
    throw new LocalError(LocalErrorCode.HandshakeFailed, `Plugin '${plugin}' chose protocol version ${answer.protocolVersion}, outside the offered ${versions.min}..${versions.max}`, {
      plugin,
      reason: 'protocol version',
    });
  }
  const provided = answer.capabilities.map((capability) => capability.name);
  const problems: string[] = [];
  if (answer.name !== plugin) problems.push(`it calls itself '${answer.name}'`);
  const extra = declared.length === 0 ? [] : provided.filter((name) => !declared.includes(name));
  const missing = declared.filter((name) => !provided.includes(name));
  if (extra.length > 0) problems.push(`it provides capabilities plugins.json does not declare: ${extra.join(', ')}`);
  if (missing.length > 0) problems.push(`plugins.json declares capabilities it does not provide: ${missing.join(', ')}`);
  if (problems.length > 0) {
    throw new LocalError(LocalErrorCode.HandshakeMismatch, `Plugin '${plugin}' disagrees with plugins.json: ${problems.join('; ')}`, {
      plugin,
      name: answer.name,
      extra,
      missing,
    });
  }
  return answer;
}
