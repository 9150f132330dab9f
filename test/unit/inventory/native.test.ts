import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { ConfigError } from '../../../src/util/errors.js';

const INVENTORY = `
defaults:
  user: admin
  become: doas
  port: 2200
vars:
  site: ams
hosts:
  web1: { address: 10.0.0.1, vars: { tier: host } }
  web2: { address: 10.0.0.2, port: 2222, groups: [canary] }
  db1:
  bastion: { address: 198.51.100.7, user: jump, become: none, identity_file: /keys/jump, proxy_jump: none }
groups:
  web: { hosts: [web1, web2], vars: { tier: web, role: http } }
  prod: { children: [web, dbs], vars: { tier: prod } }
  dbs: { hosts: [db1, db2] }
  canary: { vars: { canary: true } }
`;

describe('native inventory format', () => {
  const inv = parseInventory(INVENTORY, '/inv/site.yaml');

  it('reads hosts in file order, including hosts only named by a group', () => {
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'db1', 'bastion', 'db2']);
    expect(inv.hosts.get('web2')).toMatchObject({ address: '10.0.0.2', port: 2222 });
    expect(inv.hosts.get('bastion')).toMatchObject({ user: 'jump', become: 'none', identityFile: '/keys/jump', proxyJump: 'none' });
    expect(inv.hosts.get('db1')).toEqual({ name: 'db1', vars: {}, pos: { file: '/inv/site.yaml', line: 11, col: 3 } });
  });

  it('reads defaults', () => {
    expect(inv.defaults).toEqual({ user: 'admin', become: 'doas', port: 2200 });
  });

  it('has an implicit group all with every host, and the top-level groups as its children', () => {
    expect(inv.groups.get('all')).toMatchObject({
      hosts: ['web1', 'web2', 'db1', 'bastion', 'db2'],
      children: ['canary', 'prod'],
      vars: { site: 'ams' },
    });
  });

  it('keeps nested groups, and adds hosts to groups from the host side with groups:', () => {
    expect(inv.groups.get('prod')?.children).toEqual(['web', 'dbs']);
    expect(inv.groups.get('canary')?.hosts).toEqual(['web2']);
    expect(inv.groups.get('web')).toMatchObject({ hosts: ['web1', 'web2'], vars: { tier: 'web', role: 'http' } });
  });

  it('resolves identity_file relative to the inventory file, and ~ to the home directory', () => {
    const i = parseInventory('defaults: { identity_file: keys/fleet }\nhosts:\n  a: { identity_file: ~/.ssh/a }\n', '/srv/inv/x.yaml');
    expect(i.defaults.identityFile).toBe('/srv/inv/keys/fleet');
    expect(i.hosts.get('a')?.identityFile).toMatch(/\/\.ssh\/a$/);
    expect(i.hosts.get('a')?.identityFile?.startsWith('~')).toBe(false);
  });

  it('takes known_hosts as one file or a list', () => {
    expect(parseInventory('defaults: { known_hosts: kh }\n', '/i/x.yaml').knownHosts).toEqual(['/i/kh']);
    expect(parseInventory('defaults: { known_hosts: [a, /b] }\n', '/i/x.yaml').knownHosts).toEqual(['/i/a', '/b']);
  });

  it('accepts an empty file and empty sections', () => {
    expect(parseInventory('# nothing yet\n').hosts.size).toBe(0);
    const i = parseInventory('hosts:\ngroups:\n  empty:\nvars:\n');
    expect(i.groups.get('empty')).toMatchObject({ hosts: [], children: [] });
  });

  it('accepts become: false as none, and a port written as a string', () => {
    expect(parseInventory('hosts:\n  a: { become: false, port: "2222" }\n').hosts.get('a')).toMatchObject({ become: 'none', port: 2222 });
  });
});

