/**
 * Pure parts of the lab's jail emulation: devfs.rules rulesets (seed 003's custom ruleset,
 * FreeBSD's default ones, nested includes) and ifconfig's interface model (clones, bridges,
 * addresses, rc.subr's alias ranges).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const userland = path.resolve(__dirname, '../../lab/userland');
const devfs = require(path.join(userland, 'lib/jail/devfs.cjs'));
const ifnet = require(path.join(userland, 'lib/jail/ifnet.cjs'));

const defaults = fs.readFileSync(path.join(userland, 'overlay/etc/defaults/devfs.rules'), 'utf8');
const names = (nodes: { name: string }[] | null) => (nodes ?? []).map((n) => n.name);

describe('devfs rulesets', () => {
  const compiled = devfs.parseRules(defaults, '/etc/defaults/devfs.rules');

  it("has FreeBSD's default rulesets under their numbers", () => {
    expect(compiled.errors).toEqual([]);
    expect(compiled.names).toEqual({
      devfsrules_hide_all: 1,
      devfsrules_unhide_basic: 2,
      devfsrules_unhide_login: 3,
      devfsrules_jail: 4,
      devfsrules_jail_vnet: 5,
    });
  });

  it('ruleset 4 shows basic and login devices, hides the rest; 5 adds pf through a nested include', () => {
    const four = names(devfs.visibleNodes(4, compiled.rulesets));
    expect(four).toEqual(
      expect.arrayContaining(['null', 'zero', 'random', 'urandom', 'crypto', 'ptmx', 'pts', 'fd', 'fd/0', 'stdin', 'zfs', 'fuse']),
    );
    expect(four).not.toContain('mem');
    expect(four).not.toContain('pf');
    const five = names(devfs.visibleNodes(5, compiled.rulesets));
    expect([...five].sort()).toEqual([...four, 'pf'].sort());
    expect(names(devfs.visibleNodes(0, compiled.rulesets))).toContain('mem');
    expect(devfs.visibleNodes(77, compiled.rulesets)).toBeNull();
  });

  it("reads seed 003's custom ruleset with quoted globs", () => {
    const acc = devfs.parseRules(defaults, 'd');
    devfs.parseRules(
      `[devfsrules_jailnet=1000]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path zfs unhide
add path mem unhide
add path kmem unhide
add path 'bpf*' unhide
`,
      '/etc/devfs.rules',
      acc,
    );
    expect(acc.errors).toEqual([]);
    const v = names(devfs.visibleNodes(1000, acc.rulesets));
    expect(v).toEqual(expect.arrayContaining(['mem', 'kmem', 'bpf', 'bpf0', 'zfs', 'null']));
    expect(v).not.toContain('pf');
  });

  it('reports devfs(8)-style errors', () => {
    const acc = devfs.parseRules("[x=9]\nadd path 'bpf*' unhdie\nadd include $nosuch\n", 'f');
    expect(acc.errors.map((e: { msg: string }) => e.msg)).toEqual([
      'devfs: unknown argument: unhdie',
      'devfs: ruleset $nosuch does not exist',
    ]);
    expect(devfs.fnmatch('bpf*', 'bpf0')).toBe(true);
    expect(devfs.fnmatch('pts/*', 'pts/0')).toBe(true);
    expect(devfs.fnmatch('tty[pq]*', 'ttyp3')).toBe(true);
  });
});

describe('interface model', () => {
  const fresh = () => ({
    ifaces: [{ name: 'em0', kind: 'ether', up: true, mtu: 1500, inet: [], inet6: [], groups: [] }],
    routes: [],
    counters: {},
  });

  it("clones epair pairs and bridges with FreeBSD's printed names", () => {
    const net = fresh();
    expect(ifnet.configure(net, 'epair', ['create'])).toEqual(['epair0a']);
    expect(ifnet.configure(net, 'epair', ['create'])).toEqual(['epair1a']);
    expect(ifnet.configure(net, 'epair253', ['create', 'up'])).toEqual(['epair253a']);
    expect(ifnet.configure(net, 'bridge', ['create'])).toEqual(['bridge0']);
    expect(ifnet.configure(net, 'lo1', ['create'])).toEqual([]);
    expect(net.ifaces.map((i: { name: string }) => i.name)).toEqual([
      'em0',
      'epair0a',
      'epair0b',
      'epair1a',
      'epair1b',
      'epair253a',
      'epair253b',
      'bridge0',
      'lo1',
    ]);
    ifnet.configure(net, 'bridge0', ['addm', 'epair0a', 'up']);
    expect(() => ifnet.configure(net, 'bridge0', ['addm', 'epair0a'])).toThrow('ifconfig: BRDGADD epair0a: File exists');
    ifnet.configure(net, 'epair0a', ['destroy']);
    expect(net.ifaces.map((i: { name: string }) => i.name)).not.toContain('epair0b');
    expect(ifnet.find(net, 'bridge0').members).toEqual([]);
    expect(() => ifnet.configure(net, 'nope0', ['up'])).toThrow('ifconfig: interface nope0 does not exist');
  });

  it('adds, replaces and removes addresses', () => {
    const net = fresh();
    ifnet.configure(net, 'lo1', ['create']);
    ifnet.configure(net, 'lo1', ['inet', '192.168.1.3', 'netmask', '255.255.255.255', 'alias']);
    ifnet.configure(net, 'lo1', ['inet', '192.168.1.4/24', 'alias']);
    const lo1 = ifnet.find(net, 'lo1');
    expect(lo1.inet).toEqual([
      { addr: '192.168.1.3', prefix: 32 },
      { addr: '192.168.1.4', prefix: 24 },
    ]);
    expect(lo1.up).toBe(true);
    ifnet.configure(net, 'lo1', ['inet', '192.168.1.3', '-alias']);
    expect(lo1.inet.map((a: { addr: string }) => a.addr)).toEqual(['192.168.1.4']);
    expect(ifnet.show(net, lo1)).toContain('\tinet 192.168.1.4 netmask 0xffffff00');
  });

  it('expands rc.subr address ranges', () => {
    expect(ifnet.expandRange('192.168.1.0-9')).toHaveLength(10);
    expect(ifnet.expandRange('10.0.0.5')).toEqual(['10.0.0.5']);
  });
});
