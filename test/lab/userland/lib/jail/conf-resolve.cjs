'use strict';
/**
 * From parsed jail.conf blocks to each jail's effective parameter list, as FreeBSD's
 * config.c does it: a jail's own parameters, plus global ("*") and wildcard blocks in file
 * order (blocks before the jail apply first, blocks after it override), `+=` appends,
 * `no` prefixes name the same parameter, then `$var` / `${param}` substitution.
 */
const { partsText } = require('./conf-parse.cjs');

const isWild = (name) => name.includes('*');

function wildMatch(jname, wname) {
  if (wname === '*') return true;
  const re = new RegExp(
    '^' +
      wname
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(jname);
}

/** `allow.nomount` and `allow.mount` name the same parameter. */
function baseName(name) {
  const dot = name.lastIndexOf('.');
  const last = name.slice(dot + 1);
  return last.startsWith('no') ? name.slice(0, dot + 1) + last.slice(2) : name;
}
const equalOpts = (a, b) => a === b || baseName(a) === baseName(b);

function addParam(list, p, errors, jname) {
  const found = list.find((q) => equalOpts(q.name, p.name));
  const copy = { name: p.name, isVar: !!p.isVar, values: p.values.map((v) => v.slice()) };
  if (!found) {
    list.push(copy);
    return;
  }
  if (found.isVar !== copy.isVar) {
    errors.push(`${jname}: variable "$${p.name}" cannot have the same name as a parameter.`);
    return;
  }
  if (found.immutable) {
    errors.push(`${jname}: cannot redefine parameter "${found.name}".`);
    return;
  }
  found.name = p.name;
  if (!p.append || copy.values.length === 0) found.values = [];
  found.values.push(...copy.values);
}

/** Substitute variables in place; returns false on error (message pushed to errors). */
function substitute(j, errors) {
  const params = j.params;
  const byName = (n) => params.find((q) => q.name === n);
  const resolving = new Set();
  const done = new Set();
  const resolveParam = (p) => {
    if (done.has(p)) return true;
    if (resolving.has(p)) return false;
    resolving.add(p);
    const out = [];
    for (const parts of p.values) {
      const vars = parts.filter((x) => x.var !== undefined);
      if (vars.length === 0) {
        out.push(partsText(parts));
        continue;
      }
      let acc = [''];
      for (const part of parts) {
        if (part.text !== undefined) {
          acc = acc.map((s) => s + part.text);
          continue;
        }
        const vp = byName(part.var);
        if (!vp || vp.values.length === 0) {
          errors.push(`${j.name}: ${p.name}: variable "${part.var}" not found`);
          return false;
        }
        if (resolving.has(vp)) {
          errors.push(`${j.name}: ${part.var}: variable loop`);
          return false;
        }
        if (!resolveParam(vp)) return false;
        if (vp.values.length > 1) {
          if (parts.length > 1) {
            errors.push(`${j.name}: ${p.name}: array cannot be substituted inline`);
            return false;
          }
          acc = vp.values.slice();
        } else acc = acc.map((s) => s + vp.values[0]);
      }
      out.push(...acc);
    }
    p.values = out;
    resolving.delete(p);
    done.add(p);
    return true;
  };
  let ok = true;
  for (const p of params) {
    if (done.has(p)) continue;
    if (!resolveParam(p)) {
      ok = false;
      break;
    }
  }
  j.params = params.filter((p) => !p.isVar);
  return ok;
}

/**
 * Blocks (from conf-parse) → [{ name, params: [{ name, values: string[] }], errors: string[] }]
 * for every named (non-wildcard) jail, in file order.
 */
function resolveJails(blocks) {
  const seqd = blocks.map((b, k) => ({ ...b, seq: k }));
  const wild = seqd.filter((b) => isWild(b.name));
  const jails = [];
  for (const b of seqd) {
    if (isWild(b.name)) continue;
    const errors = [];
    const params = [];
    const nameParam = { name: /^\d+$/.test(b.name) && Number(b.name) > 0 ? 'jid' : 'name', values: [[{ text: b.name }]] };
    addParam(params, nameParam, errors, b.name);
    params[0].immutable = true;
    let didSelf = false;
    for (const w of wild) {
      if (b.seq < w.seq && !didSelf) {
        for (const p of b.params) addParam(params, p, errors, b.name);
        didSelf = true;
      }
      if (wildMatch(b.name, w.name)) for (const p of w.params) addParam(params, p, errors, b.name);
    }
    if (!didSelf) for (const p of b.params) addParam(params, p, errors, b.name);
    const j = { name: b.name, params, errors };
    if (errors.length === 0) substitute(j, errors);
    for (const p of j.params) delete p.immutable;
    j.params = j.params.map((p) => ({ name: p.name, values: p.values }));
    jails.push(j);
  }
  return jails;
}

/** Parameters from the command line (`name=value`, `name`, `name+=value`) as conf-style params. */
function cliParams(args) {
  return args.map((a) => {
    const m = /^([^=+]+?)(\+?=)(.*)$/s.exec(a);
    if (!m) return { name: a, isVar: false, append: false, values: [] };
    return { name: m[1], isVar: false, append: m[2] === '+=', values: [[{ text: m[3] }]] };
  });
}

/** Is a boolean parameter set? (FreeBSD's bool_param: `noX` inverts; no value = true.) */
function boolParam(p) {
  if (!p) return false;
  const last = p.name.slice(p.name.lastIndexOf('.') + 1);
  const v = p.values[p.values.length - 1];
  const truth = p.values.length === 0 || /^true$/i.test(v) || (parseInt(v, 10) || 0) !== 0;
  return last.startsWith('no') !== truth;
}

module.exports = { resolveJails, cliParams, boolParam, baseName, equalOpts, addParam, wildMatch };
