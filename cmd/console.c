/* SPDX-License-Identifier: MIT */
/*
 * saml2sts console: open the Alibaba Cloud console signed in with the
 * profile's STS credentials (GetSigninToken, then the Login URL), with
 * xdg-open, or print the URL with --print-url or when no browser can be
 * opened.  The URL holds a single-use token valid for 30 s, so the
 * opener's chatter is never shown.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <saml2sts/session.h>
#include <saml2sts/secret.h>

#include "command.h"

enum { O_PROFILE, O_PRINT_URL, O_DESTINATION };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	[O_PRINT_URL] = { "print-url", 0, NULL,
	                  "print the sign-in URL instead of opening a "
	                  "browser" },
	[O_DESTINATION] = { "destination", 0, "URL",
	                    "console page to open (default: the console "
	                    "home)" },
	{ NULL },
};

/* Drop what xdg-open said unless --verbose; then show only its lines
 * that hold neither the URL nor a sign-in token. */
static void show_noise(const struct cli *cli, FILE *noise, const char *url)
{
	char line[512];

	if (!cli->verbose || !noise)
		return;
	rewind(noise);
	while (fgets(line, sizeof(line), noise)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line && !strstr(line, url) && !strstr(line, "SigninToken"))
			cli_verbose(cli, "xdg-open: %s", line);
	}
}

/* Wait for xdg-open up to 5 s: when it runs the browser in the
 * foreground (no desktop environment), it is up and we are done. */
static int wait_opener(pid_t pid)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };
	int st = 0;

	for (int i = 0; i < 250; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		if (r < 0)
			return 128;
		nanosleep(&step, NULL);
	}
	return 0;
}

/* Start xdg-open on url; its stdout and stderr go to an unlinked
 * temporary file, never to our terminal (a browser or an opener that
 * complains often repeats the URL, and the URL is a sign-in token).
 * Fills why and returns false when no browser could be opened. */
static bool open_browser(const struct cli *cli, const char *url, char *why,
                         size_t size)
{
	FILE *noise;
	pid_t pid;
	int code, fd;

	if (!s2s_config_env("DISPLAY") && !s2s_config_env("WAYLAND_DISPLAY") &&
	    !s2s_config_env("BROWSER")) {
		snprintf(why, size, "no display");
		return false;
	}
	noise = tmpfile();
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		if (noise)
			fclose(noise);
		return false;
	}
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		fd = noise ? fileno(noise) : fd;
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		signal(SIGPIPE, SIG_DFL);
		execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
	code = wait_opener(pid);
	if (code == 127)
		snprintf(why, size, "xdg-open not found");
	else if (code != 0)
		snprintf(why, size, "xdg-open failed, status %d", code);
	if (code != 0)
		show_noise(cli, noise, url);
	if (noise)
		fclose(noise);
	return code == 0;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *dest = cli_arg(args, O_DESTINATION);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_creds *c = NULL;
	char *url = NULL, why[64];
	bool print = true;
	int status;

	if (dest && strncmp(dest, "https://", 8) != 0)
		return cli_usage("console", "--destination must be an https "
		                            "URL");
	status = cli_fresh_creds(
	        cli, cli_profile(cli, cli_arg(args, O_PROFILE)), &c);
	if (status)
		return status;
	if (s2s_session_console_url(&url, cli->session, c, dest, &err))
		status = cli_fail(cli, &err);
	if (!status && !cli_arg(args, O_PRINT_URL)) {
		print = !open_browser(cli, url, why, sizeof(why));
		if (print) /* the URL is the way left: exit 0 */
			cli_info(cli,
			         "saml2sts: cannot open a browser (%s): open "
			         "this URL within 30 seconds",
			         why);
	}
	if (!status && print)
		printf("%s\n", url);
	s2s_secret_free(url);
	s2s_creds_free(c);
	return status;
}

const struct cli_command cli_cmd_console = {
	.name = "console",
	.summary = "open the Alibaba Cloud console signed in",
	.opts = opts,
	.flags = CLI_NEED_CONFIG,
	.run = run,
};
