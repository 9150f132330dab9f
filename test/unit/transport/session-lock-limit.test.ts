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
import { TIME_LIMIT_MARK } from '../../../src/transport/remote-script.js';

/** A client with one exec channel: `stdout` and `stderr` chunks are sent once it opens, then it closes with a signal. */
function fakeClient(stdout: string[], stderr: string[], written: string[]): Client {
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
      for (const c of stderr) errStream.emit('data', Buffer.from(c));
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
    const session = new SshHostSession('fake', fakeClient([], [`\n${TIME_LIMIT_MARK}\n`], written), { become: 'none', commandTimeoutMs: 0 });
    await expect(session.lock('true', lockOpts)).rejects.toThrow(/timed out after 2\.5 s/);
    expect(written.join('')).toMatch(/fj_limit\(\) \{ sleep 3 /);
  });

  it('the host\'s time-limit line is found among fact output in the same chunk', async () => {
    const session = new SshHostSession('fake', fakeClient([`@@fj:0123456789abcdef:out:0\n${'x'.repeat(200)}`], [`${'y'.repeat(300)}\n${TIME_LIMIT_MARK}\n${'z'.repeat(300)}`], []), { become: 'none', commandTimeoutMs: 0 });
    await expect(session.lock('true', lockOpts)).rejects.toThrow(/timed out after/);
  });
});
