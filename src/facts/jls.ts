/** `jls -j NAME path`: the jail's root directory, one line. */
export function parseJailPath(output: string): string {
  const p = output.trim();
  if (!p.startsWith('/') || p.includes('\n')) throw new Error(`unexpected jls output '${output.trim()}'`);
  return p.replace(/\/+$/, '') || '/';
}
