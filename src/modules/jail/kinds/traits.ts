/**
 * The jail types and what each one's arguments must be: data, read by the argument checks
 * (args.ts) before any host is contacted. What each type does is in its own file beside this.
 */
export const JAIL_TYPES = ['thin-zfs', 'thick', 'thin-nullfs', 'classic'] as const;
export type JailType = (typeof JAIL_TYPES)[number];

export interface KindTraits {
  /** The template: a ZFS snapshot (DATASET@SNAP) or a directory. */
  template: 'snapshot' | 'directory';
  /** `dataset`: required (with the message), allowed, or refused. */
  dataset: { required: string } | 'optional' | 'none';
  /** Takes `skeleton` / `skeleton_dataset`. */
  skeleton: boolean;
  /** Takes `shared`. */
  shared: boolean;
  /** Why a Linux userland cannot go in this type's root; undefined: it can. */
  noLinux?: string;
}

export const KIND_TRAITS: Record<JailType, KindTraits> = {
  'thin-zfs': {
    template: 'snapshot',
    dataset: { required: "thin-zfs: give the jail's dataset (the clone)" },
    skeleton: false,
    shared: false,
  },
  thick: { template: 'directory', dataset: 'optional', skeleton: false, shared: false },
  'thin-nullfs': {
    template: 'directory',
    dataset: 'none',
    skeleton: true,
    shared: false,
    noLinux: "a thin-nullfs jail's root is the read-only template: give the Linux userland to a thin-zfs, thick or classic jail",
  },
  classic: { template: 'directory', dataset: 'none', skeleton: false, shared: true },
};
