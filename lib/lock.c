/* SPDX-License-Identifier: MIT */
/*
 * flock()-based locks with a bounded wait.  The lock file names encode
 * the lock name (profile names are user text) so no name can escape the
 * directory.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "saml2sts/file.h"
#include "saml2sts/lock.h"

struct s2s_lock {
	int fd;
};

/* dir/<name, with anything but [A-Za-z0-9._-] as %XX>.lock */
static s2s_err lock_path(struct s2s_buf *b, const char *dir, const char *name)
{
	s2s_err rc = s2s_buf_puts(b, dir);

	if (!rc)
		rc = s2s_buf_add(b, "/", 1);
	for (const unsigned char *p = (const unsigned char *)name; !rc && *p;
	     p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    (*p == '.' && p != (const unsigned char *)name))
			rc = s2s_buf_add(b, p, 1);
		else
			rc = s2s_buf_printf(b, "%%%02X", *p);
	}
	if (!rc)
		rc = s2s_buf_puts(b, ".lock");
	return rc;
}

s2s_err s2s_lock_acquire(struct s2s_lock **out, const char *dir,
                         const char *name, long timeout_ms, bool *waited_out,
                         struct s2s_error *err)
{
	struct s2s_buf path = S2S_BUF_INIT;
	struct timespec nap = { 0, 20 * 1000000L };
	struct s2s_lock *lock = NULL;
	long waited = 0;
	int fd = -1;
	s2s_err rc;

	*out = NULL;
	if (waited_out)
		*waited_out = false;
	rc = s2s_file_mkdirs(dir, S2S_ESTORE, err);
	if (rc)
		return rc;
	if (lock_path(&path, dir, name)) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = s2s_error_set(err, S2S_ESTORE, "cannot open %s: %s",
		                   path.ptr, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = s2s_error_set(err, S2S_ESTORE,
			                   "cannot lock %s: "
			                   "%s",
			                   path.ptr, strerror(errno));
			goto out;
		}
		if (waited >= timeout_ms) {
			rc = s2s_error_set(err, S2S_ESTORE,
			                   "another saml2sts has held the %s "
			                   "lock for %ld s; try again",
			                   name, waited / 1000);
			goto out;
		}
		if (waited_out)
			*waited_out = true;
		nanosleep(&nap, NULL);
		waited += 20;
	}
	lock = malloc(sizeof(*lock));
	if (!lock) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	lock->fd = fd;
	fd = -1;
	*out = lock;
out:
	if (fd >= 0)
		close(fd);
	s2s_buf_release(&path);
	return rc;
}

void s2s_lock_release(struct s2s_lock *lock)
{
	if (!lock)
		return;
	flock(lock->fd, LOCK_UN);
	close(lock->fd);
	free(lock);
}
