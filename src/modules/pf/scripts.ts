/**
 * The host side of a pf change that cannot lock you out (see ConfirmedAction):
 *
 *   apply     the new ruleset (on stdin) goes to PATH.fleetjail-new, is checked with pfctl -nf,
 *             a timer is armed (a detached sh: after T seconds, if the pending file still holds
 *             this change's token, roll back), then the new rules are loaded and pf enabled.
 *             PATH itself still holds the old ruleset: a reboot loads that one.
 *   commit    (over a NEW SSH session) disarms the timer and moves the new file over PATH.
 *   rollback  loads PATH again (the old rules) or, when pf was not enabled before, disables
 *             pf; the new file and the pending token go.
 */
import { sh } from '../../shell/quote.js';

export const PENDING = '/var/run/fleetjail-pf.pending';

export interface PfChange {
  path: string;
  /** Whether pf was enabled before: the rollback then reloads PATH, else it disables pf. */
  wasEnabled: boolean;
  timeoutSec: number;
}

export function newRulesPath(path: string): string {
  return `${path}.fleetjail-new`;
}

export function rollbackScript(c: PfChange): string {
  const restore = c.wasEnabled ? sh`if [ -f ${c.path} ]; then pfctl -q -f ${c.path}; else pfctl -q -d; fi` : 'pfctl -q -d 2>/dev/null || :';
  return [sh`rm -f -- ${PENDING} ${newRulesPath(c.path)}`, restore].join('\n');
}

export function applyScript(c: PfChange): string {
  const next = newRulesPath(c.path);
  // The timer: detached, its output nowhere, surviving the end of this SSH session. Its $1 is
  // this change's token, so an older change's timer never undoes a newer change.
  // Signals ignored (sleep inherits that): the end of the SSH command that armed it, even
  // a cancelled one, must not take the timer along.
  const timer =
    sh`trap '' HUP INT TERM; sleep ${c.timeoutSec}; [ "$(cat ${PENDING} 2>/dev/null)" = "$1" ] || exit 0` + '\n' + rollbackScript(c);
  return [
    'set -e',
    'umask 077',
    // Mode and owner of the old file carry over to the new one.
    sh`if [ -f ${c.path} ]; then cp -p -- ${c.path} ${next}; fi`,
    sh`cat > ${next}`,
    sh`if ! pfctl -nf ${next} >&2; then rm -f -- ${next}; echo ${`the new ruleset for ${c.path} does not load; nothing was changed`} >&2; exit 1; fi`,
    'kldload -n pf',
    'fj_token=$$.$(date +%s)',
    sh`echo "$fj_token" > ${PENDING}`,
    sh`nohup /bin/sh -c ${timer} fleetjail-pf-timer "$fj_token" </dev/null >/dev/null 2>&1 &`,
    // From here a failure undoes what was loaded at once.
    sh`if ! { pfctl -q -f ${next} && { pfctl -s info | grep -q '^Status: Enabled' || pfctl -q -e; }; }; then`,
    rollbackScript(c),
    sh`echo ${`loading ${c.path} failed; the previous state is back`} >&2; exit 1`,
    'fi',
  ].join('\n');
}

export function commitScript(c: PfChange): string {
  const late = `the host's own rollback already undid the change (no confirmation within ${c.timeoutSec} s)`;
  return [
    'set -e',
    sh`[ -f ${PENDING} ] || { echo ${late} >&2; exit 1; }`,
    // In this order: should the timer fire in between, it reloads PATH, by then the new rules.
    sh`mv -f -- ${newRulesPath(c.path)} ${c.path}`,
    sh`rm -f -- ${PENDING}`,
  ].join('\n');
}
