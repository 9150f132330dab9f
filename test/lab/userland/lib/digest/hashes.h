/*
 * MD5 (RFC 1321), SHA-1 (FIPS 180-4), SHA-224/256 and SHA-384/512/512t256/512t224
 * (FIPS 180-4), the algorithms of FreeBSD's md5(1) family. One streaming interface:
 * init, update, final into a byte array; hexadecimal output is the caller's.
 */
#ifndef LAB_HASHES_H
#define LAB_HASHES_H
#include <stddef.h>
#include <stdint.h>

enum hash_kind { H_MD5, H_SHA1, H_SHA224, H_SHA256, H_SHA384, H_SHA512, H_SHA512T224, H_SHA512T256 };

struct hash_ctx {
  enum hash_kind kind;
  uint64_t len;        /* bytes fed so far (64-bit length suffices for the lab) */
  size_t fill;         /* bytes waiting in block */
  unsigned char block[128];
  uint32_t h32[8];
  uint64_t h64[8];
};

void hash_init(struct hash_ctx *c, enum hash_kind kind);
void hash_update(struct hash_ctx *c, const void *data, size_t n);
/* Writes the digest; returns its length in bytes. */
size_t hash_final(struct hash_ctx *c, unsigned char *out);

#endif
