/**
 * The stdin payload run by a real local sh (dash here; FreeBSD's sh parses these forms the
 * same): it runs whole or not at all, its stdin is not the channel, `exit` in it ends only it,
 * and the end of its stdin (the controller giving up) ends what it started.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedFreebsdTools } from '../../support/freebsd-tools.js';
import { stdinScriptPayload, timeLimitMark } from '../../../src/transport/remote-script.js';
import { atomicWriteScript, transferHeader } from '../../../src/transport/atomic-write.js';
import { sha256Hex } from '../../../src/util/digest.js';

/**
 * In a session of its own (setsid): the payload's watcher ends its whole process group when
 * stdin ends early, which on a host is the SSH session's, and here must not be vitest's.
 * Stdin stays open until the shell exits (as the controller keeps it), unless CUT: then the
 * payload is all that comes (a transfer cut short).
 */
function runPayload(
  payload: string,
  opts: { cut?: boolean; after?: string } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('setsid', ['-w', '/bin/sh', '-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => {});
  child.stdin.write(payload + (opts.after ?? ''));
  if (opts.cut) child.stdin.end();
  return new Promise((resolve) =>
    child.on('close', (status) => {
      child.stdin.end();
      resolve({ status, stdout, stderr });
    }),
  );
}

/** Gone, or a zombie waiting for its reaper: not running any more. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('stdinScriptPayload', () => {
  it('runs the script and returns its status', async () => {
    const r = await runPayload(stdinScriptPayload('echo hello; echo oops >&2; exit 3'));
    expect(r).toMatchObject({ status: 3, stdout: 'hello\n', stderr: 'oops\n' });
  });

  it('a payload cut before the script is whole runs nothing of it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-cut-'));
    const marker = path.join(dir, 'ran');
    const payload = stdinScriptPayload(`echo first > ${marker}.1\nrm -rf ${dir}/keep\necho last > ${marker}.2\n`);
    const end = payload.indexOf('fj_main </dev/null');
    // (A cut after the call is the controller giving up once all had arrived: the lifeline
    // then stops the script, tested below.)
    for (let cut = 0; cut < end + 'fj_main'.length; cut += cut < end - 40 ? 9 : 2) {
      fs.rmSync(`${marker}.1`, { force: true });
      fs.rmSync(`${marker}.2`, { force: true });
      fs.mkdirSync(path.join(dir, 'keep'), { recursive: true });
      await runPayload(payload.slice(0, cut), { cut: true });
      const ran = [fs.existsSync(`${marker}.1`), !fs.existsSync(path.join(dir, 'keep')), fs.existsSync(`${marker}.2`)];
      expect(ran, `cut at ${cut}`).toEqual([false, false, false]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('the script reads /dev/null, not the channel', async () => {
    const r = await runPayload(stdinScriptPayload('cat; echo done'), { after: 'more input the script must not see\n' });
    expect(r.stdout).toBe('done\n');
  });

  it('the end of stdin while the script runs ends it and what it started', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-life-'));
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.stdin.write(stdinScriptPayload(`sleep 30 & echo $! > ${dir}/pid; wait; echo survived > ${dir}/after`));
    while (!fs.existsSync(`${dir}/pid`) || fs.readFileSync(`${dir}/pid`, 'utf8') === '') await new Promise((r) => setTimeout(r, 20));
    const pid = Number(fs.readFileSync(`${dir}/pid`, 'utf8'));
    child.stdin.end(); // the controller gives up
    await new Promise((r) => child.on('close', r));
    await new Promise((r) => setTimeout(r, 100));
    expect(running(pid)).toBe(false);
    expect(fs.existsSync(`${dir}/after`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('its time limit stops it, a part that ignores TERM too, and says so on stderr', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-limit-'));
    const started = Date.now();
    const r = await runPayload(stdinScriptPayload(`trap '' TERM; sleep 5; echo ran > ${dir}/ran`, { timeoutSec: 1, limitTag: 'tag1' }));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r.stderr).toContain(`\n${timeLimitMark('tag1')}\n`);
    await new Promise((res) => setTimeout(res, 5000));
    expect(fs.existsSync(`${dir}/ran`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('a script within its limit leaves no timer behind', async () => {
    const r = await runPayload(stdinScriptPayload('echo fast', { timeoutSec: 30 }));
    expect(r).toMatchObject({ status: 0, stdout: 'fast\n' });
    expect(r.stderr).toBe('');
    const left = spawnSync('pgrep', ['-f', '^sleep 30$'], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  });

  it('a script that finished leaves its background work alone when stdin ends later', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-bg-'));
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.stdin.write(stdinScriptPayload(`(sleep 1; echo timer > ${dir}/fired) </dev/null >/dev/null 2>&1 &\nexit 0`));
    await new Promise((r) => child.on('exit', r));
    child.stdin.end();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fs.readFileSync(`${dir}/fired`, 'utf8')).toBe('timer\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('verified atomic writes', () => {
  beforeAll(() => {
    sharedFreebsdTools();
  }, 120_000); // compiles the lab's C commands on a cold cache
  const write = (target: string, stdin: Buffer | string) =>
    spawnSync('/bin/sh', ['-c', atomicWriteScript(target, { verify: 'header' })], {
      input: stdin,
      encoding: 'utf8',
      // The lab's FreeBSD stat, sha256, mv and chmod stand in for the host's.
      env: sharedFreebsdTools().env,
    });

  it('writes the content when its length and sha256 match', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-aw-'));
    const target = path.join(dir, 'f');
    const r = write(target, transferHeader(6, sha256Hex('hello\n')) + 'hello\n');
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('hello\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a short or corrupt transfer leaves the old file and no temp file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-aw-'));
    const target = path.join(dir, 'f');
    fs.writeFileSync(target, 'old\n');
    const content = 'x'.repeat(100_000);
    const short = write(target, transferHeader(content.length, sha256Hex(content)) + content.slice(0, 40_000));
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/short transfer: 40000 of 100000 bytes arrived; the old file is kept/);
    const corrupt = write(target, transferHeader(content.length, sha256Hex(content)) + 'y' + content.slice(1));
    expect(corrupt.stderr).toMatch(/corrupt transfer/);
    const none = write(target, '');
    expect(none.stderr).toMatch(/no transfer header/);
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir)).toEqual(['f']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
