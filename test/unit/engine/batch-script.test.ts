import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildBatchScript, buildFactScript, splitBatchOutput, splitFactOutput } from '../../../src/engine/batch-script.js';
import type { FactQuery } from '../../../src/modules/kit/contract.js';
import type { FactKey } from '../../../src/facts/resources.js';

const q = (script: string): FactQuery<unknown> => ({ key: script as FactKey, script, resources: [], parse: (o) => o });

function runBatch(queries: Array<FactQuery<unknown>>, nonce = 'abc123') {
  const r = spawnSync('/bin/sh', ['-c', buildFactScript(queries, nonce)], { encoding: 'utf8' });
  return { status: r.status, results: splitFactOutput(r.stdout, queries.length, nonce) };
}

describe('fact batch', () => {
  it("keeps each query's stdout, stderr and exit status apart", () => {
    const { status, results } = runBatch([
      q('echo one'),
      q('echo out; echo err >&2; exit 3'),
      q('printf "no newline"'),
      q('printf "\\n\\ntwo blank lines first\\n\\n"'),
    ]);
    expect(status).toBe(0);
    expect(results).toEqual([
      { stdout: 'one\n', stderr: '', exitCode: 0 },
      // stderr as a command substitution keeps it: without its final newlines
      { stdout: 'out\n', stderr: 'err', exitCode: 3 },
      { stdout: 'no newline', stderr: '', exitCode: 0 },
      { stdout: '\n\ntwo blank lines first\n\n', stderr: '', exitCode: 0 },
    ]);
  });

  it('a query that exits, fails or reads stdin does not disturb the others', () => {
    const { results } = runBatch([q('exit 7'), q('cat; echo after-cat'), q('false'), q('set -e; false; echo never'), q('echo last')]);
    expect(results.map((r) => r?.exitCode)).toEqual([7, 0, 1, 1, 0]);
    expect(results[1]?.stdout).toBe('after-cat\n');
    expect(results[4]?.stdout).toBe('last\n');
  });

  it("output that looks like another nonce's markers is content", () => {
    const { results } = runBatch([q(`echo '@@fj:other:end:0'; echo '@@fj:abc12:out:1'`), q('echo b')]);
    expect(results[0]?.stdout).toBe('@@fj:other:end:0\n@@fj:abc12:out:1\n');
    expect(results[1]?.stdout).toBe('b\n');
  });

  it('queries whose frames never arrived have no result (the script died)', () => {
    const script = buildFactScript([q('echo a'), q('kill -9 $$'), q('echo c')], 'n1');
    const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(splitFactOutput(r.stdout, 3, 'n1')).toEqual([{ stdout: 'a\n', stderr: '', exitCode: 0 }, undefined, undefined]);
  });

  it('runs under LC_ALL=C', () => {
    expect(runBatch([q('echo "$LC_ALL"')]).results[0]?.stdout).toBe('C\n');
  });
});

describe('change batches', () => {
  it('a failing snippet marked stopOnFailure ends the script; others go on', () => {
    const script = buildBatchScript(
      [
        { script: 'set -e\necho one', stopOnFailure: true },
        { script: 'set -e\nfalse\necho not printed', stopOnFailure: false },
        { script: 'set -e\necho three; exit 4', stopOnFailure: true },
        { script: 'echo never', stopOnFailure: true },
      ],
      'n2',
    );
    const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(splitBatchOutput(r.stdout, 4, 'n2')).toEqual([
      { stdout: 'one\n', stderr: '', exitCode: 0 },
      { stdout: '', stderr: '', exitCode: 1 },
      { stdout: 'three\n', stderr: '', exitCode: 4 },
      undefined,
    ]);
  });
});
