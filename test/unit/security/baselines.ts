/**
 * For the hostile corpus: each module's valid arguments (one or more baselines) and facts of a
 * host on which the module has work to do (so plan() produces its change scripts). Every
 * module in the registry must have an entry here: the corpus test fails for one that has none.
 */
import type { Target } from '../../../src/modules/kit/contract.js';
import type { FileState } from '../../../src/facts/file-state.js';
import { DEFAULT_JAIL_CONF } from '../../../src/modules/jail/conf.js';
import type { ManifestEntry } from '../../../src/facts/release.js';
import { ABSENT, textFile } from '../modules/support.js';

export interface Baseline {
  args: Record<string, unknown> | string;
  /** Facts under which plan() has changes to make (ARGS: the validated arguments). */
  facts(args: any, target: Target): Record<string, unknown>;
}

const DIR: FileState = { type: 'directory', mode: '0755', uid: '0', gid: '0', owner: 'root', group: 'wheel' };
const OLD = textFile('old\n', { mode: '0600', owner: 'nobody', group: 'nogroup', uid: '65534', gid: '65534' });
const withRoot = (t: Target, f: Record<string, unknown>) => (t.kind === 'jail' ? { ...f, root: '/fj-jails/www' } : f);
/** In a jail, owner and group names are looked up in the jail's files (file's `ids` fact). */
const withIds = (t: Target, f: Record<string, unknown>) => withRoot(t, t.kind === 'jail' ? { ...f, ids: { uid: '0', gid: '0' } } : f);

const MANIFEST = new Map<string, ManifestEntry>(
  ['base.txz', 'lib32.txz', 'kernel.txz'].map((file) => [
    file,
    { file, sha256: 'b'.repeat(64), entries: 1, set: file.slice(0, -4), description: '', default: true },
  ]),
);

const freshTemplate = {
  dir: 'absent',
  userlandText: '',
  userland: null,
  hasMarker: false,
  sets: [],
  extracting: [],
  hostFiles: [{ path: '/etc/resolv.conf', host: '1'.repeat(64), template: null }],
  dataset: { exists: false },
  snapshots: [],
  manifest: { ok: true, sets: MANIFEST },
};

const jailFacts = (running: boolean) => () => ({
  state: {
    running,
    root: 'absent',
    template: 'directory',
    snapshot: true,
    rootVersion: undefined,
    templateVersion: '14.2-RELEASE-p3',
    stamp: '14.2-RELEASE-p2',
  },
  conf: textFile('# old\n'),
  fstab: textFile('# old\n'),
  jailConf: textFile(DEFAULT_JAIL_CONF),
  rcConf: textFile('jail_enable="NO"\n'),
});

const LO1 = { name: 'lo1', flags: [], up: false, inet: [{ addr: '10.9.9.9', prefix: 32 }], inet6: [], members: [], groups: [] };
const BRIDGE = { name: 'bridge0', flags: [], up: true, inet: [], inet6: [], members: ['tap9'], groups: [] };

