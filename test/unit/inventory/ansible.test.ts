import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadInventories, parseInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/inventory/vars.js';
import { resolveTarget } from '../../../src/inventory/resolve.js';
import { selectHosts } from '../../../src/inventory/pattern.js';
import { expandHostRange } from '../../../src/inventory/host-range.js';
import { ConfigError } from '../../../src/util/errors.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/inventory');
const noFallback = { identityFiles: [], user: 'me' };

describe('Ansible YAML inventory', () => {
  const file = path.join(FIXTURES, 'ansible-hosts.yaml');
  const inv = loadInventories([file]);

  it('is recognised by its top-level all:, with nested children and expanded host ranges', () => {
    expect([...inv.hosts.keys()]).toEqual(['bastion.example.net', 'jh-ams-1', 'jh-ams-2', 'jh-fra-1']);
    expect(inv.groups.get('jailhosts')?.children).toEqual(['ams', 'fra']);
    expect(inv.groups.get('ams')?.hosts).toEqual(['jh-ams-1', 'jh-ams-2']);
    expect(inv.groups.get('all')?.children).toEqual(['jailhosts', 'canary']);
    expect(selectHosts(inv, 'jailhosts:&canary')).toEqual(['jh-fra-1']);
  });

  it('keeps every variable, connection variables included, layered as usual', () => {
    expect(hostVars(inv, 'jh-fra-1')).toEqual({
      ansible_user: 'deploy',
      ansible_become: true,
      ntp_server: 'pool.ntp.org',
      ansible_become_method: 'doas',
      jail_root: '/usr/jails',
      ansible_port: 2222,
      ansible_host: '192.0.2.31',
      ansible_ssh_private_key_file: path.join(FIXTURES, 'keys/fra'),
      zpool: 'tank',
    });
  });

  it('turns connection variables into the connection, group ones included', () => {
    expect(resolveTarget(inv, 'jh-fra-1', undefined, {}, noFallback)).toMatchObject({
      address: '192.0.2.31',
      port: 2222,
      user: 'deploy',
      become: 'doas',
      identityFiles: [path.join(FIXTURES, 'keys/fra')],
      proxyJump: [],
    });
    // ansible_become: no on the host beats yes from all.
    expect(resolveTarget(inv, 'bastion.example.net', undefined, {}, noFallback)).toMatchObject({
      address: '198.51.100.10',
      user: 'deploy',
      become: 'none',
    });
  });

  it('takes a jump host from -o ProxyJump= or -J in ansible_ssh_common_args', () => {
    const t = resolveTarget(inv, 'jh-ams-2', undefined, {}, noFallback);
    expect(t).toMatchObject({ address: 'jh-ams-2', become: 'doas' });
    expect(t.proxyJump.map((h) => [h.name, h.address, h.user, h.become])).toEqual([
      ['bastion.example.net', '198.51.100.10', 'deploy', 'none'],
    ]);
    const j = parseInventory('all:\n  hosts:\n    a: { ansible_ssh_common_args: "-q -J ops@b:2222" }\n    b:\n');
    expect(resolveTarget(j, 'a', undefined, {}, noFallback).proxyJump.map((h) => `${h.user}@${h.address}:${h.port}`)).toEqual([
      'ops@b:2222',
    ]);
  });

  it('applies ansible_become like Ansible: method alone does nothing, become alone is sudo', () => {
    const i = parseInventory(`
all:
  hosts:
    m: { ansible_become_method: doas }
    b: { ansible_become: "True" }
    both: { ansible_become: on, ansible_become_method: doas }
    off: { ansible_become: false, ansible_become_method: sudo }
`);
    const become = (h: string) => resolveTarget(i, h, undefined, {}, noFallback).become;
    expect([become('m'), become('b'), become('both'), become('off')]).toEqual(['none', 'sudo', 'doas', 'none']);
  });

  it('accepts other top-level groups next to all, and hosts without variables', () => {
    const i = parseInventory('all:\n  hosts:\n    a:\nweb:\n  hosts:\n    w1:\n    w2:\n  vars: { role: http }\n');
    expect([...i.hosts.keys()]).toEqual(['a', 'w1', 'w2']);
    expect(i.groups.get('all')?.children).toEqual(['web']);
    expect(hostVars(i, 'w2')).toEqual({ role: 'http' });
  });

  it('merges a group that appears under several parents', () => {
    const i = parseInventory(`
all:
  children:
    ams: { children: { jailhosts: { hosts: { j1: } } } }
    fra: { children: { jailhosts: { hosts: { j2: } } } }
`);
    expect(i.groups.get('jailhosts')?.hosts).toEqual(['j1', 'j2']);
    expect(selectHosts(i, 'ams')).toEqual(['j1', 'j2']);
  });
});

describe('Ansible inventory errors', () => {
  const err = (text: string) => {
    try {
      parseInventory(text, 'hosts.yaml');
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error('no error');
  };

  it('names unknown group keys with a suggestion', () => {
    expect(err('all:\n  childen:\n    web:\n')).toBe(
      "hosts.yaml:2:3: unknown key 'childen'; did you mean 'children'? (allowed: hosts, children, vars)",
    );
    expect(err('all:\n  children:\n    web:\n      host:\n        w1:\n')).toMatch(
      /^hosts\.yaml:4:7: unknown key 'host'; did you mean 'hosts'\?/,
    );
  });

  it('explains that hosts: is a mapping, not a list', () => {
    expect(err('all:\n  hosts:\n    - w1\n')).toMatch(/^hosts\.yaml:3:5: hosts: must be a mapping of host names/);
  });

  it('checks connection variables where they are written', () => {
    expect(err('all:\n  hosts:\n    w1: { ansible_port: twenty-two }\n')).toBe(
      'hosts.yaml:3:25: port must be an integer from 1 to 65535, got "twenty-two"',
    );
    expect(err('all:\n  vars:\n    ansible_become: maybe\n')).toBe('hosts.yaml:3:21: ansible_become must be true or false, got "maybe"');
    expect(err('all:\n  vars:\n    ansible_become_method: su\n')).toMatch(
      /^hosts\.yaml:3:28: ansible_become_method "su" is not supported: fleetjail becomes root with doas or sudo/,
    );
  });

  it("refuses 'all' as a child and malformed host ranges", () => {
    expect(err('all:\n  children:\n    all:\n')).toBe("hosts.yaml:3:5: 'all' contains every group; it cannot be a child");
    expect(err('all:\n  hosts:\n    web[3:1]:\n')).toBe("hosts.yaml:3:5: host range 'web[3:1]' is empty (its start is after its end)");
  });
});

describe('host ranges', () => {
  it('expands numbers, zero-padded numbers, letters, steps and several ranges', () => {
    expect(expandHostRange('web1')).toEqual(['web1']);
    expect(expandHostRange('web[1:3]')).toEqual(['web1', 'web2', 'web3']);
    expect(expandHostRange('web[08:10].example.net')).toEqual(['web08.example.net', 'web09.example.net', 'web10.example.net']);
    expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostRange('h[0:10:5]')).toEqual(['h0', 'h5', 'h10']);
    expect(expandHostRange('h[:1]')).toEqual(['h0', 'h1']);
    expect(expandHostRange('r[1:2]-[a:b]')).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  });

  it('explains malformed ranges', () => {
    expect(expandHostRange('h[01:100]')).toEqual({ error: "host range 'h[01:100]': zero-padded bounds must have the same width" });
    expect(expandHostRange('h[1:c]')).toEqual({ error: "host range 'h[1:c]' mixes letters and numbers" });
  });
});
