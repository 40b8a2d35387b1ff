/* SPDX-License-Identifier: MIT */
/*
 * Graphical prompts, for a password or one-time code asked where there
 * is no terminal (credential-process run by an IDE or Terraform): zenity,
 * kdialog or a pinentry program, chosen by the `prompt` key
 * (auto|tty|zenity|kdialog|pinentry).  The helper's argv holds only the
 * question; the answer comes back through a pipe from its stdout (the
 * Assuan protocol for pinentry) into a secret buffer.  Its stderr goes
 * to /dev/null: a failing command still prints one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <saml2sts/secret.h>

#include "prompt.h"

#define ANSWER_MAX 4096

static const char *const methods[] = { "auto",    "tty",      "zenity",
	                               "kdialog", "pinentry", NULL };

/* The program called name on $PATH (caller frees), or NULL. */
static char *find_program(const char *name)
{
	const char *path = s2s_config_env("PATH");
	struct stat st;
	char full[PATH_MAX];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		if (n &&
		    snprintf(full, sizeof(full), "%.*s/%s", (int)n, path,
		             name) < (int)sizeof(full) &&
		    stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return strdup(full);
		path += n + (path[n] == ':');
	}
	return NULL;
}

s2s_err cli_prompt_gui(char **out, const struct cli *cli, bool tty,
                       struct s2s_error *err)
{
	const char *v = s2s_account_get_str(cli->acct, "prompt", "auto");
	size_t i;

	*out = NULL;
	for (i = 0; methods[i] && strcmp(methods[i], v) != 0; i++)
		;
	if (!methods[i])
		return s2s_error_set(err, S2S_ECONFIG,
		                     "%s:%u: prompt must be auto, tty, zenity, "
		                     "kdialog or pinentry",
		                     s2s_account_file(cli->acct),
		                     s2s_account_line(cli->acct, "prompt"));
	if (cli->skip_prompt || strcmp(v, "tty") == 0)
		return S2S_OK;
	if (strcmp(v, "auto") != 0) {
		*out = find_program(v);
		if (!*out)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "prompt = %s, but there is no %s "
			                     "on PATH",
			                     v, v);
		return S2S_OK;
	}
	/* auto: the terminal when there is one, else the first graphical
	 * helper when there is a display */
	if (tty ||
	    (!s2s_config_env("DISPLAY") && !s2s_config_env("WAYLAND_DISPLAY")))
		return S2S_OK;
	for (i = 2; methods[i] && !*out; i++)
		*out = find_program(methods[i]);
	return S2S_OK;
}

bool cli_prompt_valid(const char *value)
{
	for (size_t i = 0; methods[i]; i++)
		if (strcmp(methods[i], value) == 0)
			return true;
	return false;
}

/* Start argv[0] with stdin from to_child (or /dev/null when -1), stdout
 * into from_child, stderr to /dev/null and no other descriptor. */
