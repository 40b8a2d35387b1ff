/* SPDX-License-Identifier: MIT */
/*
 * The one option parser and usage printer of the commands, driven by
 * their tables (command.h), and the run step that gets a command what
 * it needs.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <saml2sts/session.h>
#include <saml2sts/suggest.h>

#include "command.h"

#define MAX_OPTS    40
#define HELP_COLUMN 24

/* getopt_long values: a command's option i is OPT_LOCAL + i, global
 * option i is OPT_GLOBAL + i. */
enum {
	OPT_GLOBAL = 1000,
	OPT_LOCAL = 2000,
};

enum { G_CONFIG, G_ACCOUNT, G_VERBOSE, G_DEBUG, G_QUIET };

const struct cli_opt cli_global_opts[] = {
	[G_CONFIG] = { "config", 0, "FILE",
	               "config file (default $SAML2STS_CONFIG,\n"
	               "else $XDG_CONFIG_HOME/saml2sts/config)" },
	[G_ACCOUNT] = { "account", 'a', "NAME",
	                "IdP account (config section), default 'default'" },
	[G_VERBOSE] = { "verbose", 0, NULL, "say more on stderr" },
	[G_DEBUG] = { "debug", 0, NULL, "redacted HTTP trace on stderr" },
	[G_QUIET] = { "quiet", 0, NULL, "no informational output" },
	{ NULL },
};

static void global_opt(struct cli *cli, int i, const char *arg)
{
	switch (i) {
	case G_CONFIG:
		free(cli->config_path);
		cli->config_path = strdup(arg);
		break;
	case G_ACCOUNT:
		cli->account_name = arg;
		cli->account_given = true;
		break;
	case G_DEBUG:
		cli->debug = true;
		/* fall through */
	case G_VERBOSE:
		cli->verbose = true;
		break;
	case G_QUIET:
		cli->quiet = true;
		break;
	}
}

const char *cli_arg(const struct cli_args *args, int opt)
{
	for (size_t i = args->n; i-- > 0;)
		if (args->seq[i].opt == opt)
			return args->seq[i].val;
	return NULL;
}

void cli_args_release(struct cli_args *args)
{
	free(args->seq);
	args->seq = NULL;
	args->n = 0;
}

/* Append the getopt entries of opts, numbered from base. */
static size_t add_opts(struct option *lo, size_t n, char *so, size_t *ns,
                       const struct cli_opt *opts, int base)
{
	for (int i = 0; opts && opts[i].name && n < MAX_OPTS; i++) {
		const struct cli_opt *o = &opts[i];
		int has = !o->arg && !o->choices ? no_argument
		          : o->optional_arg      ? optional_argument
		                                 : required_argument;

		lo[n++] = (struct option){ o->name, has, NULL, base + i };
		if (!o->letter)
			continue;
		so[(*ns)++] = o->letter;
		if (has != no_argument)
			so[(*ns)++] = ':';
		if (has == optional_argument)
			so[(*ns)++] = ':';
	}
	return n;
}

static int letter_index(const struct cli_opt *opts, int c)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (opts[i].letter == c)
			return i;
	return -1;
}

/* "--output must be text or json" from "text|json", and the word
 * meant when the value is near one. */
static int bad_choice(const char *cmd, const struct cli_opt *o,
                      const char *value)
{
	char words[256], each[256], mean[96] = "";
	const char *list[16], *p = o->choices, *bar, *near;
	size_t n = 0, nw = 0, w = 0;

	words[0] = '\0';
	while (p && n < sizeof(words)) {
		bar = strchr(p, '|');
		n += (size_t)snprintf(words + n, sizeof(words) - n, "%s%.*s",
		                      n == 0 ? ""
		                      : bar  ? ", "
		                             : " or ",
		                      bar ? (int)(bar - p) : (int)strlen(p), p);
		if (nw < 16 && w < sizeof(each)) {
			list[nw++] = each + w;
			w += (size_t)snprintf(
			             each + w, sizeof(each) - w, "%.*s",
			             bar ? (int)(bar - p) : (int)strlen(p), p) +
			     1;
		}
		p = bar ? bar + 1 : NULL;
	}
	near = w <= sizeof(each) ? s2s_suggest(value, list, nw) : NULL;
	if (near)
		snprintf(mean, sizeof(mean), ": did you mean '%s'?", near);
	return cli_usage(cmd, "--%s must be %s%s", o->name, words, mean);
}

