/**
 * Where a lab lives and how its hosts are named and addressed.
 * A lab is a directory (default `.lab/` at the project root) plus a /16 of loopback
 * addresses, so several labs (e.g. parallel test workers) can run side by side.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAB_SOURCE_DIR = path.join(PROJECT_ROOT, 'test', 'lab');
/** The lab's FreeBSD userland, mounted read-only at /.sys/userland in every host. */
export const USERLAND_DIR = path.join(LAB_SOURCE_DIR, 'userland');

export interface LabLayout {
  dir: string;
  /** First two octets of the lab's loopback range, e.g. "127.0" → hosts at 127.0.1.1, 127.0.1.2, ... */
  subnet: string;
}

export function defaultLayout(): LabLayout {
  return {
    dir: path.resolve(process.env.FLEETJAIL_LAB_DIR ?? path.join(PROJECT_ROOT, '.lab')),
    subnet: process.env.FLEETJAIL_LAB_SUBNET ?? '127.0',
  };
}

/** Host index (1-based) → host name: h01 ... h99, h100 ... */
export function hostName(index: number, total: number): string {
  const width = Math.max(2, String(total).length);
  return `h${String(index).padStart(width, '0')}`;
}

/** Host index (1-based) → loopback address; 250 hosts per third octet, starting at x.y.1.1. */
export function hostAddress(layout: LabLayout, index: number): string {
  const third = 1 + Math.floor((index - 1) / 250);
  const fourth = ((index - 1) % 250) + 1;
  if (third > 254) throw new Error(`lab: host index ${index} is beyond the ${layout.subnet}.0.0/16 range`);
  return `${layout.subnet}.${third}.${fourth}`;
}

export const paths = (layout: LabLayout) => ({
  state: path.join(layout.dir, 'lab.json'),
  inventory: path.join(layout.dir, 'inventory.yaml'),
  knownHosts: path.join(layout.dir, 'known_hosts'),
  clientKey: path.join(layout.dir, 'id_ed25519'),
  hostDir: (name: string) => path.join(layout.dir, 'hosts', name),
  hostRoot: (name: string) => path.join(layout.dir, 'hosts', name, 'root'),
});
