import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { devfsRuleset } from '../../../src/modules/devfs/ruleset.js';
import { parseDevfsSections, withDevfsSection, withoutDevfsSection } from '../../../src/facts/devfs-rules.js';
import { ABSENT, ctx, plan, textFile } from './support.js';

// The lab's copy of FreeBSD 14's /etc/defaults/devfs.rules (rulesets 1-5).
const DEFAULTS = fs.readFileSync(new URL('../../lab/userland/overlay/etc/defaults/devfs.rules', import.meta.url), 'utf8');

// Seed 003's ruleset, as the operator wrote it.
const SEED003 = [
  'add include $devfsrules_hide_all',
  'add include $devfsrules_unhide_basic',
  'add include $devfsrules_unhide_login',
  'add path zfs unhide',
  'add path mem unhide',
  'add path kmem unhide',
  "add path 'bpf*' unhide",
];
const ARGS = { name: 'devfsrules_jailnet', number: 1000, rules: SEED003 };
const SECTION = `[devfsrules_jailnet=1000]\n${SEED003.join('\n')}\n`;

const facts = (file: string | undefined, defaults = DEFAULTS) => ({
  file: file === undefined ? ABSENT : textFile(file),
  defaults: textFile(defaults),
});

describe('devfs.rules sections', () => {
  it("finds sections in FreeBSD's defaults file, each ending at its last rule", () => {
    const s = parseDevfsSections(DEFAULTS);
    expect(s.map((x) => `${x.name}=${x.number}`)).toEqual([
      'devfsrules_hide_all=1',
      'devfsrules_unhide_basic=2',
      'devfsrules_unhide_login=3',
      'devfsrules_jail=4',
      'devfsrules_jail_vnet=5',
    ]);
    const lines = DEFAULTS.split('\n');
    for (const x of s) {
      expect(lines[x.end - 1]).toMatch(/^add /);
      expect(
        lines.slice(x.end, s.find((y) => y.start > x.start)?.start ?? lines.length).every((l) => l.trim() === '' || l.startsWith('#')),
      ).toBe(true);
    }
  });

  it('replaces a section in place and keeps the comments that introduce the next one', () => {
    const text = '# local rules\n[a=10]\nadd path x unhide\n\n# b is for www\n[b=11]  # trailing comment\nadd path y unhide\n';
    expect(withDevfsSection(text, 'a', ['[a=10]', 'add path z unhide'])).toBe(
      '# local rules\n[a=10]\nadd path z unhide\n\n# b is for www\n[b=11]  # trailing comment\nadd path y unhide\n',
    );
    expect(withDevfsSection(text, 'b', ['[b=12]', 'add path w hide'])).toBe(
      '# local rules\n[a=10]\nadd path x unhide\n\n# b is for www\n[b=12]\nadd path w hide\n',
    );
    expect(withoutDevfsSection(text, 'a')).toBe('# local rules\n\n# b is for www\n[b=11]  # trailing comment\nadd path y unhide\n');
  });

  it('appends after a blank line, and removing undoes the append byte for byte', () => {
    // (A file that already ended with a blank line loses it: after the append the two cases look the same.)
    for (const text of ['', '# mine\n', '[a=10]\nadd path x unhide\n', '[a=10]\nadd path x unhide']) {
      const added = withDevfsSection(text, 'n', ['[n=20]', 'add path q unhide']);
      expect(added.endsWith('[n=20]\nadd path q unhide\n')).toBe(true);
      expect(withoutDevfsSection(added, 'n')).toBe(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    }
  });
});

describe('devfs.ruleset module', () => {
  it('validates the arguments before any host is contacted', () => {
    const bad = (args: object, re: RegExp) => {
      const r = devfsRuleset.args.safeParse(args);
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toMatch(re);
    };
    bad({ ...ARGS, name: 'my-rules' }, /sh variable name/);
    bad({ ...ARGS, number: 0 }, /too_small|>=1/);
    bad({ ...ARGS, rules: ['path bpf unhide'] }, /starts with 'add'/);
    bad({ ...ARGS, rules: ['add path a unhide\nadd path b unhide'] }, /one rule per line/);
    bad({ ...ARGS, rules: ['add path a unhide', '# the end'] }, /last line must be a rule/);
    bad({ ...ARGS, rules: [] }, /at least one rule/);
    bad({ ...ARGS, typo: 1 }, /typo/);
    expect(devfsRuleset.args.safeParse({ name: 'x', number: 7, state: 'absent' }).success).toBe(true);
  });

  it("creates the file with the section, then restarts devfs; the diff is the file's", () => {
    const cs = plan(devfsRuleset, ARGS, facts(undefined), ctx(undefined, { diff: true }));
    expect(plan(devfsRuleset, ARGS, facts(undefined))[0]?.diff).toEqual([]);
    expect(cs.map((c) => c.summary)).toEqual([
      '/etc/devfs.rules: add [devfsrules_jailnet=1000]',
      'service devfs restart (load the rulesets)',
    ]);
    expect(cs[0]?.action).toEqual({ kind: 'write', path: '/etc/devfs.rules', content: SECTION });
    expect(cs[0]?.diff?.[0]).toMatchObject({ type: 'file', path: '/etc/devfs.rules' });
    expect((cs[0]?.diff?.[0] as { unified: string }).unified).toContain("+add path 'bpf*' unhide");
    expect(cs[1]?.action).toEqual({ kind: 'script', script: 'service devfs restart' });
  });

  it('is idempotent, and leaves other sections and comments alone', () => {
    const other = '# site rules\n[devfsrules_www=900]\nadd include $devfsrules_jail\nadd path pf unhide\n';
    expect(plan(devfsRuleset, ARGS, facts(`${other}\n${SECTION}`))).toEqual([]);
    const cs = plan(devfsRuleset, ARGS, facts(other));
    expect(cs[0]?.action).toMatchObject({ content: `${other}\n${SECTION}` });
    const changed = plan(
      devfsRuleset,
      { ...ARGS, rules: [...SEED003.slice(0, -1), "add path 'bpf*' hide"] },
      facts(`${SECTION}\n${other}`),
    );
    expect(changed[0]?.summary).toBe('/etc/devfs.rules: update [devfsrules_jailnet=1000]');
    expect(changed[0]?.action).toMatchObject({ content: `${SECTION.replace("'bpf*' unhide", "'bpf*' hide")}\n${other}` });
    expect(plan(devfsRuleset, { ...ARGS, number: 1001 }, facts(SECTION))[0]?.summary).toBe(
      '/etc/devfs.rules: renumber 1000 -> [devfsrules_jailnet=1001]',
    );
  });

  it('state absent removes only that section; absent twice changes nothing', () => {
    const other = '[devfsrules_www=900]\nadd path pf unhide\n';
    const cs = plan(devfsRuleset, { name: ARGS.name, number: 1000, state: 'absent' }, facts(`${other}\n${SECTION}`));
    expect(cs.map((c) => c.summary)).toEqual([
      '/etc/devfs.rules: remove [devfsrules_jailnet=1000]',
      'service devfs restart (load the rulesets)',
    ]);
    expect(cs[0]?.action).toMatchObject({ content: other });
    expect(plan(devfsRuleset, { name: ARGS.name, number: 1000, state: 'absent' }, facts(other))).toEqual([]);
    expect(plan(devfsRuleset, { name: ARGS.name, number: 1000, state: 'absent' }, facts(undefined))).toEqual([]);
  });

  it('refuses a number used by another section, in the file or in the defaults', () => {
    expect(() => plan(devfsRuleset, ARGS, facts('[devfsrules_other=1000]\nadd path a unhide\n'))).toThrow(
      /ruleset number 1000 is already used by \[devfsrules_other=1000\] in \/etc\/devfs.rules/,
    );
    expect(() => plan(devfsRuleset, { ...ARGS, number: 5 }, facts(''))).toThrow(
      /already used by \[devfsrules_jail_vnet=5\] in \/etc\/defaults\/devfs.rules/,
    );
    expect(() => plan(devfsRuleset, ARGS, facts(`${SECTION}\n${SECTION}`))).toThrow(/defines \[devfsrules_jailnet=...\] 2 times/);
  });

  it('restart: false writes the file only', () => {
    expect(plan(devfsRuleset, { ...ARGS, restart: false }, facts(undefined)).map((c) => c.action.kind)).toEqual(['write']);
  });
});
