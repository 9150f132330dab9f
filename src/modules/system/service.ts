/**
 * service: an rc.d service enabled or disabled (through its own rcvar, as service(8)
 * reports it) and running, stopped, restarted or reloaded. Start and stop use the one*
 * commands, which work whatever the enable variable says. Inside a jail: service -j.
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { isRcYes } from '../../facts/rc-conf.js';
import { parseServiceRcvar, type ServiceRcvar } from '../../facts/service.js';
import { describeTarget, fileTouches } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import { defineModule, type Change, type FactQuery, type Target } from '../kit/contract.js';

export const serviceArgs = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/, 'an rc.d script name, e.g. sshd (not starting with -)')
      .describe('the rc.d script, e.g. sshd'),
    enabled: z.boolean().optional().describe('the service starts at boot (through its rcvar: sshd_enable is YES)'),
    state: z
      .enum(['running', 'stopped', 'restarted', 'reloaded'])
      .optional()
      .describe('running or stopped now; restarted and reloaded act on every run'),
  })
  .refine((a) => a.enabled !== undefined || a.state !== undefined, { message: 'give enabled, state, or both', path: ['state'] });

export type ServiceArgs = z.output<typeof serviceArgs>;

interface ServiceFacts {
  rcvar: ServiceRcvar;
  running?: boolean;
}

/** `service [-j JAIL] ...` as shell words. */
function serviceCmd(t: Target): string {
  return t.kind === 'jail' ? sh`service -j ${t.name}` : 'service';
}

function rcvarQuery(t: Target, name: string): FactQuery<ServiceRcvar> {
  return {
    key: factKey(t, 'service', name, 'rcvar'),
    script: `${serviceCmd(t)} ${sh`${name} rcvar`} 2>&1`,
    resources: [res.service(t, name)],
    parse(out) {
      const rcvar = parseServiceRcvar(out.stdout);
      if (!rcvar) throw new Error(`no service ${name} in ${describeTarget(t)} (no rc.d script)`);
      if (out.exitCode !== 0) throw new Error(`service ${name} rcvar: ${out.stdout.trim() || `exit ${out.exitCode}`}`);
      return rcvar;
    },
  };
}

function statusQuery(t: Target, name: string): FactQuery<boolean> {
  return {
    key: factKey(t, 'service', name, 'status'),
    script: `${serviceCmd(t)} ${sh`${name} onestatus`} >/dev/null 2>&1; echo $?`,
    resources: [res.service(t, name)],
    // rc.subr's status: 0 running, 1 not running (also for scripts that cannot tell).
    parse: (out) => out.stdout.trim() === '0',
  };
}

export const service = defineModule<ServiceArgs, ServiceFacts>({
  name: 'service',
  summary: 'an rc.d service enabled or disabled, running, stopped, restarted or reloaded',
  docs: { inJail: '`service -j`' },
  args: serviceArgs,
  jailAware: true,
  describe: (a) => `service ${a.name}`,
  facts(a, ctx) {
    const rcvar = rcvarQuery(ctx.target, a.name);
    return a.state === 'running' || a.state === 'stopped' ? { rcvar, running: statusQuery(ctx.target, a.name) } : { rcvar };
  },
  plan(a, facts, ctx) {
    const t = ctx.target;
    const changes: Change[] = [];
    // sysrc(8) edits whichever file sets the variable: every variable of those files may have moved.
    const touches = [res.service(t, a.name), ...fileTouches(t, '/etc/rc.conf'), ...fileTouches(t, '/etc/rc.conf.local')];
    if (a.enabled !== undefined) {
      const { rcvar, value } = facts.rcvar;
      if (!rcvar) {
        if (!a.enabled) throw new Error(`service ${a.name} has no enable variable; it cannot be disabled`);
      } else if (isRcYes(value) !== a.enabled) {
        const want = a.enabled ? 'YES' : 'NO';
        const sysrc = t.kind === 'jail' ? sh`sysrc -j ${t.name}` : 'sysrc';
        // sysrc writes where the variable is already set (else /etc/rc.conf); an rc.conf.d
        // file can still override it, so check what rc.subr now decides.
        const verify = `${serviceCmd(t)} ${sh`${a.name} enabled`}`;
        const complaint = `${rcvar} is ${want} in rc.conf but ${a.name} is still ${a.enabled ? 'disabled' : 'enabled'} (set in an rc.conf.d file?)`;
        const check = a.enabled
          ? `${verify} || { echo ${sh`${complaint}`} >&2; exit 1; }`
          : `! ${verify} || { echo ${sh`${complaint}`} >&2; exit 1; }`;
        changes.push({
          summary: `${a.enabled ? 'enable' : 'disable'} ${a.name} (${rcvar}: ${JSON.stringify(value ?? '')} -> "${want}")`,
          action: { kind: 'script', script: `${sysrc} ${sh`${`${rcvar}=${want}`}`} >/dev/null\n${check}` },
          touches,
          diff: [{ type: 'value', name: rcvar, before: value ?? null, after: want }],
        });
      }
    }
    const run = (verb: string, summary: string, before: string | null, after: string): Change => ({
      summary,
      action: { kind: 'script', script: `${serviceCmd(t)} ${sh`${a.name} ${verb}`}` },
      touches: [res.service(t, a.name)],
      diff: [{ type: 'value', name: `${a.name} state`, before, after }],
    });
    if (a.state === 'running' && !facts.running) changes.push(run('onestart', `start ${a.name}`, 'stopped', 'running'));
    if (a.state === 'stopped' && facts.running) changes.push(run('onestop', `stop ${a.name}`, 'running', 'stopped'));
    if (a.state === 'restarted') changes.push(run('onerestart', `restart ${a.name}`, null, 'restarted'));
    if (a.state === 'reloaded') changes.push(run('onereload', `reload ${a.name}`, null, 'reloaded'));
    return changes;
  },
});
