import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labHosts, labPaths, sshRun } from '../support/lab.js';

describe('lab fleet', () => {
  it('every host answers over SSH with its own hostname', async () => {
    const hosts = labHosts();
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    const results = await Promise.all(hosts.map((h) => sshRun(h, 'hostname')));
    expect(results.map((r) => r.stdout.trim())).toEqual(hosts.map((h) => h.name));
  });

  it("a write to /etc on one host lands in that host's root only", async () => {
    const [a, b] = labHosts() as [ReturnType<typeof labHosts>[0], ReturnType<typeof labHosts>[0]];
    const marker = `probe-${Date.now()}`;
    expect((await sshRun(a, `echo ${marker} > /etc/lab-probe`)).code).toBe(0);
    expect(fs.readFileSync(path.join(labPaths.hostRoot(a.name), 'etc/lab-probe'), 'utf8').trim()).toBe(marker);
    expect((await sshRun(b, 'cat /etc/lab-probe')).code).not.toBe(0);
    expect(fs.existsSync('/etc/lab-probe')).toBe(false);
    await sshRun(a, 'rm -f /etc/lab-probe');
  });

  it('alternates login shells and lets ops become root with doas', async () => {
    const hosts = labHosts();
    const shells = await Promise.all(hosts.slice(0, 2).map((h) => sshRun(h, 'echo $0', { user: 'ops' })));
    // sshd runs the login shell as `SHELL -c`: $0 names it (csh/tcsh print the shell's name).
    expect(shells[0]?.stdout.trim()).toMatch(/sh$/);
    expect(shells[1]?.stdout.trim()).toMatch(/tcsh$/);
    const become = await sshRun(hosts[0]!, 'doas id -u', { user: 'ops' });
    expect(become.stdout.trim()).toBe('0');
  });

  it('each host sees only its own processes', async () => {
    const r = await sshRun(labHosts()[0]!, 'ps -e -o pid= -o comm=');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim());
    expect(lines[0]).toMatch(/^1 /);
    expect(lines.length).toBeLessThan(20);
  });
});
