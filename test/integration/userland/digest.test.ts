/** FreeBSD's md5/sha256/sha512 in the lab, and no GNU *sum tools on the PATH. */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { labHosts, sshRun } from '../../support/lab.js';

const host = () => labHosts()[0]!;
const content = "it's a file\nwith two lines\n";
const hex = (algo: string, data: string) => crypto.createHash(algo).update(data).digest('hex');

describe('md5(1) family', () => {
  it("prints FreeBSD's formats: default, -q, -r, -s, stdin", async () => {
    expect((await sshRun(host(), 'cat > /tmp/d.txt', { stdin: content })).code).toBe(0);
    const r = await sshRun(
      host(),
      `sha256 /tmp/d.txt; sha256 -q /tmp/d.txt; sha256 -r /tmp/d.txt; sha512 -q /tmp/d.txt; md5 /tmp/d.txt
sha256 -s "abc"; printf abc | sha256`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `SHA256 (/tmp/d.txt) = ${hex('sha256', content)}`,
      hex('sha256', content),
      `${hex('sha256', content)} /tmp/d.txt`,
      hex('sha512', content),
      `MD5 (/tmp/d.txt) = ${hex('md5', content)}`,
      `SHA256 ("abc") = ${hex('sha256', 'abc')}`,
      hex('sha256', 'abc'),
      '',
    ]);
  });

  it("exits 2 when -c differs and 1 for an unreadable file, with FreeBSD's message", async () => {
    const r = await sshRun(host(), 'echo x > /tmp/e; sha256 -q -c 0000 /tmp/e >/dev/null; echo "c=$?"; sha256 /nonexistent; echo "m=$?"');
    expect(r.stdout).toContain('c=2');
    expect(r.stdout).toContain('m=1');
    expect(r.stderr).toContain('sha256: /nonexistent: No such file or directory');
  });

  it('has no GNU sha256sum / md5sum on the PATH', async () => {
    for (const gnu of ['sha256sum', 'md5sum', 'sha512sum']) {
      const r = await sshRun(host(), `command -v ${gnu} || echo missing`);
      expect(r.stdout.trim(), gnu).toBe('missing');
      expect((await sshRun(host(), `${gnu} /etc/rc.conf`)).code, gnu).toBe(127);
    }
  });
});
