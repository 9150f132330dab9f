/**
 * service(8) output. `service NAME rcvar` prints rc.subr's rcvar listing:
 *
 *   # sshd
 *   #
 *   sshd_enable="YES"
 *   #   (default: "")
 *
 * (the variable's current value after rc.conf and friends are sourced). `service -e` lists
 * the rc scripts of enabled services, one path a line.
 */

export interface ServiceRcvar {
  /** The enable variable, e.g. sshd_enable; undefined for scripts without one (always enabled). */
  rcvar?: string;
  value?: string;
}

/** Returns undefined when service(8) says the script does not exist. */
export function parseServiceRcvar(output: string): ServiceRcvar | undefined {
  if (/does not exist in \/etc\/rc\.d/.test(output)) return undefined;
  for (const line of output.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)="(.*)"$/.exec(line.trim());
    if (m) return { rcvar: m[1] as string, value: m[2] as string };
  }
  return {};
}

/** Names of the enabled services (the rc script's file name). */
export function parseServiceEnabledList(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'))
    .map((l) => l.slice(l.lastIndexOf('/') + 1));
}
