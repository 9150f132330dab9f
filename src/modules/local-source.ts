import type { LocalContext } from './types.js';

/**
 * A step's `src` (a local file) or `template` (a local LiquidJS template, rendered with the
 * host's variables) read on the controller into the argument KEY (file's content, pf's rules).
 */
export function readLocalSource<A extends { src?: string | undefined; template?: string | undefined }>(a: A, local: LocalContext, key: keyof A): A {
  if (a.src !== undefined) return { ...a, [key]: local.readFile(a.src), src: undefined };
  if (a.template !== undefined) return { ...a, [key]: local.renderTemplate(a.template), template: undefined };
  return a;
}
