/**
 * ZFS property values as an operator writes them (10G, 10g, 10737418240, true, none) and as
 * `zfs get -Hp` prints them (exact numbers: quota 10737418240, quota none as 0), brought to
 * one canonical form so that they compare, and shown back in a readable form.
 *
 * Which properties count as set (the rule of the modules, see propertyDrift): a property the
 * step names must hold that value with source `local` when the property is inheritable.
 * An inherited or default value that happens to be equal is not enough: the operator asked
 * for this dataset to carry the value itself, and a later change of the parent must not
 * change it. zfs create -o / zfs set make the source local, so this converges in one run.
 * Properties that cannot be inherited (quota, reservation, canmount, ...) compare by value
 * only: setting quota=none makes its source `default` again.
 */
import { z } from 'zod';

/** Sizes in bytes with `zfs get -p`; `none` is 0 for these. */
const SIZE_PROPS = new Set([
  'quota',
  'refquota',
  'reservation',
  'refreservation',
  'recordsize',
  'volsize',
  'volblocksize',
  'special_small_blocks',
]);
const SIZE_PREFIXES = ['userquota@', 'groupquota@', 'projectquota@'];
/** Counts; `none` is 0 (object quotas) or UINT64_MAX (limits) with -p. */
const COUNT_ZERO_NONE_PREFIXES = ['userobjquota@', 'groupobjquota@', 'projectobjquota@'];
const LIMIT_PROPS = new Set(['filesystem_limit', 'snapshot_limit']);
const UINT64_MAX = '18446744073709551615';

/** Not inheritable: compared by value only (see the header). */
const NOT_INHERITABLE = new Set([
  'quota',
  'refquota',
  'reservation',
  'refreservation',
  'volsize',
  'canmount',
  'version',
  'filesystem_limit',
  'snapshot_limit',
  'keylocation',
]);

/** Read-only statistics: a step cannot set them. */
export const READ_ONLY_PROPS = new Set([
  'type',
  'creation',
  'used',
  'available',
  'avail',
  'referenced',
  'refer',
  'compressratio',
  'refcompressratio',
  'mounted',
  'origin',
  'usedbysnapshots',
  'usedbydataset',
  'usedbychildren',
  'usedbyrefreservation',
  'defer_destroy',
  'userrefs',
  'clones',
  'written',
  'logicalused',
  'logicalreferenced',
  'guid',
  'createtxg',
  'objsetid',
  'encryptionroot',
  'keystatus',
  'filesystem_count',
  'snapshot_count',
  'snapshots_changed',
  'receive_resume_token',
  'redact_snaps',
  'inconsistent',
]);

/** Settable only by zfs create / zfs clone -o. */
export const CREATION_ONLY_PROPS = new Set([
  'casesensitivity',
  'normalization',
  'utf8only',
  'volblocksize',
  'encryption',
  'keyformat',
  'pbkdf2iters',
]);

const PROPERTY_NAME = /^(?:[a-z][a-z0-9_]*|[a-z0-9_.-]*:[a-z0-9_.:-]*|(?:user|group|project)(?:obj)?quota@[^\s=@]+)$/;

function isSizeProp(p: string): boolean {
  return SIZE_PROPS.has(p) || SIZE_PREFIXES.some((x) => p.startsWith(x));
}

function isCountProp(p: string): boolean {
  return LIMIT_PROPS.has(p) || COUNT_ZERO_NONE_PREFIXES.some((x) => p.startsWith(x));
}

export function isUserProperty(p: string): boolean {
  return p.includes(':');
}

export function isInheritable(p: string): boolean {
  return !NOT_INHERITABLE.has(p) && !p.includes('@');
}

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** "10G", "10g", "1.5T", "512", "128KiB", "4kb" -> bytes as a decimal string; undefined when not a size. */
export function parseSize(text: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?\s*([kmgtpe])?(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, whole, frac = '', unit = ''] = m;
  if (unit === '' && frac !== '') return undefined; // zfs wants whole bytes
  const mult = 1024n ** BigInt(UNITS.indexOf(unit.toUpperCase()));
  // As zfs_nicestrtonum: a fraction of the unit, truncated to whole bytes.
  return ((BigInt(`${whole}${frac}`) * mult) / 10n ** BigInt(frac.length)).toString();
}