static pid_t spawn(char *const argv[], int to_child, int from_child)
{
	extern char **environ;
	char **envp;
	size_t n = 0, k = 0;
	pid_t pid;
	int null;

	/* The helper's environment: ours without the secrets saml2sts
	 * reads from it (made before fork: the child only execs). */
	while (environ[n])
		n++;
	envp = calloc(n + 1, sizeof(*envp));
	if (!envp)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "SAML2STS_PASSWORD=", 18) != 0 &&
		    strncmp(environ[i], "SAML2STS_FILE_PASSPHRASE=", 25) != 0)
			envp[k++] = environ[i];
	pid = fork();
	if (pid != 0) {
		free(envp);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		_exit(127);
	if (dup2(to_child >= 0 ? to_child : null, STDIN_FILENO) < 0 ||
	    dup2(from_child, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		_exit(127);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* The helper's exit status (-1 when it did not exit by itself). */
static int reap(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Everything fd gives until EOF, at most ANSWER_MAX bytes, into answer
 * (secret); the trailing newline dropped. */
static s2s_err read_answer(int fd, struct s2s_buf *answer,
                           struct s2s_error *err)
{
	char chunk[256];
	s2s_err rc = S2S_OK;
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (answer->len + (size_t)n > ANSWER_MAX) {
			rc = s2s_error_set(err, S2S_ENEEDINPUT,
			                   "the prompt's answer is too long");
			break;
		}
		if (s2s_buf_add(answer, chunk, (size_t)n)) {
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
			break;
		}
	}
	s2s_memzero(chunk, sizeof(chunk));
	while (!rc && answer->len &&
	       (answer->ptr[answer->len - 1] == '\n' ||
	        answer->ptr[answer->len - 1] == '\r'))
		answer->ptr[--answer->len] = '\0';
	return rc;
}

/* zenity or kdialog: one dialog, the answer on stdout, exit 1 when the
 * user cancels. */
static s2s_err dialog(const char *prog, bool kdialog, const char *text,
                      struct s2s_buf *answer, struct s2s_error *err)
{
	static char entry[] = "--entry", hide[] = "--hide-text",
	            title_opt[] = "--title", title[] = "saml2sts",
	            text_opt[] = "--text", password[] = "--password";
	char exe[PATH_MAX], label[256];
	char *zen[] = { exe,   entry,    hide,  title_opt,
		        title, text_opt, label, NULL };
	char *kde[] = { exe, title_opt, title, password, label, NULL };
	int fds[2], status;
	pid_t pid;
	s2s_err rc;

	snprintf(exe, sizeof(exe), "%s", prog);
	snprintf(label, sizeof(label), "saml2sts (IdP sign-in): %s", text);
	s2s_printable(label);
	if (pipe(fds) < 0)
		return s2s_error_set(err, S2S_ERROR, "pipe: %s",
		                     strerror(errno));
	pid = spawn(kdialog ? kde : zen, -1, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return s2s_error_set(err, S2S_ERROR, "fork: %s",
		                     strerror(errno));
	}
	rc = read_answer(fds[0], answer, err);
	close(fds[0]);
	status = reap(pid);
	if (rc)
		return rc;
	if (status == 1 || status == 5) /* cancelled, or zenity's timeout */
		return s2s_error_set(err, S2S_ECANCELLED,
		                     "the %s dialog was cancelled", text);
	if (status != 0)
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "%s did not ask for the %s (exit %d)",
		                     prog, text, status);
	return S2S_OK;
}

/* One Assuan line from fd (without the newline) into line; secret. */
static s2s_err assuan_line(int fd, struct s2s_buf *line, struct s2s_error *err)
{
	char c;
	ssize_t n;

	s2s_buf_reset(line);
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return s2s_error_set(
			        err, S2S_ENEEDINPUT,
			        "pinentry ended without an answer");
		if (c == '\n')
			break;
		if (line->len >= ANSWER_MAX || s2s_buf_add(line, &c, 1))
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "pinentry's answer is too long");
	}
	c = 0;
	return s2s_buf_terminate(line) ? S2S_ENOMEM : S2S_OK;
}

/* Send cmd, then read until OK (D lines decoded into data when not
 * NULL); ERR is a refusal, "ERR 83886179" (and any "cancel") a cancel. */
static s2s_err assuan(int to, int from, const char *cmd, struct s2s_buf *data,
                      struct s2s_error *err)
{
	struct s2s_buf line = S2S_BUF_SECRET_INIT;
	s2s_err rc = S2S_OK;

