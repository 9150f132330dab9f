import { describe, expect, it } from 'vitest';
import { pf } from '../../../src/modules/pf/pf.js';
import { parsePfStatus } from '../../../src/facts/pf.js';
import type { ConfirmedAction } from '../../../src/modules/kit/contract.js';
import { sha256Hex } from '../../../src/util/digest.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';
import { reference as readReference } from '../facts/reference.js';

const RULES = 'set skip on lo0\npass in on em0 proto tcp to port 22 keep state\npass out keep state\n';
const rules = (content: string) => textFile(content, { sha256: sha256Hex(content) });
const facts = (o: { conf?: ReturnType<typeof textFile>; status?: 'enabled' | 'disabled' | 'not-loaded'; rc?: string } = {}) => ({
  conf: o.conf ?? ABSENT,
  status: o.status ?? 'not-loaded',
  rc: textFile(o.rc ?? ''),
});
const confirmed = (c: { action: unknown }) => c.action as ConfirmedAction;

describe('pf status', () => {
  it('reads pfctl -s info as FreeBSD prints it, and pf.ko missing', () => {
    expect(parsePfStatus(readReference('pfctl-si-01.txt'))).toBe('enabled');
    expect(parsePfStatus('Status: Disabled for 0 days 00:00:00           Debug: Urgent\n')).toBe('disabled');
    expect(parsePfStatus(readReference('pfctl-e-error-01.txt'))).toBe('not-loaded');
    expect(() => parsePfStatus('pfctl: /dev/pf: Permission denied\n')).toThrow(/unexpected output/);
  });
});

describe('pf plan', () => {
  it('first run: the ruleset loaded and pf enabled, kept only after a new session gets in; then pf_enable (a rolled-back change leaves boot alone)', () => {
    const cs = plan(pf, { rules: RULES }, facts(), ctx(undefined, { diff: true }));
    expect(cs.map((c) => c.summary)).toEqual([
      'load new /etc/pf.conf and enable pf (kept once a new SSH session gets in)',
      'pf_enable: (unset) -> "YES"',
    ]);
    const a = confirmed(cs[0] as { action: unknown });
    expect(a).toMatchObject({ kind: 'confirmed', stdin: RULES, timeoutSec: 60 });
    expect(a.apply).toContain('pfctl -nf /etc/pf.conf.fleetjail-new');
    expect(a.apply).toContain('nohup /bin/sh -c');
    // pf was not enabled: going back is disabling it.
    expect(a.rollback).toBe('rm -f -- /var/run/fleetjail-pf.pending /etc/pf.conf.fleetjail-new\npfctl -q -d 2>/dev/null || :');
    expect(a.commit).toContain('mv -f -- /etc/pf.conf.fleetjail-new /etc/pf.conf');
    expect(cs[0]?.diff).toEqual([
      { type: 'file', path: '/etc/pf.conf', unified: expect.stringContaining('+pass out keep state') },
      { type: 'value', name: 'pf', before: 'not-loaded', after: 'enabled' },
    ]);
    // Without --diff, no file diff is computed.
    expect(plan(pf, { rules: RULES }, facts())[0]?.diff).toEqual([{ type: 'value', name: 'pf', before: 'not-loaded', after: 'enabled' }]);
  });

  it('converged: nothing; a changed ruleset on an enabled pf rolls back to the old file', () => {
    expect(plan(pf, { rules: RULES }, facts({ conf: rules(RULES), status: 'enabled', rc: 'pf_enable="YES"\n' }))).toEqual([]);
    const cs = plan(
      pf,
      { rules: RULES, confirm_timeout: 20 },
      facts({ conf: rules('pass all\n'), status: 'enabled', rc: 'pf_enable="YES"\n' }),
    );
    expect(cs.map((c) => c.summary)).toEqual(['load changed /etc/pf.conf (kept once a new SSH session gets in)']);
    expect(confirmed(cs[0] as { action: unknown })).toMatchObject({
      timeoutSec: 20,
      rollback: expect.stringContaining('pfctl -q -f /etc/pf.conf'),
    });
    expect(confirmed(cs[0] as { action: unknown }).apply).toContain('sleep 20;');
  });

  it('the same file with pf disabled: enabled again through the same confirmation', () => {
    const cs = plan(pf, { rules: RULES }, facts({ conf: rules(RULES), status: 'disabled', rc: 'pf_enable="YES"\n' }));
    expect(cs.map((c) => c.summary)).toEqual(['load /etc/pf.conf and enable pf (kept once a new SSH session gets in)']);
    expect(cs[0]?.diff).toEqual([{ type: 'value', name: 'pf', before: 'disabled', after: 'enabled' }]);
  });

  it('another path goes into pf_rules', () => {
    const cs = plan(pf, { rules: RULES, path: '/usr/local/etc/pf.conf' }, facts({ status: 'enabled', rc: 'pf_enable="YES"\n' }));
    expect(scripts(cs).slice(-1)).toEqual(['EDIT /etc/rc.conf +pf_rules="/usr/local/etc/pf.conf"']);
  });

  it('enabled: false disables pf and pf_enable; a ruleset given is written (checked), not loaded', () => {
    const cs = plan(pf, { enabled: false, rules: RULES }, facts({ conf: rules('pass all\n'), status: 'enabled', rc: 'pf_enable="YES"\n' }));
    expect(cs.map((c) => c.summary)).toEqual(['pf_enable: "YES" -> "NO"', 'update /etc/pf.conf (pf disabled: not loaded)', 'disable pf']);
    expect(cs[1]?.action).toMatchObject({ kind: 'write', validate: 'pfctl -nf %s' });
    expect(plan(pf, { enabled: false }, facts({ status: 'disabled', rc: 'pf_enable="NO"\n' }))).toEqual([]);
  });

  it('validates its arguments', () => {
    expect(pf.args.safeParse({}).success).toBe(false);
    expect(pf.args.safeParse({ rules: 'x', src: 'y' }).success).toBe(false);
    expect(pf.args.safeParse({ rules: 'x', confirm_timeout: 5 }).success).toBe(false);
    expect(pf.args.safeParse({ enabled: false }).success).toBe(true);
  });
});
