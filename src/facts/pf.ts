/**
 * pf's state from the first line of `pfctl -s info` (stderr included):
 *
 *   Status: Enabled for 161 days 21:24:45         Debug: Urgent
 *   Status: Disabled for 0 days 00:00:00          Debug: Urgent
 *   pfctl: /dev/pf: No such file or directory     (pf.ko not loaded)
 */
export type PfStatus = 'enabled' | 'disabled' | 'not-loaded';

export function parsePfStatus(output: string): PfStatus {
  const first = output.split('\n').find((l) => l.trim() !== '') ?? '';
  if (/^Status: Enabled\b/.test(first)) return 'enabled';
  if (/^Status: Disabled\b/.test(first)) return 'disabled';
  if (/\/dev\/pf: No such file or directory/.test(first)) return 'not-loaded';
  throw new Error(`unexpected output of pfctl -s info: ${JSON.stringify(first)}`);
}
