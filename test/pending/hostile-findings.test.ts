/**
 * Issue #11, second hostile pass: findings that pure code (and a real local sh) reproduce.
 * Every test here FAILED on the code it was written against; each comment gives the finding.
 * The lab half is test/integration/security/hostile-security.test.ts. Fixed and moved: the jail
 * sysrc value in jexec's argv and the check-then-use race of a jail write
 * (test/unit/security/hostile-writes.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { PrefixedLineWriter } from '../../src/cli/host-output.js';

describe('hostile pass 2: unit-level findings', () => {
  // Finding: `fleetjail exec` streams a host's output through PrefixedLineWriter, which
  // concatenates and re-splits the whole pending partial line on every chunk. A host that
  // prints one long line without a newline makes this quadratic: 16 MiB in 32 KiB chunks
  // took ~20 s of blocked event loop here (every other host's stream, timers, SIGINT
  // handling stall with it); 64 MiB takes minutes. Linear handling takes milliseconds.
  // Severity: a malicious host stalls the controller (denial of service for the fleet).
  it('a host printing 16 MiB without a newline does not freeze the exec stream (linear, not quadratic)', () => {
    let written = 0;
    const w = new PrefixedLineWriter('h | ', (t) => { written += t.length; });
    const chunk = 'a'.repeat(32 * 1024);
    const started = performance.now();
    for (let i = 0; i < 512; i++) w.push(chunk);
    w.flush();
    const ms = performance.now() - started;
    expect(written).toBe(16 * 1024 * 1024 + 'h | \n'.length);
    expect(ms).toBeLessThan(2000);
  }, 120_000);
});
