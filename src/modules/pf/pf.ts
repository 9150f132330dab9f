/**
 * pf: the host's packet filter with a ruleset file (default /etc/pf.conf), enabled at boot and
 * running, changed so that it cannot lock you out. A new or changed ruleset is checked with
 * pfctl -nf, loaded while the old file stays in place and a timer on the host waits to undo
 * it, and kept only when a NEW SSH session to the host works (existing sessions survive a bad
 * ruleset through pf's state table, so they prove nothing). Otherwise the old rules are back
 * at once, or after the timer if the session that made the change is gone too.
 *
 * What is compared is the file (sha256) and whether pf is enabled, not the rules loaded in
 * the kernel: rules loaded by hand from elsewhere are not seen.
 */
import { z } from 'zod';
import { parsePfStatus, type PfStatus } from '../../facts/pf.js';
import { parseRcConf } from '../../facts/rc-conf.js';
import { aFileType, type FileState } from '../../facts/file-state.js';
import { sha256Hex } from '../../util/digest.js';
import { readLocalSource } from '../kit/local-source.js';
import { fileStateQuery, fileText } from '../kit/file-facts.js';
import { applyScript, commitScript, rollbackScript, type PfChange } from './scripts.js';
import { rcVariableChange } from '../kit/rc-variable.js';
import { fileTouches, HOST } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import { contentDiff } from '../kit/file-diff.js';
import { absolutePath } from '../kit/names.js';
import { defineModule, type Change, type DiffEntry, type FactQuery, type StepContext } from '../kit/contract.js';

const RC = '/etc/rc.conf';
const DEFAULT_RULES = '/etc/pf.conf';

export const pfArgs = z
  .strictObject({
    rules: z.string().optional().describe('the ruleset (pf.conf(5)), inline'),
    src: z.string().optional().describe('a local file with the ruleset (relative to the playbook)'),
    template: z.string().optional().describe("a local LiquidJS template of the ruleset, rendered with the host's variables"),
    path: absolutePath.default(DEFAULT_RULES).describe('the ruleset file (another path than /etc/pf.conf goes into pf_rules in rc.conf)'),
    enabled: z.boolean().default(true).describe('pf enabled now and at boot (`pf_enable=YES`); false disables it'),
    confirm_timeout: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(60)
      .describe('seconds the host waits for a new SSH session to confirm a ruleset before it goes back to the old one'),
  })
  .superRefine((a, ctx) => {
    const sources = (['rules', 'src', 'template'] as const).filter((k) => a[k] !== undefined);
    if (sources.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `give one of rules, src, template (not ${sources.join(' and ')})`,
        path: [sources[1] as string],
      });
    if (sources.length === 0 && a.enabled)
      ctx.addIssue({ code: 'custom', message: 'enabled pf needs its ruleset: rules, src or template', path: ['rules'] });
  });

export type PfArgs = z.output<typeof pfArgs>;

interface PfFacts {
  conf: FileState;
  status: PfStatus;
  rc: FileState;
}

function statusQuery(): FactQuery<PfStatus> {
  return {
    key: factKey(HOST, 'pf', 'status'),
    script: 'pfctl -s info 2>&1 | head -n 1',
    resources: [res.pf()],
    parse: (out) => parsePfStatus(out.stdout),
  };
}

