/**
 * What integration tests need to know about the running lab: its hosts, inventory,
 * known_hosts and client key, and a plain OpenSSH-client runner for checking a host's
 * state independently of fleetjail's own transport.
 */
import { execFile } from 'node:child_process';
import { defaultLayout, paths } from '../lab/layout.js';
import { readState, type LabHost } from '../lab/fleet.js';

export const labLayout = defaultLayout();
export const labPaths = paths(labLayout);

export function labHosts(): LabHost[] {
  const hosts = readState(labLayout).hosts;
  if (hosts.length === 0) throw new Error("the lab is not up (the lab project's global setup brings it up)");
  return hosts;
}

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run COMMAND on a lab host through the OpenSSH client (as `user`, default root). */
export function sshRun(host: LabHost, command: string, opts: { user?: string; stdin?: string } = {}): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'ssh',
      [
        '-q',
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${labPaths.knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-i',
        labPaths.clientKey,
        '-l',
        opts.user ?? 'root',
        host.address,
        command,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    else child.stdin?.end();
  });
}

/**
 * Run a multi-line sh SCRIPT on a lab host whatever its login shell (tcsh rejects newlines in
 * quotes). The script arrives on stdin and is read whole before it runs, so the commands in it
 * see an empty stdin (with `sh -s` a command reading stdin would eat the rest of the script).
 */
export function shRun(host: LabHost, script: string, opts: { user?: string } = {}): Promise<ShellResult> {
  return sshRun(host, `sh -c 'eval "$(cat)"'`, { ...opts, stdin: script });
}
