/*
 * FreeBSD's stat(1) for the lab's Linux hosts, in C so a call costs what FreeBSD's does
 * (~1 ms) instead of a node start-up (~25 ms): fleetjail's file fact runs it once per file.
 *
 *   stat [-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file ...]
 *
 * Written after FreeBSD's usr.bin/stat/stat.c: the format language
 * %[#+- 0][width][.prec][D|O|U|X|F|S][H|M|L]field with fields
 * d i p l u g r a m c B z b k f v N T Y Z R and %n %t %% %@, its default outputs per field,
 * its printf(3)-based assembly, "bad format" errors, a newline only when the output does
 * not already end with one, and -F / conflicting-format errors.
 * Lab differences (also in test/lab/README.md): -x prints the default format, -H is
 * accepted and ignored, %f and %v are 0 (%Sf is "-"), %Sd/%Sr are "???", %B is the
 * birth time when the file system records one (statx), else the change time.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEF_FORMAT "%d %i %Sp %l %Su %Sg %r %z \"%Sa\" \"%Sm\" \"%Sc\" \"%SB\" %k %b %#Xf %N"
#define RAW_FORMAT "%d %i %#p %l %u %g %r %z %a %m %c %B %k %b %f %N"
#define LS_FORMAT "%Sp %l %Su %Sg %Z %Sm %N%SY"
#define LSF_FORMAT "%Sp %l %Su %Sg %Z %Sm %N%T%SY"
#define SHELL_FORMAT "st_dev=%d st_ino=%i st_mode=%#p st_nlink=%l st_uid=%u st_gid=%g " \
  "st_rdev=%r st_size=%z st_atime=%a st_mtime=%m st_ctime=%c st_birthtime=%B " \
  "st_blksize=%k st_blocks=%b st_flags=%f"
#define TIME_FORMAT "%b %e %T %Y"
#define SYNOPSIS "[-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file|handle ...]"

enum { F_POUND = 1, F_SPACE = 2, F_PLUS = 4, F_ZERO = 8, F_MINUS = 16 };
enum { O_DEC = 1, O_OCT = 2, O_UNS = 4, O_HEX = 8, O_FLOAT = 16, O_STR = 32 };

/* What stat(1) knows about a file: struct stat plus the birth time (statx on Linux). */
struct info {
  struct stat st;
  struct timespec birth;
};

static const char *prog = "stat";
static const char *timefmt;

static void warnx_(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void usage(void) {
  fprintf(stderr, "usage: %s %s\n", prog, SYNOPSIS);
  exit(1);
}

static void badfmt(const char *spec, int len) {
  fflush(stdout);
  warnx_("%.*s: bad format", len, spec);
  exit(1);
}

/* BSD strmode(3) without the trailing space: type character and nine permission characters. */
static void modestring(mode_t m, char *s) {
  switch (m & S_IFMT) {
    case S_IFDIR: s[0] = 'd'; break;
    case S_IFCHR: s[0] = 'c'; break;
    case S_IFBLK: s[0] = 'b'; break;
    case S_IFREG: s[0] = '-'; break;
    case S_IFLNK: s[0] = 'l'; break;
    case S_IFSOCK: s[0] = 's'; break;
    case S_IFIFO: s[0] = 'p'; break;
    default: s[0] = '?'; break;
  }
  s[1] = (m & S_IRUSR) ? 'r' : '-';
  s[2] = (m & S_IWUSR) ? 'w' : '-';
  s[3] = (m & S_ISUID) ? ((m & S_IXUSR) ? 's' : 'S') : ((m & S_IXUSR) ? 'x' : '-');
  s[4] = (m & S_IRGRP) ? 'r' : '-';
  s[5] = (m & S_IWGRP) ? 'w' : '-';
  s[6] = (m & S_ISGID) ? ((m & S_IXGRP) ? 's' : 'S') : ((m & S_IXGRP) ? 'x' : '-');
  s[7] = (m & S_IROTH) ? 'r' : '-';
  s[8] = (m & S_IWOTH) ? 'w' : '-';
  s[9] = (m & S_ISVTX) ? ((m & S_IXOTH) ? 't' : 'T') : ((m & S_IXOTH) ? 'x' : '-');
  s[10] = '\0';
}

static const char *typechar(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFIFO: return "|";
    case S_IFDIR: return "/";
    case S_IFREG: return (m & (S_IXUSR | S_IXGRP | S_IXOTH)) ? "*" : "";
    case S_IFLNK: return "@";
    case S_IFSOCK: return "=";
    default: return "";
  }
}

