/**
 * Gathering facts: the queries of many steps as one script, one round trip, split back into
 * each query's output in the host's fact cache.
 */
import type { FactQuery } from '../modules/kit/contract.js';
import type { RunResult } from '../transport/types.js';
import type { PreparedStep } from '../playbook/prepare.js';
import { buildFactScript, newNonce, splitFactOutput } from './batch-script.js';
import type { FactCache } from './fact-cache.js';
import { stepFacts, type StepEnv } from './step-run.js';

export type FactRunner = (script: string) => Promise<Pick<RunResult, 'stdout' | 'stderr' | 'exitCode' | 'signal' | 'elided'>>;

/** Run QUERIES in one script through RUN and store each one's output (or why it has none) in CACHE. */
export async function gatherFacts(run: FactRunner, cache: FactCache, queries: Array<FactQuery<unknown>>): Promise<void> {
  // Queries with the same script (e.g. one per rc.conf variable, all reading rc.conf) run
  // once: on a fleet, every process a fact script starts is paid once per host.
  const unique = [...new Map(queries.map((q) => [q.script, q])).values()];
  const nonce = newNonce();
  const r = await run(buildFactScript(unique, nonce));
  const outputs = splitFactOutput(r.stdout, unique.length, nonce, r.elided?.stdout);
  const byScript = new Map(unique.map((q, i) => [q.script, outputs[i]]));
  const died = `the fact script ended early (exit status ${r.exitCode ?? r.signal}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-2).join('; ')}` : ''})`;
  for (const q of queries) {
    const out = byScript.get(q.script);
    // A query whose output was too large to keep fails the steps that read it, no other.
    if (out && 'tooLarge' in out) cache.store(q, undefined, out.tooLarge);
    else cache.store(q, out, died);
  }
}

/** The facts STEPS will need that are not gathered (or are stale): asked for ahead, in the same round trip. */
export function upfrontQueries(steps: readonly PreparedStep[], env: StepEnv): Array<FactQuery<unknown>> {
  const queries: Array<FactQuery<unknown>> = [];
  for (const s of steps) {
    if (s.when === false || !s.rendered) continue;
    const facts = stepFacts(s.decl.module, s.rendered, env);
    // A step whose facts() failed reports the error itself when it runs.
    if (facts.ok) queries.push(...Object.values(facts.queries));
  }
  // In check mode a stale fact reads the same as before: gathering it again tells nothing.
  return env.cache.needed(queries).filter((q) => !env.check || !env.cache.isStale(q));
}
