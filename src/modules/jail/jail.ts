/**
 * jail: a FreeBSD jail from a release template (thin-zfs, thick, thin-nullfs, classic), its
 * /etc/jail.conf.d/NAME.conf block and fstab, /etc/jail.conf's .include, its state
 * (running / stopped / absent) and rc.conf's boot settings. Arguments: jail-args.ts;
 * rendering: jail-conf.ts; facts: jail-facts.ts; plan: jail-plan.ts.
 */
import { jailArgs, type JailArgs } from './args.js';
import { jailFactQueries, type JailFacts } from './facts.js';
import { planJail } from './plan.js';
import { defineModule } from '../kit/contract.js';

export const jail = defineModule<JailArgs, JailFacts>({
  name: 'jail',
  summary: 'a jail: its root from a template, its jail.conf.d block and fstab, running / stopped / absent, started at boot',
  docs: {
    does:
      "Its block is `/etc/jail.conf.d/NAME.conf` (and `/etc/jail.conf` has its `.include`). Paths that go into the jail's fstab (`path`, " +
      '`skeleton`, `mounts`...) take no blanks: jail(8) splits mount.fstab lines on them.',
  },
  args: jailArgs,
  jailAware: false,
  describe: (a) => `jail ${a.name} (${a.type}, ${a.state})`,
  facts: (a) => jailFactQueries(a),
  plan: (a, facts, ctx) => planJail(a, facts, ctx),
});
