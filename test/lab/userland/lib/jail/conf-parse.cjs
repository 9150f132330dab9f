'use strict';
/**
 * jail.conf(5) reader: lexer + parser with the grammar of FreeBSD's jaillex.l / jailparse.y.
 *
 * Result: an ordered list of blocks { name, params: [{ name, isVar, append, values }] },
 * where global parameters (outside any block) go into "*" pseudo-blocks, as FreeBSD does,
 * and `.include "glob";` splices the matching files in place. A value is a list of strings
 * (comma-separated in the file); each string is a list of parts: { text } or { var }.
 */
const fs = require('node:fs');
const path = require('node:path');

class ConfError extends Error {}

// Characters of an unquoted ("atomic") string, from jaillex.l.
const ATOM = /[A-Za-z0-9_!%&()\-.:<>?@[\]^`|~]/;

function unescape(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i];
      continue;
    }
    const c = s[++i];
    if (c === undefined) break;
    if (/[0-7]/.test(c)) {
      let oct = c;
      while (oct.length < 3 && /[0-7]/.test(s[i + 1] ?? '')) oct += s[++i];
      out += String.fromCharCode(parseInt(oct, 8));
      continue;
    }
    if (c === 'x') {
      let hex = '';
      while (hex.length < 2 && /[0-9A-Fa-f]/.test(s[i + 1] ?? '')) hex += s[++i];
      out += String.fromCharCode(hex ? parseInt(hex, 16) : 0);
      continue;
    }
    const map = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };
    out += c in map ? map[c] : c;
  }
  return out;
}

/**
 * Tokens: { t: 'str', parts, glued } for strings (glued = no whitespace before it, so it
 * joins the previous string), and { t: ';' | '{' | '}' | ',' | '=' | '+=' }.
 */
function lex(text, file) {
  const toks = [];
  let i = 0;
  let line = 1;
  let instr = false; // previous token was a string with nothing in between
  const err = (msg) => {
    throw new ConfError(`${file} line ${line}: ${msg}`);
  };
  const pushStr = (parts) => {
    toks.push({ t: 'str', parts, glued: instr, line });
    instr = true;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      instr = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      instr = false;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      instr = false;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) err('unterminated comment');
      line += (text.slice(i, end).match(/\n/g) || []).length;
      i = end + 2;
      instr = false;
      continue;
    }
    if (c === '+' && text[i + 1] === '=') {
      toks.push({ t: '+=', line });
      i += 2;
      instr = false;
      continue;
    }
    if (',;={}'.includes(c)) {
      toks.push({ t: c, line });
      i++;
      instr = false;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'") {
        if (text[j] === '\\') j++;
        if (text[j] === '\n') line++;
        j++;
      }
      if (j >= text.length) err('unterminated string');
      pushStr([{ text: unescape(text.slice(i + 1, j)) }]);
      i = j + 1;
      continue;
    }
    if (c === '"') {
      const parts = [];
      let j = i + 1;
      let buf = '';
      for (;;) {
        if (j >= text.length) err('unterminated string');
        const d = text[j];
        if (d === '"') break;
        if (d === '\\') {
          buf += d + (text[j + 1] ?? '');
          if (text[j + 1] === '\n') line++;
          j += 2;
          continue;
        }
        if (d === '\n') line++;
        if (d === '$') {
          const v = readVar(text, j, true);
          if (v) {
            if (buf) parts.push({ text: unescape(buf) });
            buf = '';
            parts.push({ var: v.name });
            j = v.end;
            continue;
          }
          if (text[j + 1] === '{') err('unterminated variable');
        }
        buf += d;
        j++;
      }
      if (buf || parts.length === 0) parts.push({ text: unescape(buf) });
      pushStr(parts);
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const v = readVar(text, i, false);
      if (v) {
        pushStr([{ var: v.name }]);
        i = v.end;
        continue;
      }
      if (text[i + 1] === '{') err('unterminated variable');
      pushStr([{ text: '$' }]);
      i++;
      continue;
    }
    if (c === '\\') {
      pushStr([{ text: unescape(text.slice(i, i + 2)) }]);
      if (text[i + 1] === '\n') line++;
      i += 2;
      continue;
    }
    if (ATOM.test(c)) {
      let j = i;
      while (j < text.length && ATOM.test(text[j])) j++;
      pushStr([{ text: text.slice(i, j) }]);
      i = j;
      continue;
    }
    if ('*+/'.includes(c)) {
      pushStr([{ text: c }]);
      i++;
      continue;
    }
    err('syntax error');
  }
  return toks;
}

function readVar(text, i, inQuotes) {
  if (text[i + 1] === '{') {
    const end = text.indexOf('}', i + 2);
    if (end < 0) return null;
    const name = text.slice(i + 2, end);
    if (name.includes('\n') || (inQuotes && name.includes('"'))) return null;
    return { name: unescape(name), end: end + 1 };
  }
  const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(text.slice(i + 1));
  return m ? { name: m[0], end: i + 1 + m[0].length } : null;
}

/** Join glued string tokens into single strings; returns tokens of type 'str' with merged parts. */
function mergeStrings(toks) {
  const out = [];
  for (const tok of toks) {
    const prev = out[out.length - 1];
    if (tok.t === 'str' && tok.glued && prev && prev.t === 'str') {
      prev.parts = prev.parts.concat(tok.parts);
    } else {
      out.push(tok.t === 'str' ? { t: 'str', parts: tok.parts.slice(), line: tok.line } : tok);
    }
  }
  return out;
}

const plain = (parts) => parts.every((p) => p.text !== undefined);
const partsText = (parts) => parts.map((p) => (p.text !== undefined ? p.text : '${' + p.var + '}')).join('');

/**
 * Parse one file's text. `include(pattern, fromFile)` returns the blocks of the included files.
 * A parameter's name is a string token; `$name` / `${name}` as a name makes it a variable.
 */
function parseText(text, file, include) {
  const toks = mergeStrings(lex(text, file));
  const blocks = [];
  let i = 0;
  const syntax = (tok) => {
    throw new ConfError(`${file} line ${tok ? tok.line : '?'}: syntax error`);
  };
  const globalBlock = () => {
    const last = blocks[blocks.length - 1];
    if (last && last.name === '*' && last.global) return last;
    const b = { name: '*', global: true, params: [] };
    blocks.push(b);
    return b;
  };
  const parseParam = () => {
    const nameTok = toks[i];
    if (!nameTok || nameTok.t !== 'str') syntax(nameTok);
    i++;
    let isVar = false;
    let name;
    if (nameTok.parts.length === 1 && nameTok.parts[0].var !== undefined) {
      isVar = true;
      name = nameTok.parts[0].var;
    } else if (plain(nameTok.parts)) {
      name = partsText(nameTok.parts);
    } else syntax(nameTok);
    const p = { name, isVar, append: false, values: [], line: nameTok.line, file };
    let op = toks[i];
    if (op && (op.t === '=' || op.t === '+=')) {
      p.append = op.t === '+=';
      i++;
    } else if (!op || op.t !== 'str') return p; // boolean form: `name;`
    for (;;) {
      const v = toks[i];
      if (!v || v.t !== 'str') syntax(v);
      p.values.push(v.parts);
      i++;
      if (toks[i] && toks[i].t === ',') {
        i++;
        continue;
      }
      break;
    }
    return p;
  };
  while (i < toks.length) {
    const tok = toks[i];
    if (tok.t === ';') {
      i++;
      continue;
    }
    if (tok.t !== 'str') syntax(tok);
    // `.include "glob";` at top level
    if (plain(tok.parts) && partsText(tok.parts) === '.include') {
      i++;
      const arg = toks[i];
      if (!arg || arg.t !== 'str' || !plain(arg.parts)) syntax(arg || tok);
      i++;
      if (!toks[i] || toks[i].t !== ';') syntax(toks[i] || arg);
      i++;
      blocks.push(...include(partsText(arg.parts), file));
      continue;
    }
    // jail block: NAME '{' params '}'
    if (toks[i + 1] && toks[i + 1].t === '{') {
      if (!plain(tok.parts)) syntax(tok);
      const b = { name: partsText(tok.parts), params: [], line: tok.line, file };
      i += 2;
      for (;;) {
        const t = toks[i];
        if (!t) throw new ConfError(`${file} line ${tok.line}: syntax error`);
        if (t.t === '}') {
          i++;
          break;
        }
        if (t.t === ';') {
          i++;
          continue;
        }
        const p = parseParam();
        if (!toks[i] || toks[i].t !== ';') syntax(toks[i] || t);
        i++;
        b.params.push(p);
      }
      blocks.push(b);
      continue;
    }
    const p = parseParam();
    if (!toks[i] || toks[i].t !== ';') syntax(toks[i] || tok);
    i++;
    globalBlock().params.push(p);
  }
  return blocks;
}

/** Glob with `*`, `?` and `[...]` in the last components (what .include needs), sorted like glob(3). */
function globFiles(pattern) {
  if (!/[*?[]/.test(pattern)) return fs.existsSync(pattern) ? [pattern] : [];
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : '.'];
  for (let k = parts[0] === '' ? 1 : 0; k < parts.length; k++) {
    const seg = parts[k];
    if (seg === '') continue;
    const next = [];
    for (const b of bases) {
      if (!/[*?[]/.test(seg)) {
        const p = path.join(b, seg);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      let names;
      try {
        names = fs.readdirSync(b).sort();
      } catch {
        continue;
      }
      const re = globToRegExp(seg);
      for (const n of names) if (!n.startsWith('.') && re.test(n)) next.push(path.join(b, n));
    }
    bases = next;
  }
  return bases;
}

function globToRegExp(seg) {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += '[' + cls.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Parse FILE (or text given as opts.text) with its includes. */
function parseFile(file, opts = {}) {
  const seen = opts.seen || new Set();
  const read = (f) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch (e) {
      throw new ConfError(`${f}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}`);
    }
  };
  const include = (pattern, from) => {
    const resolved = path.isAbsolute(pattern) ? pattern : path.join(path.dirname(from), pattern);
    const files = globFiles(resolved);
    if (files.length === 0 && !/[*?[]/.test(resolved)) throw new ConfError(`${resolved}: No such file or directory`);
    return files.flatMap((f) => {
      if (seen.has(f)) throw new ConfError(`${f}: include loop`);
      seen.add(f);
      const r = parseText(read(f), f, include);
      seen.delete(f);
      return r;
    });
  };
  const text = opts.text !== undefined ? opts.text : read(file);
  seen.add(file);
  return parseText(text, file, include);
}

module.exports = { parseFile, parseText, lex, globFiles, ConfError, partsText };
