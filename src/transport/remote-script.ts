/**
 * How a script reaches the host: on the command's standard input, never in its command line.
 *
 * The command line is a fixed `/bin/sh -s` (after doas / sudo -n): nothing of the script, so
 * no file content, rc.conf text or value of a secret, is visible to the host's other users in
 * `ps`, and no login shell (csh/tcsh) parses it. The script arrives on stdin inside a
 * function definition, which sh parses whole before running any of it: a transfer cut short
 * (connection lost, controller killed) leaves the definition unfinished and nothing runs,
 * never half a script.
 *
 * The script runs in the background of the shell that read it, which waits for it and can
 * stop it: TERM to the whole process group, then KILL a second later, so that a command that
 * ignores TERM does not outlive the decision. Two things stop it:
 *
 *  - its time limit (-T, a step's `timeout:`), kept by a timer on the host; the controller
 *    reads the stderr line timeLimitMark(TAG) and reports a timeout (TAG is the session's
 *    secret: a command cannot forge the line);
 *  - its lifeline: the channel's stdin stays open while the script runs. When the controller
 *    gives up (a timeout of its own, an interrupt, killed, the network gone: sshd closes the
 *    pipe in every case), a watcher sees the end of stdin and stops the script.
 *
 * A script that finished ends the watcher and the timer first, so what it started in the
 * background on purpose (a daemon that detached itself, pf's rollback timer) is left alone.
 * The limit is not timeout(1): FreeBSD's waits for every descendant of the command (it is
 * their reaper), so a step that starts a daemon would not return until the limit.
 */
import type { Become } from './types.js';

/** The stderr line with which the host says a script was stopped at its time limit. */
export function timeLimitMark(tag: string): string {
  return `@@fj:time-limit:${tag}`;
}

/** The command line that reads its script from stdin. */
export function stdinScriptCommand(become: Become = 'none'): string {
  return withBecome('/bin/sh -s', become);
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
export function stdinScriptPayload(script: string, opts: { after?: string; timeoutSec?: number; limitTag?: string } = {}): string {
  if (script.includes('\0')) throw new Error('a shell script cannot contain a NUL byte');
  const limit = opts.timeoutSec !== undefined && opts.timeoutSec > 0 ? Math.max(1, Math.ceil(opts.timeoutSec)) : undefined;
  return [
    // fd 3: the lifeline, for the watcher (background jobs get /dev/null as stdin otherwise).
    'exec 3<&0',
    'fj_main() {',
    script.endsWith('\n') ? script.slice(0, -1) : script,
    '}',
    'fj_sh=$$',
    // Stop everything this command started that is still in its process group: TERM, then
    // KILL (the outer shell included, which ends the command with that signal).
    "fj_end() { trap '' TERM; kill -TERM 0 2>/dev/null; sleep 1; kill -KILL 0; }",
    'fj_watch() { while IFS= read -r fj_l; do :; done; kill -TERM "$fj_sh" 2>/dev/null; }',
    // The timer's sleep runs in the background so that the timer, ended by TERM, ends it too
    // (a lingering sleep would hold nothing, but would linger); fd 5 is the command's stderr.
    `fj_limit() { sleep ${limit ?? 0} 5>&- & fj_s=$!; trap 'kill "$fj_s" 2>/dev/null; exit 0' TERM; if wait "$fj_s"; then printf '\\n${timeLimitMark(opts.limitTag ?? 'untagged')}\\n' >&5; kill -TERM "$fj_sh"; fi; }`,
    // One line, parsed whole: nothing runs unless everything above arrived.
    [
      'trap fj_end TERM',
      'fj_watch <&3 >/dev/null 2>&1 & fj_w=$!',
      limit !== undefined ? 'fj_limit 5>&2 </dev/null >/dev/null 2>&1 & fj_t=$!' : 'fj_t=',
      'fj_main </dev/null 3<&- & fj_m=$!',
      'wait "$fj_m"; fj_rc=$?',
      'kill "$fj_w" $fj_t 2>/dev/null',
      'trap - TERM',
      opts.after ?? 'exit "$fj_rc"',
    ].join('; '),
    '',
  ].join('\n');
}
