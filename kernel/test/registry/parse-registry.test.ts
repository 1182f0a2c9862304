import { describe, expect, it } from 'vitest';
import { LocalError } from '@cyberstudio/sdk';
import { parseRegistry, type RegistryIssue } from '../../src/registry/index.ts';

const opts = { file: '/srv/studio/plugins.json', baseDir: '/srv/studio' };
const hello = { name: 'hello', entrypoint: 'plugins/hello/src/main.ts', capabilities: ['hello.echo'] };

function parseOne(entry: object) {
  return parseRegistry({ plugins: [entry] }, opts).plugins[0]!;
}

function rejection(document: unknown): LocalError<{ errors: RegistryIssue[] }> {
  try {
    parseRegistry(document, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(LocalError);
    return error as LocalError<{ errors: RegistryIssue[] }>;
  }
  throw new Error('expected parseRegistry to reject the document');
}

const invalidOne = (entry: object) => rejection({ plugins: [entry] });

describe('parseRegistry defaults', () => {
  it('fills nested defaults next to the fields an entry gives', () => {
    const manifest = parseOne({ ...hello, healthcheck: { intervalSeconds: 30 }, restart: { backoff: { maxMs: 1000 } } });
    expect(manifest.healthcheck).toEqual({ intervalSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, startTimeoutSeconds: 10 });
    expect(manifest.restart.backoff).toEqual({ initialMs: 500, maxMs: 1000, jitter: 0.2 });
  });

  it('fills the top-level defaults of a minimal entry', () => {
    expect(parseOne(hello)).toMatchObject({
      description: '',
      args: [],
      enabled: true,
      autostart: false,
      activation: 'lazy',
      required: false,
      dependencies: [],
      env: {},
      envAllow: [],
      config: {},
      permissions: { call: [], subscribe: ['*'], publish: ['*'] },
    });
  });

  it('does not modify the document it is given', () => {
    const document = { plugins: [{ ...hello }] };
    parseRegistry(document, opts);
    expect(document).toEqual({ plugins: [hello] });
  });

  it("makes activation 'startup' when autostart is true", () => {
    expect(parseOne({ ...hello, autostart: true }).activation).toBe('startup');
  });

  it("makes autostart true when activation is 'startup'", () => {
    expect(parseOne({ ...hello, activation: 'startup' }).autostart).toBe(true);
  });

  it("watches the entrypoint's directory by default", () => {
    expect(parseOne(hello).watch).toEqual(['plugins/hello/src']);
  });

  it('watches nothing by default for a command plugin', () => {
    expect(parseOne({ name: 'tool', command: 'uvx', activation: 'startup' }).watch).toEqual([]);
  });

  it('keeps disabled plugins in the registry', () => {
    expect(parseOne({ ...hello, enabled: false })).toMatchObject({ name: 'hello', enabled: false });
  });

  it('passes http settings through untouched', () => {
    const http = { mount: '/hello', routes: { 'GET /hello/:id': 'hello.echo' } };
    expect(parseOne({ ...hello, http }).http).toEqual(http);
  });
});

describe('parseRegistry schema errors', () => {
  it('names the plugin and the dotted field of a value out of range', () => {
    const error = invalidOne({ ...hello, restart: { backoff: { initialMs: -5 } } });
    expect(error.code).toBe('CDS_ERR_REGISTRY_INVALID');
    expect(error.details?.errors).toEqual([{ plugin: 'hello', field: 'restart.backoff.initialMs', message: "field 'restart.backoff.initialMs' must be >= 0 (got -5)" }]);
  });

  it('calls a misspelt field unknown and suggests the right one', () => {
    expect(invalidOne({ ...hello, autostrat: true }).message).toBe("plugins.json: plugin 'hello': unknown field 'autostrat' (did you mean 'autostart'?)");
  });

  it('puts every error on its own line', () => {
    const error = invalidOne({ ...hello, enabled: 'yes', healthcheck: { intervalSeconds: 0 } });
    expect(error.message.split('\n')).toEqual([
      "plugins.json: plugin 'hello': field 'enabled' must be a boolean, not a string",
      "plugins.json: plugin 'hello': field 'healthcheck.intervalSeconds' must be >= 1 (got 0)",
    ]);
  });

  it('labels an entry without a name by its 1-based position', () => {
    const error = rejection({ plugins: [hello, { entrypoint: 'x.ts' }] });
    expect(error.details?.errors).toContainEqual({ plugin: '#2', field: 'name', message: "field 'name' is required" });
  });

  it('explains how to fix a bare array of plugins', () => {
    expect(rejection([hello]).message).toContain('wrap it in an object: { "plugins": [ ... ] }');
  });

  it('requires the plugins field', () => {
    expect(rejection({}).message).toBe("plugins.json: field 'plugins' is required");
  });

  it('rejects an entry with both an entrypoint and a command', () => {
    expect(invalidOne({ ...hello, command: 'node' }).message).toContain("has both 'entrypoint' and 'command'");
  });

  it('rejects an entry with neither an entrypoint nor a command', () => {
    expect(invalidOne({ name: 'hello', activation: 'startup' }).message).toBe("plugins.json: plugin 'hello': needs an 'entrypoint' (a script to run) or a 'command' (a program to run)");
  });

  it('rejects a plugin name with capital letters', () => {
    expect(invalidOne({ ...hello, name: 'Hello' }).message).toContain("field 'name' must be lowercase letters, digits and '-'");
  });

  it('rejects a capability name without a namespace', () => {
    expect(invalidOne({ ...hello, capabilities: ['echo'] }).message).toContain("field 'capabilities[0]' must be a capability name like 'hello.echo'");
  });

  it("accepts '*', 'ns.*' and exact names as call permissions", () => {
    expect(parseOne({ ...hello, permissions: { call: ['*', 'llm.*', 'llm.complete'] } }).permissions.call).toEqual(['*', 'llm.*', 'llm.complete']);
  });

  it('rejects a call permission with a wildcard inside a name', () => {
    expect(invalidOne({ ...hello, permissions: { call: ['llm*'] } }).details?.errors[0]?.field).toBe('permissions.call[0]');
  });

  it('rejects an env value that is not a string', () => {
    expect(invalidOne({ ...hello, env: { PORT: 8080 } }).message).toContain("field 'env.PORT' must be a string, not an integer");
  });
});

describe('parseRegistry consistency rules', () => {
  it('rejects two plugins with the same name', () => {
    const error = rejection({ plugins: [hello, { ...hello, capabilities: [] }] });
    expect(error.message).toContain("'hello' is already used by entry #1");
  });

  it('rejects a capability provided by two plugins', () => {
    const error = rejection({ plugins: [hello, { name: 'other', command: 'x', capabilities: ['hello.echo'] }] });
    expect(error.message).toBe("plugins.json: plugin 'other': field 'capabilities[0]': capability 'hello.echo' is already provided by plugin 'hello'; a capability has exactly one provider");
  });

  it("rejects capabilities under the reserved 'kernel.' namespace", () => {
    expect(invalidOne({ ...hello, capabilities: ['kernel.plugins'] }).message).toContain("'kernel.plugins' is reserved");
  });

  it('rejects a capability timeout for a capability the plugin does not list', () => {
    const error = invalidOne({ ...hello, limits: { capabilityTimeouts: { 'hello.stream': 60 } } });
    expect(error.details?.errors[0]?.field).toBe('limits.capabilityTimeouts["hello.stream"]');
  });

  it('rejects a backoff whose maximum is below its initial delay', () => {
    expect(invalidOne({ ...hello, restart: { backoff: { initialMs: 5000, maxMs: 100 } } }).message).toContain("field 'restart.backoff.maxMs' must be >= restart.backoff.initialMs (5000)");
  });

  it('rejects a configSchema that is not a JSON Schema', () => {
    expect(invalidOne({ ...hello, configSchema: { type: 'text' } }).message).toContain("field 'configSchema' is not a valid JSON Schema");
  });

  it('rejects autostart true together with lazy activation', () => {
    expect(invalidOne({ ...hello, autostart: true, activation: 'lazy' }).message).toContain("field 'autostart' (true) contradicts activation 'lazy'");
  });

  it('groups the errors of each entry together in file order', () => {
    const error = rejection({ plugins: [{ ...hello, capabilities: ['kernel.x'], enabled: 1 }, { name: 'b', activation: 'startup' }] });
    expect(error.details?.errors.map((issue) => issue.plugin)).toEqual(['hello', 'hello', 'b']);
  });
});

describe('parseRegistry dependencies', () => {
  it('fails with CDS_ERR_DEPENDENCY_MISSING naming the plugin and the dependency', () => {
    const error = invalidOne({ ...hello, dependencies: ['llm'] });
    expect(error.code).toBe('CDS_ERR_DEPENDENCY_MISSING');
    expect(error.message).toBe("plugins.json: plugin 'hello' depends on 'llm', which is not in the registry; add it or remove the dependency");
  });

  it('fails with CDS_ERR_DEPENDENCY_CYCLE naming the cycle', () => {
    const error = rejection({ plugins: [{ ...hello, dependencies: ['b'] }, { name: 'b', command: 'x', activation: 'startup', dependencies: ['hello'] }] });
    expect(error.code).toBe('CDS_ERR_DEPENDENCY_CYCLE');
    expect(error.details).toMatchObject({ cycle: ['hello', 'b', 'hello'], file: opts.file });
  });
});

describe('parseRegistry activation', () => {
  it('rejects a lazy plugin without capabilities, since no call could ever start it', () => {
    expect(invalidOne({ name: 'quiet', entrypoint: 'main.ts', activation: 'lazy' }).message).toContain("field 'capabilities' is empty, so no call can activate this lazy plugin");
  });
});
