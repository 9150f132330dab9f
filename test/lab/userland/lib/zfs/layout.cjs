'use strict';
/**
 * The pools a lab host starts with, shaped like a FreeBSD 14 install (bsdinstall's zroot):
 * zroot at /zroot, boot environment datasets that are never mounted here (the host's / is
 * not ZFS), /usr and /var as canmount=off containers. zdata (LAB_ZDATA=1) is a bare pool
 * at /zdata, as in seed 002. Used by both the real (zfs-fuse) and the emulated boot.
 */
const POOLS = {
  zroot: {
    mountpoint: '/zroot',
    datasets: [
      ['zroot/ROOT', { mountpoint: 'none' }],
      ['zroot/ROOT/default', { mountpoint: '/', canmount: 'noauto' }],
      ['zroot/usr', { mountpoint: '/usr', canmount: 'off' }],
      ['zroot/var', { mountpoint: '/var', canmount: 'off' }],
    ],
  },
  zdata: { mountpoint: '/zdata', datasets: [] },
};

/** Pools for a host's options: zroot always, zdata when LAB_ZDATA is 1/yes. */
function poolsFor(env) {
  return ['zroot', ...(/^(1|yes|true)$/i.test(env.LAB_ZDATA || '') ? ['zdata'] : [])];
}

module.exports = { POOLS, poolsFor };