static const char *typename_(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFIFO: return "Fifo File";
    case S_IFCHR: return "Character Device";
    case S_IFDIR: return "Directory";
    case S_IFBLK: return "Block Device";
    case S_IFREG: return "Regular File";
    case S_IFLNK: return "Symbolic Link";
    case S_IFSOCK: return "Socket";
    default: return "???";
  }
}

/* The printf(3) conversion prefix for the parsed flags, e.g. "%#-". */
static void flagstr(char *out, int flags) {
  *out++ = '%';
  if (flags & F_POUND) *out++ = '#';
  if (flags & F_SPACE) *out++ = ' ';
  if (flags & F_PLUS) *out++ = '+';
  if (flags & F_MINUS) *out++ = '-';
  if (flags & F_ZERO) *out++ = '0';
  *out = '\0';
}

/* One %-conversion into buf; returns its length (FreeBSD's format1). */
static int format1(const struct info *in, const char *file, const char *spec, int slen,
                   char *buf, size_t blen, int flags, int size, int prec, int ofmt, int hilo, int what) {
  const struct stat *st = &in->st;
  uint64_t data = 0;
  const char *sdata = NULL;
  char smode[12], sid[24], path[PATH_MAX + 8], lfmt[48], tmp[24];
  struct timespec ts = {0, 0};
  int formats = 0;

  switch (what) {
    case 'd': case 'r':
      data = what == 'd' ? st->st_dev : st->st_rdev;
      sdata = "???";
      if (hilo == 'H') { data = major(data); hilo = 0; }
      else if (hilo == 'L') { data = minor(data); hilo = 0; }
      formats = O_DEC | O_OCT | O_UNS | O_HEX | O_STR;
      if (!ofmt) ofmt = O_UNS;
      break;
    case 'i':
      data = st->st_ino;
      formats = O_DEC | O_OCT | O_UNS | O_HEX;
      if (!ofmt) ofmt = O_UNS;
      break;
    case 'p': {
      char *s = smode;
      data = st->st_mode;
      modestring(st->st_mode, smode);
      if (hilo == 'H') { data >>= 12; s += 1; s[3] = '\0'; hilo = 0; }
      else if (hilo == 'M') { data = (data >> 9) & 07; s += 4; s[3] = '\0'; hilo = 0; }
      else if (hilo == 'L') { data &= 0777; s += 7; s[3] = '\0'; hilo = 0; }
      sdata = s;
      formats = O_DEC | O_OCT | O_UNS | O_HEX | O_STR;
      if (!ofmt) ofmt = O_OCT;
      break;
    }
    case 'l':
      data = st->st_nlink;
      formats = O_DEC | O_OCT | O_UNS | O_HEX;
      if (!ofmt) ofmt = O_UNS;
      break;
    case 'u': case 'g': {
      data = what == 'u' ? st->st_uid : st->st_gid;
      if (what == 'u') { struct passwd *pw = getpwuid(st->st_uid); sdata = pw ? pw->pw_name : NULL; }
      else { struct group *gr = getgrgid(st->st_gid); sdata = gr ? gr->gr_name : NULL; }
      if (!sdata) { snprintf(sid, sizeof sid, "(%ld)", (long)data); sdata = sid; }
      formats = O_DEC | O_OCT | O_UNS | O_HEX | O_STR;
      if (!ofmt) ofmt = O_UNS;
      break;
    }
    case 'a': case 'm': case 'c': case 'B': {
      struct tm *tm;
      ts = what == 'a' ? st->st_atim : what == 'm' ? st->st_mtim : what == 'c' ? st->st_ctim : in->birth;
      data = (uint64_t)ts.tv_sec;
      tm = localtime(&ts.tv_sec);
      if (!tm) { time_t zero = 0; tm = localtime(&zero); }
      if (strftime(path, sizeof path, timefmt, tm) == 0) path[0] = '\0';
      sdata = path;
      formats = O_DEC | O_OCT | O_UNS | O_HEX | O_FLOAT | O_STR;
      if (!ofmt) ofmt = O_DEC;
      break;
    }
    case 'z': case 'b': case 'k':
      data = what == 'z' ? (uint64_t)st->st_size : what == 'b' ? (uint64_t)st->st_blocks : (uint64_t)st->st_blksize;
      formats = O_DEC | O_OCT | O_UNS | O_HEX;
      if (!ofmt) ofmt = O_UNS;
      break;
    case 'f':
      data = 0; /* Linux has no file flags (chflags) */
      sdata = "-";
      formats = O_DEC | O_OCT | O_UNS | O_HEX | O_STR;
      if (!ofmt) ofmt = O_UNS;
      break;
    case 'v':
      data = 0; /* nor a generation number visible to users */
      formats = O_DEC | O_OCT | O_UNS | O_HEX;
      if (!ofmt) ofmt = O_UNS;
      break;
    case 'R':
      strcpy(path, " -> ");
      if (!realpath(file, path + 4)) path[0] = '\0';
      sdata = path + (ofmt == O_STR || path[0] == '\0' ? 0 : 4);
      formats = O_STR;
      if (!ofmt) ofmt = O_STR;
      break;
    case 'Y':
      if (S_ISLNK(st->st_mode)) {
        ssize_t l;
        strcpy(path, " -> ");
        l = readlink(file, path + 4, sizeof path - 4 - 1);
        if (l < 0) { l = 0; path[0] = '\0'; }
        path[l + 4] = '\0';
        sdata = path + (ofmt == O_STR || path[0] == '\0' ? 0 : 4);
      } else {
        sdata = "";
      }
      formats = O_STR;
      if (!ofmt) ofmt = O_STR;
      break;
    case 'T':
      sdata = "";
      if (hilo == 0 || hilo == 'L') { sdata = typechar(st->st_mode); hilo = 0; }
      else if (hilo == 'H') { sdata = typename_(st->st_mode); hilo = 0; }
      formats = O_STR;
      if (!ofmt) ofmt = O_STR;
      break;
    case 'N':
      snprintf(path, sizeof path, "%s", file);
      sdata = path;
      formats = O_STR;
      if (!ofmt) ofmt = O_STR;
      break;
    case 'Z':
      if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
        char maj[24], min[24];
        int l1 = format1(in, file, spec, slen, maj, sizeof maj, flags, size, prec, ofmt, 'H', 'r');
        int l2 = format1(in, file, spec, slen, min, sizeof min, flags, size, prec, ofmt, 'L', 'r');
        return snprintf(buf, blen, "%.*s,%.*s", l1, maj, l2, min);
      }
      return format1(in, file, spec, slen, buf, blen, flags, size, prec, ofmt, 0, 'z');
    default:
      badfmt(spec, slen);
  }

  if (hilo != 0 || (ofmt & formats) == 0) badfmt(spec, slen);
  flagstr(lfmt, flags);

  if (ofmt == O_FLOAT) {
    long nsec = ts.tv_nsec;
    int l;
    if (prec == 0) {
      if (size != -1) { snprintf(tmp, sizeof tmp, "%d", size); strcat(lfmt, tmp); }
      strcat(lfmt, "lld");
      return snprintf(buf, blen, lfmt, (long long)ts.tv_sec);
    }
    if (prec == -1) prec = 9;
    size -= prec + 1;
    if (size > 0) { snprintf(tmp, sizeof tmp, "%d", size); strcat(lfmt, tmp); }
    strcat(lfmt, "lld.%0");
    snprintf(tmp, sizeof tmp, "%dld", prec < 9 ? prec : 9);
    strcat(lfmt, tmp);
    for (; prec < 9; prec++) nsec /= 10;
    l = snprintf(buf, blen, lfmt, (long long)ts.tv_sec, nsec);
    for (; prec > 9 && l < (int)blen - 1; prec--, l++) strcat(buf, "0");
    return l;
  }

  if (size != -1) { snprintf(tmp, sizeof tmp, "%d", size); strcat(lfmt, tmp); }
  if (prec != -1) { snprintf(tmp, sizeof tmp, ".%d", prec); strcat(lfmt, tmp); }

  if (ofmt == O_STR) {
    if (!sdata) badfmt(spec, slen);
    strcat(lfmt, "s");
    return snprintf(buf, blen, lfmt, sdata);
  }
  strcat(lfmt, ofmt == O_DEC ? "lld" : ofmt == O_OCT ? "llo" : ofmt == O_UNS ? "llu" : "llx");
  return snprintf(buf, blen, lfmt, (unsigned long long)data);
}

