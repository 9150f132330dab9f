/**
 * The lab's sysrc(8) (test/lab/userland/overlay/usr/sbin/sysrc, POSIX sh + awk) against
 * FreeBSD's own test suite for sysrc (test/support/sysrc-freebsd-cases.ts): it runs without a
 * host, so each case runs here, under this machine's /bin/sh, in a scratch directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FREEBSD_SYSRC_CASES } from '../../support/sysrc-freebsd-cases.js';

const SYSRC = path.resolve('test/lab/userland/overlay/usr/sbin/sysrc');

describe("the lab's sysrc(8) passes FreeBSD's sysrc tests", () => {
  for (const c of FREEBSD_SYSRC_CASES) {
    it(c.name, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-sysrc-'));
      try {
        const vars: Record<string, string> = {
          $CONF2: path.join(dir, 'sysrc2.conf'),
          $CONF: path.join(dir, 'sysrc_test.conf'),
          $DEFAULTS: path.join(dir, 'rc_defaults.conf'),
          $SYSRC: SYSRC,
        };
        const subst = (s: string) => Object.entries(vars).reduce((t, [k, v]) => t.replaceAll(k, v), s);
        for (const [k, content] of Object.entries(c.files)) fs.writeFileSync(vars[`$${k}`] as string, subst(content));
        for (const step of c.steps) {
          const env = {
            PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
            ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, subst(v)])),
          };
          const run = spawnSync(SYSRC, step.args.map(subst), { cwd: dir, env, encoding: 'utf8' });
          const what = `sysrc ${step.args.join(' ')}`;
          expect({ out: run.stdout, err: run.stderr, exit: run.status }, what).toEqual({
            out: subst(step.stdout ?? ''),
            err: subst(step.stderr ?? ''),
            exit: step.exit ?? 0,
          });
          if (step.conf !== undefined) {
            const conf = vars.$CONF as string;
            expect(fs.existsSync(conf) ? fs.readFileSync(conf, 'utf8') : null, `${what}: the file`).toBe(
              step.conf === null ? null : subst(step.conf),
            );
          }
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
