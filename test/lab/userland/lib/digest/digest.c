/*
 * FreeBSD's md5(1) family for the lab's Linux hosts, in C so a call costs what FreeBSD's
 * does (~1 ms): fleetjail's file fact runs `sha256 -q FILE` once per regular file.
 * One binary; the name it is called by picks the algorithm (md5, sha1, sha224, sha256,
 * sha384, sha512, sha512t224, sha512t256), as FreeBSD's links to /sbin/md5 do.
 *
 *   NAME [-pqrtx] [-c string] [-s string] [file ...]
 *
 * Output as FreeBSD's: "SHA256 (file) = hex", -r "hex file", -q "hex", stdin (no file
 * operand) "hex"; "-" is stdin (FreeBSD 14). -s STRING is digested when the option is
 * met, with the -q/-r seen so far: SHA256 ("STRING") = hex. -c STRING compares (case
 * insensitive); a mismatch appends " [ Failed ]" (" [ failed ]" for -s) unless -q, and
 * exits 2; an unreadable file warns "NAME: FILE: reason" and exits 1 (which wins over 2).
 * With -s or -c and no file operands, stdin is not read.
 * Lab differences: -p, -t and -x say they are not emulated and exit 1; no GNU-style
 * *sum names or long options (FreeBSD 14 has them; fleetjail must not rely on them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "hashes.h"

static const struct { const char *prog, *label; enum hash_kind kind; } ALGS[] = {
  { "md5", "MD5", H_MD5 }, { "sha1", "SHA1", H_SHA1 }, { "sha224", "SHA224", H_SHA224 },
  { "sha256", "SHA256", H_SHA256 }, { "sha384", "SHA384", H_SHA384 }, { "sha512", "SHA512", H_SHA512 },
  { "sha512t224", "SHA512t224", H_SHA512T224 }, { "sha512t256", "SHA512t256", H_SHA512T256 },
};

static const char *prog = "md5";

static void usage(void) {
  fprintf(stderr, "usage: %s [-pqrtx] [-c string] [-s string] [files ...]\n", prog);
  exit(1);
}

static void tohex(const unsigned char *d, size_t n, char *out) {
  static const char x[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) { out[2 * i] = x[d[i] >> 4]; out[2 * i + 1] = x[d[i] & 15]; }
  out[2 * n] = '\0';
}

/* Digest of an open descriptor into hex; -1 with errno on a read error. */
static int digest_fd(enum hash_kind kind, int fd, char *hex) {
  static unsigned char buf[65536];
  unsigned char d[64];
  struct hash_ctx c;
  ssize_t n;
  hash_init(&c, kind);
  while ((n = read(fd, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    hash_update(&c, buf, (size_t)n);
  }
  tohex(d, hash_final(&c, d), hex);
  return 0;
}

int main(int argc, char **argv) {
  const char *slash, *check = NULL, *label = "MD5";
  enum hash_kind kind = H_MD5;
  int quiet = 0, reverse = 0, sflag = 0, failed = 0, checks_failed = 0, i;
  char hex[129];

  if (argc > 0) prog = (slash = strrchr(argv[0], '/')) ? slash + 1 : argv[0];
  for (size_t k = 0; k < sizeof ALGS / sizeof ALGS[0]; k++) {
    if (strcmp(prog, ALGS[k].prog) == 0) { kind = ALGS[k].kind; label = ALGS[k].label; }
  }

  /* BSD getopt(3) with "c:pqrs:tx": no permutation, its messages. */
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (a[0] != '-' || a[1] == '\0') break;
    for (int k = 1; a[k]; k++) {
      char c = a[k];
      if (c == 'c' || c == 's') {
        const char *v = a[k + 1] ? a + k + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) { fprintf(stderr, "%s: option requires an argument -- %c\n", prog, c); usage(); }
        if (c == 'c') { check = v; break; }
        struct hash_ctx ctx;
        unsigned char d[64];
        int bad;
        hash_init(&ctx, kind);
        hash_update(&ctx, v, strlen(v));
        tohex(d, hash_final(&ctx, d), hex);
        bad = check && strcasecmp(check, hex) != 0;
        if (quiet) printf("%s", hex);
        else if (reverse) printf("%s \"%s\"", hex, v);
        else printf("%s (\"%s\") = %s", label, v, hex);
        if (bad && !quiet) printf(" [ failed ]");
        putchar('\n');
        checks_failed += bad;
        sflag = 1;
        break;
      }
      if (c == 'q') quiet = 1;
      else if (c == 'r') reverse = 1;
      else if (c == 'p' || c == 't' || c == 'x') {
        fprintf(stderr, "%s: -%c is not emulated in the lab\n", prog, c);
        exit(1);
      } else {
        fprintf(stderr, "%s: illegal option -- %c\n", prog, c);
        usage();
      }
    }
  }

  if (i < argc) {
    for (; i < argc; i++) {
      const char *f = argv[i];
      int fd = strcmp(f, "-") == 0 ? 0 : open(f, O_RDONLY);
      int bad;
      if (fd < 0 || digest_fd(kind, fd, hex) < 0) {
        int e = errno;
        fflush(stdout);
        fprintf(stderr, "%s: %s: %s\n", prog, f, strerror(e));
        if (fd > 0) close(fd);
        failed = 1;
        continue;
      }
      if (fd > 0) close(fd);
      bad = check && strcasecmp(check, hex) != 0;
      if (quiet) printf("%s", hex);
      else if (reverse) printf("%s %s", hex, f);
      else printf("%s (%s) = %s", label, f, hex);
      if (bad && !quiet) printf(" [ Failed ]");
      putchar('\n');
      checks_failed += bad;
    }
  } else if (!sflag && !check) {
    if (digest_fd(kind, 0, hex) < 0) {
      fprintf(stderr, "%s: -: %s\n", prog, strerror(errno));
      failed = 1;
    } else {
      printf("%s\n", hex);
    }
  }
  if (fflush(stdout) != 0) failed = 1;
  return failed ? 1 : checks_failed ? 2 : 0;
}
