import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../src/engine/apply.js';
import { EditedFiles } from '../../../src/engine/file-edits.js';
import type { Change } from '../../../src/modules/kit/contract.js';
import { ConnectError } from '../../../src/transport/errors.js';
import { LocalHost } from './support/local-host.js';

/** A confirmed change that logs each phase into the host's file `log`. */
function change(apply = 'cat >> log; echo applied >> log'): Change {
  return {
    summary: 'risky',
    action: {
      kind: 'confirmed',
      apply,
      stdin: 'new rules\n',
      commit: 'echo committed >> log',
      rollback: 'echo rolled back >> log',
      timeoutSec: 30,
    },
    touches: [],
  };
}

const log = (h: LocalHost) => fs.readFileSync(h.p('log'), 'utf8');

describe('a change confirmed through a new session', () => {
  it('applies over the session, then commits over a NEW one', async () => {
    const h = new LocalHost();
    const fresh = new LocalHost();
    fresh.run = (script, opts) => h.run(script, opts); // the same host, reached again
    const r = await applyChanges(h, [change()], { files: new EditedFiles(), reconnect: async () => fresh });
    expect(r.outcomes[0]).toMatchObject({ ok: true });
    expect(log(h)).toBe('new rules\napplied\ncommitted\n');
    expect(fresh.closed).toBe(true);
    expect(r.roundTrips).toBe(2);
  });

  it('rolls back at once when no new session gets in, and says so', async () => {
    const h = new LocalHost();
    const r = await applyChanges(h, [change()], {
      files: new EditedFiles(),
      reconnect: async () => {
        throw new ConnectError('refused', 'h', 'connection refused');
      },
    });
    expect(log(h)).toBe('new rules\napplied\nrolled back\n');
    expect(r.outcomes[0]?.ok).toBe(false);
    expect(r.outcomes[0]?.error).toBe(
      'a new SSH session could not get in after the change (h: connection refused); the change was rolled back at once',
    );
  });

  it("a failing apply is the step's failure; no new session is tried", async () => {
    const h = new LocalHost();
    let tried = false;
    const r = await applyChanges(h, [change('echo applied >> log; echo "rules do not load" >&2; exit 1')], {
      files: new EditedFiles(),
      reconnect: async () => {
        tried = true;
        return h;
      },
    });
    expect(r.outcomes[0]?.error).toBe('exit status 1: rules do not load');
    expect(tried).toBe(false);
    expect(log(h)).toBe('applied\n');
  });
});
