/* SPDX-License-Identifier: MIT */
/*
 * The encrypted-file backend, for machines without a Secret Service:
 * one file per item in a 0700 directory, each 0600, written atomically
 * (temp file, fsync, rename).  The secret is sealed with AES-256-GCM
 * under a key derived by scrypt from the passphrase with a random salt
 * per file; the item's identity (profile, kind) is the associated data,
 * so files cannot be swapped.  Lookup attributes stay in clear, as in
 * the Secret Service.  A file or directory readable by others is refused.
 * Temp files left by a killed writer are removed by later writes.
 *
 * The crypto is libgcrypt's, which libsecret maps anyway: the warm path
 * loads no OpenSSL.  A derived key is kept in the kernel keyring for
 * key_cache_s seconds (keycache.c), with an HMAC of the passphrase that
 * made it, so later calls that bring the same passphrase skip scrypt;
 * writes reuse the cached salt (and key) with a fresh random nonce.  The
 * passphrase is still asked for every time: the cache saves the KDF, not
 * the question, so a wrong passphrase fails as before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

#include "json.h"
#include "common.h"
#include "keycache.h"
#include "store_int.h"
#include "saml2sts/file.h"
#include "saml2sts/creds.h"
#include "saml2sts/base64.h"
#include "saml2sts/isotime.h"

#define SALT_LEN   16
#define NONCE_LEN  12
#define TAG_LEN    16
#define KEY_LEN    32
#define SCRYPT_N   32768 /* r = 8: libgcrypt's only block size */
#define SCRYPT_P   1
#define CHECK_LEN  32 /* HMAC-SHA256(key, passphrase) */
#define MAX_FILE   (1u << 20)
#define STALE_TEMP 60 /* s: a temp file this old lost its writer */

struct fs_state {
	char *dir;
	struct s2s_buf pass; /* secret; asked for once, on first need */
	bool have_pass;
	bool pass_checked; /* it opened a stored item (check_pass) */
	long key_ttl;      /* s in the kernel keyring; 0: no caching */
	s2s_err (*ask)(void *payload, struct s2s_buf *out,
	               struct s2s_error *err);
	void *payload;
};

static s2s_err fs_open(void **state, const struct s2s_store_opts *opts,
                       struct s2s_error *err)
{
	struct fs_state *st;

	*state = NULL;
	if (!opts->dir)
		return s2s_error_set(err, S2S_ESTORE,
		                     "the file store has no directory");
	st = calloc(1, sizeof(*st));
	if (st)
		st->dir = strdup(opts->dir);
	if (!st || !st->dir) {
		free(st);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	s2s_buf_init(&st->pass, true);
	st->key_ttl = opts->key_cache_s;
	st->ask = opts->passphrase;
	st->payload = opts->payload;
	*state = st;
	return S2S_OK;
}

static void fs_close(void *state)
{
	struct fs_state *st = state;

	if (!st)
		return;
	s2s_buf_release(&st->pass);
	free(st->dir);
	free(st);
}

/* dir/<profile>.<kind>.json with anything but [A-Za-z0-9_-] as %XX */
static s2s_err item_path(struct s2s_buf *b, const char *dir,
                         const char *profile, const char *kind)
{
	const char *parts[2] = { profile, kind };
	s2s_err rc = s2s_buf_printf(b, "%s/", dir);

	for (size_t i = 0; i < 2 && !rc; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i];
		     !rc && *p; p++) {
			if ((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
				rc = s2s_buf_add(b, p, 1);
			else
				rc = s2s_buf_printf(b, "%%%02X", *p);
		}
		if (!rc)
			rc = s2s_buf_puts(b, i ? ".json" : ".");
	}
	return rc;
}

static s2s_err check_dir(const struct fs_state *st, bool create,
                         struct s2s_error *err)
{
	struct stat sb;

