/**
 * Builds the lab's pkg repositories (FreeBSD:14:amd64/quarterly and /latest) in pkg's
 * layout: meta.conf, packagesite.pkg (a tzst tarball holding packagesite.yaml, one JSON
 * manifest per line) and All/NAME-VERSION.pkg (tzst tarballs: +COMPACT_MANIFEST, +MANIFEST
 * and the files). Unsigned (signature_type: none). Lab extensions in the manifests carry
 * file modes, @sample files and user/group definitions, which real packages express as scripts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PACKAGES, type FakePackage } from './packages.js';

export const ABI = 'FreeBSD:14:amd64';
export const BRANCHES = ['quarterly', 'latest'] as const;

const META_CONF = `version = 2;
packing_format = "tzst";
manifests = "packagesite.yaml";
data = "data";
filesite = "filesite.yaml";
manifests_archive = "packagesite";
filesite_archive = "filesite";
data_archive = "data";
`;

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

function tarZst(out: string, dir: string, entries: string[]): void {
  execFileSync('bsdtar', [
    '-c',
    '--zstd',
    '--uid',
    '0',
    '--gid',
    '0',
    '--uname',
    'root',
    '--gname',
    'wheel',
    '-f',
    out,
    '-C',
    dir,
    ...entries,
  ]);
}

/** Builds NAME-VERSION.pkg into ALLDIR; returns its catalogue entry. */
function buildPackage(
  pkg: FakePackage,
  version: string,
  allDir: string,
  workDir: string,
  versionOf: (n: string) => string,
): Record<string, unknown> {
  const stage = path.join(workDir, `pkg-${pkg.name}-${version}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  const files: Record<string, string> = {};
  const modes: Record<string, string> = {};
  const samples: string[] = [];
  let flatsize = 0;
  for (const [file, spec] of Object.entries(pkg.files(version))) {
    const installed = spec.sample ? `${file}.sample` : file;
    const p = path.join(stage, installed);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, spec.content);
    fs.chmodSync(p, spec.mode ?? 0o644);
    files[installed] = `1$${sha256(spec.content)}`;
    modes[installed] = (spec.mode ?? 0o644).toString(8).padStart(4, '0');
    if (spec.sample) samples.push(file);
    flatsize += Buffer.byteLength(spec.content);
  }
  const deps = Object.fromEntries(
    (pkg.deps ?? []).map((d) => {
      const dep = PACKAGES.find((p) => p.name === d);
      if (!dep) throw new Error(`lab pkg: ${pkg.name} depends on unknown ${d}`);
      return [d, { origin: dep.origin, version: versionOf(d) }];
    }),
  );
  const compact = {
    name: pkg.name,
    origin: pkg.origin,
    version,
    comment: pkg.comment,
    maintainer: pkg.maintainer,
    www: pkg.www,
    abi: ABI,
    arch: 'freebsd:14:x86:64',
    prefix: '/usr/local',
    flatsize,
    licenselogic: pkg.licenses.length > 1 ? 'or' : 'single',
    licenses: pkg.licenses,
    desc: pkg.desc,
    deps,
    categories: pkg.categories,
    users: (pkg.users ?? []).map((u) => u.name),
    groups: (pkg.groups ?? []).map((g) => g.name),
    annotations: { FreeBSD_version: '1402000' },
    ...(pkg.message ? { messages: [{ message: pkg.message }] } : {}),
    lab: { users: pkg.users ?? [], groups: pkg.groups ?? [], samples, modes },
  };
  fs.writeFileSync(path.join(stage, '+COMPACT_MANIFEST'), JSON.stringify(compact));
  fs.writeFileSync(path.join(stage, '+MANIFEST'), JSON.stringify({ ...compact, files }));
  const rel = `All/${pkg.name}-${version}.pkg`;
  const out = path.join(allDir, '..', rel);
  tarZst(out, stage, ['+COMPACT_MANIFEST', '+MANIFEST', ...Object.keys(files).map((f) => f.slice(1))]);
  fs.rmSync(stage, { recursive: true, force: true });
  const data = fs.readFileSync(out);
  return { ...compact, sum: sha256(data), path: rel, repopath: rel, pkgsize: data.length };
}

export function buildPkgRepos(wwwDir: string, workDir: string): void {
  for (const branch of BRANCHES) {
    const repo = path.join(wwwDir, 'pkg', ABI, branch);
    fs.rmSync(repo, { recursive: true, force: true });
    const allDir = path.join(repo, 'All');
    fs.mkdirSync(allDir, { recursive: true });
    const versionOf = (n: string) => PACKAGES.find((p) => p.name === n)!.versions[branch];
    const lines = PACKAGES.map((p) => JSON.stringify(buildPackage(p, p.versions[branch], allDir, workDir, versionOf)));
    fs.writeFileSync(path.join(repo, 'meta.conf'), META_CONF);
    const site = path.join(workDir, `site-${branch}`);
    fs.mkdirSync(site, { recursive: true });
    fs.writeFileSync(path.join(site, 'packagesite.yaml'), lines.join('\n') + '\n');
    tarZst(path.join(repo, 'packagesite.pkg'), site, ['packagesite.yaml']);
    fs.rmSync(site, { recursive: true, force: true });
  }
}
