/*
 * LD_PRELOAD for zfs-fuse in the lab: report LAB_ZFS_PHYS_MB of physical memory to
 * sysconf(_SC_PHYS_PAGES). zfs-fuse sizes its hash tables from physical memory and zeroes
 * them at start (about 70 MB resident per daemon on a 24 GB machine); with 512 MB it needs
 * about 12 MB, so a lab of 50 hosts fits in memory. See real-boot.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

long sysconf(int name) {
  static long (*real_sysconf)(int);
  if (!real_sysconf) real_sysconf = (long (*)(int))dlsym(RTLD_NEXT, "sysconf");
  if (name == _SC_PHYS_PAGES) {
    const char *mb = getenv("LAB_ZFS_PHYS_MB");
    long page = real_sysconf(_SC_PAGESIZE);
    if (mb && atol(mb) > 0 && page > 0) return atol(mb) * (1024L * 1024L / page);
  }
  return real_sysconf(name);
}