	if (create) {
		s2s_err rc = s2s_file_mkdirs(st->dir, S2S_ESTORE, err);

		if (rc)
			return rc;
	}
	if (lstat(st->dir, &sb) != 0)
		return errno == ENOENT
		               ? S2S_ENOTFOUND
		               : s2s_error_set(err, S2S_ESTORE,
		                               "cannot use %s: %s", st->dir,
		                               strerror(errno));
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid())
		return s2s_error_set(err, S2S_ESTORE,
		                     "refusing %s: not a directory owned by "
		                     "you",
		                     st->dir);
	if (sb.st_mode & 077)
		return s2s_error_set(err, S2S_ESTORE,
		                     "refusing %s: accessible by others (mode "
		                     "%04o); chmod 700 it",
		                     st->dir, (unsigned)(sb.st_mode & 07777));
	return S2S_OK;
}

static s2s_err passphrase(struct fs_state *st, struct s2s_error *err)
{
	s2s_err rc;

	if (st->have_pass)
		return S2S_OK;
	if (!st->ask)
		return s2s_error_set(
		        err, S2S_ENEEDINPUT,
		        "the encrypted file store needs a "
		        "passphrase: set SAML2STS_FILE_PASSPHRASE");
	rc = st->ask(st->payload, &st->pass, err);
	if (!rc && st->pass.len == 0)
		rc = s2s_error_set(err, S2S_ENEEDINPUT,
		                   "an empty passphrase is not allowed");
	if (!rc)
		st->have_pass = true;
	return rc;
}

/* libgcrypt set up once, unless libsecret (or anyone) did it first. */
static void crypto_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return;
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

static s2s_err random_bytes(unsigned char *out, size_t n, struct s2s_error *err)
{
	if (getrandom(out, n, 0) != (ssize_t)n)
		return s2s_error_set(err, S2S_ESTORE, "no random bytes");
	return S2S_OK;
}

/* The kernel keyring names: "saml2sts:file-key:<salt hex>:<dir>" holds
 * key || HMAC(key, passphrase), "saml2sts:file-salt:<dir>" the salt new
 * files use. */
#define CACHE_PREFIX "saml2sts:file-"

