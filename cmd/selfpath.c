/* SPDX-License-Identifier: MIT */
/*
 * The path the user started saml2sts by, for the commands we hand to
 * other programs (the aliyun CLI's process_command, the shell-init
 * functions): argv[0] as given when it has a slash, else where PATH
 * finds it.  Symbolic links are kept, so a packaged /usr/bin/saml2sts
 * or a Homebrew-style link survives upgrades, where /proc/self/exe
 * would name one versioned file.  Nothing here resolves "..".
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* An executable regular file that is this very binary (a link to it
 * counts); when /proc cannot say, any executable regular file. */
static bool is_self(const char *path)
{
	struct stat st, self;

	if (access(path, X_OK) != 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return false;
	if (stat("/proc/self/exe", &self) != 0)
		return true;
	return st.st_dev == self.st_dev && st.st_ino == self.st_ino;
}

/* dir/name (dir "" is the working directory) made absolute in out. */
static bool join(char *out, size_t size, const char *dir, size_t dlen,
                 const char *name)
{
	char cwd[PATH_MAX];
	int n;

	while (strncmp(name, "./", 2) == 0)
		name += 2;
	if (dlen > 0 && dir[0] == '/')
		n = snprintf(out, size, "%.*s/%s", (int)dlen, dir, name);
	else if (!getcwd(cwd, sizeof(cwd)))
		return false;
	else if (dlen > 0)
		n = snprintf(out, size, "%s/%.*s/%s", cwd, (int)dlen, dir,
		             name);
	else
		n = snprintf(out, size, "%s/%s", cwd, name);
	return n > 0 && (size_t)n < size;
}

static bool resolve(char *out, size_t size, const char *argv0)
{
	const char *path = getenv("PATH");

	if (!argv0 || !*argv0)
		return false;
	if (argv0[0] == '/') {
		if (strlen(argv0) >= size)
			return false;
		memcpy(out, argv0, strlen(argv0) + 1);
		return is_self(out);
	}
	if (strchr(argv0, '/'))
		return join(out, size, "", 0, argv0) && is_self(out);
	/* as execvp searched: each PATH entry in turn, "" the cwd */
	for (const char *p = path; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);

		if (join(out, size, p, len, argv0) && is_self(out))
			return true;
		p = colon ? colon + 1 : NULL;
	}
	return false;
}

const char *cli_self_path(const char *argv0)
{
	static char self[PATH_MAX];
	static int done; /* 0 not yet, 1 found, -1 not found */

	if (!done)
		done = resolve(self, sizeof(self), argv0) ? 1 : -1;
	return done > 0 ? self : NULL;
}