describe('native inventory errors', () => {
  const err = (text: string, file = 'inv.yaml') => {
    try {
      parseInventory(text, file);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error('no error');
  };

  it('names file:line:column and the nearest key for a misspelled key', () => {
    expect(err('hosts:\n  web1:\n    adress: 10.0.0.1\n')).toBe(
      "inv.yaml:3:5: unknown key 'adress'; did you mean 'address'? (allowed: address, port, user, identity_file, become, proxy_jump, groups, vars)",
    );
    expect(err('hosts:\n  web1: { address: 10.0.0.1, prot: 22 }\n')).toMatch(/^inv\.yaml:2:30: unknown key 'prot'; did you mean 'port'\?/);
    expect(err('defaults:\n  usr: root\n')).toMatch(/^inv\.yaml:2:3: unknown key 'usr'; did you mean 'user'\?/);
    expect(err('group:\n  web: {}\n')).toMatch(
      /^inv\.yaml:1:1: unknown key 'group'; did you mean 'groups'\? \(allowed: defaults, hosts, groups, vars\)/,
    );
    expect(err('groups:\n  web: { host: [a] }\n')).toMatch(/^inv\.yaml:2:10: unknown key 'host'; did you mean 'hosts'\?/);
  });

  it('suggests our key for words from ssh_config and Ansible', () => {
    expect(err('hosts:\n  web1: { hostname: 10.0.0.1 }\n')).toMatch(/^inv\.yaml:2:11: unknown key 'hostname'; did you mean 'address'\?/);
    expect(err('hosts:\n  web1: { ansible_host: 10.0.0.1 }\n')).toMatch(/did you mean 'address'\?/);
    expect(err('hosts:\n  web1: { ProxyJump: b }\n')).toMatch(/did you mean 'proxy_jump'\?/);
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(err('hosts:\n  web1: { zzzzzz: 1 }\n')).toBe(
      "inv.yaml:2:11: unknown key 'zzzzzz' (allowed: address, port, user, identity_file, become, proxy_jump, groups, vars)",
    );
  });

  it('checks values where they are written', () => {
    expect(err('hosts:\n  a: { become: dosa }\n', 'i.yaml')).toBe(
      "i.yaml:2:16: become must be one of none, doas, sudo; did you mean 'doas'?",
    );
    expect(err('hosts:\n  a: { port: 70000 }\n', 'i.yaml')).toBe('i.yaml:2:14: port must be an integer from 1 to 65535, got 70000');
    expect(err('defaults:\n  port: ssh\n', 'i.yaml')).toBe('i.yaml:2:9: port must be an integer from 1 to 65535, got "ssh"');
    expect(err('hosts:\n  a: { address: [1, 2] }\n', 'i.yaml')).toBe("i.yaml:2:17: 'address' must be a non-empty string");
    expect(err('hosts:\n  a: { vars: [1] }\n', 'i.yaml')).toBe('i.yaml:2:14: vars must be a mapping');
    expect(err('hosts:\n  - web1\n', 'i.yaml')).toBe('i.yaml:2:3: hosts must be a mapping');
    expect(err('hosts:\n  a: 10.0.0.1\n', 'i.yaml')).toBe("i.yaml:2:6: host 'a' must be a mapping");
    expect(err('groups:\n  g: { hosts: [a, 7.5, {x: 1}] }\n', 'i.yaml')).toBe("i.yaml:2:24: '2' must be a non-empty string");
    expect(err('- a\n- b\n', 'i.yaml')).toBe('i.yaml:1:1: an inventory must be a mapping with hosts:, groups:, defaults:, vars:');
  });

  it('checks Ansible connection variables written in vars', () => {
    expect(err('hosts:\n  a: { vars: { ansible_port: http } }\n', 'i.yaml')).toBe(
      'i.yaml:2:30: port must be an integer from 1 to 65535, got "http"',
    );
  });

  it('refuses names that host patterns could not select', () => {
    expect(err('hosts:\n  "2001:db8::1": {}\n', 'i.yaml')).toBe(
      "i.yaml:2:3: host name '2001:db8::1' cannot contain ':' (host patterns use , : ! & ~ * ? [ ]); give the host a plain name and its address in address: (ansible_host:)",
    );
    expect(err('groups:\n  "web servers": {}\n', 'i.yaml')).toMatch(/^i\.yaml:2:3: group name 'web servers' cannot contain 'whitespace'/);
    expect(err('groups:\n  g: { hosts: ["web*"] }\n', 'i.yaml')).toMatch(/^i\.yaml:2:16: host name 'web\*' cannot contain '\*'/);
  });

  it('refuses a host and a group with the same name, either way round', () => {
    expect(err('hosts:\n  web: {}\ngroups:\n  web: { hosts: [web] }\n', 'i.yaml')).toBe(
      "i.yaml:4:3: 'web' is already a host name; a group cannot share it",
    );
    expect(err('hosts:\n  a: { groups: [b] }\ngroups:\n  g: { hosts: [b] }\n', 'i.yaml')).toBe(
      "i.yaml:4:16: 'b' is already a group name; a host cannot share it",
    );
    expect(err('hosts:\n  all: {}\n', 'i.yaml')).toBe("i.yaml:2:3: 'all' is already a group name; a host cannot share it");
  });

  it('detects group cycles, naming where the group is declared', () => {
    expect(err('groups:\n  a: { children: [b] }\n  b: { children: [a] }\n', 'c.yaml')).toBe('c.yaml:2:3: group cycle: a -> b -> a');
    expect(err('groups:\n  x: { children: [a] }\n  a: { children: [b] }\n  b: { children: [c] }\n  c: { children: [a] }\n', 'c.yaml')).toBe(
      'c.yaml:3:3: group cycle: a -> b -> c -> a',
    );
    expect(err('groups:\n  self: { children: [self] }\n', 'c.yaml')).toBe('c.yaml:2:3: group cycle: self -> self');
  });

  it('refuses children that are not groups, with a suggestion', () => {
    expect(err('groups:\n  web: {}\n  prod: { children: [wbe] }\n', 'c.yaml')).toBe(
      "c.yaml:3:3: group 'prod' has child 'wbe', which is not a group; did you mean 'web'?",
    );
    expect(err('groups:\n  prod: { children: [all] }\n', 'c.yaml')).toMatch(/^c\.yaml:2:3: group 'prod' cannot have 'all' as a child/);
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(err('hosts:\n  web1: { address: [\n', 'bad.yaml')).toMatch(/^bad\.yaml:\d+:\d+: YAML syntax error/);
    expect(err('hosts:\n  a: {}\n  a: {}\n', 'dup.yaml')).toMatch(/^dup\.yaml:3:3: YAML duplicate key/);
  });
});