/* Prints one file through the format; a final newline unless the output ends with one or -n. */
static void output(const struct info *in, const char *file, const char *fmt, int fn, int nonl) {
  char buf[PATH_MAX + 8];
  int nl = 1;
  while (*fmt) {
    const char *spec;
    int flags = 0, size = -1, prec = -1, ofmt = 0, hilo = 0, what, t;
    if (*fmt != '%') { fputc(*fmt, stdout); nl = *fmt == '\n'; fmt++; continue; }
    spec = fmt++;
    switch (*fmt) {
      case 'n': fputc('\n', stdout); nl = 1; fmt++; continue;
      case 't': fputc('\t', stdout); nl = 0; fmt++; continue;
      case '%': fputc('%', stdout); nl = 0; fmt++; continue;
      case '@': t = printf("%d", fn); nl = t == 0 ? nl : 0; fmt++; continue;
    }
    for (;; fmt++) {
      if (*fmt == '#') flags |= F_POUND;
      else if (*fmt == ' ') flags |= F_SPACE;
      else if (*fmt == '+') flags |= F_PLUS;
      else if (*fmt == '0') flags |= F_ZERO;
      else if (*fmt == '-') flags |= F_MINUS;
      else break;
    }
    if (*fmt >= '0' && *fmt <= '9') {
      size = 0;
      while (*fmt >= '0' && *fmt <= '9') {
        size = size * 10 + (*fmt++ - '0');
        if (size > 100000) badfmt(spec, (int)(fmt - spec + 1));
      }
    }
    if (*fmt == '.') {
      fmt++;
      prec = 0;
      while (*fmt >= '0' && *fmt <= '9') {
        prec = prec * 10 + (*fmt++ - '0');
        if (prec > 100000) badfmt(spec, (int)(fmt - spec + 1));
      }
    }
    switch (*fmt) {
      case 'D': ofmt = O_DEC; fmt++; break;
      case 'O': ofmt = O_OCT; fmt++; break;
      case 'U': ofmt = O_UNS; fmt++; break;
      case 'X': ofmt = O_HEX; fmt++; break;
      case 'F': ofmt = O_FLOAT; fmt++; break;
      case 'S': ofmt = O_STR; fmt++; break;
    }
    if (*fmt == 'H' || *fmt == 'M' || *fmt == 'L') hilo = *fmt++;
    if (*fmt == '\0' || !strchr("RdiplugramcBzbkfvYTNZ", *fmt)) badfmt(spec, (int)(fmt - spec + 1));
    what = *fmt++;
    t = format1(in, file, spec, (int)(fmt - spec), buf, sizeof buf, flags, size, prec, ofmt, hilo, what);
    if (t > (int)sizeof buf - 1) t = (int)sizeof buf - 1;
    if (t > 0) { fwrite(buf, 1, (size_t)t, stdout); nl = buf[t - 1] == '\n'; }
  }
  if (!nl && !nonl) fputc('\n', stdout);
  fflush(stdout);
}

