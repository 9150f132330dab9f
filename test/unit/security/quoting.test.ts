/**
 * The pieces of issue #11's fixes, one by one: path normalisation and confinement, names,
 * jail.conf strings (literal $), exec.* commands shell-quoted then jail.conf-quoted, probes as
 * their own sh -c, devfs rules that rc.subr can expand safely.
 */
import { describe, expect, it } from 'vitest';
import { absolutePath, accountName, datasetName, jailName, normalisePath } from '../../../src/modules/kit/names.js';
import { hostPath, rootedPath } from '../../../src/modules/kit/target.js';
import { confString, renderJailConf } from '../../../src/modules/jail/conf.js';
import { jail } from '../../../src/modules/jail/jail.js';
import { command } from '../../../src/modules/system/command.js';
import { isSafeDevfsRule } from '../../../src/modules/devfs/ruleset.js';

const JAIL = { kind: 'jail', name: 'www' } as const;

describe('paths and names', () => {
  it('normalises paths and refuses a .. above /', () => {
    expect(normalisePath('/a/./b/../c/')).toBe('/a/c');
    expect(normalisePath('/a/../..')).toBeUndefined();
    expect(absolutePath.parse('/tmp/../tmp//x/')).toBe('/tmp/x');
    expect(absolutePath.safeParse('/../../tmp/x').success).toBe(false);
    expect(absolutePath.safeParse('/a\nb').success).toBe(false);
    expect(absolutePath.safeParse('relative').success).toBe(false);
  });

  it('a path in a jail that is not normal never reaches the host', () => {
    expect(() => hostPath(JAIL, '/usr/jails/www', '/../../etc/passwd')).toThrow(/not a normal absolute path inside jail www/);
    expect(() => rootedPath(JAIL, '/etc/../..')).toThrow(/inside jail www/);
    expect(hostPath(JAIL, '/usr/jails/www', '/etc/motd')).toBe('/usr/jails/www/etc/motd');
  });

  it('names cannot be options, paths or JIDs', () => {
    for (const bad of ['-R', '../x', 'a.b', '123', '', 'a b', 'a;b']) expect(jailName.safeParse(bad).success, bad).toBe(false);
    expect(jailName.safeParse('www-1_a').success).toBe(true);
    for (const bad of ['-R', 'a:b', 'a b', '']) expect(accountName.safeParse(bad).success, bad).toBe(false);
    for (const good of ['root', '1001', 'www-data', 'host$']) expect(accountName.safeParse(good).success, good).toBe(true);
    for (const bad of ['-o', 'zroot/../x', 'zroot/a@s', 'zroot//a', '1pool']) expect(datasetName.safeParse(bad).success, bad).toBe(false);
  });
});

describe('jail.conf', () => {
  it('strings: quotes, backslashes and control characters escaped; $ literal unless asked', () => {
    expect(confString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(confString('/var/log/${name}', true)).toBe('"/var/log/\\${name}"');
    expect(confString('/var/log/${name}')).toBe('"/var/log/${name}"');
    expect(() => confString('a\0b')).toThrow(/NUL/);
  });

  it('exec.prestart: the template path is shell-quoted, then written as a literal jail.conf string', () => {
    const a = jail.args.parse({ name: 'n', type: 'thin-nullfs', template: "/t;>/tmp/x;$(id)'q", path: '/j/n' });
    expect(renderJailConf(a)).toContain(
      `exec.prestart += "/bin/cp '/t;>/tmp/x;\\$(id)'\\\\''q/bin/freebsd-version' /var/run/jail_n.template-version";`,
    );
    // Plain paths are written as before (no restart for existing jails).
    const plain = jail.args.parse({ name: 'n', type: 'thin-nullfs', template: '/t', path: '/j/n' });
    expect(renderJailConf(plain)).toContain('exec.prestart += "/bin/cp /t/bin/freebsd-version /var/run/jail_n.template-version";');
  });

  it('ip4, hostname and mount fields are validated', () => {
    const base = { name: 'n', type: 'thick', template: '/t', path: '/j/n' };
    expect(jail.args.safeParse({ ...base, ip4: '10.0.0.1;x' }).success).toBe(false);
    expect(jail.args.safeParse({ ...base, ip4: 'lo1|10.0.0.1/24' }).success).toBe(true);
    expect(jail.args.safeParse({ ...base, hostname: 'a"b' }).success).toBe(false);
    expect(jail.args.safeParse({ ...base, mounts: [{ source: 'tmpfs\n/x', target: '/tmp' }] }).success).toBe(false);
    expect(jail.args.safeParse({ ...base, mounts: [{ source: '/x', target: '/../../etc' }] }).success).toBe(false);
  });
});

describe('probes and devfs rules', () => {
  it('a probe is its own sh -c, its status read outside it', () => {
    const q = command.facts(command.args.parse({ cmd: 'x', unless: 'true # comment' }), {
      host: 'h',
      target: { kind: 'host' },
      check: false,
      diff: false,
    }) as { unless: { script: string } };
    expect(q.unless.script).toBe("/bin/sh -c 'true # comment' >/dev/null 2>&1; echo $?");
    const j = command.facts(command.args.parse({ cmd: 'x', unless: '-x' }), { host: 'h', target: JAIL, check: false, diff: false }) as {
      unless: { script: string };
    };
    expect(j.unless.script).toBe("jexec www /bin/sh -c ' -x' >/dev/null 2>&1; echo $?");
  });

  it('devfs rules: words, quoted patterns and $NAME only', () => {
    for (const ok of ["add path 'bpf*' unhide", 'add include $devfsrules_hide_all', "add path 'a$(b)' unhide", '# $(anything)'])
      expect(isSafeDevfsRule(ok), ok).toBe(true);
    for (const bad of ['add path x; id', 'add path $(id)', 'add path `id`', "add path 'x unhide", 'add path x | y', 'add path "x"'])
      expect(isSafeDevfsRule(bad), bad).toBe(false);
  });
});