/* The long option of cmd or the global ones nearest to a mistyped
 * "--name[=value]", or NULL. */
static const char *near_option(const struct cli_command *cmd, const char *arg)
{
	const char *names[MAX_OPTS + 2];
	char word[64];
	size_t n = 0, len;

	if (strncmp(arg, "--", 2) != 0)
		return NULL;
	arg += 2;
	len = strcspn(arg, "=");
	if (len >= sizeof(word))
		return NULL;
	memcpy(word, arg, len);
	word[len] = '\0';
	names[n++] = "help";
	for (int i = 0; cli_global_opts[i].name && n < MAX_OPTS; i++)
		names[n++] = cli_global_opts[i].name;
	for (int i = 0; cmd->opts && cmd->opts[i].name && n < MAX_OPTS; i++)
		names[n++] = cmd->opts[i].name;
	return s2s_suggest(word, names, n);
}

/* The option getopt stopped at: a value missing, or an unknown option
 * with the one it is near. */
static int bad_option(const struct cli_command *cmd, const char *arg,
                      int missing)
{
	const struct cli_opt *o = NULL;
	const char *near;

	if (missing >= OPT_LOCAL)
		o = &cmd->opts[missing - OPT_LOCAL];
	else if (missing >= OPT_GLOBAL)
		o = &cli_global_opts[missing - OPT_GLOBAL];
	else if (missing > 0 && letter_index(cmd->opts, missing) >= 0)
		o = &cmd->opts[letter_index(cmd->opts, missing)];
	else if (missing > 0 && letter_index(cli_global_opts, missing) >= 0)
		o = &cli_global_opts[letter_index(cli_global_opts, missing)];
	if (o && (o->arg || o->choices))
		return cli_usage(cmd->name, "--%s needs a value (%s)", o->name,
		                 o->choices ? o->choices : o->arg);
	near = near_option(cmd, arg);
	if (near)
		return cli_usage(cmd->name,
		                 "unknown option '%s': did you mean '--%s'?",
		                 arg, near);
	return cli_usage(cmd->name, "unknown or incomplete option '%s'", arg);
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t len = strlen(v);
	const char *p = choices;

	while (p) {
		const char *bar = strchr(p, '|');
		size_t wl = bar ? (size_t)(bar - p) : strlen(p);

		if (len && wl == len && strncmp(p, v, len) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static int check_excludes(const struct cli_command *cmd,
                          const struct cli_args *args)
{
	const struct cli_opt *opts = cmd->opts;

	for (int i = 0; opts && opts[i].name; i++) {
		if (!opts[i].excludes || !cli_arg(args, i))
			continue;
		for (int j = 0; opts[j].name; j++)
			if (strcmp(opts[j].name, opts[i].excludes) == 0 &&
			    cli_arg(args, j))
				return cli_usage(cmd->name,
				                 "--%s and --%s exclude each "
				                 "other",
				                 opts[i].name, opts[j].name);
	}
	return EXIT_OK;
}

int cli_parse(struct cli *cli, const struct cli_command *cmd, int argc,
              char **argv, struct cli_args *args)
{
	static char empty[] = "";
	struct option lo[MAX_OPTS + 2];
	char so[3 * MAX_OPTS + 4];
	size_t n = 0, ns = 0;
	int c, i;

	memset(args, 0, sizeof(*args));
	args->seq = calloc((size_t)argc + 1, sizeof(*args->seq));
	if (!args->seq)
		return cli_error(EXIT_FAIL, "out of memory");
	if (cmd->flags & CLI_OPERANDS)
		so[ns++] = '+';
	so[ns++] = 'h';
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	n = add_opts(lo, n, so, &ns, cli_global_opts, OPT_GLOBAL);
	n = add_opts(lo, n, so, &ns, cmd->opts, OPT_LOCAL);
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	so[ns] = '\0';

	optind = 0; /* a fresh scan: main parsed the global options */
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == 'h')
			return CLI_HELP;
		if (c >= OPT_GLOBAL && c < OPT_LOCAL) {
			global_opt(cli, c - OPT_GLOBAL, optarg);
			continue;
		}
		if (letter_index(cli_global_opts, c) >= 0) {
			global_opt(cli, letter_index(cli_global_opts, c),
			           optarg);
			continue;
		}
		i = c >= OPT_LOCAL ? c - OPT_LOCAL : letter_index(cmd->opts, c);
		if (c == '?' || c == ':' || i < 0)
			return bad_option(cmd, argv[optind - 1],
			                  c == '?' ? optopt : 0);
		if (cmd->opts[i].choices &&
		    !choice_ok(cmd->opts[i].choices, optarg ? optarg : ""))
			return bad_choice(cmd->name, &cmd->opts[i],
			                  optarg ? optarg : "");
		args->seq[args->n].opt = i;
		args->seq[args->n++].val = optarg ? optarg : empty;
	}
	if (optind < argc && !(cmd->flags & CLI_OPERANDS))
		return cli_usage(cmd->name, "unexpected argument '%s'",
		                 argv[optind]);
	for (size_t k = 0; k < args->n; k++) {
		struct s2s_error err = S2S_ERROR_INIT;

		if (strcmp(cmd->opts[args->seq[k].opt].name, "profile") == 0 &&
		    s2s_profile_check(args->seq[k].val, &err))
			return cli_usage(cmd->name, "%s", err.msg);
	}
	args->operands = argv + optind;
	args->noperands = argc - optind;
	return check_excludes(cmd, args);
}

void cli_print_opts(FILE *f, const struct cli_opt *opts)
{
	for (int i = 0; opts && opts[i].name; i++) {
		const struct cli_opt *o = &opts[i];
		const char *h = o->help, *nl;
		char left[80];
		int w;

		if (o->letter)
			w = snprintf(left, sizeof(left), "-%c, --%s", o->letter,
			             o->name);
		else
			w = snprintf(left, sizeof(left), "--%s", o->name);
		if (o->arg || o->choices)
			w += snprintf(left + w, sizeof(left) - (size_t)w,
			              o->optional_arg ? "[=%s]" : " %s",
			              o->choices ? o->choices : o->arg);
		fprintf(f, "  %s", left);
		if (w > HELP_COLUMN - 4) { /* too wide: help on the next line */
			fputc('\n', f);
			w = -2;
		}
		for (;;) {
			nl = strchr(h, '\n');
			fprintf(f, "%*s%.*s\n", HELP_COLUMN - 2 - w, "",
			        nl ? (int)(nl - h) : (int)strlen(h), h);
			if (!nl)
				break;
			h = nl + 1;
			w = -2;
		}
	}
}

static void help(const struct cli_command *cmd)
{
	bool any = cmd->opts && cmd->opts[0].name;

	printf("usage: saml2sts %s%s%s\n\n%c%s.\n", cmd->name,
	       any || cmd->synopsis ? " " : "",
	       cmd->synopsis ? cmd->synopsis
	       : any         ? "[options]"
	                     : "",
	       toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
	if (any) {
		putchar('\n');
		cli_print_opts(stdout, cmd->opts);
	}
	if (cmd->epilog)
		printf("\n%s\n", cmd->epilog);
	puts("\nGlobal options and exit statuses: saml2sts --help.");
}

int cli_skip_prompt(struct cli *cli)
{
	cli->skip_prompt = true;
	return EXIT_OK;
}

/* The options that change the front end, then the command's needs. */
static int need(struct cli *cli, const struct cli_command *cmd,
                const struct cli_args *args)
{
	unsigned int flags = cmd->flags;
	int status = EXIT_OK;

	for (int i = 0; cmd->opts && cmd->opts[i].name && !status; i++)
		if (cmd->opts[i].apply && cli_arg(args, i))
			status = cmd->opts[i].apply(cli);
	if (status)
		return status;

	if (flags & (CLI_NEED_CONFIG | CLI_NEED_ACCOUNT | CLI_NEED_STORE))
		status = cli_load_config(cli);
	if (!status && (flags & CLI_NEED_ACCOUNT))
		status = cli_need_account(cli);
	if (!status && (flags & CLI_NEED_STORE))
		status = cli_store(cli, &cli->store);
	return status;
}

int cli_run(struct cli *cli, const struct cli_command *cmd, int argc,
            char **argv)
{
	struct cli_args args;
	int status;

	status = cli_parse(cli, cmd, argc, argv, &args);
	if (status == CLI_HELP)
		help(cmd);
	else if (!status)
		status = need(cli, cmd, &args);
	if (!status)
		status = cmd->run(cli, &args);
	cli_args_release(&args);
	return status == CLI_HELP ? EXIT_OK : status;
}