/* lstat/stat/fstat plus the birth time; the change time where the file system keeps none. */
static int getinfo(int fd, const char *file, int follow, struct info *in) {
  struct statx sx;
  int flags = file ? (follow ? 0 : AT_SYMLINK_NOFOLLOW) : AT_EMPTY_PATH;
  if (file ? (follow ? stat(file, &in->st) : lstat(file, &in->st)) : fstat(fd, &in->st)) return -1;
  in->birth = in->st.st_ctim;
  if (statx(file ? AT_FDCWD : fd, file ? file : "", flags, STATX_BTIME, &sx) == 0 && (sx.stx_mask & STATX_BTIME)
      && (sx.stx_btime.tv_sec != 0 || sx.stx_btime.tv_nsec != 0)) {
    in->birth.tv_sec = sx.stx_btime.tv_sec;
    in->birth.tv_nsec = sx.stx_btime.tv_nsec;
  }
  return 0;
}

/* FreeBSD's fdevname_r(3): the /dev name of a character device on stdin. */
static int devname_of_stdin(char *out, size_t len) {
  ssize_t l = readlink("/proc/self/fd/0", out, len - 1);
  if (l < 5) return 0;
  out[l] = '\0';
  return strncmp(out, "/dev/", 5) == 0;
}

int main(int argc, char **argv) {
  const char *statfmt = NULL, *slash;
  int fmtchar = 0, lsF = 0, follow = 0, nonl = 0, quiet = 0, errs = 0, fn = 1, i;
  char stdin_name[PATH_MAX];

  if (argc > 0 && (slash = strrchr(argv[0], '/')) != NULL) prog = slash + 1;
  else if (argc > 0) prog = argv[0];

  /* BSD getopt(3) with "f:FHlLnqrst:x": no permutation, its messages. */
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (a[0] != '-' || a[1] == '\0') break;
    for (int k = 1; a[k]; k++) {
      char c = a[k];
      if (c == 'f' || c == 't') {
        const char *v = a[k + 1] ? a + k + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) { warnx_("option requires an argument -- %c", c); usage(); }
        if (c == 't') { timefmt = v; break; }
        statfmt = v;
      }
      if (c == 'f' || c == 'l' || c == 'r' || c == 's' || c == 'x') {
        if (fmtchar) { warnx_("can't use format '%c' with '%c'", fmtchar, c); exit(1); }
        fmtchar = c;
        if (c == 'f') break;
      } else if (c == 'F') lsF = 1;
      else if (c == 'H') { /* NFS file handles: accepted, not emulated */ }
      else if (c == 'L') follow = 1;
      else if (c == 'n') nonl = 1;
      else if (c == 'q') quiet = 1;
      else { warnx_("illegal option -- %c", c); usage(); }
    }
  }

  if (!fmtchar) {
    if (lsF) fmtchar = 'l';
    else { fmtchar = 'f'; statfmt = DEF_FORMAT; }
  }
  if (lsF && fmtchar != 'l') { warnx_("can't use format '%c' with -F", fmtchar); exit(1); }
  switch (fmtchar) {
    case 'l': statfmt = lsF ? LSF_FORMAT : LS_FORMAT; break;
    case 'r': statfmt = RAW_FORMAT; break;
    case 's': statfmt = SHELL_FORMAT; break;
    case 'x': statfmt = DEF_FORMAT; break; /* lab: FreeBSD prints its Linux-like layout */
  }
  if (!timefmt) timefmt = TIME_FORMAT;

  do {
    struct info in;
    const char *file;
    int rc;
    if (i >= argc) {
      rc = getinfo(STDIN_FILENO, NULL, 0, &in);
      file = rc == 0 && S_ISCHR(in.st.st_mode) && devname_of_stdin(stdin_name, sizeof stdin_name) ? stdin_name : "(stdin)";
    } else {
      file = argv[i];
      rc = getinfo(-1, file, follow, &in);
      /* -L on a dangling symlink shows the link itself. */
      if (rc == -1 && follow && errno == ENOENT && (rc = getinfo(-1, file, 0, &in)) == -1) errno = ENOENT;
    }
    if (rc == -1) {
      errs = 1;
      if (!quiet) warnx_("%s: %s: %s", file, follow ? "stat" : "lstat", strerror(errno));
    } else {
      output(&in, file, statfmt, fn, nonl);
    }
    i++;
    fn++;
  } while (i < argc);
  return errs;
}
