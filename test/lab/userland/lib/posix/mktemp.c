/*
 * FreeBSD's mktemp(1) for the lab's Linux hosts, in C: fleetjail's file module and
 * sysrc(8) (once per variable it sets) call it on every host that changes.
 *
 *   mktemp [-d] [-p tmpdir] [-q] [-t prefix] [-u] template ...
 *   mktemp [-d] [-p tmpdir] [-q] [-u] -t prefix
 *
 * As FreeBSD's: every trailing X of a template is replaced (any number, as mkstemp(3)
 * does there; glibc's needs exactly six); -t PREFIX makes TMPDIR/PREFIX.XXXXXXXX where
 * TMPDIR is -p's directory, else $TMPDIR, else /tmp; no template and no -t means -t tmp;
 * with -p, templates without a slash go into that directory; -d makes a directory (0700),
 * -u only prints a name, otherwise a file is created (0600). Errors: "mktemp: mkstemp
 * failed on NAME: reason" (mkdtemp / mktemp for -d / -u), exit 1; -q silences them.
 * No GNU long options (FreeBSD 13 has none; fleetjail must not rely on 14's).
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int dflag, qflag, uflag;

static void usage(void) {
  fprintf(stderr, "usage: mktemp [-d] [-p tmpdir] [-q] [-t prefix] [-u] template ...\n"
                  "       mktemp [-d] [-p tmpdir] [-q] [-u] -t prefix \n");
  exit(1);
}

/* Fills the trailing X's of name and creates it; 0, or -1 with errno. */
static int make(char *name) {
  static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  size_t len = strlen(name), nx = 0;
  while (nx < len && name[len - 1 - nx] == 'X') nx++;
  /* The directory must exist (FreeBSD's _gettemp checks it before trying names). */
  char *slash = strrchr(name, '/');
  if (slash && slash != name) {
    struct stat st;
    *slash = '\0';
    int bad = stat(name, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
    *slash = '/';
    if (bad) { errno = bad; return -1; }
  }
  for (int tries = 0; tries < 1000; tries++) {
    unsigned char rnd[64];
    for (size_t i = 0; i < nx; i += sizeof rnd) {
      size_t n = nx - i < sizeof rnd ? nx - i : sizeof rnd;
      if (getrandom(rnd, n, 0) != (ssize_t)n) return -1;
      for (size_t k = 0; k < n; k++) name[len - nx + i + k] = chars[rnd[k] % (sizeof chars - 1)];
    }
    if (dflag) {
      if (mkdir(name, 0700) == 0) return 0;
    } else if (uflag) {
      struct stat st;
      if (lstat(name, &st) != 0) return errno == ENOENT ? 0 : -1;
      errno = EEXIST;
    } else {
      int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
      if (fd >= 0) { close(fd); return 0; }
    }
    if (errno != EEXIST || nx == 0) return -1;
  }
  errno = EEXIST;
  return -1;
}

static int handle(const char *base, const char *sep, const char *rest) {
  char *name;
  if (asprintf(&name, "%s%s%s", base, sep, rest) < 0) return 1;
  if (make(name) != 0) {
    if (!qflag) fprintf(stderr, "mktemp: %s failed on %s: %s\n", dflag ? "mkdtemp" : uflag ? "mktemp" : "mkstemp", name, strerror(errno));
    free(name);
    return 1;
  }
  printf("%s\n", name);
  free(name);
  return 0;
}

int main(int argc, char **argv) {
  const char *tmpdir = NULL, *prefix = NULL, *base;
  int i, status = 0;

  /* BSD getopt(3) with "dp:qt:u". */
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (a[0] != '-' || a[1] == '\0') break;
    for (int k = 1; a[k]; k++) {
      char c = a[k];
      if (c == 'p' || c == 't') {
        const char *v = a[k + 1] ? a + k + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) { fprintf(stderr, "mktemp: option requires an argument -- %c\n", c); usage(); }
        if (c == 'p') tmpdir = v; else prefix = v;
        break;
      }
      if (c == 'd') dflag = 1;
      else if (c == 'q') qflag = 1;
      else if (c == 'u') uflag = 1;
      else { fprintf(stderr, "mktemp: illegal option -- %c\n", c); usage(); }
    }
  }
  if (tmpdir && !*tmpdir) tmpdir = NULL;
  base = tmpdir ? tmpdir : getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  if (i >= argc && !prefix) prefix = "tmp";
  if (prefix) {
    char *rest;
    if (asprintf(&rest, "%s.XXXXXXXX", prefix) < 0) return 1;
    status |= handle(base, base[strlen(base) - 1] == '/' ? "" : "/", rest);
    free(rest);
  }
  for (; i < argc; i++) {
    if (tmpdir && !strchr(argv[i], '/')) status |= handle(tmpdir, tmpdir[strlen(tmpdir) - 1] == '/' ? "" : "/", argv[i]);
    else status |= handle(argv[i], "", "");
  }
  return status;
}
