/**
 * Exit codes, made for cron: 0 every host ok; 1 usage or configuration error (nothing
 * was contacted); 2 at least one host failed; 4 at least one host was unreachable;
 * 8 the run was interrupted (SIGINT/SIGTERM) before every host finished; 16 the report
 * (--report) could not be written, after the hosts were contacted. The codes are
 * bit flags (6 = failed and unreachable), so `$? & 4` tests for unreachable hosts.
 */
export const EXIT_OK = 0;
export const EXIT_CONFIG = 1;
export const EXIT_HOST_FAILED = 2;
export const EXIT_HOST_UNREACHABLE = 4;
export const EXIT_INTERRUPTED = 8;
export const EXIT_REPORT_LOST = 16;

export function exitCodeFor(statuses: Iterable<string>): number {
  let code = EXIT_OK;
  for (const s of statuses) {
    if (s === 'failed') code |= EXIT_HOST_FAILED;
    if (s === 'unreachable') code |= EXIT_HOST_UNREACHABLE;
    if (s === 'interrupted') code |= EXIT_INTERRUPTED;
  }
  return code;
}
