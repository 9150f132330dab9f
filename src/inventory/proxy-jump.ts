/** ProxyJump specifications, OpenSSH syntax: comma-separated hops, each `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
import { ConfigError } from '../util/errors.js';

export interface JumpHop {
  host: string;
  user?: string;
  port?: number;
}

/** The hops of SPEC, outermost first. `none` (any case) is no hops. */
export function parseProxyJump(spec: string): JumpHop[] {
  if (spec.trim().toLowerCase() === 'none') return [];
  return spec.split(',').map((part) => parseHop(part.trim(), spec));
}

function parseHop(hop: string, spec: string): JumpHop {
  const bad = (why: string) => new ConfigError(`invalid ProxyJump '${spec}': hop '${hop}' ${why} (expected [user@]host[:port])`);
  if (hop === '') throw bad('is empty');
  let rest = hop.replace(/^ssh:\/\//i, '');
  const out: Partial<JumpHop> = {};
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    if (at === 0) throw bad('has an empty user');
    out.user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  // [v6addr]:port, a bare IPv6 address (two colons or more: no port), or host[:port].
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]*:[^:]*:.*)()$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  if (!m || !m[1]) throw bad('is malformed');
  out.host = m[1];
  if (m[2]) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw bad(`has port ${m[2]}, outside 1-65535`);
    out.port = port;
  }
  return out as JumpHop;
}

export function formatHop(h: { user?: string; host: string; port?: number }): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${h.user ? `${h.user}@` : ''}${host}${h.port ? `:${h.port}` : ''}`;
}
