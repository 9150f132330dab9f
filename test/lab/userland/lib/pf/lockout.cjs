'use strict';
/**
 * The lab's SSH lockout: lab hosts share the machine's network stack, so pf cannot drop
 * packets. Instead, when pf is enabled and its ruleset would block a new TCP connection
 * from the lab's clients (127.0.0.1) to the host's address, port 22, on em0, the host's
 * sshd listener (/var/run/sshd.pid) is stopped: new SSH sessions are refused, open
 * sessions (separate processes) stay. When a ruleset that lets SSH in is loaded, or pf
 * is disabled, the listener the lab stopped is started again the way PID 1 started it.
 */
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { verdict } = require('./evaluate.cjs');

const SSHD = ['/usr/sbin/sshd', '-f', '/etc/ssh/sshd_config', '-E', '/var/log/sshd.log'];
const CLIENT = '127.0.0.1';

function hostAddress() {
  try {
    const m = /^HOST_ADDRESS=(.*)$/m.exec(fs.readFileSync('/.lab/host.env', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    /* not in a lab host */
  }
  return null;
}

function listenerPid() {
  try {
    const pid = Number(fs.readFileSync('/var/run/sshd.pid', 'utf8').trim());
    if (!pid) return null;
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /sshd/.test(cmd) ? pid : null;
  } catch {
    return null;
  }
}

function sshBlocked(state, ifaces) {
  const dst = hostAddress();
  if (!dst) return false;
  return verdict(state, { ifname: 'em0', src: CLIENT, dst, sport: 50000, dport: 22, proto: 6 }, { ifaces }) === 'block';
}

/** Bring sshd's listener in line with the ruleset; mutates state.sshdSuspended. */
function apply(state, ifaces) {
  if (!hostAddress()) return;
  if (sshBlocked(state, ifaces)) {
    const pid = listenerPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
        state.sshdSuspended = true;
      } catch {
        /* gone already */
      }
    }
  } else if (state.sshdSuspended) {
    state.sshdSuspended = false;
    if (!listenerPid()) spawnSync(SSHD[0], SSHD.slice(1), { stdio: 'ignore' });
  }
}

module.exports = { apply, sshBlocked, hostAddress };
