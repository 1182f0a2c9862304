import { describe, expect, it } from 'vitest';
import { LocalError } from '@cyberstudio/sdk';
import { checkDependencies, dependenciesOf, dependentsOf, startOrder, stopOrder, type DependencyNode } from '../../src/registry/index.ts';

const node = (name: string, ...dependencies: string[]): DependencyNode => ({ name, dependencies });
const names = (plugins: readonly DependencyNode[]) => plugins.map((plugin) => plugin.name);

function thrown(action: () => unknown): LocalError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LocalError);
    return error as LocalError;
  }
  throw new Error('expected a LocalError');
}

// web -> api -> db; worker -> db; docs stands alone.
const plugins = [node('web', 'api'), node('docs'), node('api', 'db'), node('worker', 'db'), node('db')];

describe('startOrder', () => {
  it('starts every plugin after its dependencies', () => {
    expect(names(startOrder(plugins))).toEqual(['docs', 'db', 'api', 'web', 'worker']);
  });

  it('keeps file order when no dependency constrains it', () => {
    expect(names(startOrder([node('c'), node('a'), node('b')]))).toEqual(['c', 'a', 'b']);
  });

  it('fails with CDS_ERR_DEPENDENCY_CYCLE naming the cycle', () => {
    const error = thrown(() => startOrder([node('a', 'b'), node('b', 'c'), node('c', 'a')]));
    expect(error.code).toBe('CDS_ERR_DEPENDENCY_CYCLE');
    expect(error.message).toContain('a -> b -> c -> a');
    expect(error.details).toEqual({ cycle: ['a', 'b', 'c', 'a'] });
  });

  it('treats a plugin depending on itself as a cycle', () => {
    expect(thrown(() => startOrder([node('a', 'a')])).message).toContain('a -> a');
  });
});

describe('stopOrder', () => {
  it('is the reverse of the start order', () => {
    expect(names(stopOrder(plugins))).toEqual(['worker', 'web', 'api', 'db', 'docs']);
  });
});

describe('checkDependencies', () => {
  it('fails with CDS_ERR_DEPENDENCY_MISSING naming the plugin and the missing dependency', () => {
    const error = thrown(() => checkDependencies([node('web', 'api')]));
    expect(error.code).toBe('CDS_ERR_DEPENDENCY_MISSING');
    expect(error.message).toContain("plugin 'web' depends on 'api', which is not in the registry");
    expect(error.details).toMatchObject({ plugin: 'web', dependency: 'api' });
  });
});

describe('dependenciesOf', () => {
  it('lists transitive dependencies in start order', () => {
    expect(names(dependenciesOf(plugins, 'web'))).toEqual(['db', 'api']);
  });

  it('fails with CDS_ERR_PLUGIN_UNKNOWN for a name not in the list', () => {
    expect(thrown(() => dependenciesOf(plugins, 'nope')).code).toBe('CDS_ERR_PLUGIN_UNKNOWN');
  });
});

describe('dependentsOf', () => {
  it('lists transitive dependents in stop order', () => {
    expect(names(dependentsOf(plugins, 'db'))).toEqual(['worker', 'web', 'api']);
  });
});
