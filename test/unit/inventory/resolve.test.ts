import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { resolveTarget, type Fallbacks } from '../../../src/inventory/resolve.js';
import { parseSshConfig } from '../../../src/inventory/ssh-config.js';
import { formatHop, parseProxyJump } from '../../../src/inventory/proxy-jump.js';
import type { ConnectTarget } from '../../../src/inventory/model.js';

const FALLBACK: Fallbacks = { user: 'me', identityFiles: ['/home/me/.ssh/id_ed25519'] };
const hops = (t: ConnectTarget) => t.proxyJump.map((h) => `${h.name}=${h.user}@${h.address}:${h.port}`);

describe('resolveTarget: where each setting comes from', () => {
  const ssh = parseSshConfig(`
Host web1
  HostName web1.from-ssh-config
  User ssh-user
  Port 2201
  IdentityFile /keys/ssh-web1
Host alias-only
  HostName 192.0.2.50
  User alias-user
Match host 10.9.*
  User by-address
Host *
  IdentityFile /keys/ssh-all
`);

  it('lets inventory host fields win over ssh_config', () => {
    const inv = parseInventory('hosts:\n  web1: { address: 10.0.0.1, port: 22, user: admin, identity_file: /keys/inv }\n');
    expect(resolveTarget(inv, 'web1', ssh, {}, FALLBACK)).toEqual({
      name: 'web1',
      address: '10.0.0.1',
      port: 22,
      user: 'admin',
      become: 'none',
      proxyJump: [],
      identityFiles: ['/keys/inv', '/keys/ssh-web1', '/keys/ssh-all'],
    });
  });

  it('lets ssh_config fill in what the inventory leaves out, looked up by the inventory name', () => {
    const inv = parseInventory('hosts:\n  web1: {}\n');
    expect(resolveTarget(inv, 'web1', ssh, {}, FALLBACK)).toMatchObject({
      address: 'web1.from-ssh-config',
      port: 2201,
      user: 'ssh-user',
      identityFiles: ['/keys/ssh-web1', '/keys/ssh-all'],
    });
  });

  it('puts inventory defaults above ssh_config and below host fields', () => {
    const inv = parseInventory(
      'defaults: { user: root, port: 2200, become: doas }\nhosts:\n  web1: {}\n  web2: { user: ops, become: sudo }\n',
    );
    expect(resolveTarget(inv, 'web1', ssh, {}, FALLBACK)).toMatchObject({ user: 'root', port: 2200, become: 'doas' });
    expect(resolveTarget(inv, 'web2', ssh, {}, FALLBACK)).toMatchObject({ user: 'ops', port: 2200, become: 'sudo' });
  });

  it('puts Ansible connection variables between host fields and defaults', () => {
    const inv = parseInventory(`
defaults: { user: root }
hosts:
  a: { vars: { ansible_user: from-host-vars } }
  b: { user: field, vars: { ansible_user: ignored } }
  c: {}
groups:
  g: { hosts: [a, b, c], vars: { ansible_user: from-group, ansible_port: 2022 } }
`);
    expect(resolveTarget(inv, 'a', undefined, {}, FALLBACK)).toMatchObject({ user: 'from-host-vars', port: 2022 });
    expect(resolveTarget(inv, 'b', undefined, {}, FALLBACK).user).toBe('field');
    expect(resolveTarget(inv, 'c', undefined, {}, FALLBACK).user).toBe('from-group');
  });

  it('lets the command line win over everything, for the target only', () => {
    const inv = parseInventory('defaults: { become: doas }\nhosts:\n  web1: { user: admin, proxy_jump: alias-only }\n');
    const t = resolveTarget(inv, 'web1', ssh, { user: 'cli', become: 'sudo' }, FALLBACK);
    expect(t).toMatchObject({ user: 'cli', become: 'sudo' });
    expect(t.proxyJump[0]).toMatchObject({ user: 'alias-user', become: 'none' });
  });

  it('shows ssh_config Match host the inventory address', () => {
    const inv = parseInventory('hosts:\n  x: { address: 10.9.0.1 }\n');
    expect(resolveTarget(inv, 'x', ssh, {}, FALLBACK).user).toBe('by-address');
  });

  it('falls back to the name, port 22, the fallback user and identity files', () => {
    const inv = parseInventory('hosts:\n  bare: {}\n');
    expect(resolveTarget(inv, 'bare', undefined, {}, FALLBACK)).toEqual({
      name: 'bare',
      address: 'bare',
      port: 22,
      user: 'me',
      become: 'none',
      proxyJump: [],
      identityFiles: ['/home/me/.ssh/id_ed25519'],
    });
    expect(resolveTarget(inv, 'bare', undefined, {}, { ...FALLBACK, port: 2222 }).port).toBe(2222);
  });
});

