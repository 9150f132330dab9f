import { describe, expect, it } from 'vitest';
import { FactCache } from '../../../src/engine/fact-cache.js';
import { matches as matchesRule, res, type FactKey, type Resource } from '../../../src/facts/resources.js';
import type { FactQuery } from '../../../src/modules/kit/contract.js';

// The rule on the encoded names (what the builders of src/facts/resources.ts make).
const matches = (pattern: string, resource: string) => matchesRule(pattern as Resource, resource as Resource);
const patterns = (...p: string[]) => p as Resource[];

let parses = 0;
const fact = (key: string, resources: string[]): FactQuery<string> => ({
  key: key as FactKey,
  script: '',
  resources: resources as Resource[],
  parse: (o) => {
    parses++;
    if (o.exitCode !== 0) throw new Error(`failed: ${o.stderr}`);
    return o.stdout;
  },
});
const out = (stdout: string, exitCode = 0) => ({ stdout, stderr: 'boom', exitCode });

describe('FactCache', () => {
  it('needs what was never gathered or went stale, once per key', () => {
    const c = new FactCache();
    const rc = fact('rc', ['host:file:/etc/rc.conf']);
    const pkgs = fact('pkgs', ['host:pkg']);
    expect(c.needed([rc, pkgs, rc])).toEqual([rc, pkgs]);
    c.store(rc, out('a'));
    c.store(pkgs, out('p'));
    expect(c.needed([rc, pkgs])).toEqual([]);
    c.invalidate(patterns('host:file:/etc/rc.conf'));
    expect(c.needed([rc, pkgs])).toEqual([rc]);
    expect(c.isStale(rc)).toBe(true);
  });

  it('parses once, and rethrows a parse error each time it is asked', () => {
    const c = new FactCache();
    const a = fact('a', []);
    const bad = fact('bad', []);
    c.store(a, out('x'));
    c.store(bad, out('', 2));
    parses = 0;
    expect(c.get(a)).toBe('x');
    expect(c.get(a)).toBe('x');
    expect(() => c.get(bad)).toThrow('failed: boom');
    expect(() => c.get(bad)).toThrow('failed: boom');
    expect(parses).toBe(2);
  });

  it('a query without output reports why', () => {
    const c = new FactCache();
    const a = fact('a', []);
    c.store(a, undefined, 'the fact script ended early (exit status 255)');
    expect(() => c.get(a)).toThrow('the fact script ended early (exit status 255)');
  });

  it('volatile facts go stale after any change', () => {
    const c = new FactCache();
    const probe = fact('probe', ['volatile']);
    c.store(probe, out('0'));
    c.invalidate(patterns('host:file:/unrelated'));
    expect(c.isStale(probe)).toBe(true);
  });

  it('the builders make the names the rule reads', () => {
    const www = { kind: 'jail', name: 'www' } as const;
    expect(res.file({ kind: 'host' }, '/etc/rc.conf')).toBe('host:file:/etc/rc.conf');
    expect(res.everythingIn(www)).toBe('jail=www:*');
    expect(res.filesStartingWith({ kind: 'host' }, '/var/x/')).toBe('host:file:/var/x/*');
    expect(matchesRule(res.allServices(www), res.service(www, 'nginx'))).toBe(true);
    expect(matchesRule(res.zfsStartingWith('tank/a@'), res.zfs('tank/a@p3'))).toBe(true);
    expect(matchesRule(res.zfsStartingWith('tank/a@'), res.zfs('tank/ab'))).toBe(false);
  });

  it('patterns: exact, prefix*, everything', () => {
    expect(matches('host:file:/etc/rc.conf', 'host:file:/etc/rc.conf')).toBe(true);
    expect(matches('host:service:*', 'host:service:nginx')).toBe(true);
    expect(matches('host:*', 'host:pkg')).toBe(true);
    expect(matches('host:*', 'jail=www:pkg')).toBe(false);
    expect(matches('*', 'jail=www:pkg')).toBe(true);
    expect(matches('host:file:/var/x/*', 'host:file:/var/x/y')).toBe(true);
    expect(matches('host:file:/var/x/*', 'host:file:/var/xy')).toBe(false);
  });
});
