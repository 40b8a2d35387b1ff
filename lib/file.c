/* SPDX-License-Identifier: MIT */
/*
 * mkdir -p, the careful read and the atomic private write shared by
 * every module that reads or writes a file.  No parsing, no locking
 * (callers lock what they need).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "saml2sts/file.h"
#include "saml2sts/secret.h"

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

s2s_err s2s_file_mkdirs(const char *dir, s2s_err code, struct s2s_error *err)
{
	char *path = strdup(dir);
	s2s_err rc = S2S_OK;
	char c;
	int e;

	if (!path)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	for (char *p = path + 1; *path && !rc; p++) {
		if ((*p && *p != '/') || (*p == '/' && p[-1] == '/'))
			continue;
		c = *p;
		*p = '\0';
		e = mkdir(path, 0700) == 0 ? 0 : errno;
		if (e && e != EEXIST && !is_dir(path))
			rc = s2s_error_set(err, code, "cannot create %s: %s",
			                   path, strerror(e));
		*p = c;
		if (!c)
			break;
	}
	if (!rc && !is_dir(path))
		rc = s2s_error_set(err, code,
		                   "cannot create %s: not a "
		                   "directory",
		                   path);
	free(path);
	return rc;
}

static bool write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == path ? strdup("/")
	            : slash       ? strndup(path, (size_t)(slash - path))
	                          : strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		(void)fsync(fd); /* best effort: the data is in place */
		close(fd);
	}
	free(dir);
}

s2s_err s2s_file_read(struct s2s_buf *out, const char *path, size_t max,
                      s2s_err code, struct s2s_error *err)
{
	struct stat st;
	char chunk[4096];
	ssize_t got;
	s2s_err rc = S2S_OK;
	int fd;

	/* O_NONBLOCK: a FIFO or a device named by mistake must not hang
	 * the open; fstat then refuses anything but a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return s2s_error_set(
		        err, errno == ENOENT ? S2S_ENOTFOUND : code,
		        "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = s2s_error_set(err, code,
		                   "cannot read %s: not a regular file", path);
		goto out;
	}
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = s2s_error_set(err, code, "cannot read %s: %s",
			                   path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		if (out->len + (size_t)got > max) {
			bool mib = max % (1024 * 1024) == 0;

			rc = s2s_error_set(
			        err, code, "%s: file is larger than %zu %s",
			        path, max / (mib ? 1024 * 1024 : 1024),
			        mib ? "MiB" : "KiB");
			break;
		}
		if (s2s_buf_add(out, chunk, (size_t)got)) {
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
			break;
		}
	}
	if (!rc && s2s_buf_terminate(out))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
out:
	s2s_memzero(chunk, sizeof(chunk));
	close(fd);
	return rc;
}

bool s2s_file_same(const char *path, const void *data, size_t len)
{
	struct s2s_buf have = S2S_BUF_INIT;
	struct stat st;
	bool same;

	same = stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_uid == geteuid() && (st.st_mode & 07777) == 0600 &&
	       (size_t)st.st_size == len &&
	       s2s_file_read(&have, path, len, S2S_ERROR, NULL) == S2S_OK &&
	       have.len == len &&
	       (len == 0 || memcmp(have.ptr, data, len) == 0);
	s2s_buf_release(&have);
	return same;
}

/* The file a write to path replaces: path itself, or the target of the
 * symbolic link path is (dotfiles keep ~/.aliyun/config.json as a
 * link), resolved so the temp file sits beside the target. */
static s2s_err write_target(char **out, const char *path, s2s_err code,
                            struct s2s_error *err)
{
	struct stat st;
	char *real;

	*out = NULL;
	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
		return S2S_OK;
	real = realpath(path, NULL);
	if (!real)
		return s2s_error_set(err, code,
		                     "%s is a symbolic link to a missing file "
		                     "(%s): fix or remove the link",
		                     path, strerror(errno));
	*out = real;
	return S2S_OK;
}

s2s_err s2s_file_write_private(const char *path, const void *data, size_t len,
                               s2s_err code, struct s2s_error *err)
{
	struct s2s_buf tmp = S2S_BUF_INIT;
	char *target = NULL;
	mode_t old_mask;
	int fd;
	s2s_err rc;

	rc = write_target(&target, path, code, err);
	if (rc)
		return rc;
	if (target)
		path = target;
	if (s2s_buf_printf(&tmp, "%s.XXXXXX", path)) {
		free(target);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	old_mask = umask(077); /* 0600 from birth: no chmod() window */
	fd = mkstemp(tmp.ptr);
	umask(old_mask);
	if (fd < 0) {
		rc = s2s_error_set(err, code, "cannot create %s: %s", tmp.ptr,
		                   strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || !write_all(fd, data, len) ||
	    fsync(fd) != 0) {
		rc = s2s_error_set(err, code, "cannot write %s: %s", tmp.ptr,
		                   strerror(errno));
		close(fd);
		unlink(tmp.ptr);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp.ptr, path) != 0) {
		rc = s2s_error_set(err, code, "cannot write %s: %s", path,
		                   strerror(errno));
		unlink(tmp.ptr);
		goto out;
	}
	sync_dir(path);
out:
	s2s_buf_release(&tmp);
	free(target);
	return rc;
}
