/**
 * The lab's md5(1) family in C (userland/lib/digest/digest.c) against node's crypto (the
 * algorithms, across block boundaries) and against its first version, digest.sh over
 * GNU coreutils (kept as the reference): the same invocations through both, stdout,
 * stderr and exit codes compared. Where digest.sh was not FreeBSD's, the C one is checked
 * against FreeBSD's behaviour instead.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../lab/c-commands.js';
import { USERLAND_DIR } from '../../lab/layout.js';

let dir: string;
const ALGOS: Record<string, string> = {
  md5: 'md5',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512t224: 'sha512-224',
  sha512t256: 'sha512-256',
};

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}
const run = (cmd: string, args: string[], stdin?: string | Buffer, env: Record<string, string> = {}): Result => {
  const r = spawnSync(cmd, args, { cwd: path.join(dir, 'files'), env: { PATH: process.env.PATH, ...env }, input: stdin, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
};
const viaC = (algo: string, args: string[], stdin?: string | Buffer) => run(path.join(dir, algo), args, stdin);
const viaSh = (algo: string, args: string[], stdin?: string) =>
  run('sh', [path.join(USERLAND_DIR, 'lib/digest/digest.sh'), algo, ...args], stdin, { LAB_DIGEST_TOOLS: '/usr/bin' });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-digest-'));
  const bin = path.join(dir, 'md5');
  compile(
    ['digest.c', 'hashes.c'].map((f) => path.join(USERLAND_DIR, 'lib/digest', f)),
    bin,
  );
  for (const a of Object.keys(ALGOS)) if (a !== 'md5') fs.symlinkSync('md5', path.join(dir, a));
  fs.mkdirSync(path.join(dir, 'files'));
  fs.writeFileSync(path.join(dir, 'files/d.txt'), "it's a file\nwith two lines\n");
  fs.writeFileSync(path.join(dir, 'files/empty'), '');
  fs.mkdirSync(path.join(dir, 'files/sub'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the digest algorithms', () => {
  it("match node's crypto for every algorithm, around the block and padding boundaries", () => {
    const data = crypto.randomBytes(300);
    for (const [prog, algo] of Object.entries(ALGOS)) {
      for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 111, 112, 113, 127, 128, 129, 300]) {
        const input = data.subarray(0, n);
        expect(viaC(prog, [], input).stdout, `${prog} ${n}`).toBe(crypto.createHash(algo).update(input).digest('hex') + '\n');
      }
    }
  });

  it('hash a file larger than the read buffer', () => {
    const big = crypto.randomBytes(200_000);
    fs.writeFileSync(path.join(dir, 'files/big'), big);
    expect(viaC('sha512', ['-q', 'big']).stdout).toBe(crypto.createHash('sha512').update(big).digest('hex') + '\n');
  });
});

/** Invocations digest.sh had right (it implements md5, sha1, sha256, sha512). */
const SAME: Array<[string, string[], string?]> = [
  ['sha256', ['d.txt']],
  ['sha256', ['-q', 'd.txt']],
  ['sha256', ['-r', 'd.txt']],
  ['sha256', ['-r', '-q', 'd.txt']],
  ['sha256', ['-q', '-r', 'd.txt']],
  ['sha512', ['-q', 'd.txt', 'empty']],
  ['md5', ['d.txt']],
  ['sha1', ['-r', 'd.txt', 'empty']],
  ['sha256', ['-s', 'abc']],
  ['sha256', ['-q', '-s', 'abc']],
  ['sha256', ['-r', '-s', 'abc']],
  ['sha256', ['-s', 'abc', 'd.txt']],
  ['sha256', [], 'abc'],
  ['sha256', ['-q'], 'abc'],
  ['sha256', ['-r'], 'abc'],
  ['sha256', ['missing']],
  ['sha256', ['d.txt', 'missing', 'empty']],
  ['sha256', ['sub']],
  ['sha256', ['-q', '-c', '0000', 'd.txt']],
  ['sha256', ['-q', '-c', crypto.createHash('sha256').update("it's a file\nwith two lines\n").digest('hex'), 'd.txt']],
  ['sha256', ['-c', crypto.createHash('sha256').update("it's a file\nwith two lines\n").digest('hex'), 'd.txt']],
  ['sha256', ['-p']],
  ['sha256', ['-t']],
  ['sha256', ['-x']],
];

describe('the md5(1) family in C against digest.sh', () => {
  it.each(SAME.map(([a, args, stdin]) => [`${a} ${args.join(' ')}`, a, args, stdin]))('%s', (_n, algo, args, stdin) => {
    expect(viaC(algo as string, args as string[], stdin as string | undefined)).toEqual(
      viaSh(algo as string, args as string[], stdin as string | undefined),
    );
  });
});

describe("the md5(1) family in C where digest.sh was not FreeBSD's", () => {
  const sum = crypto.createHash('sha256').update("it's a file\nwith two lines\n").digest('hex');

  it('marks a -c mismatch with " [ Failed ]" (" [ failed ]" for -s) unless -q, exit 2', () => {
    expect(viaC('sha256', ['-c', '0000', 'd.txt'])).toEqual({ stdout: `SHA256 (d.txt) = ${sum} [ Failed ]\n`, stderr: '', code: 2 });
    expect(viaC('sha256', ['-c', 'x', '-s', 'abc']).stdout).toMatch(/^SHA256 \("abc"\) = [0-9a-f]{64} \[ failed \]\n$/);
    expect(viaC('sha256', ['-c', sum.toUpperCase(), 'd.txt']).code).toBe(0); // case-insensitive
  });

  it('an unreadable file (exit 1) wins over a -c mismatch (exit 2)', () => {
    expect(viaC('sha256', ['-q', '-c', '0000', 'd.txt', 'missing']).code).toBe(1);
  });

  it('"-" is stdin; with -c and no operands stdin is not read', () => {
    expect(viaC('sha256', ['-r', '-'], 'abc').stdout).toBe(`${crypto.createHash('sha256').update('abc').digest('hex')} -\n`);
    expect(viaC('sha256', ['-c', '0000'], 'abc')).toEqual({ stdout: '', stderr: '', code: 0 });
  });

  it("bad options: getopt's messages and the usage, exit 1", () => {
    expect(viaC('sha256', ['-c'])).toEqual({
      stdout: '',
      code: 1,
      stderr: 'sha256: option requires an argument -- c\nusage: sha256 [-pqrtx] [-c string] [-s string] [files ...]\n',
    });
    expect(viaC('sha256', ['-z', 'd.txt'])).toEqual({
      stdout: '',
      code: 1,
      stderr: 'sha256: illegal option -- z\nusage: sha256 [-pqrtx] [-c string] [-s string] [files ...]\n',
    });
  });

  it("sha224, sha384 and the sha512t names label their output as FreeBSD's", () => {
    for (const [prog, label] of [
      ['sha224', 'SHA224'],
      ['sha384', 'SHA384'],
      ['sha512t256', 'SHA512t256'],
      ['sha512t224', 'SHA512t224'],
    ]) {
      expect(viaC(prog as string, ['empty']).stdout).toBe(
        `${label} (empty) = ${crypto
          .createHash(ALGOS[prog as string]!)
          .update('')
          .digest('hex')}\n`,
      );
    }
  });
});
