import { describe, expect, it } from 'vitest';
import { LocalError } from '@cyberstudio/sdk';
import { parseRegistry, type RegistryIssue } from '../../src/registry/index.ts';

const opts = { file: '/srv/studio/plugins.json', baseDir: '/srv/studio' };

/** A plugin entry named `name` providing `<name>.run`, with `http`. */
const entry = (name: string, http: object) => ({ name, command: 'x', activation: 'startup', capabilities: [`${name}.run`], http });

/** The issues parseRegistry reports for `plugins`; [] when it accepts them. */
function issuesOf(...plugins: object[]): RegistryIssue[] {
  try {
    parseRegistry({ plugins }, opts);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(LocalError);
    return (error as LocalError<{ errors: RegistryIssue[] }>).details!.errors;
  }
}

describe('registry checks of plugin HTTP routes and mounts', () => {
  it('accepts distinct routes and mounts, including the root mount', () => {
    expect(issuesOf(entry('a', { routes: { 'GET /a/:id': 'a.run' }, mount: '/a' }), entry('b', { routes: { 'GET /a/list': 'b.run' }, mount: '/' }))).toEqual([]);
  });

  it.each(['/rpc', '/ws/plugins/x', '/api', '/api/plugins/:id/models', '/api/status', '/api/openapi.json', '/api/:anything', '/health', '/metrics'])("rejects a route on the gateway's own path %s", (path) => {
    expect(issuesOf(entry('a', { routes: { [`GET ${path}`]: 'a.run' } }))).toEqual([
      { plugin: 'a', field: `http.routes["GET ${path}"]`, message: expect.stringContaining("collides with the gateway's own paths") },
    ]);
  });

  it('accepts a route under /api that the REST API does not serve', () => {
    expect(issuesOf(entry('a', { routes: { 'GET /api/models': 'a.run', 'DELETE /api/models/:id': 'a.run' } }))).toEqual([]);
  });

  it("rejects a mount on the gateway's own paths", () => {
    expect(issuesOf(entry('a', { mount: '/api' }))).toEqual([{ plugin: 'a', field: 'http.mount', message: expect.stringContaining("collides with the gateway's own paths") }]);
  });

  it('rejects a route two plugins declare, whatever they name its parameters', () => {
    expect(issuesOf(entry('a', { routes: { 'GET /items/:id': 'a.run' } }), entry('b', { routes: { 'GET /items/:name/': 'b.run' } }))).toEqual([
      { plugin: 'b', field: 'http.routes["GET /items/:name/"]', message: expect.stringContaining("matches the same requests as 'GET /items/:id' of plugin 'a'") },
    ]);
  });

  it('accepts the same path under two methods', () => {
    expect(issuesOf(entry('a', { routes: { 'GET /items': 'a.run' } }), entry('b', { routes: { 'POST /items': 'b.run' } }))).toEqual([]);
  });

  it('rejects two identical mounts, a trailing slash aside', () => {
    expect(issuesOf(entry('a', { mount: '/studio' }), entry('b', { mount: '/studio/' }))).toEqual([
      { plugin: 'b', field: 'http.mount', message: expect.stringContaining("'/studio' is already mounted by plugin 'a'") },
    ]);
  });

  it('rejects a route capability the plugin does not list among its capabilities', () => {
    expect(issuesOf(entry('a', { routes: { 'GET /x': 'other.run' } }))).toEqual([
      { plugin: 'a', field: 'http.routes["GET /x"]', message: expect.stringContaining("'other.run', a capability this plugin does not list") },
    ]);
  });

  it('accepts any route capability from a plugin that lists no capabilities', () => {
    expect(issuesOf({ name: 'a', command: 'x', activation: 'startup', http: { routes: { 'GET /x': 'other.run' } } })).toEqual([]);
  });
});
