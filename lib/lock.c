/* SPDX-License-Identifier: MIT */
/*
 * flock()-based locks with a bounded wait.  The lock file names encode
 * the lock name (profile names are user text) so no name can escape the
 * directory.  The directory is trusted only when nobody else can plant
 * files in it; otherwise a private fallback is used, so a stranger can
 * neither redirect nor block our locks.  Lock files are never removed:
 * an unheld one is harmless, and removing it would race with a waiter.
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

/* <name, with anything but [A-Za-z0-9._-] as %XX>.lock */
static s2s_err lock_file(struct s2s_buf *b, const char *name)
{
	s2s_err rc = S2S_OK;

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

/* Open dir if it is a directory only we can use: not a symbolic link,
 * ours, no group or other bits; else why not.  Checked on the open
 * descriptor, which the lock file is then opened from, so the directory
 * cannot be swapped in between. */
static s2s_err open_dir(int *fd_out, const char *dir, struct s2s_error *why)
{
	struct stat sb;
	int fd;

	*fd_out = -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (lstat(dir, &sb) == 0 && S_ISLNK(sb.st_mode))
			return s2s_error_set(why, S2S_ESTORE,
			                     "%s is a symbolic link", dir);
		return s2s_error_set(why, S2S_ESTORE, "cannot use %s: %s", dir,
		                     strerror(e));
	}
	if (fstat(fd, &sb) != 0) {
		int e = errno;

		close(fd);
		return s2s_error_set(why, S2S_ESTORE, "cannot use %s: %s", dir,
		                     strerror(e));
	}
	if (sb.st_uid != geteuid()) {
		close(fd);
		return s2s_error_set(why, S2S_ESTORE,
		                     "%s is owned by uid %lu, not you", dir,
		                     (unsigned long)sb.st_uid);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return s2s_error_set(why, S2S_ESTORE,
		                     "%s has mode %04o: others may use it", dir,
		                     (unsigned)(sb.st_mode & 07777));
	}
	*fd_out = fd;
	return S2S_OK;
}

/* s2s_lock_dir(), also handing out the open directory. */
static s2s_err safe_dir(char **out, int *fd_out, const char *dir,
                        struct s2s_error *why_out, struct s2s_error *err)
{
	struct s2s_error why = S2S_ERROR_INIT, again = S2S_ERROR_INIT;
	char fallback[64];
	s2s_err rc;

	*out = NULL;
	if (why_out)
		s2s_error_clear(why_out);
	rc = s2s_file_mkdirs(dir, S2S_ESTORE, &why);
	if (!rc)
		rc = open_dir(fd_out, dir, &why);
	if (!rc) {
		*out = strdup(dir);
		goto out;
	}
	/* One fixed path per user, whatever the environment says, so that
	 * every process that falls back meets the same locks.  mkdir()
	 * never follows a link; open_dir() refuses what someone else made
	 * there first. */
	snprintf(fallback, sizeof(fallback), "%s%lu", S2S_LOCK_FALLBACK,
	         (unsigned long)geteuid());
	if (mkdir(fallback, 0700) != 0 && errno != EEXIST)
		rc = s2s_error_set(&again, S2S_ESTORE, "cannot create %s: %s",
		                   fallback, strerror(errno));
	else
		rc = open_dir(fd_out, fallback, &again);
	if (rc)
		return s2s_error_set(err, S2S_ESTORE,
		                     "no safe lock directory: %s; %s", why.msg,
		                     again.msg);
	*out = strdup(fallback);
	if (why_out)
		*why_out = why;
out:
	if (*out)
		return S2S_OK;
	close(*fd_out);
	*fd_out = -1;
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

s2s_err s2s_lock_dir(char **out, const char *dir, struct s2s_error *why_out,
                     struct s2s_error *err)
{
	int fd = -1;
	s2s_err rc = safe_dir(out, &fd, dir, why_out, err);

	if (fd >= 0)
		close(fd);
	return rc;
}

/* Open (creating) the lock file called file in the directory dfd (dir):
 * never through a link, and only a regular file of ours. */
static s2s_err open_lock(int *fd_out, int dfd, const char *dir,
                         const char *file, struct s2s_error *err)
{
	struct stat sb;
	int fd;

	*fd_out = -1;
	fd = openat(dfd, file,
	            O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0)
		return s2s_error_set(err, S2S_ESTORE, "cannot open %s/%s: %s",
		                     dir, file, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid()) {
		close(fd);
		return s2s_error_set(err, S2S_ESTORE,
		                     "refusing %s/%s: not a regular file of "
		                     "yours",
		                     dir, file);
	}
	*fd_out = fd;
	return S2S_OK;
}

s2s_err s2s_lock_acquire(struct s2s_lock **out, const char *dir,
                         const char *name, long timeout_ms, bool *waited_out,
                         struct s2s_error *err)
{
	struct s2s_buf file = S2S_BUF_INIT;
	struct timespec nap = { 0, 20 * 1000000L };
	struct s2s_lock *lock = NULL;
	char *safe = NULL;
	long waited = 0;
	int dfd = -1, fd = -1;
	s2s_err rc;

	*out = NULL;
	if (waited_out)
		*waited_out = false;
	rc = safe_dir(&safe, &dfd, dir, NULL, err);
	if (rc)
		return rc;
	if (lock_file(&file, name)) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = open_lock(&fd, dfd, safe, file.ptr, err);
	if (rc)
		goto out;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = s2s_error_set(err, S2S_ESTORE,
			                   "cannot lock %s/%s: %s", safe,
			                   file.ptr, strerror(errno));
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
	if (dfd >= 0)
		close(dfd);
	s2s_buf_release(&file);
	free(safe);
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
