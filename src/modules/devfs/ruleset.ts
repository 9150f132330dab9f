/**
 * devfs.ruleset: a named, numbered section of /etc/devfs.rules (`[devfsrules_jail_bpf=7]`
 * and its `add ...` lines, kept exactly as given), or its absence. Other sections and
 * comments are left alone; the file is written atomically, and `service devfs restart`
 * loads the rulesets into the kernel after a change, so a jail with devfs_ruleset=N
 * started later in the same run gets them. A number used by another section (here or in
 * /etc/defaults/devfs.rules) is refused: rc(8) would load both into one ruleset.
 */
import { z } from 'zod';
import { aFileType, type FileState } from '../../facts/file-state.js';
import { parseDevfsSections, renderDevfsSection, withDevfsSection, withoutDevfsSection } from '../../facts/devfs-rules.js';
import { fileStateQuery, textContent } from '../kit/file-facts.js';
import { HOST, fileTouches } from '../kit/target.js';
import { res } from '../../facts/resources.js';
import { fileDiff } from '../kit/file-diff.js';
import { absolutePath } from '../kit/names.js';
import { defineModule, type Change } from '../kit/contract.js';

export const DEFAULTS_FILE = '/etc/defaults/devfs.rules';

/**
 * rc.subr's devfs_rulesets_from_file expands each rule line as shell text before it hands it
 * to devfs(8) (that is how `$devfsrules_hide_all` expands): a rule is run as root at every
 * devfs restart and boot. Only what devfs(8) rules need is accepted: words, '...' quoted
 * globs, and $NAME references; no command substitution, no ; | & < > ( ) ` \ or ".
 */
const RULE_TEXT = /^[A-Za-z0-9_ *?[\]/.,:=+@%^!~-]*$/;
export function isSafeDevfsRule(rule: string): boolean {
  if (/^\s*#/.test(rule)) return !/[\x00-\x1f\x7f]/.test(rule);
  // Outside '...': only RULE_TEXT and $NAME; inside: anything but ' and control characters.
  const parts = rule.split("'");
  if (parts.length % 2 === 0) return false;
  return parts.every((p, i) => (i % 2 === 1 ? !/[\x00-\x1f\x7f]/.test(p) : RULE_TEXT.test(p.replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, 'x'))));
}

const rule = z
  .string()
  .refine((r) => !/[\n\r\0]/.test(r), 'one rule per line (no newline)')
  .refine(
    (r) => /^\s*(add\s|#)/.test(r),
    "a rule starts with 'add' (add path 'bpf*' unhide, add include $devfsrules_hide_all) or is a # comment",
  )
  .refine(
    isSafeDevfsRule,
    "rc.subr evals each rule as shell text: only words, '...' quoted patterns and $NAME references (no ; | & < > ( ) ` \\ \" or unbalanced ')",
  );

export const devfsRulesetArgs = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'a ruleset name is an sh variable name (rc.subr sets $NAME to its number), e.g. devfsrules_jail_bpf',
      )
      .describe('the section name, e.g. devfsrules_jail_bpf (rules elsewhere include it as $NAME)'),
    number: z.number().int().min(1).max(65535).describe('the ruleset number jails use as devfs_ruleset (0 is reserved)'),
    rules: z
      .array(rule)
      .default([])
      .describe(
        "the section's lines, kept exactly as given: add include $devfsrules_hide_all, add path 'bpf*' unhide, ...; " +
          "rc.subr expands them as shell text, so only words, `'...'` patterns and `$NAME` references are accepted",
      ),
    state: z.enum(['present', 'absent']).default('present'),
    file: absolutePath.default('/etc/devfs.rules').describe("the rules file (one of rc.conf's devfs_rulesets)"),
    restart: z.boolean().default(true).describe('run `service devfs restart` after a change, so the kernel has the new rules'),
  })
  .superRefine((a, ctx) => {
    if (a.state === 'present' && a.rules.length === 0)
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'state present needs at least one rule' });
    const last = a.rules[a.rules.length - 1];
    if (last !== undefined && /^\s*#/.test(last)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules'],
        message: 'the last line must be a rule, not a comment (a trailing comment reads as the start of the next section)',
      });
    }
  });

export type DevfsRulesetArgs = z.output<typeof devfsRulesetArgs>;

interface DevfsRulesetFacts {
  file: FileState;
  defaults: FileState;
}

function text(state: FileState, path: string): string {
  if (state.type === 'absent') return '';
  if (state.type !== 'file') throw new Error(`${path} is ${aFileType(state.type)}, not a file`);
  return textContent(state, path);
}

/** Throws when NAME/NUMBER clash with the sections already in TEXT (from PATH). */
function checkConflicts(a: DevfsRulesetArgs, content: string, path: string, own: boolean): void {
  const sections = parseDevfsSections(content);
  const mine = sections.filter((s) => s.name === a.name);
  if (own && mine.length > 1) throw new Error(`${path} defines [${a.name}=...] ${mine.length} times; leave one before fleetjail edits it`);
  const other = sections.find((s) => s.number === a.number && s.name !== a.name);
  if (other && a.state === 'present') {
    throw new Error(
      `ruleset number ${a.number} is already used by [${other.name}=${other.number}] in ${path}; choose another number for ${a.name}`,
    );
  }
}

export const devfsRuleset = defineModule<DevfsRulesetArgs, DevfsRulesetFacts>({
  name: 'devfs.ruleset',
  summary: 'a named, numbered ruleset section of /etc/devfs.rules; devfs restarted on change',
  docs: {
    does: 'Other sections and comments are kept byte for byte; a number used by another section (also in `/etc/defaults/devfs.rules`) is refused.',
  },
  args: devfsRulesetArgs,
  jailAware: false,
  describe: (a) => `devfs ruleset ${a.name}=${a.number}`,
  facts: (a) => ({
    file: fileStateQuery(HOST, a.file, { content: true, metadata: false }),
    defaults: fileStateQuery(HOST, DEFAULTS_FILE, { content: true, metadata: false }),
  }),
  plan(a, facts, ctx) {
    const current = text(facts.file, a.file);
    checkConflicts(a, current, a.file, true);
    if (a.file !== DEFAULTS_FILE) checkConflicts(a, text(facts.defaults, DEFAULTS_FILE), DEFAULTS_FILE, false);
    const wanted =
      a.state === 'present'
        ? withDevfsSection(current, a.name, renderDevfsSection(a.name, a.number, a.rules))
        : withoutDevfsSection(current, a.name);
    if (wanted === current) return [];
    const old = parseDevfsSections(current).find((s) => s.name === a.name);
    const what =
      a.state === 'absent' ? 'remove' : old === undefined ? 'add' : old.number !== a.number ? `renumber ${old.number} ->` : 'update';
    const changes: Change[] = [
      {
        summary: `${a.file}: ${what} [${a.name}=${a.state === 'absent' ? (old?.number ?? a.number) : a.number}]`,
        action: { kind: 'write', path: a.file, content: wanted },
        touches: fileTouches(HOST, a.file),
        diff: fileDiff(ctx, a.file, current, wanted),
      },
    ];
    if (a.restart) {
      changes.push({
        summary: 'service devfs restart (load the rulesets)',
        action: { kind: 'script', script: 'service devfs restart' },
        touches: [res.devfs()],
      });
    }
    return changes;
  },
});
