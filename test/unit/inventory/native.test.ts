import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/inventory/vars.js';
import { ConfigError } from '../../../src/util/errors.js';

const INVENTORY = `
defaults:
  user: admin
  become: doas
vars:
  site: ams
  tier: base
hosts:
  web1: { address: 10.0.0.1, vars: { tier: host } }
  web2: { address: 10.0.0.2, port: 2222, groups: [canary] }
  db1:
  bastion: { address: 198.51.100.7, user: jump }
groups:
  web: { hosts: [web1, web2], vars: { tier: web, role: http } }
  prod: { children: [web, dbs], vars: { tier: prod, env: production } }
  dbs: { hosts: [db1] }
  canary: { vars: { canary: true } }
`;

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('native inventory', () => {
  const inv = parseInventory(INVENTORY);

  it('reads hosts, groups, nested children and the implicit all group', () => {
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'db1', 'bastion']);
    expect(inv.groups.get('all')?.hosts).toEqual(['web1', 'web2', 'db1', 'bastion']);
    expect(inv.groups.get('prod')?.children).toEqual(['web', 'dbs']);
    expect(inv.groups.get('canary')?.hosts).toEqual(['web2']);
    expect(inv.hosts.get('web2')).toMatchObject({ address: '10.0.0.2', port: 2222 });
    expect(inv.defaults).toEqual({ user: 'admin', become: 'doas' });
  });

  it('layers variables: all < parent group < child group < host', () => {
    expect(hostVars(inv, 'web1')).toEqual({ site: 'ams', tier: 'host', role: 'http', env: 'production' });
    expect(hostVars(inv, 'web2')).toMatchObject({ tier: 'web', canary: true });
    expect(hostVars(inv, 'db1')).toEqual({ site: 'ams', tier: 'prod', env: 'production' });
    expect(hostVars(inv, 'bastion')).toEqual({ site: 'ams', tier: 'base' });
  });

  it('names file:line:column and the nearest key for a misspelled key', () => {
    const e = errorOf(() => parseInventory('hosts:\n  web1:\n    adress: 10.0.0.1\n', 'inv.yaml'));
    expect(e.message).toBe("inv.yaml:3:5: unknown key 'adress'; did you mean 'address'? (allowed: address, port, user, identity_file, become, proxy_jump, groups, vars)");
  });

  it('reports YAML syntax errors with their position', () => {
    const e = errorOf(() => parseInventory('hosts:\n  web1: { address: [\n', 'bad.yaml'));
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: YAML syntax error/);
    const dup = errorOf(() => parseInventory('hosts:\n  a: {}\n  a: {}\n', 'dup.yaml'));
    expect(dup.message).toMatch(/^dup\.yaml:3:3: YAML duplicate key/);
  });

  it('validates values: become, port', () => {
    expect(errorOf(() => parseInventory('hosts:\n  a: { become: dosa }\n', 'i.yaml')).message)
      .toBe("i.yaml:2:16: become must be one of none, doas, sudo; did you mean 'doas'?");
    expect(errorOf(() => parseInventory('hosts:\n  a: { port: 70000 }\n', 'i.yaml')).message).toMatch(/^i\.yaml:2:14: port must be/);
  });

  it('detects group cycles and unknown children', () => {
    expect(errorOf(() => parseInventory('groups:\n  a: { children: [b] }\n  b: { children: [a] }\n')).message).toMatch(/group cycle: a -> b -> a/);
    expect(errorOf(() => parseInventory('groups:\n  a: { children: [nope] }\n')).message).toMatch(/child 'nope', which is not a group/);
  });

  it('refuses a group named like a host', () => {
    expect(errorOf(() => parseInventory('hosts:\n  web: {}\ngroups:\n  web: { hosts: [web] }\n')).message).toMatch(/already a host name/);
  });
});