static void cache_name(char *out, size_t n, const struct fs_state *st,
                       const unsigned char *salt)
{
	char hex[2 * SALT_LEN + 1] = "";

	for (size_t i = 0; salt && i < SALT_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", salt[i]);
	if ((size_t)snprintf(out, n, CACHE_PREFIX "%s%s:%s",
	                     salt ? "key:" : "salt", hex, st->dir) >= n)
		out[0] = '\0'; /* too long a path: not cached */
}

/* HMAC-SHA256(key, passphrase): which passphrase a cached key is for. */
static void pass_check(unsigned char out[CHECK_LEN],
                       const unsigned char key[KEY_LEN],
                       const struct fs_state *st)
{
	gcry_buffer_t iov[2] = { { 0 } };

	iov[0].size = iov[0].len = KEY_LEN;
	iov[0].data = (void *)(uintptr_t)key;
	iov[1].size = iov[1].len = st->pass.len;
	iov[1].data = st->pass.ptr;
	if (gcry_md_hash_buffers(GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC, out, iov,
	                         2))
		memset(out, 0, CHECK_LEN); /* matches no cached entry */
}

/* The key cached for salt and this passphrase, if any. */
static bool cached_key(unsigned char key[KEY_LEN], const struct fs_state *st,
                       const unsigned char *salt)
{
	unsigned char got[KEY_LEN + CHECK_LEN], check[CHECK_LEN];
	char name[1024];
	size_t len = 0;
	bool ok = false;

	cache_name(name, sizeof(name), st, salt);
	if (st->key_ttl <= 0 || !name[0] ||
	    s2s__keycache_get(got, sizeof(got), &len, name) ||
	    len != sizeof(got))
		goto out;
	pass_check(check, got, st);
	ok = s2s_timingsafe_eq(check, got + KEY_LEN, CHECK_LEN);
	if (ok)
		memcpy(key, got, KEY_LEN);
out:
	s2s_memzero(got, sizeof(got));
	s2s_memzero(check, sizeof(check));
	return ok;
}

/* Keep key (of salt) and make salt the one new files use. */
static void cache_key(const struct fs_state *st, const unsigned char *salt,
                      const unsigned char key[KEY_LEN])
{
	unsigned char put[KEY_LEN + CHECK_LEN];
	char name[1024];

	cache_name(name, sizeof(name), st, salt);
	if (st->key_ttl <= 0 || !name[0])
		return;
	memcpy(put, key, KEY_LEN);
	pass_check(put + KEY_LEN, key, st);
	if (s2s__keycache_put(name, put, sizeof(put), st->key_ttl)) {
		cache_name(name, sizeof(name), st, NULL);
		(void)s2s__keycache_put(name, salt, SALT_LEN, st->key_ttl);
	}
	s2s_memzero(put, sizeof(put));
}

/* scrypt(passphrase, salt), or the key the kernel keyring keeps for
 * them; *fresh when it was derived now, so that the caller caches it
 * once it has sealed or opened a file with it (a wrong passphrase's key
 * must not push out the right one). */
static s2s_err derive(unsigned char key[KEY_LEN], bool *fresh,
                      const struct fs_state *st, const unsigned char *salt,
                      struct s2s_error *err)
{
	crypto_init();
	*fresh = false;
	if (cached_key(key, st, salt))
		return S2S_OK;
	if (gcry_kdf_derive(st->pass.ptr, st->pass.len, GCRY_KDF_SCRYPT,
	                    SCRYPT_N, salt, SALT_LEN, SCRYPT_P, KEY_LEN, key))
		return s2s_error_set(err, S2S_ESTORE, "scrypt failed");
	*fresh = true;
	return S2S_OK;
}

/* The salt for a new file: the cached one (its key is cached too), else
 * a random one. */
static s2s_err new_salt(unsigned char salt[SALT_LEN], const struct fs_state *st,
                        struct s2s_error *err)
{
	char name[1024];
	size_t len = 0;

	cache_name(name, sizeof(name), st, NULL);
	if (st->key_ttl > 0 && name[0] &&
	    !s2s__keycache_get(salt, SALT_LEN, &len, name) && len == SALT_LEN)
		return S2S_OK;
	return random_bytes(salt, SALT_LEN, err);
}

/* "saml2sts-file-v1\0<profile>\0<kind>" binds the ciphertext to its
 * item. */
static s2s_err aad(struct s2s_buf *b, const char *profile, const char *kind)
{
	s2s_err rc = s2s_buf_add(b, "saml2sts-file-v1", 17);

	if (!rc)
		rc = s2s_buf_add(b, profile, strlen(profile) + 1);
	if (!rc)
		rc = s2s_buf_add(b, kind, strlen(kind));
	return rc;
}

/* AES-256-GCM seal (enc) or open; out gets ciphertext+tag or plaintext. */
static s2s_err gcm(bool enc, const unsigned char *key,
                   const unsigned char *nonce, const struct s2s_buf *ad,
                   const unsigned char *in, size_t len, struct s2s_buf *out,
                   struct s2s_error *err)
{
	gcry_cipher_hd_t c = NULL;
	unsigned char *buf = NULL;
	size_t body = enc ? len : len - TAG_LEN;
	s2s_err rc = S2S_ESTORE;

	crypto_init();
	if (!enc && len < TAG_LEN)
		goto out;
	buf = malloc(body + TAG_LEN + 1);
	if (!buf || body > INT32_MAX ||
	    gcry_cipher_open(&c, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0) ||
	    gcry_cipher_setkey(c, key, KEY_LEN) ||
	    gcry_cipher_setiv(c, nonce, NONCE_LEN) ||
	    gcry_cipher_authenticate(c, ad->ptr, ad->len))
		goto out;
	if (enc && (gcry_cipher_encrypt(c, buf, body, in, body) ||
	            gcry_cipher_gettag(c, buf + body, TAG_LEN)))
		goto out;
	/* the plaintext is wiped below unless the tag checks */
	if (!enc && (gcry_cipher_decrypt(c, buf, body, in, body) ||
	             gcry_cipher_checktag(c, in + body, TAG_LEN)))
		goto out;
	rc = s2s_buf_add(out, buf, enc ? body + TAG_LEN : body) ? S2S_ENOMEM
	                                                        : S2S_OK;
out:
	gcry_cipher_close(c);
	s2s_freezero(buf, body + TAG_LEN + 1);
	if (rc == S2S_ESTORE)
		return s2s_error_set(err, S2S_ESTORE,
		                     "cannot %s: wrong passphrase or corrupted "
		                     "file",
		                     enc ? "encrypt" : "decrypt");
	if (rc)
		return s2s_error_set(err, rc, "out of memory");
	return S2S_OK;
}

static s2s_err read_file(const char *path, struct s2s_buf *out,
                         struct s2s_error *err)
{
	struct stat sb;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? S2S_ENOTFOUND
		                       : s2s_error_set(err, S2S_ESTORE,
		                                       "cannot read %s: %s",
		                                       path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid() || (sb.st_mode & 077) ||
	    sb.st_size > MAX_FILE) {
		close(fd);
		return s2s_error_set(err, S2S_ESTORE,
		                     "refusing %s: not a private file of "
		                     "yours (mode %04o); chmod 600 it",
		                     path, (unsigned)(sb.st_mode & 07777));
	}
	for (n = read(fd, chunk, sizeof(chunk)); n > 0;
	     n = read(fd, chunk, sizeof(chunk)))
		if (s2s_buf_add(out, chunk, (size_t)n)) {
			close(fd);
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
		}
	close(fd);
	s2s_memzero(chunk, sizeof(chunk));
	return n < 0 ? s2s_error_set(err, S2S_ESTORE, "cannot read %s", path)
	             : S2S_OK;
}

static s2s_err seal(struct fs_state *st, const struct s2s_store_item *it,
                    const struct s2s_buf *secret, struct s2s_buf *out,
                    struct s2s_error *err)
{
	unsigned char salt[SALT_LEN], nonce[NONCE_LEN], key[KEY_LEN];
	struct s2s_buf ad = S2S_BUF_INIT, ct = S2S_BUF_INIT, b64 = S2S_BUF_INIT;
	char exp[32] = "";
	bool fresh = false;
	s2s_err rc;

	rc = new_salt(salt, st, err);
	if (!rc)
		rc = random_bytes(nonce, NONCE_LEN, err);
	if (!rc)
		rc = derive(key, &fresh, st, salt, err);
	if (!rc && aad(&ad, it->profile, it->kind))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = gcm(true, key, nonce, &ad,
		         (const unsigned char *)secret->ptr, secret->len, &ct,
		         err);
	if (!rc && fresh)
		cache_key(st, salt, key);
	if (it->expires)
		s2s_time_format_utc(exp, sizeof(exp), it->expires);
	if (!rc &&
	    (s2s_buf_puts(out, "{") || s2s_json_member(out, true, "v", "1") ||
	     s2s_json_member(out, false, "profile", it->profile) ||
	     s2s_json_member(out, false, "kind", it->kind) ||
	     (it->account &&
	      s2s_json_member(out, false, "account", it->account)) ||
	     (it->role_arn &&
	      s2s_json_member(out, false, "role_arn", it->role_arn)) ||
	     (exp[0] && s2s_json_member(out, false, "expires", exp)) ||
	     s2s_json_member(out, false, "kdf", "scrypt-32768-8-1") ||
	     s2s_base64_encode(&b64, salt, SALT_LEN, err) ||
	     s2s_json_member(out, false, "salt", b64.ptr)))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	s2s_buf_reset(&b64);
	if (!rc && (s2s_base64_encode(&b64, nonce, NONCE_LEN, err) ||
	            s2s_json_member(out, false, "nonce", b64.ptr)))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	s2s_buf_reset(&b64);
	if (!rc && (s2s_base64_encode(&b64, ct.ptr, ct.len, err) ||
	            s2s_json_member(out, false, "data", b64.ptr) ||
	            s2s_buf_puts(out, "}\n")))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	s2s_memzero(key, sizeof(key));
	s2s_buf_release(&ad);
	s2s_buf_release(&ct);
	s2s_buf_release(&b64);
	return rc;
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* "<profile>.<kind>.json.XXXXXX" as item_path() and the mkstemp() of
 * s2s_file_write_private() make it: encoded names, 6 letters or digits. */
static bool is_temp_file(const char *name)
{
	size_t n = strlen(name);
	const char *end, *dot = strchr(name, '.');

	if (n < 3 + 12)
		return false;
	end = name + n - 12; /* ".json.XXXXXX" */
	if (strncmp(end, ".json.", 6) != 0 || dot == name || dot + 1 >= end)
		return false;
	for (const char *p = end + 6; *p; p++)
		if (!alnum(*p))
			return false;
	for (const char *p = name; p < end; p++)
		if (!alnum(*p) && *p != '-' && *p != '_' && *p != '%' &&
		    p != dot)
			return false;
	return true;
}

/* Remove the temp files a writer killed between mkstemp() and rename()
 * left behind: our naming pattern, regular files of ours, untouched for
 * STALE_TEMP seconds (a live writer fsyncs and renames in far less).
 * Best effort; the directory is checked (ours, 0700) by the caller, so
 * nobody can swap a name between the stat and the unlink. */
static void sweep(const struct fs_state *st)
{
	time_t now = time(NULL);
	struct dirent *e;
	struct stat sb;
	DIR *d = opendir(st->dir);

	if (!d)
		return;
	for (e = readdir(d); e; e = readdir(d)) {
		if (!is_temp_file(e->d_name) ||
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
		    sb.st_mtime < now - STALE_TEMP)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static s2s_err unseal(struct fs_state *st, const char *path,
                      const char *profile, const char *kind,
                      struct json_object *obj, struct s2s_buf *out,
                      struct s2s_error *err);
static bool is_item_file(const char *name);

/* Free what header() filled in. */
static void item_clear(struct s2s_store_item *it)
{
	free(it->profile);
	free(it->kind);
	free(it->account);
	free(it->role_arn);
	memset(it, 0, sizeof(*it));
}

/* The passphrase opens an item already stored (the first one that has a
 * header), once per process: a typo fails before a login asks the IdP,
 * and no item is ever sealed under a second passphrase.  An empty store
 * has nothing to check against. */
static s2s_err check_pass(struct fs_state *st, struct s2s_error *err)
{
	struct s2s_buf path = S2S_BUF_INIT, data = S2S_BUF_INIT, secret;
	struct dirent *e;
	s2s_err rc = S2S_OK;
	DIR *d;

	if (st->pass_checked)
		return S2S_OK;
	d = opendir(st->dir);
	if (!d)
		return S2S_OK; /* made by the first write */
	s2s_buf_init(&secret, true);
	for (e = readdir(d); e; e = readdir(d)) {
		struct s2s_error why = S2S_ERROR_INIT;
		struct json_object *obj = NULL;
		const char *profile, *kind;

		s2s_buf_reset(&path);
		s2s_buf_reset(&data);
		if (!is_item_file(e->d_name) ||
		    s2s_buf_printf(&path, "%s/%s", st->dir, e->d_name) ||
		    read_file(path.ptr, &data, &why) ||
		    !(obj = s2s_json_parse(data.ptr, data.len)))
			continue;
		profile = s2s__json_get_str(obj, "profile");
		kind = s2s__json_get_str(obj, "kind");
		if (!profile || !kind) {
			json_object_put(obj);
			continue;
		}
		rc = unseal(st, path.ptr, profile, kind, obj, &secret, &why);
		json_object_put(obj);
		if (rc == S2S_ESTORE)
			rc = s2s_error_set(err, S2S_ESTORE,
			                   "the passphrase does not open the "
			                   "encrypted file store in %s (a "
			                   "typo?); nothing was changed",
			                   st->dir);
		else if (rc)
			rc = s2s_error_set(err, rc, "%s", why.msg);
		break;
	}
	closedir(d);
	s2s_buf_release(&path);
	s2s_buf_release(&data);
	s2s_buf_release(&secret);
	if (!rc)
		st->pass_checked = true;
	return rc;
}

/* Before a login: the directory (when there is one) is usable, the
 * passphrase at hand and right, and stale temp files gone. */
static s2s_err fs_ready(void *state, struct s2s_error *err)
{
	struct fs_state *st = state;
	s2s_err rc = check_dir(st, false, err);

	if (rc == S2S_ENOTFOUND)
		return passphrase(st, err); /* made by the first write */
	if (!rc)
		sweep(st);
	if (!rc)
		rc = passphrase(st, err);
	return rc ? rc : check_pass(st, err);
}

static s2s_err fs_put(void *state, const struct s2s_store_item *it,
                      const struct s2s_buf *secret, struct s2s_error *err)
{
	struct fs_state *st = state;
	struct s2s_buf path = S2S_BUF_INIT, data = S2S_BUF_INIT;
	s2s_err rc;

	rc = check_dir(st, true, err);
	if (!rc)
		sweep(st);
	if (!rc)
		rc = passphrase(st, err);
	if (!rc)
		rc = check_pass(st, err);
	if (!rc && item_path(&path, st->dir, it->profile, it->kind))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = seal(st, it, secret, &data, err);
	if (!rc)
		rc = s2s_file_write_private(path.ptr, data.ptr, data.len,
		                            S2S_ESTORE, err);
	s2s_buf_release(&path);
	s2s_buf_release(&data);
	return rc;
}

/* Decode the base64 member name of obj into out. */
static bool member_b64(struct s2s_buf *out, struct json_object *obj,
                       const char *name, size_t want)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	const char *v = s2s__json_get_str(obj, name);

	return v && !s2s_base64_decode(out, v, strlen(v), &ignore) &&
	       (!want || out->len == want);
}

static s2s_err unseal(struct fs_state *st, const char *path,
                      const char *profile, const char *kind,
                      struct json_object *obj, struct s2s_buf *out,
                      struct s2s_error *err)
{
	struct s2s_buf salt = S2S_BUF_INIT, nonce = S2S_BUF_INIT,
	               ct = S2S_BUF_INIT, ad = S2S_BUF_INIT;
	unsigned char key[KEY_LEN];
	const char *kdf = s2s__json_get_str(obj, "kdf");
	bool fresh = false;
	s2s_err rc;

	if (!kdf || strcmp(kdf, "scrypt-32768-8-1") != 0 ||
	    !member_b64(&salt, obj, "salt", SALT_LEN) ||
	    !member_b64(&nonce, obj, "nonce", NONCE_LEN) ||
	    !member_b64(&ct, obj, "data", 0)) {
		rc = s2s_error_set(err, S2S_ESTORE, "%s is corrupted", path);
		goto out;
	}
	rc = passphrase(st, err);
	if (!rc)
		rc = derive(key, &fresh, st, (unsigned char *)salt.ptr, err);
	if (!rc && aad(&ad, profile, kind))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	s2s_buf_reset(out);
	if (!rc)
		rc = gcm(false, key, (unsigned char *)nonce.ptr, &ad,
		         (unsigned char *)ct.ptr, ct.len, out, err);
	if (!rc && fresh) /* the tag checked: the passphrase is right */
		cache_key(st, (unsigned char *)salt.ptr, key);
	s2s_memzero(key, sizeof(key));
out:
	s2s_buf_release(&salt);
	s2s_buf_release(&nonce);
	s2s_buf_release(&ct);
	s2s_buf_release(&ad);
	return rc;
}

static s2s_err fs_get(void *state, const char *profile, const char *kind,
                      struct s2s_buf *out, struct s2s_error *err)
{
	struct fs_state *st = state;
	struct s2s_buf path = S2S_BUF_INIT, data = S2S_BUF_INIT;
	struct json_object *obj = NULL;
	s2s_err rc;

	rc = check_dir(st, false, err);
	if (!rc && item_path(&path, st->dir, profile, kind))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = read_file(path.ptr, &data, err);
	if (rc == S2S_ENOTFOUND)
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "nothing stored for "
		                   "profile '%s'",
		                   profile);
	if (!rc) {
		obj = s2s_json_parse(data.ptr, data.len);
		rc = obj ? unseal(st, path.ptr, profile, kind, obj, out, err)
		         : s2s_error_set(err, S2S_ESTORE, "%s is corrupted",
		                         path.ptr);
	}
	json_object_put(obj);
	s2s_buf_release(&path);
	s2s_buf_release(&data);
	return rc;
}

/* The header of a store file, or false when it is not one. */
static bool header(struct fs_state *st, const char *name,
                   struct s2s_store_item *it, struct s2s_error *err)
{
	struct s2s_buf path = S2S_BUF_INIT, data = S2S_BUF_INIT;
	struct json_object *obj = NULL;
	const char *exp;
	bool ok = false, alloc = true;

	if (s2s_buf_printf(&path, "%s/%s", st->dir, name) ||
	    read_file(path.ptr, &data, err))
		goto out;
	obj = s2s_json_parse(data.ptr, data.len);
	if (!obj)
		goto out;
	it->profile =
	        s2s__strdup_or_null(s2s__json_get_str(obj, "profile"), &alloc);
	it->kind = s2s__strdup_or_null(s2s__json_get_str(obj, "kind"), &alloc);
	it->account =
	        s2s__strdup_or_null(s2s__json_get_str(obj, "account"), &alloc);
	it->role_arn =
	        s2s__strdup_or_null(s2s__json_get_str(obj, "role_arn"), &alloc);
	exp = s2s__json_get_str(obj, "expires");
	if (!exp || !s2s_time_parse(&it->expires, exp))
		it->expires = 0;
	ok = alloc && it->profile && it->kind;
out:
	json_object_put(obj);
	s2s_buf_release(&path);
	s2s_buf_release(&data);
	return ok;
}

static bool is_item_file(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && strcmp(name + n - 5, ".json") == 0;
}

static s2s_err fs_list(void *state, struct s2s_store_item **out, size_t *n,
                       struct s2s_error *err)
{
	struct fs_state *st = state;
	struct s2s_store_item *items = NULL, *tmp;
	size_t count = 0;
	struct dirent *e;
	DIR *d;
	s2s_err rc = check_dir(st, false, err);

	if (rc == S2S_ENOTFOUND)
		return S2S_OK; /* nothing stored yet */
	if (rc)
		return rc;
	d = opendir(st->dir);
	if (!d)
		return s2s_error_set(err, S2S_ESTORE, "cannot list %s: %s",
		                     st->dir, strerror(errno));
	for (e = readdir(d); e; e = readdir(d)) {
		struct s2s_error ignore = S2S_ERROR_INIT;

		if (!is_item_file(e->d_name))
			continue;
		tmp = realloc(items, (count + 1) * sizeof(*items));
		if (!tmp) {
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
			break;
		}
		items = tmp;
		memset(&items[count], 0, sizeof(*items));
		if (header(st, e->d_name, &items[count], &ignore)) {
			count++;
			continue;
		}
		item_clear(&items[count]);
	}
	closedir(d);
	if (rc) {
		s2s_store_items_free(items, count);
		return rc;
	}
	*out = items;
	*n = count;
	return S2S_OK;
}

static s2s_err fs_del(void *state, const char *profile, const char *kind,
                      struct s2s_error *err)
{
	static const char *const kinds[] = { "sts",          "idp-password",
		                             "idp-session",  "totp-seed",
		                             "device-token", "client-secret" };
	struct fs_state *st = state;
	struct s2s_buf path = S2S_BUF_INIT;
	bool any = false;
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < S2S_ARRAY_SIZE(kinds) && !rc; i++) {
		if (kind && strcmp(kind, kinds[i]) != 0)
			continue;
		s2s_buf_reset(&path);
		if (item_path(&path, st->dir, profile, kinds[i]))
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		else if (unlink(path.ptr) == 0)
			any = true;
		else if (errno != ENOENT)
			rc = s2s_error_set(err, S2S_ESTORE,
			                   "cannot delete "
			                   "%s: %s",
			                   path.ptr, strerror(errno));
	}
	s2s_buf_release(&path);
	if (!rc && !any)
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "nothing stored for profile '%s'", profile);
	return rc;
}

/* logout: the keys of this store leave the kernel keyring. */
static void fs_forget(void *state)
{
	struct fs_state *st = state;
	struct s2s_buf suffix = S2S_BUF_INIT;

	if (!s2s_buf_printf(&suffix, ":%s", st->dir))
		s2s__keycache_forget(CACHE_PREFIX, suffix.ptr);
	s2s_buf_release(&suffix);
}

const struct s2s_store_backend s2s__store_file = {
	.name = "file",
	.open = fs_open,
	.close = fs_close,
	.ready = fs_ready,
	.forget = fs_forget,
	.put = fs_put,
	.get = fs_get,
	.del = fs_del,
	.list = fs_list,
};
