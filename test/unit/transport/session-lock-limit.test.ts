/**
 * The host lock's first script keeps its time limit (session.ts), against a fake ssh2 client
 * whose channel delivers what a test chooses. The limit is kept on the host, inside the
 * payload that runs once lockf has the lock (so it counts from then), and the host says
 * when it stopped the script: a TIME_LIMIT_MARK line on stderr, wherever it falls in a chunk.
 * (A hostile tester found that the controller-side "acquired" marker this replaced could be
 * missed when it shared a chunk with fact output.)
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Client } from 'ssh2';
import { SshHostSession } from '../../../src/transport/session.js';

/** The host's "stopped at the limit" line, as the payload written to the channel spells it (its tag is the session's secret). */
const markOf = (written: string[]) => /@@fj:time-limit:[0-9a-f]+/.exec(written.join(''))?.[0] ?? 'no-mark-in-payload';

/**
 * A client with one exec channel: once it opens and the payload is written, `stdout` and the
 * `stderr(payload)` chunks are sent, then it closes with a signal.
 */
function fakeClient(stdout: string[], stderr: (written: string[]) => string[], written: string[]): Client {
  const client = new EventEmitter() as EventEmitter & { exec: unknown; end: () => void };
  client.exec = (_command: string, cb: (err: Error | undefined, channel: unknown) => void) => {
    const channel = new EventEmitter() as EventEmitter & Record<string, unknown>;
    const errStream = new EventEmitter();
    channel.stderr = errStream;
    channel.write = (text: string) => written.push(text);
    channel.end = () => setImmediate(() => channel.emit('close'));
    channel.close = () => channel.emit('close');
    cb(undefined, channel);
    setImmediate(() => {
      for (const c of stdout) channel.emit('data', Buffer.from(c));
      for (const c of stderr(written)) errStream.emit('data', Buffer.from(c));
      channel.emit('exit', null, 'KILL');
      channel.emit('close');
    });
  };
  client.end = () => {};
  return client as unknown as Client;
}

const lockOpts = { waitSec: 1, holder: 'test', nonce: 'abc', timeoutMs: 2500 };

describe('the host lock: the facts round trip keeps its time limit', () => {
  it('the payload run under lockf carries the limit, counted from when the lock is had', async () => {
    const written: string[] = [];
    const session = new SshHostSession(
      'fake',
      fakeClient([], (w) => [`\n${markOf(w)}\n`], written),
      { become: 'none', commandTimeoutMs: 0 },
    );
    await expect(session.lock('true', lockOpts)).rejects.toThrow(/timed out after 2\.5 s/);
    expect(written.join('')).toMatch(/fj_limit\(\) \{ sleep 3 /);
  });

  it("the host's time-limit line is found among fact output in the same chunk", async () => {
    const written: string[] = [];
    const session = new SshHostSession(
      'fake',
      fakeClient(
        [`@@fj:0123456789abcdef:out:0\n${'x'.repeat(200)}`],
        (w) => [`${'y'.repeat(300)}\n${markOf(w)}\n${'z'.repeat(300)}`],
        written,
      ),
      { become: 'none', commandTimeoutMs: 0 },
    );
    await expect(session.lock('true', lockOpts)).rejects.toThrow(/timed out after/);
  });

  it("a time-limit line without the session's tag (printed by a command) is not a timeout", async () => {
    const session = new SshHostSession(
      'fake',
      fakeClient([], () => ['\n@@fj:time-limit\n', '\n@@fj:time-limit:0123456789abcdef\n'], []),
      { become: 'none', commandTimeoutMs: 0 },
    );
    // What the command did stands (here: ended by a signal), not a timeout nobody had.
    await expect(session.run('true')).resolves.toMatchObject({ signal: 'KILL' });
  });
});
