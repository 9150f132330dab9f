/**
 * Ansible's connection variables (ansible_host, ansible_port, ansible_user,
 * ansible_ssh_private_key_file, ansible_become, ansible_become_method, their older
 * ansible_ssh_* spellings, and a jump host given as `-J host` or `-o ProxyJump=host` in
 * ansible_ssh_common_args / ansible_ssh_extra_args). They stay ordinary variables, so they layer like any other
 * (all < parent group < child group < host), and are read when a host's connection is
 * resolved. They are checked where they are written, so a bad port names its line.
 */
import path from 'node:path';
import type { Become } from '../transport/types.js';
import type { YamlFile, YamlPath } from '../util/yaml.js';
import type { HostDefaults, Vars } from './model.js';
import { port, str } from './fields.js';
import { expandPath } from './paths.js';

const ADDRESS = ['ansible_host', 'ansible_ssh_host'];
const PORT = ['ansible_port', 'ansible_ssh_port'];
const USER = ['ansible_user', 'ansible_ssh_user'];
const KEY_FILE = ['ansible_ssh_private_key_file', 'ansible_private_key_file'];
const BECOME = 'ansible_become';
const BECOME_METHOD = 'ansible_become_method';
const BECOME_METHODS: Become[] = ['doas', 'sudo'];
const SSH_ARGS = ['ansible_ssh_extra_args', 'ansible_ssh_common_args'];

/** Checks the connection variables of the mapping at AT and rewrites them in VARS to their canonical form. */
export function normalizeConnectionVars(y: YamlFile, at: YamlPath, vars: Vars): void {
  const base = path.dirname(path.resolve(y.file));
  for (const [k, v] of Object.entries(vars)) {
    const where = [...at, k];
    if (ADDRESS.includes(k) || USER.includes(k)) vars[k] = str(y, where, v);
    else if (PORT.includes(k)) vars[k] = port(y, where, v);
    else if (KEY_FILE.includes(k)) vars[k] = expandPath(str(y, where, v), base);
    else if (k === BECOME) vars[k] = flag(y, where, v);
    else if (k === BECOME_METHOD && !BECOME_METHODS.includes(v as Become)) {
      throw y.error(
        where,
        `ansible_become_method ${JSON.stringify(v)} is not supported: fleetjail becomes root with ${BECOME_METHODS.join(' or ')}`,
      );
    }
  }
}

/** What a host's merged variables say about its connection. */
export function connectionFromVars(vars: Vars): HostDefaults & { address?: string } {
  const first = (names: string[]) => names.map((n) => vars[n]).find((v) => v !== undefined);
  const out: HostDefaults & { address?: string } = {};
  const address = first(ADDRESS);
  const p = first(PORT);
  const user = first(USER);
  const key = first(KEY_FILE);
  if (address !== undefined) out.address = String(address);
  if (p !== undefined) out.port = Number(p);
  if (user !== undefined) out.user = String(user);
  if (key !== undefined) out.identityFile = String(key);
  const jump = SSH_ARGS.map((n) => vars[n])
    .map((v) => (typeof v === 'string' ? proxyJumpInSshArgs(v) : undefined))
    .find(Boolean);
  if (jump) out.proxyJump = jump;
  // Like Ansible: a method alone does not turn become on; become alone means sudo.
  if (vars[BECOME] !== undefined) out.become = vars[BECOME] ? ((vars[BECOME_METHOD] as Become | undefined) ?? 'sudo') : 'none';
  return out;
}

/** The jump host in ssh options: `-J spec`, `-o ProxyJump=spec`, `-o 'ProxyJump spec'`. */
export function proxyJumpInSshArgs(args: string): string | undefined {
  const m = /(?:^|\s)-J\s*(['"]?)([^\s'"]+)\1/.exec(args) ?? /(?:^|\s)-o\s*(['"]?)ProxyJump(?:\s*=\s*|\s+)([^\s'"]+)\1/i.exec(args);
  return m?.[2];
}

/** Ansible's booleans (YAML 1.1 spellings included: yes/no/on/off). */
function flag(y: YamlFile, at: YamlPath, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  const s = String(v).toLowerCase();
  if (['true', 'yes', 'on', 'y', '1'].includes(s)) return true;
  if (['false', 'no', 'off', 'n', '0'].includes(s)) return false;
  throw y.error(at, `${String(at[at.length - 1])} must be true or false, got ${JSON.stringify(v)}`);
}
