/**
 * The lab's jail.conf(5) parser (test/lab/userland/lib/jail/conf-*.cjs) on files shaped like
 * the seeds' (002: common block + .include + VNET jail; 003: mount += lines and per-jail
 * blocks; 004: Linux jail mounts), and FreeBSD's rules for wildcards, += and variables.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lab/layout.js';

const require = createRequire(import.meta.url);
const lib = path.resolve(__dirname, '../../lab/userland/lib/jail');
const { parseFile, parseText } = require(path.join(lib, 'conf-parse.cjs'));
const { resolveJails, boolParam } = require(path.join(lib, 'conf-resolve.cjs'));
const { validate } = require(path.join(lib, 'params.cjs'));

type Jail = { name: string; params: { name: string; values: string[] }[]; errors: string[] };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jailconf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const resolveText = (text: string): Jail[] => resolveJails(parseText(text, 'jail.conf', () => []));
const param = (j: Jail | undefined, name: string) => j?.params.find((p) => p.name === name)?.values;

describe('jail.conf parser: seed 002 (common block, .include, VNET thin jail)', () => {
  const etc = path.join(tmp, 'etc');
  fs.mkdirSync(path.join(etc, 'jail.conf.d'), { recursive: true });
  fs.writeFileSync(
    path.join(etc, 'jail.conf'),
    `# STARTUP/LOGGING
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown";
exec.consolelog = "/var/log/jail_console_\${name}.log";

# PERMISSIONS
allow.raw_sockets;
exec.clean;
mount.devfs;

# HOSTNAME/PATH
host.hostname = "\${name}";

# NETWORK
#ip4 = inherit;
interface = igc0bridge;

.include "${etc}/jail.conf.d/*.conf";
`,
  );
  fs.copyFileSync(path.join(PROJECT_ROOT, 'test/fixtures/jail/seed-002-dev.conf'), path.join(etc, 'jail.conf.d', 'dev.conf'));
  fs.writeFileSync(path.join(etc, 'jail.conf.d', 'web.conf'), 'web { path = /zdata/jails/web; }\n');
  fs.writeFileSync(path.join(etc, 'jail.conf.d', 'notes.txt'), 'this is not a jail.conf file {');
  const jails: Jail[] = resolveJails(parseFile(path.join(etc, 'jail.conf')));
  const dev = jails.find((j) => j.name === 'dev');

  it('includes every *.conf in name order and nothing else', () => {
    expect(jails.map((j) => j.name)).toEqual(['dev', 'web']);
    expect(dev?.errors).toEqual([]);
  });

  it('applies the global block and substitutes ${name}', () => {
    expect(param(dev, 'exec.consolelog')).toEqual(['/var/log/jail_console_dev.log']);
    expect(param(dev, 'host.hostname')).toEqual(['dev']);
    expect(param(dev, 'path')).toEqual(['/zdata/jails/dev-nullfs-base']);
    expect(param(dev, 'interface')).toEqual(['igc0bridge']);
    expect(param(jails[1], 'host.hostname')).toEqual(['web']);
  });

  it('expands nested variables ($epair uses $id) and keeps += order', () => {
    expect(param(dev, 'vnet.interface')).toEqual(['epair253b']);
    expect(param(dev, 'exec.prestart')).toEqual([
      'ifconfig epair253 create up',
      'ifconfig epair253a up descr jail:dev',
      'ifconfig igc0bridge addm epair253a up',
    ]);
    // The global `exec.start = "/bin/sh /etc/rc"` comes first, the jail's += lines after it.
    expect(param(dev, 'exec.start')).toEqual([
      '/bin/sh /etc/rc',
      'ifconfig epair253b 192.168.7.253/24 up',
      'route add default 192.168.7.101',
    ]);
    expect(param(dev, 'exec.poststop')).toEqual(['ifconfig igc0bridge deletem epair253a', 'ifconfig epair253a destroy']);
    expect(param(dev, 'mount.fstab')).toEqual(['/zdata/jails/dev-nullfs-base.fstab']);
  });

  it('drops variables from the parameter list and keeps boolean flags value-less', () => {
    expect(dev?.params.map((p) => p.name)).not.toContain('id');
    expect(param(dev, 'vnet')).toEqual([]);
    expect(param(dev, 'allow.raw_sockets')).toEqual([]);
    expect(param(dev, 'devfs_ruleset')).toEqual(['5']);
  });

  it('validates into kernel and internal parameters', () => {
    const v = validate(dev!.params);
    expect(v.kernel.vnet).toBe('new');
    expect(v.kernel['allow.raw_sockets']).toBe(true);
    expect(v.kernel.devfs_ruleset).toBe(5);
    expect(v.internal['mount.devfs']).toBe(true);
    expect(v.internal['exec.clean']).toBe(true);
  });
});

describe('jail.conf parser: seed 003 (mount += lines, per-jail blocks, $name unbraced)', () => {
  const text = `exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown";
exec.clean;
mount  = "/home/jail/base/bin /home/jail/\${name}/bin nullfs ro 0 0";
mount += "/home/jail/base/lib /home/jail/\${name}/lib nullfs ro 0 0";
mount += "/usr/ports /home/jail/\${name}/usr/ports nullfs ro 0 0";
mount += "/home/jail/rw/distfiles /home/jail/\${name}/usr/ports/distfiles nullfs rw 0 0";
mount.devfs;
devfs_ruleset="1000";
allow.raw_sockets;

path = "/home/jail/\${name}";
host.hostname = "$name";
interface = "vtnet0";

jail_01 {
        ip4.addr = 192.168.1.134/24;
}

jail_02 {
        ip4.addr = 192.168.1.135/24;
}
`;
  const jails = resolveText(text);

  it('gives each block the global parameters with its own name', () => {
    expect(jails.map((j) => j.name)).toEqual(['jail_01', 'jail_02']);
    expect(param(jails[1], 'mount')).toEqual([
      '/home/jail/base/bin /home/jail/jail_02/bin nullfs ro 0 0',
      '/home/jail/base/lib /home/jail/jail_02/lib nullfs ro 0 0',
      '/usr/ports /home/jail/jail_02/usr/ports nullfs ro 0 0',
      '/home/jail/rw/distfiles /home/jail/jail_02/usr/ports/distfiles nullfs rw 0 0',
    ]);
    expect(param(jails[0], 'host.hostname')).toEqual(['jail_01']);
    expect(param(jails[0], 'ip4.addr')).toEqual(['192.168.1.134/24']);
    expect(param(jails[0], 'devfs_ruleset')).toEqual(['1000']);
  });
});

describe('jail.conf parser: seed 004 (Linux jail mounts with $path)', () => {
  const text = `d2l {
  exec.start = "/bin/sh /etc/rc";
  exec.stop = "/bin/sh /etc/rc.shutdown";
  exec.consolelog = "/var/log/jail_console_\${name}.log";
  allow.raw_sockets;
  exec.clean;
  mount.devfs;
  devfs_ruleset = 4;
  host.hostname = "\${name}";
  path = "/usr/local/jails/containers/\${name}";
  ip4.addr = 192.168.1.155;
  interface = em0;
  mount += "devfs     $path/compat/debian/dev     devfs     rw  0 0";
  mount += "tmpfs     $path/compat/debian/dev/shm tmpfs     rw,size=1g,mode=1777  0 0";
  mount += "fdescfs   $path/compat/debian/dev/fd  fdescfs   rw,linrdlnk 0 0";
  mount += "linprocfs $path/compat/debian/proc    linprocfs rw  0 0";
  mount += "linsysfs  $path/compat/debian/sys     linsysfs  rw  0 0";
  mount += "/tmp      $path/compat/debian/tmp     nullfs    rw  0 0";
  mount += "/home     $path/compat/debian/home    nullfs    rw  0 0";
}
`;
  it('substitutes $path inside quoted strings', () => {
    const [d2l] = resolveText(text);
    const mounts = param(d2l, 'mount') ?? [];
    expect(mounts).toHaveLength(7);
    expect(mounts[3]).toBe('linprocfs /usr/local/jails/containers/d2l/compat/debian/proc    linprocfs rw  0 0');
  });
});

describe('jail.conf grammar details', () => {
  it('skips #, // and /* */ comments and joins adjacent strings', () => {
    const [j] = resolveText(`/* block
comment */ a { // line comment
  path = "/jails/"a'b'; # trailing
  $v = x; host.hostname = "\${v}y"$v;
}`);
    expect(param(j, 'path')).toEqual(['/jails/ab']);
    expect(param(j, 'host.hostname')).toEqual(['xyx']);
  });

  it('takes comma-separated lists and substitutes a whole list only on its own', () => {
    const [j] = resolveText('a { ip4.addr = 10.0.0.1, 10.0.0.2; $l = x, y; exec.start = $l; }');
    expect(param(j, 'ip4.addr')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(param(j, 'exec.start')).toEqual(['x', 'y']);
    const [bad] = resolveText('a { $l = x, y; exec.start = "run $l"; }');
    expect(bad?.errors).toEqual(['a: exec.start: array cannot be substituted inline']);
  });

  it('orders wildcard and global blocks around the jail like FreeBSD', () => {
    const jails = resolveText(
      `path = /before; * { host.hostname = wild; } a { path = /own; host.hostname = own; } path = /after; b.* { persist; } b.x { }`,
    );
    const a = jails.find((j) => j.name === 'a');
    expect(param(a, 'path')).toEqual(['/after']);
    expect(param(a, 'host.hostname')).toEqual(['own']);
    const bx = jails.find((j) => j.name === 'b.x');
    expect(param(bx, 'persist')).toEqual([]);
    expect(param(a, 'persist')).toBeUndefined();
  });

  it('treats allow.noX and allow.X as one parameter, the last one winning', () => {
    const [j] = resolveText('allow.mount; a { allow.nomount; }');
    const p = j?.params.find((q) => q.name.startsWith('allow.'));
    expect(p?.name).toBe('allow.nomount');
    expect(boolParam(p)).toBe(false);
  });

  it('reports unknown variables and loops', () => {
    expect(resolveText('a { path = "/j/$nope"; }')[0]?.errors).toEqual(['a: path: variable "nope" not found']);
    expect(resolveText('a { $x = "$y"; $y = "$x"; path = $x; }')[0]?.errors[0]).toMatch(/variable loop/);
  });

  it('reports syntax errors with file and line', () => {
    expect(() => parseText('a {\n path = "x"\n}', 'f.conf', () => [])).toThrow(/f\.conf line 3: syntax error/);
    expect(() => parseText('a { path = "x; }', 'f.conf', () => [])).toThrow(/unterminated string/);
  });

  it('rejects unknown parameters and bad values like jail(8)', () => {
    expect(() => validate([{ name: 'foo', values: ['1'] }])).toThrow('unknown parameter: foo');
    expect(() => validate([{ name: 'persist', values: ['maybe'] }])).toThrow('persist: unknown boolean value "maybe"');
    expect(() => validate([{ name: 'devfs_ruleset', values: ['x'] }])).toThrow('devfs_ruleset: non-integer value "x"');
    expect(
      validate([
        { name: 'sysvshm', values: ['new'] },
        { name: 'allow.nosysvipc', values: [] },
      ]).kernel,
    ).toEqual({ sysvshm: 'new', 'allow.sysvipc': false });
  });
});
