import { describe, expect, it } from 'vitest';
import { networkInterface } from '../../../src/modules/interface/interface.js';
import { expandAlias, normaliseAlias } from '../../../src/modules/interface/args.js';
import { parseNetFacts, protectedInterfaces, type NetFacts } from '../../../src/modules/interface/facts.js';
import { CLONABLE } from '../../../src/modules/interface/args.js';
import { maskToPrefix, parseIfconfig } from '../../../src/facts/ifconfig.js';
import { ABSENT, plan, scripts, textFile } from './support.js';

// FreeBSD 14's `ifconfig -a` layout (a host with a bridge holding its address, em0 a member, and lo1 with aliases).
const IFCONFIG = `em0: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
\toptions=4e507bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,LRO,VLAN_HWFILTER,VLAN_HWTSO,RXCSUM_IPV6,TXCSUM_IPV6,NOMAP>
\tether 08:00:27:3c:5e:9a
\tmedia: Ethernet autoselect (1000baseT <full-duplex>)
\tstatus: active
\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384
\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>
\tinet 127.0.0.1 netmask 0xff000000
\tinet6 ::1 prefixlen 128
\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x2
\tgroups: lo
\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>
bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
\tdescription: uplink bridge
\tether 58:9c:fc:10:ff:b6
\tinet 192.168.7.1 netmask 0xffffff00 broadcast 192.168.7.255
\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15
\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200
\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0
\tmember: em0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
\t        ifmaxaddr 0 port 1 priority 128 path cost 20000
\tgroups: bridge
\tnd6 options=9<PERFORMNUD,IFDISABLED>
lo1: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384
\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>
\tinet 192.168.1.0 netmask 0xffffff00
\tinet 192.168.1.1 netmask 0xffffffff
\tinet 192.168.1.2 netmask 0xffffffff
\tgroups: lo
\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>
`;

const net = (ifconfig: string, ssh = '10.0.0.9 51234 192.168.7.1 22', defaultif = 'bridge0'): NetFacts =>
  parseNetFacts(`ssh ${ssh}\ndefaultif ${defaultif}\n%ifconfig\n${ifconfig}`);

const LAB_HOST = `em0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
\tether 58:9c:fc:0e:bd:4d
\tinet 127.65.1.1 netmask 0xffffff00 broadcast 127.65.1.255
\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>
lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
\tgroups: lo
`;

const facts = (ifconfig: string, rc = '', ssh?: string) => ({
  net: net(ifconfig, ssh ?? '127.0.0.1 5000 127.65.1.1 22', ''),
  rcConf: rc === '' ? ABSENT : textFile(rc),
});
const SEED000 = { name: 'lo1', aliases: ['inet 192.168.1.0-9'] };

describe('ifconfig output', () => {
  it('reads flags, addresses with their prefix, members, groups and the description', () => {
    const ifs = parseIfconfig(IFCONFIG);
    expect([...ifs.keys()]).toEqual(['em0', 'lo0', 'bridge0', 'lo1']);
    expect(ifs.get('lo0')).toMatchObject({
      up: true,
      inet: [{ addr: '127.0.0.1', prefix: 8 }],
      inet6: [
        { addr: '::1', prefix: 128 },
        { addr: 'fe80::1', prefix: 64 },
      ],
      groups: ['lo'],
    });
    expect(ifs.get('bridge0')).toMatchObject({
      up: true,
      members: ['em0'],
      description: 'uplink bridge',
      inet: [{ addr: '192.168.7.1', prefix: 24 }],
    });
    expect(ifs.get('lo1')?.inet.map((a) => `${a.addr}/${a.prefix}`)).toEqual(['192.168.1.0/24', '192.168.1.1/32', '192.168.1.2/32']);
    expect(ifs.get('em0')?.inet).toEqual([]);
    expect(maskToPrefix('255.255.255.128')).toBe(25);
    expect(maskToPrefix('0x0')).toBe(0);
    expect(
      parseIfconfig('bridge1: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500\n\tinet 10.1.0.1/16\n').get('bridge1'),
    ).toMatchObject({ up: false, inet: [{ addr: '10.1.0.1', prefix: 16 }] });
    expect(() => parseIfconfig('garbage\n')).toThrow(/unexpected ifconfig line/);
  });

  it('knows which interfaces carry the SSH session', () => {
    expect([...protectedInterfaces(net(IFCONFIG), CLONABLE)]).toEqual(['bridge0']);
    // No SSH_CONNECTION (doas cleared it): the default route's interface, and bridges it is a member of.
    expect([...protectedInterfaces(net(IFCONFIG, '', 'em0'), CLONABLE)].sort()).toEqual(['bridge0', 'em0']);
    // Nothing known: every interface that is not a loopback or a cloned one.
    expect([...protectedInterfaces(net(IFCONFIG, '', ''), CLONABLE)].sort()).toEqual(['bridge0', 'em0']);
  });
});

