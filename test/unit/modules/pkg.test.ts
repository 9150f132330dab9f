import { describe, expect, it } from 'vitest';
import { pkg } from '../../../src/modules/system/pkg.js';
import { ctx, plan, scripts } from './support.js';

const installed = (pkgs: Record<string, string>, bootstrapped = true) => ({
  installed: { bootstrapped, packages: new Map(Object.entries(pkgs)) },
});

describe('pkg', () => {
  it('installs only the missing packages, in one command', () => {
    expect(scripts(plan(pkg, { name: ['tmux', 'nginx', 'curl'] }, installed({ curl: '8.9.1' })))).toEqual(['pkg install -y tmux nginx']);
    expect(plan(pkg, { name: 'curl' }, installed({ curl: '8.9.1' }))).toEqual([]);
  });

  it('bootstraps pkg first when it is not installed', () => {
    expect(scripts(plan(pkg, { name: 'tmux' }, installed({}, false)))).toEqual(['pkg bootstrap -y\npkg install -y tmux']);
  });

  it('removes installed packages only', () => {
    const changes = plan(pkg, { name: ['tmux', 'nginx'], state: 'absent' }, installed({ nginx: '1.26.2,3' }));
    expect(scripts(changes)).toEqual(['pkg delete -y nginx']);
    expect(changes[0]?.diff).toEqual([{ type: 'value', name: 'nginx', before: '1.26.2,3', after: null }]);
    expect(plan(pkg, { name: 'tmux', state: 'absent' }, installed({}))).toEqual([]);
  });

  it('latest: installs the missing and upgrades the outdated', () => {
    const facts = { ...installed({ nginx: '1.24.0', curl: '8.9.1' }), outdated: new Map([['nginx', '1.26.2']]) };
    const changes = plan(pkg, { name: ['nginx', 'curl', 'tmux'], state: 'latest' }, facts);
    expect(scripts(changes)).toEqual(['pkg install -y tmux', 'pkg upgrade -y nginx']);
    expect(changes[1]?.summary).toBe('upgrade nginx 1.24.0 -> 1.26.2');
  });

  it('facts: pkg info, and pkg version -R only for latest; an unbootstrapped host has no packages', () => {
    const q = pkg.facts(pkg.args.parse({ name: 'tmux' }), ctx());
    expect(Object.keys(q)).toEqual(['installed']);
    expect(q.installed.parse({ stdout: 'tmux-3.4_1                     Terminal multiplexer\n', stderr: '', exitCode: 0 })).toEqual({
      bootstrapped: true,
      packages: new Map([['tmux', '3.4_1']]),
    });
    expect(q.installed.parse({ stdout: '@not-bootstrapped\n', stderr: '', exitCode: 0 }).bootstrapped).toBe(false);
    expect(Object.keys(pkg.facts(pkg.args.parse({ name: 'tmux', state: 'latest' }), ctx()))).toEqual(['installed', 'outdated']);
  });

  it('in a jail: pkg -j', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    expect(pkg.facts(pkg.args.parse({ name: 'nginx' }), ctx(t)).installed.script).toContain('pkg -j www info -a');
    const changes = plan(pkg, { name: 'nginx' }, installed({}), ctx(t));
    expect(scripts(changes)).toEqual(['pkg -j www install -y nginx']);
    expect(changes[0]?.touches).toEqual(['jail=www:*']);
  });

  it('package names', () => {
    expect(pkg.args.safeParse({ name: 'www/nginx' }).success).toBe(false);
    expect(pkg.args.safeParse({ name: [] }).success).toBe(false);
    expect(pkg.args.safeParse({ name: 'postgresql16-server' }).success).toBe(true);
  });
});
