/**
 * pkg: packages present, absent, or at the repository's latest version, on the host or in
 * a running jail (pkg -j, the host's pkg acting on the jail's database). Installed packages
 * are read with one `pkg info`; `latest` also asks the repository (`pkg version -R`).
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { parsePkgInfo, parsePkgVersion } from '../../facts/pkg.js';
import { requireSuccess } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import { defineModule, type Change, type FactQuery, type Target } from '../kit/contract.js';

const pkgName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+@-]*$/, 'a package name as pkg info shows it, e.g. nginx or postgresql16-server');

export const pkgArgs = z.strictObject({
  name: z.union([pkgName, z.array(pkgName).min(1)]).describe('one package or a list'),
  state: z.enum(['present', 'absent', 'latest']).default('present').describe("latest: also upgraded to the repository's version"),
});

export type PkgArgs = z.output<typeof pkgArgs>;

interface Installed {
  bootstrapped: boolean;
  packages: Map<string, string>;
}

interface PkgFacts {
  installed: Installed;
  outdated?: Map<string, string | undefined>;
}

const NOT_BOOTSTRAPPED = '@not-bootstrapped';

function pkgCmd(t: Target): string {
  return t.kind === 'jail' ? sh`pkg -j ${t.name}` : 'pkg';
}

function installedQuery(t: Target): FactQuery<Installed> {
  return {
    key: factKey(t, 'pkg', 'installed'),
    // pkg -N: is pkg itself installed? Without it /usr/sbin/pkg would offer to bootstrap.
    script: `pkg -N >/dev/null 2>&1 || { echo ${NOT_BOOTSTRAPPED}; exit 0; }\n${pkgCmd(t)} info -a`,
    resources: [res.packages(t)],
    parse(out) {
      requireSuccess(out, 'pkg info');
      if (out.stdout.trim() === NOT_BOOTSTRAPPED) return { bootstrapped: false, packages: new Map() };
      return { bootstrapped: true, packages: parsePkgInfo(out.stdout) };
    },
  };
}

function outdatedQuery(t: Target): FactQuery<Map<string, string | undefined>> {
  return {
    key: factKey(t, 'pkg', 'outdated'),
    script: `pkg -N >/dev/null 2>&1 || exit 0\n${pkgCmd(t)} version -vR -l '<'`,
    resources: [res.packages(t)],
    parse(out) {
      requireSuccess(out, 'pkg version');
      return new Map(
        parsePkgVersion(out.stdout)
          .filter((l) => l.status === '<')
          .map((l) => [l.name, l.available]),
      );
    },
  };
}

export const pkg = defineModule<PkgArgs, PkgFacts>({
  name: 'pkg',
  summary: 'packages present, absent or latest, on the host or in a jail',
  docs: { inJail: '`pkg -j`' },
  args: pkgArgs,
  jailAware: true,
  describe: (a) => `pkg ${names(a).join(' ')}`,
  facts(a, ctx) {
    const installed = installedQuery(ctx.target);
    return a.state === 'latest' ? { installed, outdated: outdatedQuery(ctx.target) } : { installed };
  },
  plan(a, facts, ctx) {
    const t = ctx.target;
    const have = facts.installed.packages;
    const wanted = names(a);
    const pkg = pkgCmd(t);
    const touches = [res.everythingIn(t)];
    const changes: Change[] = [];
    if (a.state === 'absent') {
      const remove = wanted.filter((n) => have.has(n));
      if (remove.length > 0) {
        changes.push({
          summary: `remove ${remove.join(' ')}`,
          action: { kind: 'script', script: `${pkg} ${sh`delete -y ${remove}`}` },
          touches,
          diff: remove.map((n) => ({ type: 'value', name: n, before: have.get(n) ?? null, after: null })),
        });
      }
      return changes;
    }
    const missing = wanted.filter((n) => !have.has(n));
    if (missing.length > 0) {
      const bootstrap = facts.installed.bootstrapped ? '' : 'pkg bootstrap -y\n';
      changes.push({
        summary: `install ${missing.join(' ')}`,
        action: { kind: 'script', script: `${bootstrap}${pkg} ${sh`install -y ${missing}`}` },
        touches,
        diff: missing.map((n) => ({ type: 'value', name: n, before: null, after: 'installed' })),
      });
    }
    if (a.state === 'latest' && facts.outdated) {
      const outdated = wanted.filter((n) => have.has(n) && facts.outdated?.has(n));
      if (outdated.length > 0) {
        changes.push({
          summary: `upgrade ${outdated.map((n) => `${n} ${have.get(n)} -> ${facts.outdated?.get(n) ?? 'latest'}`).join(', ')}`,
          action: { kind: 'script', script: `${pkg} ${sh`upgrade -y ${outdated}`}` },
          touches,
          diff: outdated.map((n) => ({ type: 'value', name: n, before: have.get(n) ?? null, after: facts.outdated?.get(n) ?? 'latest' })),
        });
      }
    }
    return changes;
  },
});

function names(a: PkgArgs): string[] {
  return typeof a.name === 'string' ? [a.name] : a.name;
}
