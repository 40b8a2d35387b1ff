/* SPDX-License-Identifier: MIT */
/*
 * saml2sts __complete profiles|accounts|roles|providers: the words the
 * shell completions offer, one a line on stdout.  Profiles are the stored
 * ones (attributes only: nothing is unlocked or decrypted) and the
 * config's `profile` keys; accounts are the config sections; roles are
 * the -a account's recently used, stored and preselected roles as
 * ACCOUNT/ROLE (alias or uid; ARNs hold ':', which shells split words
 * on); providers are the registry's adapters (not their aliases) and the
 * built-in sources.  It never prompts and never fails loudly: nothing on
 * stderr, exit 0.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <saml2sts/alias.h>
#include <saml2sts/login.h>
#include <saml2sts/session.h>

#include "command.h"
#include "registry.h"
#include "picker.h"

#define MAX_WORDS 1024

struct words {
	char *v[MAX_WORDS];
	size_t n;
};

static void add(struct words *w, const char *s)
{
	if (!s || !*s || w->n == MAX_WORDS)
		return;
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i], s) == 0)
			return;
	w->v[w->n] = strdup(s);
	if (w->v[w->n])
		w->n++;
}

static void print_release(struct words *w)
{
	for (size_t i = 0; i < w->n; i++) {
		cli_printf(stdout, "%s", w->v[i]);
		free(w->v[i]);
	}
	w->n = 0;
}

/* The stored items (attributes only), or none. */
static void stored(struct cli *cli, struct s2s_store_item **items, size_t *n)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store *store = NULL;

	*items = NULL;
	*n = 0;
	if (cli_store(cli, &store) == EXIT_OK &&
	    s2s_store_list(items, n, store, &err)) {
		*items = NULL;
		*n = 0;
	}
}

static void profiles(struct cli *cli, struct words *w)
{
	struct s2s_store_item *items;
	size_t n;

	stored(cli, &items, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].kind, "sts") == 0)
			add(w, items[i].profile);
	s2s_store_items_free(items, n);
	for (size_t i = 0; i < s2s_config_count(cli->cfg); i++)
		add(w, s2s_account_get(s2s_config_at(cli->cfg, i), "profile"));
}

static void accounts(struct cli *cli, struct words *w)
{
	for (size_t i = 0; i < s2s_config_count(cli->cfg); i++)
		add(w, s2s_account_name(s2s_config_at(cli->cfg, i)));
}

struct role_words {
	struct words *w;
	const struct s2s_account *acct;
};

/* acs:ram::<uid>:role/<name> as <alias or uid>/<name>. */
static void add_role(const char *arn, void *payload)
{
	struct role_words *rw = payload;
	const char *p = arn ? strstr(arn, "::") : NULL;
	const char *slash = arn ? strrchr(arn, '/') : NULL;
	size_t n = p ? strspn(p + 2, "0123456789") : 0;
	char uid[32], word[256], *alias;

	if (!n || n >= sizeof(uid) || !slash || !slash[1])
		return;
	memcpy(uid, p + 2, n);
	uid[n] = '\0';
	alias = s2s_account_alias(rw->acct, uid);
	if (!alias)
		alias = s2s_alias_cached(uid);
	snprintf(word, sizeof(word), "%s/%s", alias ? alias : uid, slash + 1);
	free(alias);
	add(rw->w, word);
}

static void roles(struct cli *cli, struct words *w)
{
	struct role_words rw = { w, cli->acct };
	struct s2s_store_item *items;
	size_t n;

	add_role(s2s_account_get(cli->acct, "role_arn"), &rw);
	cli_recent_foreach(cli->account_name, add_role, &rw);
	stored(cli, &items, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].kind, "sts") == 0 && items[i].account &&
		    strcmp(items[i].account, cli->account_name) == 0)
			add_role(items[i].role_arn, &rw);
	s2s_store_items_free(items, n);
}

static void providers(struct words *w)
{
	const struct s2s_adapter *const *all = s2s_adapter_all();

	for (size_t i = 0; all && all[i]; i++)
		add(w, s2s_adapter_name(all[i]));
	add(w, "cloudsso");
	add(w, "assume-role");
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *what = args->noperands == 1 ? args->operands[0] : "";
	struct words w = { .n = 0 };
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* A completion is drawn on the terminal: no warning, notice or
	 * error may reach it, and nothing may ask. */
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	cli->quiet = true;
	cli->skip_prompt = true;
	cli->lenient_config = true;
	if (strcmp(what, "providers") == 0) { /* no config needed */
		providers(&w);
		print_release(&w);
		return EXIT_OK;
	}
	if (cli_load_config(cli))
		return EXIT_OK;
	if (strcmp(what, "profiles") == 0)
		profiles(cli, &w);
	else if (strcmp(what, "accounts") == 0)
		accounts(cli, &w);
	else if (strcmp(what, "roles") == 0)
		roles(cli, &w);
	else
		return EXIT_USAGE;
	print_release(&w);
	return EXIT_OK;
}

const struct cli_command cli_cmd_complete = {
	.name = "__complete",
	.summary = "words for the shell completions",
	.synopsis = "profiles|accounts|roles|providers",
	.flags = CLI_OPERANDS,
	.run = run,
};