describe('interface arguments', () => {
  it('writes aliases as rc.conf does and expands ranges as network.subr does', () => {
    expect(normaliseAlias('192.168.1.0-9')).toBe('inet 192.168.1.0-9');
    expect(normaliseAlias('inet6  fd00::2/64')).toBe('inet6 fd00::2/64');
    expect(expandAlias('inet 192.168.1.0-2/24').map((x) => x.words.join(' '))).toEqual([
      'inet 192.168.1.0/24',
      'inet 192.168.1.1/32',
      'inet 192.168.1.2/32',
    ]);
    expect(expandAlias('inet 10.0.0.5 netmask 255.255.255.255').map((x) => x.words.join(' '))).toEqual([
      'inet 10.0.0.5 netmask 255.255.255.255',
    ]);
  });

  it('refuses bad input before any host is contacted', () => {
    const bad = (args: object, re: RegExp) => {
      const r = networkInterface.args.safeParse(args);
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toMatch(re);
    };
    bad({ name: 'epair0' }, /made by the jail module/);
    bad({ name: 'lo0', aliases: ['10.0.0.1'] }, /system loopback/);
    bad({ name: 'lo1', aliases: ['inet 192.168.1.9-2'] }, /X <= Y <= 255/);
    bad({ name: 'lo1', aliases: ['inet 10.0.0.1; reboot'] }, /an alias such as/);
    bad({ name: 'lo1', addm: ['em0'] }, /addm is for bridges/);
    bad({ name: 'bridge0', addm: ['bridge0'] }, /its own member/);
    bad({ name: 'lo1', state: 'absent', aliases: [] }, /state absent takes no/);
    bad({ name: 'em0', cloned: true }, /not a cloned interface type/);
    bad({ name: 'lo1', address: '10.0.0.1/24 up' }, /an address with its prefix length/);
  });
});

