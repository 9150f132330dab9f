/** Shell-style wildcards: `*` any run, `?` one character, `[abc]` / `[a-z]` / `[!a]` a class. */
import fs from 'node:fs';
import path from 'node:path';

export interface GlobOptions {
  /** Treat `[...]` as a character class (glob(3)); OpenSSH host patterns don't. Default true. */
  classes?: boolean;
  ignoreCase?: boolean;
}

export function globToRegExp(glob: string, opts: GlobOptions = {}): RegExp {
  const classes = opts.classes ?? true;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    const end = c === '[' && classes ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (end !== -1) {
      const body = glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/[\\\]]/g, '\\$&');
      re += `[${body}]`;
      i = end;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, opts.ignoreCase ? 'i' : '');
}

export function hasWildcard(s: string, opts: GlobOptions = {}): boolean {
  return (opts.classes ?? true) ? /[*?[]/.test(s) : /[*?]/.test(s);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Existing files matching an absolute or relative path pattern, as glob(3): wildcards in any component, names in order,
 * dotfiles only when the pattern says so.
 */
export function expandGlob(pattern: string): string[] {
  const parts = pattern.split('/');
  let found = [parts[0] === '' ? '/' : (parts[0] as string)];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    found = found.flatMap((dir) => {
      if (!hasWildcard(part)) return [path.join(dir, part)];
      const re = globToRegExp(part);
      try {
        return fs
          .readdirSync(dir)
          .filter((f) => re.test(f) && (part.startsWith('.') || !f.startsWith('.')))
          .sort()
          .map((f) => path.join(dir, f));
      } catch {
        return [];
      }
    });
  }
  return found.filter((f) => {
    try {
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  });
}