export const pf = defineModule<PfArgs, PfFacts>({
  name: 'pf',
  summary: 'pf enabled with a ruleset, changed only if a new SSH session still gets in',
  docs: {
    does:
      'The ruleset comes from `rules`, `src` or `template`. A new or changed ruleset is checked with `pfctl -nf`, loaded while the old ' +
      'file stays in place and a timer on the host waits to undo it, and kept only when a NEW SSH session to the host gets in (open ' +
      "sessions survive a bad ruleset through pf's state table, so they prove nothing); then the new file replaces the old. Otherwise the " +
      "old rules are loaded again at once over the session that made the change, or by the host's timer when that session is gone too. " +
      'Compared: the file (sha256) and whether pf is enabled, not the rules loaded in the kernel.',
  },
  args: pfArgs,
  jailAware: false,
  describe: (a) => `pf ${a.path}`,
  prepare: (a, local) => readLocalSource(a, local, 'rules'),
  facts(a) {
    return {
      conf: fileStateQuery(HOST, a.path, { content: true }),
      status: statusQuery(),
      rc: fileStateQuery(HOST, RC, { content: true, metadata: false, aspect: 'var=pf_enable' }),
    };
  },
  plan(a, f, ctx) {
    const rc = fileText(f.rc, RC);
    const vars = parseRcConf(rc ?? '');
    const rcChanges: Change[] = [];
    const setVar = (name: string, after: string | undefined) => {
      const before = vars.get(name)?.value;
      if (before !== after) rcChanges.push(rcVariableChange({ target: HOST, name, before, after, base: rc }));
    };
    setVar('pf_enable', a.enabled ? 'YES' : 'NO');
    if (a.enabled && a.path !== DEFAULT_RULES) setVar('pf_rules', a.path);

    if (f.conf.type !== 'file' && f.conf.type !== 'absent') throw new Error(`${a.path} is ${aFileType(f.conf.type)}, not a file`);
    const rulesChanged = a.rules !== undefined && (f.conf.type === 'absent' || sha256Hex(a.rules) !== f.conf.sha256);
    if (!a.enabled) {
      return [...rcChanges, ...(rulesChanged ? [writeRules(a, f.conf, ctx)] : []), ...(f.status === 'enabled' ? [disable()] : [])];
    }
    // rc.conf (pf at boot) changes only once the ruleset is confirmed: a change that is
    // rolled back leaves the host's boot as it was.
    return [...(rulesChanged || f.status !== 'enabled' ? [loadConfirmed(a, f, rulesChanged, ctx)] : []), ...rcChanges];
  },
});

function loadConfirmed(a: PfArgs, f: PfFacts, rulesChanged: boolean, ctx: StepContext): Change {
  const change: PfChange = { path: a.path, wasEnabled: f.status === 'enabled', timeoutSec: a.confirm_timeout };
  const rules = a.rules ?? '';
  const what = rulesChanged ? `load ${f.conf.type === 'absent' ? 'new' : 'changed'} ${a.path}` : `load ${a.path}`;
  const diff: DiffEntry[] = [
    ...(rulesChanged ? contentDiff(ctx, a.path, f.conf, rules) : []),
    ...(f.status !== 'enabled' ? [{ type: 'value' as const, name: 'pf', before: f.status, after: 'enabled' }] : []),
  ];
  return {
    summary: `${what}${f.status !== 'enabled' ? ' and enable pf' : ''} (kept once a new SSH session gets in)`,
    action: {
      kind: 'confirmed',
      apply: applyScript(change),
      stdin: rules,
      commit: commitScript(change),
      rollback: rollbackScript(change),
      timeoutSec: a.confirm_timeout,
    },
    touches: [...fileTouches(HOST, a.path), res.pf()],
    diff,
  };
}

/** pf stays disabled: the file is written (checked first), nothing loaded. */
function writeRules(a: PfArgs, conf: FileState, ctx: StepContext): Change {
  return {
    summary: `${conf.type === 'absent' ? 'create' : 'update'} ${a.path} (pf disabled: not loaded)`,
    action: { kind: 'write', path: a.path, content: a.rules ?? '', validate: 'pfctl -nf %s' },
    touches: fileTouches(HOST, a.path),
    diff: contentDiff(ctx, a.path, conf, a.rules ?? ''),
  };
}

function disable(): Change {
  return {
    summary: 'disable pf',
    action: { kind: 'script', script: 'pfctl -q -d' },
    touches: [res.pf()],
    diff: [{ type: 'value', name: 'pf', before: 'enabled', after: 'disabled' }],
  };
}
