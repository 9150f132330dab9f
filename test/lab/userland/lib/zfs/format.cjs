'use strict';
/**
 * Output formats of OpenZFS 2.2 (FreeBSD 14's zfs/zpool), shared by the emulation and by the
 * wrapper that reshapes zfs-fuse's output: human numbers (zfs_nicenum), size parsing
 * (zfs_nicestrtonum), dates, and the column layout of `zfs list`, `zfs get`, `zpool list`.
 */

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** zfs_nicenum_format(): 1024-based, at most 5 characters ("20.4M"); bytes=true adds "B" below 1K. */
function nicenum(num, { bytes = false } = {}) {
  const n0 = BigInt(num);
  let n = n0;
  let index = 0;
  while (n >= 1024n && index < UNITS.length - 1) {
    n /= 1024n;
    index++;
  }
  const u = index === 0 && bytes ? 'B' : UNITS[index];
  if (index === 0 || n0 % 1024n ** BigInt(index) === 0n) return `${n}${u}`;
  const val = Number(n0) / 1024 ** index;
  for (let i = 2; i >= 0; i--) {
    const s = `${val.toFixed(i)}${u}`;
    if (s.length <= 5 || i === 0) return s;
  }
  return `${n}${u}`;
}

/** zfs_nicestrtonum(): "10M", "1.5G", "512", "1GiB" → bytes; throws the libzfs aux message. */
function nicestrtonum(value) {
  if (!/^[0-9.]/.test(value)) throw new Error(`bad numeric value '${value}'`);
  const m = /^([0-9]*\.?[0-9]*)(.*)$/.exec(value);
  const [, numPart, suffix] = m;
  const ends = 'BKMGTPEZ';
  let shift = 0;
  if (suffix !== '') {
    const i = ends.indexOf(suffix[0].toUpperCase());
    const rest = suffix.slice(1).toUpperCase();
    const ok = i >= 0 && (rest === '' || (suffix[0].toUpperCase() !== 'B' && (rest === 'B' || rest === 'IB')));
    if (!ok) throw new Error(`invalid numeric suffix '${suffix}'`);
    shift = 10 * i;
  }
  if (numPart.includes('.')) return BigInt(Math.floor(Number(numPart) * 2 ** shift));
  const n = BigInt(numPart || '0') << BigInt(shift);
  if (n >= 2n ** 64n) throw new Error('numeric value is too large');
  return n;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** strftime("%a %b %e %k:%M %Y") in local time, as `zfs get creation` prints it. */
function creationDate(epochSec) {
  const d = new Date(epochSec * 1000);
  const pad2 = (n, c) => String(n).padStart(2, c);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad2(d.getDate(), ' ')} ${pad2(d.getHours(), ' ')}:${pad2(d.getMinutes(), '0')} ${d.getFullYear()}`;
}

/**
 * `zfs list` / `zpool list` table: cols = [{ header, width (minimum), right }], rows = arrays of
 * strings. Widths grow to the longest value; -H prints tab-separated rows without header.
 */
function renderList(cols, rows, { scripted = false, header = true } = {}) {
  if (scripted) return rows.map((r) => r.join('\t') + '\n').join('');
  if (rows.length === 0) return ''; // the header comes with the first row
  const widths = cols.map((c, i) => Math.max(c.width ?? 0, c.header.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((s, i) => {
        const last = i === cells.length - 1;
        if (cols[i].right) return s.padStart(widths[i]);
        return last ? s : s.padEnd(widths[i]);
      })
      .join('  ');
  const out = [];
  if (header) out.push(line(cols.map((c) => c.header)));
  for (const r of rows) out.push(line(r));
  return out.map((l) => l + '\n').join('');
}

/**
 * `zfs get` / `zpool get` table (zprop_print_headers): fields among name, property, value,
 * received, source; rows are objects { name, property, value, received, source }.
 * widths: { name, property, value } as libzfs computes them from the whole property list
 * (see props.cjs getWidths); they only grow here.
 */
const GET_TITLES = { name: 'NAME', property: 'PROPERTY', value: 'VALUE', received: 'RECEIVED', source: 'SOURCE' };
function renderGet(fields, rows, { scripted = false, widths = {} } = {}) {
  if (rows.length === 0) return '';
  if (scripted) return rows.map((r) => fields.map((f) => r[f]).join('\t') + '\n').join('');
  const w = {
    name: Math.max(4, widths.name ?? 0),
    property: Math.max(8, widths.property ?? 0),
    value: Math.max(5, widths.value ?? 0),
    received: Math.max(8, widths.received ?? 0),
    source: 6,
  };
  // libzfs sizes SOURCE for "inherited from <longest name>".
  if (w.name > 4) w.source = w.name + 'inherited from'.length;
  const line = (cells) => cells.map((s, i) => (i === cells.length - 1 ? s : s.padEnd(w[fields[i]]))).join('  ');
  return [line(fields.map((f) => GET_TITLES[f])), ...rows.map((r) => line(fields.map((f) => r[f])))].map((l) => l + '\n').join('');
}

module.exports = { nicenum, nicestrtonum, creationDate, renderList, renderGet };
