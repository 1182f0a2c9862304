import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { CallMeta, InitializeResult } from '../src/protocol/messages.ts';
import { Method } from '../src/protocol/protocol-constants.ts';

const schemaDir = new URL('../../schemas/protocol/', import.meta.url);
const schemaBase = 'https://cyberdevstudio.dev/schemas/protocol/';
const schemaFiles = readdirSync(schemaDir).filter((file) => file.endsWith('.json')).sort();
const schemas = schemaFiles.map((file) => JSON.parse(readFileSync(new URL(file, schemaDir), 'utf8')) as AnySchemaObject);

/** An ajv instance holding every protocol schema, in strict mode so sloppy schemas fail to compile. */
function protocolAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  for (const schema of schemas) ajv.addSchema(schema);
  return ajv;
}

const ajv = protocolAjv();

/** The compiled validator for a schema id or fragment, relative to the protocol schema base. */
function validator(ref: string): ValidateFunction {
  const validate = ajv.getSchema(schemaBase + ref);
  if (!validate) throw new Error(`schema ${ref} not found`);
  return validate;
}

/** Validation errors of `value` as readable text, or '' when it is valid. */
function problems(ref: string, value: unknown): string {
  const validate = validator(ref);
  return validate(value) ? '' : ajv.errorsText(validate.errors);
}

/** A wire line of the transcripts in docs/protocol.md. */
interface TranscriptLine {
  direction: 'K->P' | 'P->K';
  message: Record<string, unknown>;
}

const protocolDoc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** Every `K->P {...}` / `P->K {...}` line of docs/protocol.md, in order. */
function transcriptLines(): TranscriptLine[] {
  return [...protocolDoc.matchAll(/^(K->P|P->K) (\{.*\})$/gm)].map((match) => ({
    direction: match[1] as TranscriptLine['direction'],
    message: JSON.parse(match[2]!) as Record<string, unknown>,
  }));
}

/** Every JSON-RPC message shown in a ```json block of docs/protocol.md (one per block or one per line). */
function jsonBlockMessages(): unknown[] {
  const messages: unknown[] = [];
  for (const [, body] of protocolDoc.matchAll(/^```json\n([\s\S]*?)^```$/gm)) {
    const trimmed = body!.trim();
    const values = trimmed.startsWith('{\n') ? [trimmed] : trimmed.split('\n');
    for (const text of values) messages.push(JSON.parse(text));
  }
  return messages;
}

const protocolMethods = new Set<string>(Object.values(Method));

const sampleInitializeResult: InitializeResult = {
  name: 'hello',
  version: '0.1.0',
  protocolVersion: 1,
  capabilities: [
    {
      name: 'hello.echo',
      description: 'Returns the text it is given.',
      params: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      result: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      stream: false,
    },
  ],
  http: { port: 4312 },
};

const sampleCallMeta: CallMeta = {
  caller: { kind: 'user', id: 'u_1', roles: ['admin'] },
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  deadline: 1763712000000,
};

describe('protocol schemas', () => {
  it('compiles every schema in schemas/protocol in strict mode', () => {
    expect(schemaFiles).toContain('message.schema.json');
    for (const schema of schemas) expect(() => ajv.compile(schema), String(schema.$id)).not.toThrow();
  });

  it('gives every schema an $id under the protocol base, a title and a description', () => {
    for (const [index, schema] of schemas.entries()) {
      const file = schemaFiles[index]!;
      expect(schema.$id).toBe(schemaBase + file.replace('.schema.json', '.json'));
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(typeof schema.title).toBe('string');
      expect(typeof schema.description).toBe('string');
    }
  });

  it('accepts a sample initialize result', () => {
    expect(problems('initialize-result.json', sampleInitializeResult)).toBe('');
  });

  it('rejects an initialize result whose capability name has no dot', () => {
    const result = { ...sampleInitializeResult, capabilities: [{ ...sampleInitializeResult.capabilities[0]!, name: 'echo' }] };
    expect(problems('initialize-result.json', result)).toMatch(/pattern/);
  });

  it('accepts a sample call meta for each caller kind', () => {
    expect(problems('call-meta.json', sampleCallMeta)).toBe('');
    expect(problems('call-meta.json', { ...sampleCallMeta, caller: { kind: 'plugin', name: 'llm' } })).toBe('');
    expect(problems('call-meta.json', { ...sampleCallMeta, caller: { kind: 'kernel' } })).toBe('');
  });

  it('rejects a call meta without a caller', () => {
    const { caller: _caller, ...withoutCaller } = sampleCallMeta;
    expect(problems('call-meta.json', withoutCaller)).toMatch(/caller/);
  });

  it('rejects a progress notification without an id', () => {
    const message = { jsonrpc: '2.0', method: '$/progress', params: { chunk: 1 } };
    expect(problems('message.json', message)).not.toBe('');
  });

  it('accepts every example message in the json blocks of docs/protocol.md', () => {
    const messages = jsonBlockMessages();
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) expect(problems('message.json', message), JSON.stringify(message)).toBe('');
  });

  it('accepts every line of the transcripts in docs/protocol.md, with the _meta of each capability call', () => {
    const lines = transcriptLines();
    expect(lines.length).toBeGreaterThan(15);
    for (const { direction, message } of lines) {
      expect(problems('message.json', message), JSON.stringify(message)).toBe('');
      const method = message.method;
      if (typeof method !== 'string' || protocolMethods.has(method) || !('id' in message)) continue;
      const meta = (message.params as { _meta?: unknown })._meta;
      const metaSchema = direction === 'K->P' ? 'call-meta.json' : 'call-meta.json#/definitions/outgoingCallMeta';
      expect(problems(metaSchema, meta), JSON.stringify(message)).toBe('');
    }
  });

  it('accepts the initialize result of the session transcript in docs/protocol.md', () => {
    const lines = transcriptLines();
    const request = lines.find(({ message }) => message.method === Method.Initialize)!;
    const response = lines.find(({ direction, message }) => direction === 'P->K' && message.id === request.message.id && 'result' in message)!;
    expect(problems('initialize-params.json', request.message.params)).toBe('');
    expect(problems('initialize-result.json', response.message.result)).toBe('');
  });
});
