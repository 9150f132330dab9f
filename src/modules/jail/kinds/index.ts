/** Every jail type's behaviour, by the name a step gives in `type:`. */
import type { JailKind } from './kind.js';
import type { JailType } from './traits.js';
import { classic } from './classic.js';
import { thick } from './thick.js';
import { thinNullfs } from './thin-nullfs.js';
import { thinZfs } from './thin-zfs.js';

const KINDS: Record<JailType, JailKind> = { 'thin-zfs': thinZfs, thick, 'thin-nullfs': thinNullfs, classic };

export function jailKind(type: JailType): JailKind {
  return KINDS[type];
}
