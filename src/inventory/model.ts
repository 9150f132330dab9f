import type { Become } from '../transport/types.js';

/** Variables attached to a host, group or playbook. Values are whatever YAML produced. */
export type Vars = Record<string, unknown>;

/** Where something was declared, for error messages: file:line:column (1-based). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** A host as the inventory declares it, before ssh_config is applied. */
export interface HostDecl {
  name: string;
  /** address / ansible_host; undefined means "use the name" (ssh_config may still rewrite it). */
  address?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  become?: Become;
  /** ProxyJump spec, OpenSSH syntax: [user@]host[:port][,more]. */
  proxyJump?: string;
  vars: Vars;
  pos?: SourcePos;
}

export interface GroupDecl {
  name: string;
  hosts: string[];
  children: string[];
  vars: Vars;
  pos?: SourcePos;
}

/** Connection settings for hosts that don't set their own. */
export interface HostDefaults {
  user?: string;
  port?: number;
  identityFile?: string;
  become?: Become;
  proxyJump?: string;
}

export interface Inventory {
  hosts: Map<string, HostDecl>;
  /** Always contains 'all'. */
  groups: Map<string, GroupDecl>;
  defaults: HostDefaults;
  /** known_hosts files the inventory names (the CLI's --known-hosts overrides them). */
  knownHosts: string[];
}

export type { ConnectTarget } from '../transport/types.js';
