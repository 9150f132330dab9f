/**
 * What a jail type decides: how its root is made, read, mounted, kept current and removed.
 * The jail module's facts, configuration and plan ask the jail's kind (kinds/index.ts) and
 * hold no per-type branches of their own; a new type is one file here and one entry in
 * traits.ts.
 */
import type { JailState } from '../../../facts/jail-state.js';
import type { JailArgs } from '../args.js';
import type { Resource } from '../../../facts/resources.js';

/** A row of the jail's fstab: source, mount point on the host, type, options. */
export type FstabRow = [string, string, string, string];

export interface JailKind {
  /** Lines of the state fact's script beyond the common ones (facts/jail-state.ts reads them). */
  stateLines(a: JailArgs): string[];
  /** What those lines read, for staleness, beyond the root and its template. */
  stateResources(a: JailArgs): Resource[];
  /** What creating or removing the root touches beyond its path and dataset. */
  rootTouches(a: JailArgs): Resource[];
  /** Commands added to exec.prestart in the jail's configuration. */
  prestart(a: JailArgs): string[];
  /** The type's own rows of the jail's fstab (before Linux and extra mounts). */
  fstabRows(a: JailArgs): FstabRow[];
  /** The host directory that holds TARGET (a path inside the jail) once the jail's mounts are in place. */
  mountPointOnHost(a: JailArgs, target: string): string;
  rootExists(st: JailState): boolean;
  /** The script lines that make the root from TEMPLATE, and what they make (for the change's summary). */
  createRoot(a: JailArgs, st: JailState, template: string): { lines: string[]; what: string };
  /** The root has a userland of its own, which freebsd-update brings to the template's patch level. */
  ownUserland: boolean;
  /** Why a running jail must restart though nothing of its own changed (its template moved on under it). */
  templateMoved?(a: JailArgs, st: JailState): string | undefined;
  /** The lines that destroy the root (with destroy_root), and what is destroyed. */
  destroyRoot(a: JailArgs, st: JailState): string[];
  destroyWhat(a: JailArgs): string;
}

/** A root of its own at PATH, nothing mounted from the template, nothing read beyond the common facts. */
export const SELF_CONTAINED: Pick<
  JailKind,
  'stateLines' | 'stateResources' | 'rootTouches' | 'prestart' | 'fstabRows' | 'mountPointOnHost'
> = {
  stateLines: () => [],
  stateResources: () => [],
  rootTouches: () => [],
  prestart: () => [],
  fstabRows: () => [],
  mountPointOnHost: (a, target) => `${a.path}${target}`,
};
