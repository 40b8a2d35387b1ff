/* SPDX-License-Identifier: MIT */
/*
 * config.json merging.  The document is edited as a generic JSON tree
 * (json-c keeps member order), so keys and profiles of other tools
 * survive.  Writers are serialised by a lock on "<path>.lock", which the
 * holder removes before it lets go, so no lock file stays beside
 * config.json; the new file is written next to the old one and renamed
 * over it.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "common.h"
#include "saml2sts/aliyun.h"
#include "saml2sts/file.h"
#include "saml2sts/isotime.h"

#define MAX_CONFIG (4u << 20)

static json_object *find_profile(json_object *profiles, const char *name)
{
	size_t n = json_object_array_length(profiles);

	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(profiles, i);
		json_object *v = NULL;

		if (json_object_is_type(p, json_type_object) &&
		    json_object_object_get_ex(p, "name", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), name) == 0)
			return p;
	}
	return NULL;
}

static bool set_str(json_object *obj, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	return v && json_object_object_add(obj, key, v) == 0;
}

static s2s_err edit(json_object *root, const char *profile, const char *command,
                    const char *region, const struct s2s_creds *sts,
                    bool holds_creds, struct s2s_error *err)
{
	static const char *const token_keys[] = { "access_key_id",
		                                  "access_key_secret",
		                                  "sts_token",
		                                  "sts_expiration" };
	json_object *profiles = NULL, *p, *v = NULL;
	bool ok = true;
	char exp[32];

	if (!json_object_object_get_ex(root, "profiles", &profiles)) {
		profiles = json_object_new_array();
		if (!profiles ||
		    json_object_object_add(root, "profiles", profiles))
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	if (!json_object_is_type(profiles, json_type_array))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "aliyun config.json: "
		                     "\"profiles\" is not a list");
	p = find_profile(profiles, profile);
	if (!p) {
		p = json_object_new_object();
		ok = p && json_object_array_add(profiles, p) == 0 &&
		     set_str(p, "name", profile) &&
		     set_str(p, "output_format", "json") &&
		     set_str(p, "language", "en");
	}
	if (ok && region && !json_object_object_get_ex(p, "region_id", &v))
		ok = set_str(p, "region_id", region);
	if (ok && sts) {
		s2s_time_format_utc(exp, sizeof(exp), sts->expiration);
		ok = set_str(p, "mode", "StsToken") &&
		     set_str(p, "access_key_id", sts->access_key_id) &&
		     set_str(p, "access_key_secret", sts->access_key_secret) &&
		     set_str(p, "sts_token", sts->security_token) &&
		     set_str(p, "sts_expiration", exp);
		json_object_object_del(p, "process_command");
	} else if (ok) {
		ok = set_str(p, "mode", "External") &&
		     set_str(p, "process_command", command);
		/* an earlier plaintext copy (ours, or saml2alibabacloud's)
		 * must not outlive the switch */
		for (size_t i = 0; i < S2S_ARRAY_SIZE(token_keys); i++)
			json_object_object_del(p, token_keys[i]);
	}
	/* the aliyun CLI's default profile: only one that can answer (a
	 * profile written before its first login would send every aliyun
	 * call to "run saml2sts login") */
	if (ok && holds_creds &&
	    (!json_object_object_get_ex(root, "current", &v) ||
	     !json_object_is_type(v, json_type_string) ||
	     !*json_object_get_string(v)))
		ok = set_str(root, "current", profile);
	return ok ? S2S_OK : s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

/* The pretty-printed document and a final newline, written atomically
 * with mode 0600. */
static s2s_err write_json(const char *path, json_object *root,
                          struct s2s_error *err)
{
	struct s2s_buf text = S2S_BUF_SECRET_INIT;
	const char *json = json_object_to_json_string_ext(
	        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	s2s_err rc;

	if (!json || s2s_buf_puts(&text, json) || s2s_buf_add(&text, "\n", 1))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	else
		rc = s2s_file_write_private(path, text.ptr, text.len,
		                            S2S_ECONFIG, err);
	s2s_buf_release(&text);
	return rc;
}

/* Take the lock on "<path>.lock" (*lock_out: its name, for unlock_file()).
 * The holder removes the file before letting go, so a waiter can end up
 * holding a lock on a file that is gone: after locking, it checks that
 * the name still leads to the file it locked, and starts over when not.
 * Whoever holds a checked lock is alone; an earlier version's leftover
 * lock file is taken and removed the same way. */
static s2s_err lock_file(int *fd_out, struct s2s_buf *lock_out,
                         const char *path, struct s2s_error *err)
{
	struct stat held, named;
	int fd = -1, e = 0;

	*fd_out = -1;
	if (s2s_buf_printf(lock_out, "%s.lock", path))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	for (int tries = 0; tries < 1000; tries++) {
		fd = open(lock_out->ptr,
		          O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) != 0) {
			e = errno;
			break;
		}
		if (fstat(fd, &held) == 0 &&
		    lstat(lock_out->ptr, &named) == 0 &&
		    held.st_dev == named.st_dev &&
		    held.st_ino == named.st_ino) {
			*fd_out = fd;
			return S2S_OK;
		}
		close(fd); /* removed by its holder: take the new one */
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	return s2s_error_set(err, S2S_ECONFIG, "cannot lock %s: %s", path,
	                     e ? strerror(e) : "busy");
}

/* Remove the lock file while still holding it, then let go. */
static void unlock_file(int fd, const struct s2s_buf *lock)
{
	if (fd < 0)
		return;
	unlink(lock->ptr);
	close(fd);
}

/* The directory of path, created 0700 when missing (~/.aliyun). */
static s2s_err make_parent(const char *path, struct s2s_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	s2s_err rc;

	if (!slash || slash == path)
		return S2S_OK;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	rc = s2s_file_mkdirs(dir, S2S_ECONFIG, err);
	free(dir);
	return rc;
}

s2s_err s2s_aliyun_config_merge(const char *path, const char *profile,
                                const char *command, const char *region,
                                const struct s2s_creds *sts, bool holds_creds,
                                struct s2s_error *err)
{
	struct s2s_buf text = S2S_BUF_SECRET_INIT, lock_name = S2S_BUF_INIT;
	json_object *root = NULL;
	int lock = -1;
	s2s_err rc;

	rc = make_parent(path, err);
	if (!rc)
		rc = lock_file(&lock, &lock_name, path, err);
	if (rc) {
		s2s_buf_release(&lock_name);
		return rc;
	}
	rc = s2s_file_read(&text, path, MAX_CONFIG, S2S_ECONFIG, err);
	if (rc == S2S_ENOTFOUND) {
		s2s_error_clear(err);
		rc = S2S_OK;
	}
	if (rc)
		goto out;
	root = text.len ? s2s_json_parse(text.ptr, text.len)
	                : json_object_new_object();
	if (!root) {
		/* never overwrite what we cannot parse */
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "%s is not a JSON object; not changing it",
		                   path);
		goto out;
	}
	rc = edit(root, profile, command, region, sts, holds_creds || sts, err);
	if (!rc)
		rc = write_json(path, root, err);
out:
	s2s_json_put_wiped(root);
	s2s_buf_release(&text);
	unlock_file(lock, &lock_name);
	s2s_buf_release(&lock_name);
	return rc;
}