describe('resolveTarget: ProxyJump', () => {
  const ssh = parseSshConfig(`
Host gw
  HostName 203.0.113.1
  User gwuser
  Port 2222
Host inner-gw
  HostName 10.255.0.1
  ProxyJump gw
Host *.behind-ssh
  ProxyJump gw
`);
  const inv = parseInventory(`
defaults: { user: root }
hosts:
  bastion: { address: 198.51.100.7, user: jump, become: doas }
  web1: { address: 10.0.0.1, proxy_jump: bastion }
  web2: { address: 10.0.0.2, proxy_jump: "ops@gw:22,bastion" }
  web3: { address: 10.0.0.3, proxy_jump: inner-gw }
  web4: { address: 10.0.0.4, proxy_jump: "ssh://admin@[2001:db8::1]:2200" }
  web5.behind-ssh: {}
  web6: { proxy_jump: "bastion, web1" }
  direct: { address: 10.0.0.9, proxy_jump: none }
`);
  const t = (name: string) => resolveTarget(inv, name, ssh, {}, FALLBACK);

  it('resolves a hop that is an inventory host, which never becomes', () => {
    expect(hops(t('web1'))).toEqual(['bastion=jump@198.51.100.7:22']);
    expect(t('web1').proxyJump[0]?.become).toBe('none');
  });

  it('resolves a hop that is an ssh_config alias, with user and port from the spec winning', () => {
    expect(hops(t('web2'))).toEqual(['gw=ops@203.0.113.1:22', 'bastion=jump@198.51.100.7:22']);
  });

  it("goes through the first hop's own ProxyJump first", () => {
    expect(hops(t('web3'))).toEqual(['gw=root@203.0.113.1:2222', 'inner-gw=root@10.255.0.1:22']);
  });

  it("does not use a later hop's own ProxyJump (as ssh -J a,b)", () => {
    // web1's own proxy_jump (bastion) is not followed: web1 is reached through the list's bastion.
    expect(hops(t('web6'))).toEqual(['bastion=jump@198.51.100.7:22', 'web1=root@10.0.0.1:22']);
  });

  it('takes ssh:// hops and bracketed IPv6 addresses', () => {
    expect(hops(t('web4'))).toEqual(['2001:db8::1=admin@2001:db8::1:2200']);
  });

  it('takes ProxyJump from ssh_config', () => {
    expect(hops(t('web5.behind-ssh'))).toEqual(['gw=root@203.0.113.1:2222']);
  });

  it('takes proxy_jump: none as no jump', () => {
    expect(t('direct').proxyJump).toEqual([]);
  });

  it('does not make a jump host jump through itself when the jump comes from defaults or ssh_config', () => {
    const i = parseInventory('defaults: { proxy_jump: "outer,bastion" }\nhosts:\n  outer: {}\n  bastion: {}\n  web: {}\n');
    const r = (n: string) => hops(resolveTarget(i, n, undefined, {}, FALLBACK));
    expect(r('web')).toEqual(['outer=me@outer:22', 'bastion=me@bastion:22']);
    expect(r('bastion')).toEqual(['outer=me@outer:22']);
    expect(r('outer')).toEqual([]);
    const s = parseSshConfig('Host *\n  ProxyJump gw\nHost gw\n  HostName 1.2.3.4\n');
    expect(resolveTarget(parseInventory('hosts:\n  gw: {}\n'), 'gw', s, {}, FALLBACK).proxyJump).toEqual([]);
  });

  it('detects loops', () => {
    const i = parseInventory(`
hosts:
  loop1: { proxy_jump: loop2 }
  loop2: { proxy_jump: loop3 }
  loop3: { proxy_jump: loop1 }
  self: { proxy_jump: "a,self" }
  a: {}
`);
    expect(() => resolveTarget(i, 'loop1', undefined, {}, FALLBACK)).toThrow('ProxyJump loop: loop1 -> loop2 -> loop3 -> loop1');
    expect(() => resolveTarget(i, 'self', undefined, {}, FALLBACK)).toThrow('ProxyJump loop: self -> self');
    const s = parseSshConfig('Host x\n  ProxyJump y\nHost y\n  ProxyJump x\n');
    expect(() => resolveTarget(parseInventory('hosts:\n  x: {}\n'), 'x', s, {}, FALLBACK)).toThrow('ProxyJump loop: x -> y -> x');
  });

  it('reports a malformed ProxyJump', () => {
    const i = parseInventory('hosts:\n  a: { proxy_jump: "b,,c" }\n');
    expect(() => resolveTarget(i, 'a', undefined, {}, FALLBACK)).toThrow(
      "invalid ProxyJump 'b,,c': hop '' is empty (expected [user@]host[:port])",
    );
  });
});

describe('ProxyJump specs', () => {
  it('parses [user@]host[:port] lists and ssh:// URIs', () => {
    expect(parseProxyJump('bastion')).toEqual([{ host: 'bastion' }]);
    expect(parseProxyJump('ops@bastion:2222, gw')).toEqual([{ user: 'ops', host: 'bastion', port: 2222 }, { host: 'gw' }]);
    expect(parseProxyJump('ssh://ops@gw:22')).toEqual([{ user: 'ops', host: 'gw', port: 22 }]);
    expect(parseProxyJump('[2001:db8::1]:2200')).toEqual([{ host: '2001:db8::1', port: 2200 }]);
    expect(parseProxyJump('2001:db8::1')).toEqual([{ host: '2001:db8::1' }]);
    expect(parseProxyJump('me@corp@gw')).toEqual([{ user: 'me@corp', host: 'gw' }]);
    expect(parseProxyJump('None')).toEqual([]);
  });

  it('refuses malformed hops', () => {
    expect(() => parseProxyJump('gw:http')).toThrow("invalid ProxyJump 'gw:http': hop 'gw:http' is malformed");
    expect(() => parseProxyJump('gw:70000')).toThrow("hop 'gw:70000' has port 70000, outside 1-65535");
    expect(() => parseProxyJump('@gw')).toThrow("hop '@gw' has an empty user");
  });

  it('formats a hop back', () => {
    expect(formatHop({ user: 'ops', host: '2001:db8::1', port: 22 })).toBe('ops@[2001:db8::1]:22');
    expect(formatHop({ host: 'gw' })).toBe('gw');
  });
});
