import { describe, expect, it } from 'vitest';
import { command } from '../../../src/modules/system/command.js';
import { ctx, plan, scripts } from './support.js';

describe('command', () => {
  it('runs a shell command line as written, or an argv with each word quoted', () => {
    expect(scripts(plan(command, 'ls /etc | wc -l', {}))).toEqual(['ls /etc | wc -l']);
    expect(scripts(plan(command, { argv: ['echo', "it's", '$HOME'] }, {}))).toEqual([`echo 'it'\\''s' '$HOME'`]);
    expect(scripts(plan(command, { cmd: 'make', chdir: '/usr/src' }, {}))).toEqual(['cd /usr/src && make']);
  });

  it('guards: creates, removes, unless, onlyif', () => {
    expect(plan(command, { cmd: 'x', creates: '/a' }, { creates: true })).toEqual([]);
    expect(plan(command, { cmd: 'x', creates: '/a' }, { creates: false })).toHaveLength(1);
    expect(plan(command, { cmd: 'x', removes: '/a' }, { removes: false })).toEqual([]);
    expect(plan(command, { cmd: 'x', unless: 'test -f /a' }, { unless: true })).toEqual([]);
    expect(plan(command, { cmd: 'x', onlyif: 'test -f /a' }, { onlyif: false })).toEqual([]);
    expect(plan(command, { cmd: 'x', onlyif: 'test -f /a' }, { onlyif: true })).toHaveLength(1);
  });

  it('a command may change anything: on the host it invalidates every fact', () => {
    expect(plan(command, 'x', {})[0]?.touches).toEqual(['*']);
    expect(plan(command, 'x', {}, ctx({ kind: 'jail', name: 'www' }))[0]?.touches).toEqual(['jail=www:*']);
  });

  it('in a jail: through jexec, probes too', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    expect(scripts(plan(command, 'id -u', {}, ctx(t)))).toEqual([`jexec www /bin/sh -c 'id -u'`]);
    const q = command.facts(command.args.parse({ cmd: 'x', unless: 'test -f /done', creates: '/etc/x' }), ctx(t));
    expect(q.unless?.script).toBe(`jexec www /bin/sh -c 'test -f /done' >/dev/null 2>&1; echo $?`);
    expect(q.creates?.script).toContain('[ -e "$fj_root"/etc/x ]');
  });

  it('needs cmd or argv, not both', () => {
    expect(command.args.safeParse({ creates: '/a' }).success).toBe(false);
    expect(command.args.safeParse({ cmd: 'a', argv: ['b'] }).success).toBe(false);
    expect(command.args.safeParse('').success).toBe(false);
  });
});
