/**
 * The jail module's own fact: one snippet's lines, `key value` each (see
 * modules/jail/facts.ts for the script):
 *
 *   jls <a `jls -n -j NAME` line, or -: not running>
 *   root directory|absent|other        the jail's path
 *   rootver VERSION|-                  USERLAND_VERSION of PATH/bin/freebsd-version
 *   template directory|absent|...      the template's directory (thin-zfs: the snapshot's dataset's mountpoint)
 *   tplver VERSION|-
 *   snapshot yes|no                    thin-zfs: the template snapshot exists
 *   dataset yes|no                     the jail's own dataset exists
 *   skeleton yes|no                    thin-nullfs: SKELETON/etc exists; classic: PATH/etc exists
 *   skelds yes|no                      thin-nullfs: skeleton_dataset exists
 *   stamp VERSION|-                    thin-nullfs: the template's version when the jail last started
 *   linux yes|no                       Linux jails: the host has linux64 loaded
 */
import { parseJlsParamLine, type JlsParams } from './jail-jls.js';

export interface JailState {
  running: boolean;
  /** The running jail's parameters (jls -n). */
  params?: JlsParams;
  root: 'directory' | 'absent' | 'other';
  rootVersion?: string;
  template: 'directory' | 'absent' | 'other';
  templateDir?: string;
  templateVersion?: string;
  snapshot?: boolean;
  dataset?: boolean;
  skeleton?: boolean;
  skeletonDataset?: boolean;
  stamp?: string;
  linuxLoaded?: boolean;
}

const KINDS = ['directory', 'absent', 'other'] as const;

export function parseJailState(output: string): JailState {
  const st: JailState = { running: false, root: 'absent', template: 'absent' };
  const seen = new Set<string>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const v = sp < 0 ? '' : line.slice(sp + 1);
    const opt = v === '-' || v === '' ? undefined : v;
    seen.add(key);
    switch (key) {
      case 'jls':
        st.running = opt !== undefined;
        if (opt !== undefined) st.params = parseJlsParamLine(opt);
        break;
      case 'root':
      case 'template': {
        const [kind, ...dir] = v.split(' ');
        if (!(KINDS as readonly string[]).includes(kind as string)) throw new Error(`unexpected ${key} state '${v}'`);
        st[key] = kind as JailState['root'];
        if (key === 'template' && dir.length > 0) st.templateDir = dir.join(' ');
        break;
      }
      case 'rootver':
        if (opt) st.rootVersion = opt;
        break;
      case 'tplver':
        if (opt) st.templateVersion = opt;
        break;
      case 'stamp':
        if (opt) st.stamp = opt;
        break;
      case 'snapshot':
        st.snapshot = yes(key, v);
        break;
      case 'dataset':
        st.dataset = yes(key, v);
        break;
      case 'skeleton':
        st.skeleton = yes(key, v);
        break;
      case 'skelds':
        st.skeletonDataset = yes(key, v);
        break;
      case 'linux':
        st.linuxLoaded = yes(key, v);
        break;
      default:
        throw new Error(`unexpected line in the jail facts: '${line}'`);
    }
  }
  if (!seen.has('jls') || !seen.has('root')) throw new Error(`incomplete jail facts: ${JSON.stringify(output.slice(0, 300))}`);
  return st;
}

function yes(key: string, v: string): boolean {
  if (v !== 'yes' && v !== 'no') throw new Error(`unexpected ${key} value '${v}'`);
  return v === 'yes';
}
