/**
 * One run per host at a time. The first command of a run takes the host's lock with
 * lockf(1) (FreeBSD base) and holds it until the run ends: the locked shell runs the run's
 * first script (its facts), reports, then reads its stdin until the end. That end comes
 * when fleetjail closes the channel, or when the connection dies (a killed controller, a
 * lost network: sshd closes the pipe), so a host is never left locked by a run that is gone.
 * A second run waits up to its bound, then fails that host, naming who holds the lock
 * (written next to the lock by its holder) and since when.
 */
import { sh } from '../shell/quote.js';

export const LOCK_FILE = '/var/run/fleetjail.lock';
export const HOLDER_FILE = '/var/run/fleetjail.lock.holder';

export interface LockRequest {
  /** Seconds to wait for another run to let go. */
  waitSec: number;
  /** Who we are, for the next run that has to wait: "fleetjail pid 123 on ctl1 (user ops), playbook site.yaml". */
  holder: string;
}

/** The stdout line that says the first script finished under the lock: `MARKER:STATUS`. */
export function lockedMarker(nonce: string): string {
  return `@@fj:${nonce}:locked`;
}

/**
 * The command line: lockf runs `sh -s` (the payload on stdin) while it holds the lock; -k
 * keeps the lock file (removing it races with the next waiter). When the lock is not had
 * in time (lockf's status 75), the holder's note goes to stderr.
 */
export function hostLockCommand(req: LockRequest & { waiter: string }): string {
  const waitSec = Math.max(0, Math.ceil(req.waitSec));
  // WAITER, sh's $1 (unused), names this run's waiter for abandonLockWaitScript. It is in
  // argv, for anyone's ps: never the nonce of an output marker.
  const script = sh`lockf -k -t ${waitSec} ${LOCK_FILE} /bin/sh -s ${waiterTag(req.waiter)}; fj_rc=$?; if [ "$fj_rc" = 75 ]; then cat ${HOLDER_FILE} >&2; fi; exit "$fj_rc"`;
  return sh`/bin/sh -c ${script}`;
}

function waiterTag(waiter: string): string {
  return `fleetjail-${waiter}`;
}

/**
 * A run that gives up waiting for the lock (its host timeout, an interrupt) ends its waiting
 * lockf, which reads no stdin and would otherwise wait on, and names the holder.
 */
export function abandonLockWaitScript(waiter: string): string {
  return sh`pkill -f -- ${`/bin/sh -s ${waiterTag(waiter)}$`} || :`;
}

export function readHolderScript(): string {
  return sh`cat ${HOLDER_FILE} 2>/dev/null || :`;
}

/**
 * Script text run first under the lock: the holder's note, and the lockf process's pid
 * (this shell's parent), which every later command of the run checks is still there.
 */
export function holderNote(req: LockRequest, nonce: string): string {
  return (
    sh`printf '%s since %s\n' ${req.holder} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > ${HOLDER_FILE}` +
    '\n' +
    `printf '@@fj:${nonce}:lockpid:%s\n' "$PPID"`
  );
}

/** The lockf pid in the first script's output. */
export function lockPidOf(stdout: string, nonce: string): number | undefined {
  const m = new RegExp(`@@fj:${nonce}:lockpid:(\\d+)`).exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** The status and message with which a command finds the run's lock gone. */
export const LOCK_LOST_STATUS = 75;
export const LOCK_LOST_MESSAGE = 'fleetjail: the host lock was lost (its lockf process is gone); nothing was run';

/** Shell text first in every later command of a locked run: stop if the lock's holder is gone. */
export function lockGuard(lockPid: number): string {
  return `kill -0 ${lockPid} 2>/dev/null || { echo '${LOCK_LOST_MESSAGE}' >&2; exit ${LOCK_LOST_STATUS}; }`;
}

/**
 * After the first script: report its status, then hold the lock until stdin ends (the run
 * is over, or the controller gone). Should the lockf process go first (killed), this shell
 * ends within a second, and the channel's end tells the controller the lock is lost.
 */
export function hostLockPayloadAfter(marker: string): string {
  return (
    `printf '\\n%s:%s\\n' '${marker}' "$fj_rc"; ` +
    '( while IFS= read -r fj_l; do :; done; kill "$fj_sh" ) <&3 >/dev/null 2>&1 & ' +
    'while kill -0 "$PPID" 2>/dev/null; do sleep 1 </dev/null >/dev/null 2>&1; done; exit 0'
  );
}