	if (cmd && (write(to, cmd, strlen(cmd)) < 0 || write(to, "\n", 1) < 0))
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "pinentry stopped listening");
	while (!rc) {
		rc = assuan_line(from, &line, err);
		if (rc)
			break;
		if (strncmp(line.ptr, "OK", 2) == 0)
			break;
		if (strncmp(line.ptr, "ERR", 3) == 0) {
			rc = strstr(line.ptr, "83886179") ||
			                     strstr(line.ptr, "ancel")
			             ? s2s_error_set(err, S2S_ECANCELLED,
			                             "the pinentry dialog was "
			                             "cancelled")
			             : s2s_error_set(err, S2S_ENEEDINPUT,
			                             "pinentry refused: %.80s",
			                             line.ptr + 3);
			break;
		}
		if (data && strncmp(line.ptr, "D ", 2) == 0) {
			for (size_t i = 2; i < line.len && !rc; i++) {
				char c = line.ptr[i], hex[3] = { 0 };

				if (c == '%' && i + 2 < line.len) {
					hex[0] = line.ptr[i + 1];
					hex[1] = line.ptr[i + 2];
					c = (char)strtol(hex, NULL, 16);
					i += 2;
				}
				if (s2s_buf_add(data, &c, 1))
					rc = s2s_error_set(err, S2S_ENOMEM,
					                   "out of memory");
			}
		}
	}
	s2s_buf_release(&line);
	return rc;
}

/* Escape for an Assuan argument: %, CR and LF as %XX. */
static void assuan_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		if (*s == '%' || *s == '\r' || *s == '\n')
			n += (size_t)snprintf(out + n, size - n, "%%%02X",
			                      (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* pinentry: SETTITLE, SETDESC, SETPROMPT, GETPIN, BYE on its stdin. */
static s2s_err pinentry(const char *prog, const char *text,
                        struct s2s_buf *answer, struct s2s_error *err)
{
	char exe[PATH_MAX], desc[300], cmd[400], prompt[300];
	char *argv[] = { exe, NULL };
	struct s2s_error ignore = S2S_ERROR_INIT;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	pid_t pid;
	s2s_err rc;

	snprintf(exe, sizeof(exe), "%s", prog);
	if (pipe(in) < 0 || pipe(out) < 0) {
		rc = s2s_error_set(err, S2S_ERROR, "pipe: %s", strerror(errno));
		goto out;
	}
	pid = spawn(argv, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	if (pid < 0) {
		rc = s2s_error_set(err, S2S_ERROR, "fork: %s", strerror(errno));
		goto out;
	}
	snprintf(desc, sizeof(desc), "saml2sts (IdP sign-in): %s", text);
	s2s_printable(desc);
	assuan_escape(cmd + 8, sizeof(cmd) - 8, desc);
	memcpy(cmd, "SETDESC ", 8);
	snprintf(desc, sizeof(desc), "%s:", text);
	s2s_printable(desc);
	memcpy(prompt, "SETPROMPT ", 10);
	assuan_escape(prompt + 10, sizeof(prompt) - 10, desc);
	rc = assuan(in[1], out[0], NULL, NULL, err); /* the greeting */
	if (!rc)
		rc = assuan(in[1], out[0], "SETTITLE saml2sts", NULL, err);
	if (!rc)
		rc = assuan(in[1], out[0], cmd, NULL, err);
	if (!rc)
		rc = assuan(in[1], out[0], prompt, NULL, err);
	if (!rc)
		rc = assuan(in[1], out[0], "GETPIN", answer, err);
	/* the polite end: it may be gone already */
	(void)assuan(in[1], out[0], "BYE", NULL, &ignore);
	close(in[1]);
	close(out[0]);
	in[1] = out[0] = -1;
	reap(pid);
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}

s2s_err cli_gui_ask(const char *prog, const char *text, struct s2s_buf *answer,
                    struct s2s_error *err)
{
	const char *base = strrchr(prog, '/');
	struct sigaction ign = { 0 }, old;
	s2s_err rc;

	base = base ? base + 1 : prog;
	cli_progress_stop();
	s2s_buf_reset(answer);
	/* a helper that dies must not kill us with SIGPIPE */
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	if (strncmp(base, "pinentry", 8) == 0)
		rc = pinentry(prog, text, answer, err);
	else
		rc = dialog(prog, strcmp(base, "kdialog") == 0, text, answer,
		            err);
	sigaction(SIGPIPE, &old, NULL);
	if (rc)
		s2s_buf_reset(answer);
	return rc;
}