export const BASELINES: Record<string, Baseline[]> = {
  sysrc: [
    { args: { name: 'fj_var', value: 'v' }, facts: (_a, t) => withRoot(t, { file: textFile('fj_var="old"\n') }) },
    { args: { name: 'fj_list', item: 'v', delimiter: ',' }, facts: (_a, t) => withRoot(t, { file: textFile('fj_list="a,b"\n') }) },
  ],
  file: [
    { args: { path: '/fj/file', content: 'x', mode: '0644', owner: 'root', group: 'wheel' }, facts: (_a, t) => withIds(t, { state: OLD }) },
    {
      args: { path: '/fj/dir', state: 'directory', mode: '0755', owner: 'root', group: 'wheel' },
      facts: (_a, t) => withIds(t, { state: ABSENT }),
    },
    {
      args: { path: '/fj/link', state: 'link', target: '/fj/file', owner: 'root', group: 'wheel' },
      facts: (_a, t) => withIds(t, { state: ABSENT }),
    },
    { args: { path: '/fj/gone', state: 'absent', recursive: true }, facts: (_a, t) => withRoot(t, { state: DIR }) },
    { args: { path: '/fj/file', content: 'x', validate: 'true %s' }, facts: (_a, t) => withRoot(t, { state: OLD }) },
  ],
  line: [
    {
      args: { path: '/fj/file', line: 'x', regexp: '^x', insert_after: '^a' },
      facts: (_a, t) => withRoot(t, { file: textFile('a\nb\n') }),
    },
  ],
  service: [
    {
      args: { name: 'fjd', enabled: true, state: 'restarted' },
      facts: () => ({ rcvar: { rcvar: 'fjd_enable', value: 'NO' }, running: true }),
    },
  ],
  pkg: [
    { args: { name: ['fj', 'fj2'], state: 'present' }, facts: () => ({ installed: { bootstrapped: false, packages: new Map() } }) },
    { args: { name: 'fj', state: 'absent' }, facts: () => ({ installed: { bootstrapped: true, packages: new Map([['fj', '1']]) } }) },
    {
      args: { name: 'fj', state: 'latest' },
      facts: () => ({ installed: { bootstrapped: true, packages: new Map([['fj', '1']]) }, outdated: new Map([['fj', '2']]) }),
    },
  ],
  command: [
    {
      args: { argv: ['echo', 'x'], chdir: '/fj', creates: '/fj/c', removes: '/fj/r', unless: 'false', onlyif: 'true' },
      facts: () => ({ creates: false, removes: true, unless: false, onlyif: true }),
    },
    { args: 'echo x', facts: () => ({}) },
  ],
  'zfs.dataset': [
    { args: { name: 'zroot/fj/a', properties: { quota: '1G', 'com.example:role': 'web' } }, facts: () => ({ dataset: null }) },
    {
      args: { name: 'zroot/fj/a', state: 'absent', recursive: true },
      facts: (a) => ({
        dataset: { name: a.name, type: 'filesystem', props: new Map() },
        tree: [{ name: a.name, type: 'filesystem' }],
        origins: new Map(),
      }),
    },
  ],
  'zfs.snapshot': [
    {
      args: { name: 'zroot/fj@s1', recursive: true },
      facts: () => ({
        snapshot: null,
        tree: [
          { name: 'zroot/fj', type: 'filesystem' },
          { name: 'zroot/fj/a', type: 'filesystem' },
        ],
        origins: new Map(),
      }),
    },
    {
      args: { name: 'zroot/fj@fj-2', keep: { prefix: 'fj-', count: 1 } },
      facts: (a) => ({
        snapshot: null,
        tree: [
          { name: 'zroot/fj', type: 'filesystem' },
          { name: 'zroot/fj@fj-1', type: 'snapshot' },
          { name: a.name, type: 'snapshot' },
        ],
        origins: new Map(),
      }),
    },
  ],
  'zfs.clone': [
    {
      args: { name: 'zroot/fj/c', origin: 'zroot/fj@s1', properties: { quota: '1G' } },
      facts: (a) => ({ target: null, origin: { name: a.origin, type: 'snapshot', props: new Map() } }),
    },
  ],
  release: [
    {
      args: {
        version: '14.2-RELEASE',
        path: '/fj/tpl',
        dataset: 'zroot/fj/tpl',
        mirror: 'http://mirror.lab/pub/FreeBSD/releases',
        sets: ['base', 'lib32'],
        snapshot: 'patch',
        workdir: '/fj/work',
      },
      facts: () => ({ template: freshTemplate }),
    },
  ],
  jail: [
    {
      args: {
        name: 'fjz',
        type: 'thin-zfs',
        template: 'zroot/fj/tpl@p3',
        dataset: 'zroot/fj/jails/fjz',
        path: '/fj/jails/fjz',
        hostname: 'fjz.example',
        interface: 'lo1',
        ip4: '10.0.0.3',
        params: { 'allow.raw_sockets': true, 'exec.poststart': 'echo x' },
        boot: true,
        mounts: [{ source: '/fj/src', target: '/mnt/src' }],
      },
      facts: jailFacts(false),
    },
    {
      args: {
        name: 'fjn',
        type: 'thin-nullfs',
        template: '/fj/tpl',
        path: '/fj/jails/fjn',
        skeleton_dataset: 'zroot/fj/skel',
        vnet: { epair: 7, bridge: 'bridge0', address: '192.168.7.253/24', gateway: '192.168.7.1' },
      },
      facts: jailFacts(true),
    },
    {
      args: {
        name: 'fjc',
        type: 'classic',
        template: '/fj/tpl',
        path: '/fj/jails/fjc',
        shared: ['bin', 'usr/bin'],
        linux: { userland: 'compat/debian', shm_size: '1g' },
      },
      facts: jailFacts(false),
    },
    {
      args: {
        name: 'fjt',
        type: 'thick',
        template: '/fj/tpl',
        path: '/fj/jails/fjt',
        dataset: 'zroot/fj/jails/fjt',
        state: 'absent',
        destroy_root: true,
      },
      facts: () => ({ ...jailFacts(true)(), state: { running: true, root: 'directory', template: 'directory', dataset: true } }),
    },
  ],
  'jail.exec': [
    {
      args: { jail: 'www', argv: ['echo', 'x'], user: 'www', chdir: '/fj', creates: '/fj/c', unless: 'false' },
      facts: () => ({ creates: false, unless: false }),
    },
  ],
  'devfs.ruleset': [
    {
      args: {
        name: 'devfsrules_fj',
        number: 77,
        rules: ['add include $devfsrules_hide_all', "add path 'bpf*' unhide"],
        file: '/fj/devfs.rules',
      },
      facts: () => ({ file: textFile('[devfsrules_fj=77]\nadd path x unhide\n'), defaults: ABSENT }),
    },
  ],
  interface: [
    {
      args: { name: 'lo1', aliases: ['inet 10.0.0.1-3', 'inet6 fd00::2/64'], address: '10.0.0.9/24', up: true },
      facts: () => ({ net: { ifaces: new Map([['lo1', LO1]]) }, rcConf: ABSENT }),
    },
    {
      args: { name: 'bridge0', addm: ['tap0'], up: true },
      facts: () => ({ net: { ifaces: new Map([['bridge0', BRIDGE]]) }, rcConf: ABSENT }),
    },
    {
      args: { name: 'tap3', state: 'absent' },
      facts: () => ({ net: { ifaces: new Map([['tap3', { ...LO1, name: 'tap3' }]]) }, rcConf: textFile('cloned_interfaces="tap3"\n') }),
    },
  ],
  pf: [
    {
      args: { rules: 'pass all\n', path: '/fj/pf.conf', confirm_timeout: 10 },
      facts: () => ({ conf: OLD, status: 'disabled', rc: ABSENT }),
    },
  ],
  archive: [
    {
      args: { path: '/fj/src', dest: '/fj/out/fj-2.txz', keep: { prefix: 'fj-', count: 1 } },
      facts: () => ({ state: { source: true, done: false, rotation: ['fj-1.txz', 'fj-0.txz'] } }),
    },
  ],
};