describe('interface plan', () => {
  it('seed 000 on a fresh host: cloned_interfaces, the alias range, then lo1 created with its ten addresses', () => {
    const cs = plan(networkInterface, SEED000, facts(LAB_HOST, 'hostname="h"\n'));
    expect(cs.map((c) => c.summary)).toEqual([
      'cloned_interfaces: (unset) -> "lo1"',
      'ifconfig_lo1_alias0: (unset) -> "inet 192.168.1.0-9"',
      'create lo1: 192.168.1.0 ... 192.168.1.9 (10 addresses)',
    ]);
    expect(scripts(cs)).toEqual([
      'EDIT /etc/rc.conf +cloned_interfaces="lo1"',
      'EDIT /etc/rc.conf +ifconfig_lo1_alias0="inet 192.168.1.0-9"',
      [
        'ifconfig lo1 create',
        'ifconfig lo1 inet 192.168.1.0 alias',
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `ifconfig lo1 inet 192.168.1.${k}/32 alias`),
      ].join('\n'),
    ]);
    expect(cs[0]?.diff).toEqual([{ type: 'value', name: '/etc/rc.conf: cloned_interfaces', before: null, after: 'lo1' }]);
  });

  it('converged: nothing to do; a missing address is added back, alone', () => {
    const rc = 'cloned_interfaces="lo1"\nifconfig_lo1_alias0="inet 192.168.1.0-2"\n';
    const args = { name: 'lo1', aliases: ['inet 192.168.1.0-2'] };
    expect(plan(networkInterface, args, facts(IFCONFIG, rc, '10.0.0.9 5 192.168.7.1 22'))).toEqual([]);
    const two = IFCONFIG.replace('\tinet 192.168.1.1 netmask 0xffffffff\n', '');
    expect(scripts(plan(networkInterface, args, facts(two, rc, '10.0.0.9 5 192.168.7.1 22')))).toEqual([
      'ifconfig lo1 inet 192.168.1.1/32 alias',
    ]);
  });

  it('a shrunk range removes the dropped rc.conf line and only the addresses it had added', () => {
    const rc = 'cloned_interfaces="lo1"\nifconfig_lo1_alias0="inet 192.168.1.0-1"\nifconfig_lo1_alias1="inet 192.168.1.2"\n';
    const cs = plan(networkInterface, { name: 'lo1', aliases: ['inet 192.168.1.0-1'] }, facts(IFCONFIG, rc, '10.0.0.9 5 192.168.7.1 22'));
    expect(cs.map((c) => c.summary)).toEqual(['ifconfig_lo1_alias1: "inet 192.168.1.2" -> (unset)', 'lo1: remove 192.168.1.2']);
    expect(scripts(cs)).toEqual(['EDIT /etc/rc.conf -ifconfig_lo1_alias1="inet 192.168.1.2"', 'ifconfig lo1 inet 192.168.1.2 -alias']);
    // An address no rc.conf line put there (a jail's ip4.addr) stays.
    expect(
      plan(
        networkInterface,
        { name: 'lo1', aliases: ['inet 192.168.1.0'] },
        facts(IFCONFIG, 'cloned_interfaces="lo1"\nifconfig_lo1_alias0="inet 192.168.1.0"\n', '10.0.0.9 5 192.168.7.1 22'),
      ),
    ).toEqual([]);
  });

  it('a bridge: ifconfig_bridge0 with its members and up, created live', () => {
    const cs = plan(networkInterface, { name: 'bridge0', addm: ['em0'], up: true }, facts(LAB_HOST));
    expect(scripts(cs)).toEqual([
      'EDIT /etc/rc.conf +cloned_interfaces="bridge0"',
      'EDIT /etc/rc.conf +ifconfig_bridge0="addm em0 up"',
      'ifconfig bridge0 create\nifconfig bridge0 addm em0\nifconfig bridge0 up',
    ]);
    const b = `${LAB_HOST}bridge0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500\n\tgroups: bridge\n`;
    const rc = 'cloned_interfaces="bridge0"\nifconfig_bridge0="addm em0 up"\n';
    expect(scripts(plan(networkInterface, { name: 'bridge0', addm: ['em0'], up: true }, facts(b, rc)))).toEqual([
      'ifconfig bridge0 addm em0',
      'ifconfig bridge0 up',
    ]);
    const withAddr = plan(networkInterface, { name: 'bridge0', address: '192.168.7.1/24', addm: ['em0'], up: true }, facts(b, rc));
    expect(scripts(withAddr)).toEqual([
      'EDIT /etc/rc.conf -ifconfig_bridge0="addm em0 up" +ifconfig_bridge0="inet 192.168.7.1/24 addm em0 up"',
      'ifconfig bridge0 inet 192.168.7.1/24 alias',
      'ifconfig bridge0 addm em0',
      'ifconfig bridge0 up',
    ]);
  });

  it('never cuts the SSH session: no address removed from, nor destroy of, the interface it runs over', () => {
    const rc = 'cloned_interfaces="bridge0 lo1"\nifconfig_bridge0="inet 192.168.7.1/24 addm em0 up"\n';
    const ssh = '10.0.0.9 5 192.168.7.1 22';
    expect(() => plan(networkInterface, { name: 'bridge0', state: 'absent' }, facts(IFCONFIG, rc, ssh))).toThrow(
      /refusing to destroy bridge0: the SSH connection runs over bridge0/,
    );
    expect(() =>
      plan(networkInterface, { name: 'bridge0', address: '192.168.7.2/24', addm: ['em0'], up: true }, facts(IFCONFIG, rc, ssh)),
    ).toThrow(/refusing to remove 192.168.7.1 from bridge0/);
    expect(() =>
      plan(networkInterface, { name: 'bridge0', address: '192.168.7.1/24', addm: [], up: true }, facts(IFCONFIG, rc, ssh)),
    ).toThrow(/refusing to remove em0 from bridge0/);
    expect(() => plan(networkInterface, { name: 'bridge0', up: false }, facts(IFCONFIG, rc, ssh))).toThrow(
      /refusing to|bring bridge0 down/,
    );
    // The same bridge when the session runs over another interface: destroyed.
    expect(scripts(plan(networkInterface, { name: 'bridge0', state: 'absent' }, facts(IFCONFIG, rc, '10.0.0.9 5 192.168.1.2 22')))).toEqual(
      [
        'EDIT /etc/rc.conf -cloned_interfaces="bridge0 lo1" +cloned_interfaces="lo1"',
        'EDIT /etc/rc.conf -ifconfig_bridge0="inet 192.168.7.1/24 addm em0 up"',
        'ifconfig bridge0 destroy',
      ],
    );
  });

  it('state absent on lo1 takes its rc.conf lines and the interface away; twice is a no-op', () => {
    const rc = 'cloned_interfaces="lo1"\nifconfig_lo1_alias0="inet 192.168.1.0-2"\n';
    const cs = plan(networkInterface, { name: 'lo1', state: 'absent' }, facts(IFCONFIG, rc, '10.0.0.9 5 192.168.7.1 22'));
    expect(scripts(cs)).toEqual([
      'EDIT /etc/rc.conf -cloned_interfaces="lo1" +cloned_interfaces=""',
      'EDIT /etc/rc.conf -ifconfig_lo1_alias0="inet 192.168.1.0-2"',
      'ifconfig lo1 destroy',
    ]);
    expect(plan(networkInterface, { name: 'lo1', state: 'absent' }, facts(LAB_HOST, 'hostname="h"\n'))).toEqual([]);
  });

  it('an existing interface that is not cloned: aliases only, never created', () => {
    expect(scripts(plan(networkInterface, { name: 'em0', aliases: ['inet 127.65.1.50/32'] }, facts(LAB_HOST)))).toEqual([
      'EDIT /etc/rc.conf +ifconfig_em0_alias0="inet 127.65.1.50/32"',
      'ifconfig em0 inet 127.65.1.50/32 alias',
    ]);
    expect(() => plan(networkInterface, { name: 'em1', aliases: ['10.0.0.1'] }, facts(LAB_HOST))).toThrow(/em1 does not exist/);
    expect(scripts(plan(networkInterface, { ...SEED000, live: false }, facts(LAB_HOST)))).toHaveLength(2);
  });
});