/** Bytes shown the way zfs would take them back exactly: 10737418240 -> 10G, 1536 -> 1.5K only when exact. */
export function formatSize(bytes: string): string {
  let n = BigInt(bytes);
  let i = 0;
  while (i < UNITS.length - 1 && n !== 0n && n % 1024n === 0n) {
    n /= 1024n;
    i++;
  }
  return `${n}${UNITS[i]}`;
}

/** A value as a step may give it (YAML scalar) -> the string zfs is given. */
export function valueText(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
}

/** The canonical form of PROPERTY's VALUE, the same for the operator's text and `zfs get -Hp`'s. */
export function canonical(property: string, value: string): string {
  if (isSizeProp(property)) return value === 'none' ? '0' : (parseSize(value) ?? value);
  if (isCountProp(property)) return value === 'none' ? (LIMIT_PROPS.has(property) ? UINT64_MAX : '0') : value;
  if (property === 'mountpoint' && value.length > 1) return value.replace(/\/+$/, '');
  return value;
}

/** The canonical value shown to people: sizes with units, none for an unset quota or limit. */
export function display(property: string, canonicalValue: string): string {
  if (isSizeProp(property))
    return canonicalValue === '0' && property !== 'special_small_blocks'
      ? 'none'
      : /^\d+$/.test(canonicalValue)
        ? formatSize(canonicalValue)
        : canonicalValue;
  if (isCountProp(property) && (canonicalValue === UINT64_MAX || canonicalValue === '0')) return 'none';
  return canonicalValue;
}

/** A property as the host has it (from zfs get -Hp). */
export interface CurrentProperty {
  value: string;
  source: string;
}

export interface PropertyDrift {
  property: string;
  /** What zfs set / -o gets: the operator's text (units kept). */
  value: string;
  before: string | null;
  after: string;
}

/**
 * The properties of DESIRED that the dataset does not hold (see the header for the rule).
 * CURRENT: the dataset's properties; a user property that is not set is missing from it.
 */
export function propertyDrift(desired: Record<string, string>, current: ReadonlyMap<string, CurrentProperty>): PropertyDrift[] {
  const drift: PropertyDrift[] = [];
  for (const [property, value] of Object.entries(desired)) {
    const want = canonical(property, value);
    const have = current.get(property);
    const sameValue = have !== undefined && have.value !== '-' && canonical(property, have.value) === want;
    const pinned = !isInheritable(property) || have?.source === 'local';
    if (sameValue && pinned) continue;
    drift.push({
      property,
      value,
      before: have === undefined || have.value === '-' ? null : describeCurrent(property, have),
      after: display(property, want),
    });
  }
  return drift;
}

function describeCurrent(property: string, have: CurrentProperty): string {
  const shown = display(property, canonical(property, have.value));
  return have.source === 'local' || have.source === '-' ? shown : `${shown} (${have.source})`;
}

/** Step argument `properties`: names checked, values validated where zfs has a syntax (sizes). */
export const propertiesSchema = z
  .record(
    z
      .string()
      .regex(
        PROPERTY_NAME,
        'a zfs property name: lowercase native name (compression), user property with a colon (com.example:role), or userquota@USER',
      ),
    z.union([z.string(), z.number(), z.boolean()]),
  )
  .superRefine((props, ctx) => {
    for (const [name, raw] of Object.entries(props)) {
      const value = valueText(raw);
      if (READ_ONLY_PROPS.has(name)) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is a read-only property` });
      if (/[\t\n\0]/.test(value))
        ctx.addIssue({ code: 'custom', path: [name], message: 'a property value cannot contain tabs, newlines or NUL bytes' });
      if (isSizeProp(name) && value !== 'none' && parseSize(value) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name}: '${value}' is not a size (e.g. 10G, 512M, 131072${name.includes('quota') || name.includes('reservation') ? ', none' : ''})`,
        });
      }
      if (isUserProperty(name) && name.length > 256)
        ctx.addIssue({ code: 'custom', path: [name], message: 'a user property name is at most 256 characters' });
    }
  })
  .transform((props) => Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueText(v)])))
  .describe(
    'zfs properties: mountpoint, compression, quota (10G), recordsize, atime, canmount, com.example:foo, ... (any property, user properties too; ' +
      'sizes compared after unit normalisation: `10G` = `10737418240`; an inheritable property must be set `local`)',
  );

export type Properties = z.output<typeof propertiesSchema>;
