/**
 * How a script reaches the host: on the command's standard input, never in its command line.
 *
 * The command line is a fixed `/bin/sh -s` (after doas / sudo -n and timeout(1) when asked):
 * nothing of the script, so no file content, rc.conf text or value of a secret, is visible to
 * the host's other users in `ps`, and no login shell (csh/tcsh) parses it. The script arrives
 * on stdin inside a function definition, which sh parses whole before running any of it: a
 * transfer cut short (connection lost, controller killed) leaves the definition unfinished
 * and nothing runs, never half a script.
 *
 * The channel's stdin is then kept open for as long as the script runs: it is the script's
 * lifeline. A watcher on the host waits for its end; when the controller gives up on the
 * command (a timeout, an interrupt, a lost connection: sshd closes the pipe in every case)
 * while the script is still running, the watcher ends the script's whole process group. A
 * script that finished ends the watcher first, so what it started in the background on
 * purpose (a daemon, pf's rollback timer) is left alone.
 */
import type { Become } from './types.js';

/** The command line that reads its script from stdin. */
export function stdinScriptCommand(become: Become = 'none', limit: { timeoutSec?: number } = {}): string {
  return withBecome(`${timeLimit(limit)}/bin/sh -s`, become);
}

/**
 * timeout(1) (FreeBSD base since 10.3) kills the whole command tree on the host at the
 * limit, which an SSH signal request cannot do reliably (OpenSSH refuses it for root
 * sessions): TERM, KILL 5 s later; exit status 124.
 */
export function timeLimit(limit: { timeoutSec?: number }): string {
  return limit.timeoutSec ? `timeout -k 5 ${Math.max(1, Math.ceil(limit.timeoutSec))} ` : '';
}

export function withBecome(command: string, become: Become): string {
  switch (become) {
    case 'none':
      return command;
    case 'doas':
      return `doas ${command}`;
    case 'sudo':
      // -n: fail rather than prompt for a password nobody can type.
      return `sudo -n ${command}`;
  }
}

/**
 * The stdin payload for SCRIPT. It runs in a subshell with stdin from /dev/null (an `exit`
 * in it ends only that subshell, and it cannot read the lifeline); `after` is shell text run
 * by the outer shell once the script has finished, with its status in $fj_rc (the host lock
 * uses it to report and then hold on).
 */
export function stdinScriptPayload(script: string, opts: { after?: string } = {}): string {
  if (script.includes('\0')) throw new Error('a shell script cannot contain a NUL byte');
  return [
    // fd 3: the lifeline, for the watcher (background jobs get /dev/null as stdin otherwise).
    'exec 3<&0',
    'fj_main() {',
    script.endsWith('\n') ? script.slice(0, -1) : script,
    '}',
    // On the end of stdin while the script still runs ($fj_sh alive and not finished): the
    // controller gave up, so end the process group. `kill 0` ends the watcher too.
    'fj_sh=$$',
    'fj_watch() { while IFS= read -r fj_l; do :; done; if kill -0 "$fj_sh" 2>/dev/null; then kill -TERM 0; fi; }',
    // One line, parsed whole: nothing runs unless everything above arrived.
    `fj_watch <&3 >/dev/null 2>&1 & fj_w=$!; (fj_main) </dev/null 3<&-; fj_rc=$?; kill "$fj_w" 2>/dev/null; ${opts.after ?? 'exit "$fj_rc"'}`,
    '',
  ].join('\n');
}
