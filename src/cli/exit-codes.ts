/**
 * Exit codes, made for cron: 0 every host ok; 1 usage or configuration error (nothing
 * was contacted); 2 at least one host failed; 4 at least one host was unreachable;
 * 6 both (the codes are bit flags, so `$? & 4` tests for unreachable hosts).
 */
export const EXIT_OK = 0;
export const EXIT_CONFIG = 1;
export const EXIT_HOST_FAILED = 2;
export const EXIT_HOST_UNREACHABLE = 4;

export function exitCodeFor(statuses: Iterable<string>): number {
  let code = EXIT_OK;
  for (const s of statuses) {
    if (s === 'failed') code |= EXIT_HOST_FAILED;
    if (s === 'unreachable') code |= EXIT_HOST_UNREACHABLE;
  }
  return code;
}
