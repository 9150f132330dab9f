#!/bin/sh
# The lab's first md5(1) family, kept as the reference of the differential test
# test/unit/lab/digest.test.ts; hosts run digest.c (see test/lab/c-commands.ts).
# FreeBSD's md5(1) family (md5, sha1, sha256, sha512) over the machine's coreutils:
#   digest.sh ALGORITHM [-pqrtx] [-c string] [-s string] [file ...]
# Output as FreeBSD prints it: "SHA256 (file) = hex", -r "hex file", -q "hex", stdin "hex".
# Exit 0; 1 if a file could not be read; 2 if a digest differs from -c.
algo=$1
shift
prog=$algo
case $algo in
  md5) label=MD5 ;;
  sha1) label=SHA1 ;;
  sha256) label=SHA256 ;;
  sha512) label=SHA512 ;;
  *) echo "digest.sh: unknown algorithm $algo" >&2; exit 64 ;;
esac
tool=${LAB_DIGEST_TOOLS:-/.sys/bin}/${algo}sum

quiet=0 reverse=0 check= status=0 did=0
usage() {
  echo "usage: $prog [-pqrtx] [-c string] [-s string] [files ...]" >&2
  exit 1
}
hash_of() { "$tool" | cut -d ' ' -f 1; }
report() { # report NAME HEX
  if [ -n "$check" ] && [ "$2" != "$check" ]; then status=2; fi
  if [ "$quiet" = 1 ]; then echo "$2"
  elif [ "$reverse" = 1 ]; then echo "$2 $1"
  else echo "$label ($1) = $2"; fi
}
while getopts c:pqrs:tx opt; do
  case $opt in
    c) check=$OPTARG ;;
    q) quiet=1 ;;
    r) reverse=1 ;;
    s) report "\"$OPTARG\"" "$(printf %s "$OPTARG" | hash_of)"; did=1 ;;
    p|t|x) echo "$prog: -$opt is not emulated in the lab" >&2; exit 1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
  [ "$did" = 1 ] && exit $status
  hex=$(hash_of)
  if [ -n "$check" ] && [ "$hex" != "$check" ]; then status=2; fi
  echo "$hex"
  exit $status
fi
for f in "$@"; do
  if [ -d "$f" ]; then echo "$prog: $f: Is a directory" >&2; status=1; continue; fi
  if ! [ -r "$f" ]; then
    if [ -e "$f" ]; then echo "$prog: $f: Permission denied" >&2; else echo "$prog: $f: No such file or directory" >&2; fi
    [ $status = 0 ] && status=1
    continue
  fi
  report "$f" "$(hash_of < "$f")"
done
exit $status
