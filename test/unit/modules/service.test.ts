import { describe, expect, it } from 'vitest';
import { service } from '../../../src/modules/system/service.js';
import { ctx, plan, scripts } from './support.js';

const off = { rcvar: { rcvar: 'nginx_enable', value: 'NO' } };
const on = { rcvar: { rcvar: 'nginx_enable', value: 'YES' } };

describe('service', () => {
  it('enables through its rcvar with sysrc, then checks rc.subr agrees', () => {
    const changes = plan(service, { name: 'nginx', enabled: true }, off);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.summary).toBe('enable nginx (nginx_enable: "NO" -> "YES")');
    const script = scripts(changes)[0] as string;
    expect(script).toMatch(/^sysrc 'nginx_enable=YES' >\/dev\/null\nservice nginx enabled \|\| \{ echo .* >&2; exit 1; \}$/);
    expect(changes[0]?.diff).toEqual([{ type: 'value', name: 'nginx_enable', before: 'NO', after: 'YES' }]);
  });

  it('does nothing when the rcvar already says so (any checkyesno spelling)', () => {
    expect(plan(service, { name: 'nginx', enabled: true }, { rcvar: { rcvar: 'nginx_enable', value: 'yes' } })).toEqual([]);
    expect(plan(service, { name: 'nginx', enabled: false }, off)).toEqual([]);
    expect(plan(service, { name: 'nginx', enabled: false }, { rcvar: { rcvar: 'nginx_enable', value: '' } })).toEqual([]);
  });

  it('starts and stops with onestart / onestop, by the status fact', () => {
    expect(scripts(plan(service, { name: 'nginx', state: 'running' }, { ...on, running: false }))).toEqual(['service nginx onestart']);
    expect(plan(service, { name: 'nginx', state: 'running' }, { ...on, running: true })).toEqual([]);
    expect(scripts(plan(service, { name: 'nginx', state: 'stopped' }, { ...on, running: true }))).toEqual(['service nginx onestop']);
    expect(plan(service, { name: 'nginx', state: 'stopped' }, { ...on, running: false })).toEqual([]);
  });

  it('enable before start, in one step', () => {
    expect(plan(service, { name: 'nginx', enabled: true, state: 'running' }, { ...off, running: false }).map((c) => c.summary)).toEqual([
      'enable nginx (nginx_enable: "NO" -> "YES")',
      'start nginx',
    ]);
  });

  it('restarted and reloaded always act', () => {
    expect(scripts(plan(service, { name: 'nginx', state: 'restarted' }, on))).toEqual(['service nginx onerestart']);
    expect(scripts(plan(service, { name: 'nginx', state: 'reloaded' }, on))).toEqual(['service nginx onereload']);
  });

  it('asks for the running state only when it matters', () => {
    expect(Object.keys(service.facts(service.args.parse({ name: 'nginx', enabled: true }), ctx()))).toEqual(['rcvar']);
    expect(Object.keys(service.facts(service.args.parse({ name: 'nginx', state: 'running' }), ctx()))).toEqual(['rcvar', 'running']);
  });

  it('in a jail: service -j and sysrc -j', () => {
    const t = { kind: 'jail' as const, name: 'db' };
    expect(service.facts(service.args.parse({ name: 'postgresql', state: 'running' }), ctx(t)).rcvar.script).toBe(
      'service -j db postgresql rcvar 2>&1',
    );
    const s = scripts(
      plan(
        service,
        { name: 'postgresql', enabled: true, state: 'running' },
        { rcvar: { rcvar: 'postgresql_enable', value: 'NO' }, running: false },
        ctx(t),
      ),
    );
    expect(s[0]).toMatch(/^sysrc -j db 'postgresql_enable=YES'/);
    expect(s[1]).toBe('service -j db postgresql onestart');
  });

  it('parses its facts, and needs enabled or state', () => {
    const q = service.facts(service.args.parse({ name: 'nginx', state: 'running' }), ctx());
    expect(q.running?.parse({ stdout: '0\n', stderr: '', exitCode: 0 })).toBe(true);
    expect(q.running?.parse({ stdout: '1\n', stderr: '', exitCode: 0 })).toBe(false);
    expect(() => q.rcvar.parse({ stdout: 'nginx does not exist in /etc/rc.d or the local startup\n', stderr: '', exitCode: 1 })).toThrow(
      /no service nginx in the host/,
    );
    expect(service.args.safeParse({ name: 'nginx' }).success).toBe(false);
  });
});
