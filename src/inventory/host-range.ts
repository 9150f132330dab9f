/**
 * Ansible's host ranges in inventory host names: `web[01:03].example.net` is web01, web02
 * and web03; `db-[a:c]` is db-a, db-b, db-c; `[0:10:5]` steps by 5. Several ranges multiply.
 */
const RANGE = /^(.*?)\[([0-9]*|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\](.*)$/;

/** The names a host key stands for, or an error message for a malformed range. */
export function expandHostRange(name: string): string[] | { error: string } {
  const m = RANGE.exec(name);
  if (!m) return [name];
  const [, head, beginRaw, end, stepRaw, tail] = m as unknown as [string, string, string, string, string | undefined, string];
  const begin = beginRaw === '' ? '0' : beginRaw;
  const step = stepRaw === undefined ? 1 : Number(stepRaw);
  if (step < 1) return { error: `host range '${name}': the step must be at least 1` };
  const items: string[] = [];
  const numeric = /^\d+$/.test(begin);
  if (numeric !== /^\d+$/.test(end)) return { error: `host range '${name}' mixes letters and numbers` };
  if (numeric) {
    const width = begin.length > 1 && begin.startsWith('0') ? begin.length : 0;
    if (width && end.length !== width) return { error: `host range '${name}': zero-padded bounds must have the same width` };
    for (let i = Number(begin); i <= Number(end); i += step) items.push(String(i).padStart(width, '0'));
  } else {
    for (let c = begin.charCodeAt(0); c <= end.charCodeAt(0); c += step) items.push(String.fromCharCode(c));
  }
  if (items.length === 0) return { error: `host range '${name}' is empty (its start is after its end)` };
  const tails = expandHostRange(tail);
  if (!Array.isArray(tails)) return tails;
  return items.flatMap((item) => tails.map((t) => `${head}${item}${t}`));
}
