'use strict';
/**
 * Remote repositories: `pkg update` and the catalogue the other commands read. The catalogue
 * of each repository is cached in ROOT/var/db/pkg/repos/NAME/catalogue.json with the URL and
 * Last-Modified it came from; an unchanged repository (HTTP 304) is "up to date".
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { get } = require('../release/http.cjs');
const { repositories } = require('./config.cjs');
const { out, warn, dots } = require('./output.cjs');

const cacheFile = (root, name) => path.join(root, 'var/db/pkg/repos', name, 'catalogue.json');

function readCache(root, name) {
  try {
    return JSON.parse(fs.readFileSync(cacheFile(root, name), 'utf8'));
  } catch {
    return null;
  }
}

/** packagesite.pkg (a tarball) → its packagesite.yaml lines as objects. */
function parsePackagesite(buf) {
  const tmp = path.join(os.tmpdir(), `pkg-site-${process.pid}.pkg`);
  fs.writeFileSync(tmp, buf);
  try {
    const yaml = execFileSync('tar', ['-xOf', tmp, 'packagesite.yaml'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return yaml
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Updates every enabled repository of ctx.configRoot into ctx.root's cache.
 * Returns false (after FreeBSD's messages) when one could not be updated.
 */
async function update(ctx, { force = false, quiet = false } = {}) {
  const repos = repositories(ctx.configRoot);
  const say = quiet ? () => {} : out;
  if (repos.length === 0) {
    warn('No active remote repositories configured.');
    return false;
  }
  let ok = true;
  for (const repo of repos) {
    say(`Updating ${repo.name} repository catalogue...\n`);
    const cached = readCache(ctx.root, repo.name);
    const base = repo.url.replace(/^pkg\+/, '');
    const headers = {};
    if (!force && cached && cached.url === base && cached.lastModified) headers['If-Modified-Since'] = cached.lastModified;
    let meta;
    let site;
    try {
      meta = await get(`${base}/meta.conf`);
      if (meta.status !== 200) throw new Error(meta.statusText);
    } catch (e) {
      warn(`${base}/meta.conf: ${e.message}`);
      say(`repository ${repo.name} has no meta file, using default settings\n`);
    }
    try {
      site = await get(`${base}/packagesite.pkg`, { headers });
      if (site.status !== 200 && site.status !== 304) throw new Error(site.statusText);
    } catch (e) {
      warn(`${base}/packagesite.pkg: ${e.message}`);
      say(`Unable to update repository ${repo.name}\n`);
      ok = false;
      continue;
    }
    if (site.status === 304) {
      say(`${repo.name} repository is up to date.\n`);
      continue;
    }
    const prefix = ctx.jailPrefix;
    say(`${prefix}Fetching meta.conf: ${dots(true)}\n`);
    say(`${prefix}Fetching packagesite.pkg: ${dots(false)}\n`);
    const packages = parsePackagesite(site.body);
    say(`Processing entries: ${dots(false)}\n`);
    fs.mkdirSync(path.dirname(cacheFile(ctx.root, repo.name)), { recursive: true });
    fs.writeFileSync(
      cacheFile(ctx.root, repo.name),
      JSON.stringify({ url: base, lastModified: site.headers['last-modified'] ?? '', packages }),
    );
    say(`${repo.name} repository update completed. ${packages.length} packages processed.\n`);
  }
  if (ok) say('All repositories are up to date.\n');
  else say('Error updating repositories!\n');
  return ok;
}

/** The catalogue: name → newest entry over the enabled repositories (first repository wins ties). */
function catalogue(ctx) {
  const byName = new Map();
  for (const repo of repositories(ctx.configRoot)) {
    const cached = readCache(ctx.root, repo.name);
    if (!cached) continue;
    for (const p of cached.packages) {
      if (!byName.has(p.name)) byName.set(p.name, { ...p, repo: repo.name, repoUrl: cached.url });
    }
  }
  return byName;
}

module.exports = { update, catalogue };
