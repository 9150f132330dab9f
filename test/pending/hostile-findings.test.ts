/**
 * Issue #11, second hostile pass: findings that pure code (and a real local sh) reproduce.
 * Every test here FAILED on the code it was written against; each comment gives the finding.
 * The lab half is test/integration/security/hostile-security.test.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rcValidation } from '../../src/modules/kit/rc-conf-edit.js';
import { atomicWriteScript } from '../../src/transport/atomic-write.js';

describe('hostile pass 2: unit-level findings', () => {
  // Finding: sysrc with `jail:` checks the new file by sourcing it inside the jail with
  // `jexec -- JAIL /bin/sh -c '...[ "$fj_v" = VALUE ]...'`: the VALUE (a password from an
  // age file, a vars_from_env token) is in the argv of jexec and of the jail's /bin/sh -c,
  // so any unprivileged user on the host sees it in `ps -ax -o args` while the check runs.
  // README ("Secrets", "Who can do what") promises the host's other users see no secret of
  // fleetjail's in ps. The value should reach the check on stdin or in a 0600 file.
  // Severity: leaks a secret.
  it("sysrc in a jail: the value being checked is not on jexec's command line", () => {
    const SECRET = 'S3cret-db-pw-4711';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-hostile-jexec-'));
    try {
      const root = path.join(dir, 'jail');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      const tmp = path.join(root, 'etc', '.rc.conf.fleetjail.abc123');
      fs.writeFileSync(tmp, `db_password="${SECRET}"\n`);
      // A stand-in jexec(8) that records its argv (as ps would show it) and runs the command in the "jail".
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'jexec'), `#!/bin/sh\nprintf '%s\\n' "jexec $*" >> ${dir}/argv\nshift 2\ncd ${root} && exec "$@"\n`, { mode: 0o755 });
      const validate = rcValidation('db_password', SECRET, { name: 'web', root });
      // As the atomic write runs it (%s is "$tmp"). The jail's /bin/sh is the host's here; the "$1"
      // inside is the file's path in the jail, resolved from the jail root by the cd above.
      const script = `PATH=${bin}:$PATH\ntmp=${tmp}\n( ${validate.split('%s').join('"$tmp"')} ) >/dev/null 2>&1; echo "status $?"`;
      execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
      const argv = fs.readFileSync(path.join(dir, 'argv'), 'utf8');
      expect(argv).toMatch(/^jexec -- web \/bin\/sh -c /); // the check did run through jexec
      expect(argv.includes(SECRET), `a host user's ps shows: ${argv}`).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Finding: writes into a jail check "no symlink below the jail's root" once, then use the
  // path (src/transport/confine.ts says so: "a jail that swaps a directory for a link in
  // between is not stopped by this"). The jail's root can widen the window at will (the
  // `rm -f -- DIR/.NAME.fleetjail.??????` glob reads the whole directory: fill it with a
  // million entries) and swap its /etc for a symlink to / in that window: mktemp, cat and mv
  // then resolve through the link from the HOST, and the file lands in the host's /etc.
  // README ("Injection and confinement") promises no path inside a jail reaches the host.
  // The script should resolve the directory once (cd into it and check `pwd -P` is under the
  // root, then use relative names) or refuse at use time. This test plays the jail root
  // winning the race: the swap happens when the script runs that rm. Severity: breaks a host
  // (a compromised jail writes any file of the host that a playbook writes in the jail).
  it('a jail that swaps its /etc for a symlink after the check does not get the write into the host', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-hostile-race-'));
    try {
      const root = path.join(dir, 'usr/jails/web');
      const hostEtc = path.join(dir, 'host-etc');
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.mkdirSync(hostEtc);
      fs.writeFileSync(path.join(root, 'etc', 'app.conf'), 'old\n');
      fs.writeFileSync(path.join(hostEtc, 'app.conf'), 'host file\n');
      // The jail root's move, timed to the script's first command after the check (an rm).
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      const realRm = execFileSync('/bin/sh', ['-c', 'command -v rm'], { encoding: 'utf8' }).trim();
      fs.writeFileSync(path.join(bin, 'rm'), `#!/bin/sh
case "$*" in *.fleetjail.*) if [ ! -L ${root}/etc ]; then ${realRm} -rf ${root}/etc.real; mv ${root}/etc ${root}/etc.real && ln -s ${hostEtc} ${root}/etc; fi ;; esac
exec ${realRm} "$@"
`, { mode: 0o755 });
      const script = atomicWriteScript(`${root}/etc/app.conf`, { confineTo: root });
      const r = execFileSync('/bin/sh', ['-c', `PATH=${bin}:$PATH; export PATH\n( ${script} ) <<'EOF' 2>&1; echo "status $?"\nwritten by fleetjail for the jail\nEOF\n`], { encoding: 'utf8' });
      expect(fs.readFileSync(path.join(hostEtc, 'app.conf'), 'utf8'), r).toBe('host file\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
