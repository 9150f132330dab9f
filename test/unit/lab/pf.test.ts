/**
 * The lab's pf.conf parser, printer and rule evaluation (test/lab/userland/lib/pf):
 * pfctl's normalised rule text, list expansion, error shapes, last-match / quick.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const lib = path.resolve(__dirname, '../../lab/userland/lib/pf');
const { parse } = require(path.join(lib, 'parser.cjs'));
const { ruleText } = require(path.join(lib, 'print.cjs'));
const { verdict } = require(path.join(lib, 'evaluate.cjs'));

const ifaces = [
  { name: 'em0', inet: [{ addr: '192.0.2.10', prefix: 24 }], inet6: [] },
  { name: 'lo0', inet: [{ addr: '127.0.0.1', prefix: 8 }], inet6: [{ addr: '::1', prefix: 128 }] },
];
const env = { ifaces, resolve: (n: string) => (n === 'localhost' ? ['127.0.0.1'] : []), readFile: () => null };
const load = (text: string) => parse(text, { file: '/etc/pf.conf', env });
const filterText = (text: string) => load(text).ruleset.filter.map((r: unknown) => ruleText(r));

describe('pf.conf parsing and pfctl -sr printing', () => {
  it('normalises pass rules with pf defaults (flags S/SA keep state), port names and quick', () => {
    expect(filterText('ext_if = "em0"\npass in quick on $ext_if inet proto tcp to port 22\n')).toEqual([
      'pass in quick on em0 inet proto tcp from any to any port = ssh flags S/SA keep state',
    ]);
    expect(filterText('pass out proto udp to port 53\npass in all no state\npass proto icmp\n')).toEqual([
      'pass out proto udp from any to any port = domain keep state',
      'pass in all no state',
      'pass proto icmp all keep state',
    ]);
  });

  it('prints block rules as "block drop" (or return with set block-policy return) and tables as <name>', () => {
    expect(filterText('table <crowdsec-blacklists> persist\nblock drop in quick from <crowdsec-blacklists> to any\n')).toEqual([
      'block drop in quick from <crowdsec-blacklists> to any',
    ]);
    expect(filterText('set block-policy return\nblock in all\n')).toEqual(['block return in all']);
  });

  it('expands lists into one rule per combination and infers the address family', () => {
    expect(filterText('svc = "{ ssh, http https }"\npass in on { em0 lo0 } proto tcp from 10.0.0.0/8 to any port $svc\n')).toHaveLength(6);
    expect(filterText('pass in from { 10.0.0.1 ::1 } to any\n')).toEqual([
      'pass in inet from 10.0.0.1 to any flags S/SA keep state',
      'pass in inet6 from ::1 to any flags S/SA keep state',
    ]);
  });

  it('prints ranges, operators, negation, dynamic addresses, interface addresses and state options', () => {
    expect(
      filterText(
        'pass in on ! lo0 proto tcp from ! (em0) port > 1024 to em0:network port 8000:8080 modulate state (max 10, source-track rule) label "web"\n',
      ),
    ).toEqual([
      'pass in on ! lo0 inet proto tcp from ! (em0) port > 1024 to 192.0.2.0/24 port 8000:8080 flags S/SA modulate state (max 10, source-track rule) label "web"',
    ]);
    expect(filterText('pass in proto tcp to self port 1000 >< 2000\n')).toEqual([
      'pass in proto tcp from any to (self) port 1000 >< 2000 flags S/SA keep state',
    ]);
  });

  it("parses options, scrub, nat, rdr, binat and anchors in pf's order and prints them like -sn / -sr", () => {
    const r = load(`set skip on lo0
set limit { states 10000, frags 5000 }
scrub in all
nat on em0 inet from ! (em0) to any -> (em0)
rdr on em0 inet proto tcp from any to any port 2001 -> 10.17.89.1 port 22
binat on em0 from 10.0.0.5 to any -> 192.0.2.55
nat-anchor "ftp-proxy/*"
rdr-anchor "rdr/*"
anchor "blacklist/*"
anchor "local" in on em0 {
  block in quick proto tcp to port 23
}
`);
    expect(r.errors).toEqual([]);
    const rs = r.ruleset;
    expect(rs.options.skip).toEqual(['lo0']);
    expect([...rs.nat, ...rs.rdr, ...rs.binat].map((x: unknown) => ruleText(x))).toEqual([
      'nat on em0 inet from ! (em0) to any -> (em0) round-robin',
      'nat-anchor "ftp-proxy/*" all',
      'rdr on em0 inet proto tcp from any to any port = 2001 -> 10.17.89.1 port 22',
      'rdr-anchor "rdr/*" all',
      'binat on em0 inet from 10.0.0.5 to any -> 192.0.2.55',
    ]);
    expect([...rs.scrub, ...rs.filter].map((x: unknown) => ruleText(x))).toEqual([
      'scrub in all fragment reassemble',
      'anchor "blacklist/*" all',
      'anchor "local" in on em0 all',
    ]);
    expect(rs.anchors.local.filter.map((x: unknown) => ruleText(x))).toEqual([
      'block drop in quick proto tcp from any to any port = telnet',
    ]);
  });

  it('reports errors the way pfctl does: FILE:LINE: syntax error, undefined macros, bad hosts, order', () => {
    expect(load('pass in\nfoo bar\npass out\n').errors).toEqual(['/etc/pf.conf:2: syntax error']);
    expect(load('pass in on $ext_if all\n').errors).toEqual(["/etc/pf.conf:1: macro 'ext_if' not defined", '/etc/pf.conf:1: syntax error']);
    expect(load('pass in from lo1:network to any\n').errors).toEqual([
      'no IP address found for lo1:network',
      '/etc/pf.conf:1: could not parse host specification',
    ]);
    expect(load('pass in proto tcp to port nosuchservice\n').errors).toEqual(['/etc/pf.conf:1: unknown port nosuchservice']);
    expect(load('pass in all\nnat on em0 from any to any -> (em0)\n').errors).toEqual([
      '/etc/pf.conf:2: Rules must be in order: options, ethernet, normalization, queueing, translation, filtering',
    ]);
    expect(load('pass in proto icmp to port 22\n').errors).toEqual(['/etc/pf.conf:1: port only applies to tcp/udp/sctp']);
  });

  it('joins continuation lines and reports the line where a rule starts', () => {
    const r = load('pass in \\\n  proto tcp \\\n  to port 22\n\nblock in bogus\n');
    expect(r.errors).toEqual(['/etc/pf.conf:5: syntax error']);
    expect(r.ruleset.filter.map((x: unknown) => ruleText(x))).toEqual([
      'pass in proto tcp from any to any port = ssh flags S/SA keep state',
    ]);
  });
});

describe('pf rule evaluation (the SSH lockout decision)', () => {
  const ssh = { ifname: 'em0', src: '127.0.0.1', dst: '192.0.2.10', sport: 50000, dport: 22, proto: 6 };
  const state = (text: string, enabled = true) => {
    const r = load(text);
    expect(r.errors).toEqual([]);
    return { enabled, main: r.ruleset, anchors: r.ruleset.anchors };
  };

  it('uses the last matching rule, unless an earlier one is quick', () => {
    expect(verdict(state('block in all\npass in proto tcp to port ssh\n'), ssh, { ifaces })).toBe('pass');
    expect(verdict(state('pass in proto tcp to port ssh\nblock in all\n'), ssh, { ifaces })).toBe('block');
    expect(verdict(state('pass in quick proto tcp to port ssh\nblock in all\n'), ssh, { ifaces })).toBe('pass');
    expect(verdict(state('block in quick proto tcp from 127.0.0.0/8 to any port 22\npass in all\n'), ssh, { ifaces })).toBe('block');
  });

  it('passes when pf is disabled, no rule matches, or the interface is skipped', () => {
    expect(verdict(state('block in all\n', false), ssh, { ifaces })).toBe('pass');
    expect(verdict(state('block in on lo0 all\n'), ssh, { ifaces })).toBe('pass');
    expect(verdict(state('set skip on em0\nblock in all\n'), ssh, { ifaces })).toBe('pass');
    expect(verdict(state('block out all\n'), ssh, { ifaces })).toBe('pass');
  });

  it('matches tables, self, negation, other ports and anchors', () => {
    expect(
      verdict(state('table <admins> { 127.0.0.0/8 }\nblock in all\npass in proto tcp from <admins> to self port 22\n'), ssh, { ifaces }),
    ).toBe('pass');
    expect(verdict(state('block in all\npass in proto tcp from ! 127.0.0.1 to any port 22\n'), ssh, { ifaces })).toBe('block');
    expect(verdict(state('block in all\npass in proto tcp to port 80\n'), ssh, { ifaces })).toBe('block');
    expect(verdict(state('anchor "a" {\n  block in quick proto tcp to port 22\n}\npass in all\n'), ssh, { ifaces })).toBe('block');
  });
});
