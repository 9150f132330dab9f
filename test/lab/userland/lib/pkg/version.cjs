'use strict';
/**
 * pkg_version_cmp(): compares FreeBSD package versions "VERSION[_REVISION][,EPOCH]".
 * Epoch first, then the version (components split at non-alphanumerics and at digit/letter
 * boundaries: numbers numerically; "alpha", "beta", "pre", "rc" before a release, "pl" and
 * other letters after it), then the port revision. Returns -1, 0 or 1.
 */
const SPECIAL = { alpha: -4, beta: -3, pre: -2, rc: -1 };

function split(v) {
  let epoch = 0;
  let revision = 0;
  let m = /,(\d+)$/.exec(v);
  if (m) {
    epoch = Number(m[1]);
    v = v.slice(0, m.index);
  }
  m = /_(\d+)$/.exec(v);
  if (m) {
    revision = Number(m[1]);
    v = v.slice(0, m.index);
  }
  return { epoch, revision, parts: v.match(/\d+|[A-Za-z]+/g) ?? [] };
}

/** Rank of a missing / numeric / word component for comparison. */
function rank(p) {
  if (p === undefined) return { kind: 1, n: 0 };
  if (/^\d+$/.test(p)) return { kind: 2, n: Number(p) };
  const w = p.toLowerCase();
  if (w in SPECIAL) return { kind: 0, n: SPECIAL[w] };
  if (w === 'pl') return { kind: 3, n: 0 };
  // other letters (1.0a) come after the bare release and compare by letter
  return { kind: 1.5, n: w.charCodeAt(0) };
}

function cmpParts(a, b) {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const x = rank(a[i]);
    const y = rank(b[i]);
    if (x.kind !== y.kind) return x.kind < y.kind ? -1 : 1;
    if (x.n !== y.n) return x.n < y.n ? -1 : 1;
    if (typeof a[i] === 'string' && typeof b[i] === 'string' && a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

function versionCmp(a, b) {
  const x = split(a);
  const y = split(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  const c = cmpParts(x.parts, y.parts);
  if (c !== 0) return c;
  if (x.revision !== y.revision) return x.revision < y.revision ? -1 : 1;
  return 0;
}

module.exports = { versionCmp };
