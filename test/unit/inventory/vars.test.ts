import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/inventory/vars.js';
import { hostGroups } from '../../../src/inventory/groups.js';

const inv = parseInventory(`
vars: { layer: all, site: ams, ntp: { servers: [a, b], iburst: true } }
hosts:
  web1: { vars: { layer: host } }
  web2: {}
  db1: {}
  lonely: {}
groups:
  prod: { children: [web, dbs], vars: { layer: prod, env: production } }
  web: { hosts: [web1, web2], children: [canary], vars: { layer: web, role: http } }
  canary: { hosts: [web2], vars: { layer: canary, ntp: { servers: [c] } } }
  dbs: { hosts: [db1], vars: { layer: dbs } }
  zeta: { hosts: [db1], vars: { layer: zeta, sibling: zeta } }
  alpha: { hosts: [db1], vars: { layer: alpha, sibling: alpha } }
`);

describe('host variables', () => {
  it('layer all < parent group < child group < host', () => {
    expect(hostVars(inv, 'web1')).toEqual({
      layer: 'host',
      site: 'ams',
      ntp: { servers: ['a', 'b'], iburst: true },
      env: 'production',
      role: 'http',
    });
    expect(hostVars(inv, 'web2').layer).toBe('canary');
    expect(hostVars(inv, 'lonely')).toEqual({ layer: 'all', site: 'ams', ntp: { servers: ['a', 'b'], iburst: true } });
  });

  it('replaces a mapping whole rather than merging it (shallow, per key)', () => {
    expect(hostVars(inv, 'web2').ntp).toEqual({ servers: ['c'] });
  });

  it('orders groups by depth below all (the longest path), then by name', () => {
    expect(hostGroups(inv, 'web2')).toEqual(['all', 'prod', 'web', 'canary']);
    // dbs is deeper (all > prod > dbs) than alpha and zeta, which tie and go by name.
    expect(hostGroups(inv, 'db1')).toEqual(['all', 'alpha', 'prod', 'zeta', 'dbs']);
    expect(hostVars(inv, 'db1')).toMatchObject({ layer: 'dbs', sibling: 'zeta' });
  });

  it('uses the longest path when a group is reachable at two depths', () => {
    const i = parseInventory(`
hosts: { h: {} }
groups:
  top: { children: [mid, leaf], vars: { v: top } }
  mid: { children: [leaf], vars: { v: mid } }
  leaf: { hosts: [h], vars: { v: leaf } }
  other: { hosts: [h], vars: { v: other } }
`);
    expect(hostGroups(i, 'h')).toEqual(['all', 'other', 'top', 'mid', 'leaf']);
    expect(hostVars(i, 'h').v).toBe('leaf');
  });

  it('returns a copy: changing it leaves the inventory alone', () => {
    const v = hostVars(inv, 'web1');
    (v.ntp as { servers: string[] }).servers.push('x');
    v.layer = 'changed';
    expect(hostVars(inv, 'web1')).toMatchObject({ layer: 'host', ntp: { servers: ['a', 'b'] } });
  });
});
