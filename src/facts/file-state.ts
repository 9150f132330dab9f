/**
 * The state of one path as the file fact query prints it (see modules/kit/file-facts.ts):
 *
 *   type file|directory|link|other|absent
 *   stat MODE UID GID USER GROUP SIZE     (stat -f '%Mp%Lp %u %g %Su %Sg %z')
 *   sha256 HEX                            (regular files)
 *   target PATH                           (symlinks: readlink)
 *   content                               (when asked for, the rest is the file's bytes)
 */

export type FileType = 'file' | 'directory' | 'link' | 'other' | 'absent';

export interface FileState {
  type: FileType;
  /** Four octal digits, e.g. "0644". */
  mode?: string;
  uid?: string;
  gid?: string;
  owner?: string;
  group?: string;
  size?: number;
  sha256?: string;
  linkTarget?: string;
  /** Present only when the query asked for it and the file was small enough. */
  content?: string;
}

const TYPES: FileType[] = ['file', 'directory', 'link', 'other', 'absent'];

/** TYPE as a message says it: "a directory", "a symbolic link", "a special file (a device, FIFO or socket)". */
export function aFileType(type: FileType): string {
  return {
    file: 'a file',
    directory: 'a directory',
    link: 'a symbolic link',
    other: 'a special file (a device, FIFO or socket)',
    absent: 'absent',
  }[type];
}

export function parseFileState(output: string): FileState {
  const contentAt = output.indexOf('\ncontent\n');
  const head = contentAt >= 0 ? output.slice(0, contentAt) : output;
  const state: FileState = { type: 'absent' };
  let sawType = false;
  for (const line of head.split('\n')) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (key === 'type') {
      if (!TYPES.includes(rest as FileType)) throw new Error(`unexpected file type '${rest}'`);
      state.type = rest as FileType;
      sawType = true;
    } else if (key === 'stat') {
      Object.assign(state, parseStatLine(rest));
    } else if (key === 'sha256') {
      if (!/^[0-9a-f]{64}$/.test(rest)) throw new Error(`unexpected sha256 output '${rest}'`);
      state.sha256 = rest;
    } else if (key === 'target') {
      state.linkTarget = rest;
    }
  }
  if (!sawType) throw new Error(`no file state in output: ${JSON.stringify(output.slice(0, 200))}`);
  if (contentAt >= 0) state.content = output.slice(contentAt + '\ncontent\n'.length);
  return state;
}

/** `stat -f '%Mp%Lp %u %g %Su %Sg %z'`: e.g. "0644 0 0 root wheel 1187". */
export function parseStatLine(line: string): Pick<FileState, 'mode' | 'uid' | 'gid' | 'owner' | 'group' | 'size'> {
  const f = line.trim().split(/\s+/);
  if (f.length !== 6 || !/^[0-7]{3,4}$/.test(f[0] as string) || !/^\d+$/.test(f[5] as string)) {
    throw new Error(`unexpected stat output '${line}'`);
  }
  return {
    mode: (f[0] as string).padStart(4, '0'),
    uid: f[1] as string,
    gid: f[2] as string,
    owner: f[3] as string,
    group: f[4] as string,
    size: Number(f[5]),
  };
}
