/* SPDX-License-Identifier: MIT */
/*
 * mkdir -p and the atomic private write shared by every module that
 * writes a file.  No parsing, no locking (callers lock what they need).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "saml2sts/file.h"

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

s2s_err s2s_file_write_private(const char *path, const void *data, size_t len,
                               s2s_err code, struct s2s_error *err)
{
	struct s2s_buf tmp = S2S_BUF_INIT;
	mode_t old_mask;
	int fd;
	s2s_err rc = S2S_OK;

	if (s2s_buf_printf(&tmp, "%s.XXXXXX", path))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
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
	return rc;
}
