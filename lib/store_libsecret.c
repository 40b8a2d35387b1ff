/* SPDX-License-Identifier: MIT */
/*
 * The Secret Service backend (gnome-keyring, KeePassXC, KWallet) through
 * libsecret: items in the default collection (never a private one), an
 * encrypted transfer session, and a deadline on every call so a daemon
 * that hangs fails instead of hanging; an unlock, whose prompt waits for
 * a person, gets a longer one, and the caller's flag (Ctrl-C) ends any
 * wait.  A locked collection is reported as such, never as
 * "not found", and nothing is deleted after a failed read.  Whether the
 * service is there at all is asked of the bus daemon (probe), never
 * inferred from a failing call.
 *
 * Reads go the way `secret-tool lookup` goes: SearchItems for object
 * paths, GetSecrets for the one found (no item proxies), Unlock only when
 * the search says the item is locked; the session is opened on the first
 * secret read or write, so `status` (attributes only) opens none.  Each
 * call runs on the store's own main context with a timeout source on it
 * that cancels the call: no thread per call.
 */
#define SECRET_API_SUBJECT_TO_CHANGE /* the D-Bus path functions */
#include <time.h>

#include <libsecret/secret.h>

#include "common.h"
#include "store_int.h"
#include "saml2sts/creds.h"
#include "saml2sts/isotime.h"

#define SECRETS_NAME "org.freedesktop.secrets"
#define ITEM_IFACE   "org.freedesktop.Secret.Item"
#define COLL_IFACE   "org.freedesktop.Secret.Collection"

struct ss_state {
	SecretService *service;
	GMainContext *ctx; /* every call of this store runs on it */
	long timeout_ms;
	long unlock_ms; /* an unlock: its prompt waits for a person */
	const volatile sig_atomic_t *cancel;
	bool ready; /* the default collection was found unlocked */
};

static const SecretSchema schema = {
	S2S_STORE_SCHEMA,
	SECRET_SCHEMA_NONE,
	{
	        { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "role_arn", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "expires", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { NULL, 0 },
	},
	0,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
};

/* The session bus the probe found, kept so that the store opened next
 * uses the same connection instead of a second one (g_bus_get shares a
 * connection only while someone holds it). */
static GDBusConnection *probed_bus;

/* ------------------------------------------------------------------ */
/* One call with a deadline: the async call is started with c->cancel on
 * ctx (pushed as the thread's default), a timeout source on ctx cancels
 * it, another one every 100 ms cancels it when the caller's flag
 * (Ctrl-C) is set, and ctx is iterated until the call completes. */

struct call {
	GMainContext *ctx;
	GCancellable *cancel;
	GSource *timer;
	GSource *watch; /* the caller's flag, or NULL */
	const volatile sig_atomic_t *flag;
	GAsyncResult *res;
	GVariant *completed; /* a prompt's Completed signal, (bv) */
	long ms;
	bool fired;
	bool interrupted;
};

static gboolean on_deadline(gpointer p)
{
	struct call *c = p;

	c->fired = true;
	g_cancellable_cancel(c->cancel);
	return G_SOURCE_REMOVE;
}

static gboolean on_watch(gpointer p)
{
	struct call *c = p;

	if (!*c->flag)
		return G_SOURCE_CONTINUE;
	c->interrupted = true;
	g_cancellable_cancel(c->cancel);
	return G_SOURCE_REMOVE;
}

static void arm(struct call *c, long ms)
{
	if (c->timer) {
		g_source_destroy(c->timer);
		g_source_unref(c->timer);
	}
	c->ms = ms;
	c->timer = g_timeout_source_new((guint)ms);
	g_source_set_callback(c->timer, on_deadline, c, NULL);
	g_source_attach(c->timer, c->ctx);
}

static void on_done(GObject *src, GAsyncResult *res, gpointer p)
{
	struct call *c = p;

	(void)src;
	c->res = g_object_ref(res);
}

static void call_begin(struct call *c, GMainContext *ctx, long ms,
                       const volatile sig_atomic_t *flag)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->flag = flag;
	c->cancel = g_cancellable_new();
	g_main_context_push_thread_default(ctx);
	arm(c, ms);
	if (flag) {
		c->watch = g_timeout_source_new(100);
		g_source_set_callback(c->watch, on_watch, c, NULL);
		g_source_attach(c->watch, ctx);
	}
}

/* What follows may wait for a person at the keyring's unlock prompt:
 * the longer deadline, from now. */
static void call_unlocking(struct call *c, const struct ss_state *st)
{
	arm(c, st->unlock_ms);
}

/* Wait for the call started since call_begin (or since the last wait). */
static GAsyncResult *call_wait(struct call *c)
{
	if (c->res)
		g_object_unref(c->res);
	c->res = NULL;
	while (!c->res)
		g_main_context_iteration(c->ctx, TRUE);
	return c->res;
}

static void call_end(struct call *c)
{
	if (c->completed)
		g_variant_unref(c->completed);
	c->completed = NULL;
	/* The result may hold the last reference to a proxy whose signal
	 * subscriptions end with callbacks on ctx: drop it, then run what
	 * is pending (a cancelled call's clean-up too). */
	if (c->res)
		g_object_unref(c->res);
	c->res = NULL;
	for (int i = 0; i < 100 && g_main_context_pending(c->ctx); i++)
		g_main_context_iteration(c->ctx, FALSE);
	g_source_destroy(c->timer);
	g_source_unref(c->timer);
	if (c->watch) {
		g_source_destroy(c->watch);
		g_source_unref(c->watch);
	}
	g_main_context_pop_thread_default(c->ctx);
	g_object_unref(c->cancel);
}

/* "10 s", or "250 ms" for a bound that is not whole seconds. */
static void span(char *out, size_t n, long ms)
{
	if (ms % 1000 == 0)
		snprintf(out, n, "%ld s", ms / 1000);
	else
		snprintf(out, n, "%ld ms", ms);
}

static s2s_err fail(const struct call *c, GError *e, const char *what,
                    struct s2s_error *err)
{
	char took[32];
	s2s_err rc;

	span(took, sizeof(took), c->ms);
	if (c->interrupted)
		rc = s2s_error_set(err, S2S_ECANCELLED, "cancelled");
	else if (c->fired && strcmp(what, "unlock") == 0)
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the keyring was not unlocked in %s: unlock "
		                   "it (its prompt, or seahorse) and retry",
		                   took);
	else if (c->fired)
		rc = s2s_error_set(
		        err, S2S_ESTORE,
		        "the Secret Service did not answer in %s "
		        "(%s): is gnome-keyring hung? restart it, or "
		        "set SAML2STS_KEYRING_BACKEND=file",
		        took, what);
	else if (e && g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the keyring is locked (%s); unlock it "
		                   "and retry",
		                   what);
	else
		rc = s2s_error_set(err, S2S_ESTORE, "secret service: %s (%s)",
		                   e ? e->message : "unknown error", what);
	if (e)
		g_error_free(e);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Probe, open, close */

/* One call to the bus daemon itself, answering type. */
static GVariant *bus_call(struct call *c, GDBusConnection *bus,
                          const char *method, GVariant *args, const char *type,
                          GError **e)
{
	g_dbus_connection_call(
	        bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	        "org.freedesktop.DBus", method, args, G_VARIANT_TYPE(type),
	        G_DBUS_CALL_FLAGS_NONE, (gint)c->ms, c->cancel, on_done, c);
	return g_dbus_connection_call_finish(bus, call_wait(c), e);
}

/* Does the bus own, or know how to start, the Secret Service?  Asked of
 * the bus daemon only: a hung keyring daemon cannot make this hang, and
 * only its absence lets an automatic choice move on. */
static bool provided(struct call *c, GDBusConnection *bus, GError **e)
{
	gboolean owned = FALSE;
	bool startable = false;
	GVariantIter *names = NULL;
	const gchar *name;
	GVariant *v;

	v = bus_call(c, bus, "NameHasOwner", g_variant_new("(s)", SECRETS_NAME),
	             "(b)", e);
	if (!v)
		return false;
	g_variant_get(v, "(b)", &owned);
	g_variant_unref(v);
	if (owned)
		return true;
	v = bus_call(c, bus, "ListActivatableNames", NULL, "(as)", e);
	if (!v)
		return false;
	g_variant_get(v, "(as)", &names);
	while (!startable && g_variant_iter_loop(names, "&s", &name))
		startable = strcmp(name, SECRETS_NAME) == 0;
	g_variant_iter_free(names);
	g_variant_unref(v);
	return startable;
}

static s2s_err ss_probe(const struct s2s_store_opts *opts,
                        struct s2s_error *err)
{
	GMainContext *ctx = g_main_context_new();
	GDBusConnection *bus;
	struct call c;
	GError *e = NULL;
	char took[32];
	bool there = false;
	s2s_err rc = S2S_OK;

	call_begin(&c, ctx, opts->timeout_ms, opts->cancel);
	g_bus_get(G_BUS_TYPE_SESSION, c.cancel, on_done, &c);
	bus = g_bus_get_finish(call_wait(&c), &e);
	if (bus)
		there = provided(&c, bus, &e);
	span(took, sizeof(took), c.ms);
	if (c.interrupted)
		rc = s2s_error_set(err, S2S_ECANCELLED, "cancelled");
	else if (c.fired)
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the session bus did not answer in %s: is "
		                   "dbus-daemon hung? restart the session, or "
		                   "set SAML2STS_KEYRING_BACKEND=file",
		                   took);
	else if (!bus)
		rc = s2s_error_set(err, S2S_ENOTFOUND, "no session bus: %s",
		                   e ? e->message : "unknown error");
	else if (e)
		rc = s2s_error_set(err, S2S_ESTORE, "session bus: %s",
		                   e->message);
	else if (!there)
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "nothing provides %s on the session bus",
		                   SECRETS_NAME);
	call_end(&c);
	g_main_context_unref(ctx);
	if (e)
		g_error_free(e);
	if (bus && !rc && !probed_bus)
		probed_bus = bus; /* the store opened next uses it */
	else if (bus)
		g_object_unref(bus);
	return rc;
}

static s2s_err ss_open(void **state, const struct s2s_store_opts *opts,
                       struct s2s_error *err)
{
	struct ss_state *st;
	struct call c;
	GError *e = NULL;
	s2s_err rc = S2S_OK;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	st->timeout_ms = opts->timeout_ms;
	st->unlock_ms = opts->unlock_timeout_ms;
	st->cancel = opts->cancel;
	st->ctx = g_main_context_new();
	/* no session yet: the first secret read or write opens it */
	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	secret_service_open(SECRET_TYPE_SERVICE, NULL, SECRET_SERVICE_NONE,
	                    c.cancel, on_done, &c);
	st->service = secret_service_open_finish(call_wait(&c), &e);
	if (!st->service)
		rc = fail(&c, e, "connect", err);
	call_end(&c);
	if (rc) {
		g_main_context_unref(st->ctx);
		free(st);
		return rc;
	}
	*state = st;
	return S2S_OK;
}

static void ss_close(void *state)
{
	struct ss_state *st = state;

	if (!st)
		return;
	/* the proxy's last signal subscriptions go on its context */
	g_main_context_push_thread_default(st->ctx);
	g_object_unref(st->service);
	while (g_main_context_iteration(st->ctx, FALSE)) {
	}
	g_main_context_pop_thread_default(st->ctx);
	g_main_context_unref(st->ctx);
	free(st);
	if (probed_bus) {
		g_object_unref(probed_bus);
		probed_bus = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Object paths and properties */

static const char *bus_name(const struct ss_state *st)
{
	const char *n = g_dbus_proxy_get_name(G_DBUS_PROXY(st->service));

	return n ? n : SECRETS_NAME;
}

/* The property iface.name of the object at path, of type type; NULL with
 * *e set on failure. */
static GVariant *property(struct ss_state *st, struct call *c, const char *path,
                          const char *iface, const char *name, const char *type,
                          GError **e)
{
	GDBusConnection *bus =
	        g_dbus_proxy_get_connection(G_DBUS_PROXY(st->service));
	GVariant *v, *inner = NULL;

	g_dbus_connection_call(bus, bus_name(st), path,
	                       "org.freedesktop.DBus.Properties", "Get",
	                       g_variant_new("(ss)", iface, name),
	                       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
	                       (gint)c->ms, c->cancel, on_done, c);
	v = g_dbus_connection_call_finish(bus, call_wait(c), e);
	if (!v)
		return NULL;
	g_variant_get(v, "(v)", &inner);
	g_variant_unref(v);
	if (!g_variant_is_of_type(inner, G_VARIANT_TYPE(type))) {
		g_variant_unref(inner);
		g_set_error(e, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_SIGNATURE,
		            "%s of %s is not %s", name, path, type);
		return NULL;
	}
	return inner;
}

/* The attributes (a{ss}) of the item at path. */
static GVariant *item_attributes(struct ss_state *st, struct call *c,
                                 const char *path, GError **e)
{
	return property(st, c, path, ITEM_IFACE, "Attributes", "a{ss}", e);
}

/* The default collection's path (g_free) and whether it is locked; NULL
 * path and no error when there is no default collection. */
static gchar *default_collection(struct ss_state *st, struct call *c,
                                 bool *locked, GError **e)
{
	gchar *path;
	GVariant *v;

	*locked = false;
	secret_service_read_alias_dbus_path(st->service, "default", c->cancel,
	                                    on_done, c);
	path = secret_service_read_alias_dbus_path_finish(st->service,
	                                                  call_wait(c), e);
	if (!path)
		return NULL;
	v = property(st, c, path, COLL_IFACE, "Locked", "b", e);
	if (!v) {
		g_free(path);
		return NULL;
	}
	*locked = g_variant_get_boolean(v);
	g_variant_unref(v);
	return path;
}

#define SERVICE_PATH  "/org/freedesktop/secrets"
#define SERVICE_IFACE "org.freedesktop.Secret.Service"
#define PROMPT_IFACE  "org.freedesktop.Secret.Prompt"

static void on_completed(GDBusConnection *bus, const gchar *sender,
                         const gchar *path, const gchar *iface,
                         const gchar *signal, GVariant *params, gpointer p)
{
	struct call *c = p;

	(void)bus;
	(void)sender;
	(void)path;
	(void)iface;
	(void)signal;
	if (!c->completed &&
	    g_variant_is_of_type(params, G_VARIANT_TYPE("(bv)")))
		c->completed = g_variant_ref(params);
}

/* Unlock paths, through the service's prompt when it has one, on c's
 * deadline and flag.  Done here rather than by libsecret, whose prompt
 * code, once cancelled, dismisses the prompt and then waits without a
 * bound for the service to confirm: a keyring whose prompter is stuck
 * would keep Ctrl-C and the deadline waiting for ever.  Here the wait
 * ends with them, and the prompt is dismissed without waiting.
 * Returns how many are unlocked (*out: their paths, g_strfreev) or -1
 * with *e set; 0 when the person dismissed the prompt. */
static gint unlock_paths(struct ss_state *st, struct call *c,
                         const gchar *const *paths, gchar ***out, GError **e)
{
	GDBusConnection *bus =
	        g_dbus_proxy_get_connection(G_DBUS_PROXY(st->service));
	const char *name = bus_name(st);
	GVariant *v, *result = NULL;
	gchar **unlocked = NULL, *prompt = NULL;
	gboolean dismissed = FALSE;
	guint sub;
	gint n = -1;

	*out = NULL;
	g_dbus_connection_call(bus, name, SERVICE_PATH, SERVICE_IFACE, "Unlock",
	                       g_variant_new("(^ao)", paths),
	                       G_VARIANT_TYPE("(aoo)"), G_DBUS_CALL_FLAGS_NONE,
	                       (gint)c->ms, c->cancel, on_done, c);
	v = g_dbus_connection_call_finish(bus, call_wait(c), e);
	if (!v)
		return -1;
	g_variant_get(v, "(^aoo)", &unlocked, &prompt);
	g_variant_unref(v);
	if (strcmp(prompt, "/") == 0) {
		*out = unlocked;
		g_free(prompt);
		return (gint)g_strv_length(*out);
	}
	g_strfreev(unlocked);
	sub = g_dbus_connection_signal_subscribe(
	        bus, name, PROMPT_IFACE, "Completed", prompt, NULL,
	        G_DBUS_SIGNAL_FLAGS_NONE, on_completed, c, NULL);
	g_dbus_connection_call(bus, name, prompt, PROMPT_IFACE, "Prompt",
	                       g_variant_new("(s)", ""), NULL,
	                       G_DBUS_CALL_FLAGS_NONE, (gint)c->ms, c->cancel,
	                       on_done, c);
	v = g_dbus_connection_call_finish(bus, call_wait(c), e);
	if (v)
		g_variant_unref(v);
	while (v && !c->completed && !c->fired && !c->interrupted)
		g_main_context_iteration(c->ctx, TRUE);
	g_dbus_connection_signal_unsubscribe(bus, sub);
	if (v && c->completed) {
		g_variant_get(c->completed, "(bv)", &dismissed, &result);
		if (!dismissed &&
		    g_variant_is_of_type(result, G_VARIANT_TYPE("ao")))
			*out = g_variant_dup_objv(result, NULL);
		n = *out ? (gint)g_strv_length(*out) : 0;
		if (result)
			g_variant_unref(result);
	} else {
		/* nobody answered in time, or Ctrl-C: take the prompt away
		 * (no reply awaited) */
		g_dbus_connection_call(
		        bus, name, prompt, PROMPT_IFACE, "Dismiss", NULL, NULL,
		        G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL, NULL);
		if (v)
			g_set_error(e, G_IO_ERROR, G_IO_ERROR_CANCELLED,
			            "the unlock prompt was not answered");
	}
	g_free(prompt);
	return n;
}

/* Unlock the default collection now (its prompt, if any, comes before
 * a login rather than after it). */
static s2s_err ss_ready(void *state, struct s2s_error *err)
{
	struct ss_state *st = state;
	const gchar *one[2] = { NULL, NULL };
	gchar *path;
	struct call c;
	GError *e = NULL;
	bool locked = false;
	gint unlocked = 1;
	s2s_err rc = S2S_OK;

	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	path = default_collection(st, &c, &locked, &e);
	if (path && locked) {
		gchar **done = NULL;

		one[0] = path;
		call_unlocking(&c, st);
		unlocked = unlock_paths(st, &c, one, &done, &e);
		g_strfreev(done);
	}
	if (e || c.fired || c.interrupted)
		rc = fail(&c, e, locked ? "unlock" : "read alias", err);
	else if (unlocked < 1)
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the keyring is locked; unlock it and "
		                   "retry");
	call_end(&c);
	g_free(path);
	st->ready = !rc;
	return rc;
}

/* The default collection's Locked property, read without unlocking. */
static s2s_err ss_locked(void *state, bool *out, struct s2s_error *err)
{
	struct ss_state *st = state;
	gchar *path;
	struct call c;
	GError *e = NULL;
	s2s_err rc = S2S_OK;

	*out = false;
	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	path = default_collection(st, &c, out, &e);
	if (e || c.fired)
		rc = fail(&c, e, "default collection", err);
	else if (!path)
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the secret service has no default "
		                   "collection");
	call_end(&c);
	g_free(path);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Items */

static GHashTable *attrs_new(const char *profile, const char *kind)
{
	GHashTable *h =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	if (profile)
		g_hash_table_insert(h, (gpointer)(uintptr_t) "profile",
		                    g_strdup(profile));
	if (kind)
		g_hash_table_insert(h, (gpointer)(uintptr_t) "kind",
		                    g_strdup(kind));
	return h;
}

/* The paths of the items matching attrs: unlocked and locked (g_strfreev
 * both).  S2S_OK with both empty when there are none. */
static s2s_err search(struct ss_state *st, struct call *c, GHashTable *attrs,
                      gchar ***unlocked, gchar ***locked, struct s2s_error *err)
{
	GError *e = NULL;

	*unlocked = *locked = NULL;
	secret_service_search_for_dbus_paths(st->service, &schema, attrs,
	                                     c->cancel, on_done, c);
	if (!secret_service_search_for_dbus_paths_finish(
	            st->service, call_wait(c), unlocked, locked, &e) ||
	    c->fired)
		return fail(c, e, "search", err);
	return S2S_OK;
}

static size_t count(gchar **v)
{
	return v ? g_strv_length(v) : 0;
}

/* A path list as libsecret's calls take it. */
static const gchar **paths_arg(gchar **v)
{
	union {
		gchar **v;
		const gchar **c;
	} u = { v };

	return u.c;
}

/* True if the item's attributes are exactly those of want (our schema's;
 * the xdg:schema attribute libsecret adds is not compared). */
static bool same_attributes(GVariant *have, GHashTable *want)
{
	GVariantIter it;
	const gchar *k, *v;
	guint n = 0;
	bool same = true;

	g_variant_iter_init(&it, have);
	while (same && g_variant_iter_next(&it, "{&s&s}", &k, &v)) {
		const char *w;

		if (strcmp(k, "xdg:schema") == 0)
			continue;
		n++;
		w = g_hash_table_lookup(want, k);
		same = w && strcmp(w, v) == 0;
	}
	return same && n == g_hash_table_size(want);
}

static s2s_err ss_put(void *state, const struct s2s_store_item *it,
                      const struct s2s_buf *secret, struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *match = attrs_new(it->profile, it->kind);
	GHashTable *attrs = attrs_new(it->profile, it->kind);
	gchar **old[2] = { NULL, NULL };
	SecretValue *value = NULL;
	struct call c;
	GError *e = NULL;
	char label[256], exp[32] = "";
	s2s_err rc;

	if (it->account)
		g_hash_table_insert(attrs, (gpointer)(uintptr_t) "account",
		                    g_strdup(it->account));
	if (it->role_arn)
		g_hash_table_insert(attrs, (gpointer)(uintptr_t) "role_arn",
		                    g_strdup(it->role_arn));
	if (it->expires) {
		s2s_time_format_utc(exp, sizeof(exp), it->expires);
		g_hash_table_insert(attrs, (gpointer)(uintptr_t) "expires",
		                    g_strdup(exp));
	}
	/* A locked collection is unlocked here, with its prompt's longer
	 * deadline, not inside the store call below (libsecret would, with
	 * the deadline of a call): configure stores without a ready()
	 * first. */
	rc = st->ready ? S2S_OK : ss_ready(st, err);
	if (rc)
		goto out_early;
	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	/* Find the items this one replaces first; delete them only once the
	 * new one is safely stored. */
	rc = search(st, &c, match, &old[0], &old[1], err);
	if (rc)
		goto out;
	if (exp[0])
		snprintf(label, sizeof(label), "saml2sts %s: %s (expires %s)",
		         it->kind, it->profile, exp);
	else
		snprintf(label, sizeof(label), "saml2sts %s: %s", it->kind,
		         it->profile);
	value = secret_value_new(secret->ptr ? secret->ptr : "",
	                         (gssize)secret->len, "application/json");
	secret_service_store(st->service, &schema, attrs,
	                     SECRET_COLLECTION_DEFAULT, label, value, c.cancel,
	                     on_done, &c);
	if (!secret_service_store_finish(st->service, call_wait(&c), &e) ||
	    c.fired) {
		rc = fail(&c, e, "store", err);
		goto out;
	}
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < count(old[l]); i++) {
			GVariant *have = item_attributes(st, &c, old[l][i], &e);
			bool same = have && same_attributes(have, attrs);

			if (have)
				g_variant_unref(have);
			/* the Secret Service replaces an item with the very
			 * same attributes in place: that one is the new
			 * item now */
			if (!e && !c.fired && same)
				continue;
			if (!e && !c.fired) {
				secret_service_delete_item_dbus_path(
				        st->service, old[l][i], c.cancel,
				        on_done, &c);
				secret_service_delete_item_dbus_path_finish(
				        st->service, call_wait(&c), &e);
			}
			if (e || c.fired) {
				rc = fail(&c, e, "replace", err);
				goto out;
			}
		}
	}
out:
	call_end(&c);
out_early:
	if (value)
		secret_value_unref(value);
	g_strfreev(old[0]);
	g_strfreev(old[1]);
	g_hash_table_unref(match);
	g_hash_table_unref(attrs);
	return rc;
}

/* Nothing matched: say "locked" rather than "not found" when the default
 * collection is locked, since a locked keyring may hide items. */
static s2s_err absent(struct ss_state *st, struct call *c, const char *profile,
                      struct s2s_error *err)
{
	GError *e = NULL;
	gchar *path;
	bool locked = false;

	path = default_collection(st, c, &locked, &e);
	if (e || c->fired)
		return fail(c, e, "default collection", err);
	if (!path)
		return s2s_error_set(err, S2S_ESTORE,
		                     "the secret service has no default "
		                     "collection");
	g_free(path);
	if (locked)
		return s2s_error_set(err, S2S_ESTORE,
		                     "the keyring is locked; unlock it and "
		                     "retry");
	return s2s_error_set(err, S2S_ENOTFOUND,
	                     "no stored credentials for "
	                     "profile '%s'",
	                     profile);
}

/* The items the search found locked, unlocked now (its prompt, if the
 * keyring has one).  *paths: those now readable (g_strfreev), or NULL
 * when the keyring stays locked. */
static s2s_err unlock(struct ss_state *st, struct call *c, gchar **locked,
                      gchar ***paths, struct s2s_error *err)
{
	GError *e = NULL;
	gint n;

	*paths = NULL;
	call_unlocking(c, st);
	n = unlock_paths(st, c, paths_arg(locked), paths, &e);
	if (e || c->fired || c->interrupted)
		return fail(c, e, "unlock", err);
	arm(c, st->timeout_ms); /* the rest is the service's own work */
	if (n < 1) {
		g_strfreev(*paths);
		*paths = NULL;
	}
	return S2S_OK;
}

/* The expires attribute of the item at path (g_free), or NULL. */
static gchar *item_expires(struct ss_state *st, struct call *c,
                           const char *path)
{
	GVariant *a = item_attributes(st, c, path, NULL);
	gchar *exp = NULL;

	if (a) {
		g_variant_lookup(a, "expires", "s", &exp);
		g_variant_unref(a);
	}
	return exp;
}

/* The secret of the newest item among paths (one GetSecrets).  A writer
 * stores the new item before it deletes the old one, so a reader racing
 * it may see both, or an item whose secret is gone by the time it is
 * loaded; with several, their expires attributes decide. */
static SecretValue *newest_secret(struct ss_state *st, struct call *c,
                                  gchar **paths, GError **e)
{
	SecretValue *best = NULL;
	gchar *best_exp = NULL;
	GHashTable *values;

	if (count(paths) == 1) {
		secret_service_get_secret_for_dbus_path(st->service, paths[0],
		                                        c->cancel, on_done, c);
		return secret_service_get_secret_for_dbus_path_finish(
		        st->service, call_wait(c), e);
	}
	secret_service_get_secrets_for_dbus_paths(st->service, paths_arg(paths),
	                                          c->cancel, on_done, c);
	values = secret_service_get_secrets_for_dbus_paths_finish(
	        st->service, call_wait(c), e);
	for (size_t i = 0; values && i < count(paths); i++) {
		SecretValue *v = g_hash_table_lookup(values, paths[i]);
		gchar *exp;

		if (!v)
			continue;
		exp = item_expires(st, c, paths[i]);
		if (!best ||
		    (exp && (!best_exp || strcmp(exp, best_exp) > 0))) {
			if (best)
				secret_value_unref(best);
			best = secret_value_ref(v);
			g_free(best_exp);
			best_exp = exp;
		} else {
			g_free(exp);
		}
	}
	g_free(best_exp);
	if (values)
		g_hash_table_unref(values);
	return best;
}

/* One read: search, unlock what the search says is locked, load. */
static s2s_err get_once(struct ss_state *st, struct call *c, GHashTable *attrs,
                        SecretValue **value, bool *none, bool *locked,
                        struct s2s_error *err)
{
	gchar **open = NULL, **shut = NULL;
	GError *e = NULL;
	s2s_err rc;

	*value = NULL;
	*none = *locked = false;
	rc = search(st, c, attrs, &open, &shut, err);
	if (!rc && !count(open) && count(shut)) {
		g_strfreev(open);
		rc = unlock(st, c, shut, &open, err);
		*locked = !rc && !count(open);
	}
	*none = !rc && !count(open) && !count(shut);
	if (!rc && count(open)) {
		*value = newest_secret(st, c, open, &e);
		if (e || c->fired)
			rc = fail(c, e, "read", err);
	}
	g_strfreev(open);
	g_strfreev(shut);
	return rc;
}

static s2s_err ss_get(void *state, const char *profile, const char *kind,
                      struct s2s_buf *out, struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *attrs = attrs_new(profile, kind);
	struct timespec nap = { 0, 50 * 1000000L };
	SecretValue *value = NULL;
	struct call c;
	const gchar *data;
	bool none = false, locked = false;
	gsize len = 0;
	s2s_err rc = S2S_OK;

	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	for (int attempt = 0; attempt < 3 && !value; attempt++) {
		if (attempt)
			nanosleep(&nap, NULL); /* a replace was under way */
		rc = get_once(st, &c, attrs, &value, &none, &locked, err);
		if (rc && attempt < 2 && err && strstr(err->msg, "No such")) {
			/* an item vanished under the search: a replace */
			s2s_error_clear(err);
			rc = S2S_OK;
			continue;
		}
		if (rc || none || locked)
			break;
	}
	if (rc)
		goto out;
	if (none) {
		rc = absent(st, &c, profile, err);
		goto out;
	}
	if (!value) {
		rc = s2s_error_set(err, S2S_ESTORE,
		                   locked ? "the keyring is locked; unlock it "
		                            "and retry"
		                          : "the secret service returned no "
		                            "secret for profile '%s'",
		                   profile);
		goto out;
	}
	data = secret_value_get(value, &len);
	s2s_buf_reset(out);
	if (s2s_buf_add(out, data, len))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
out:
	call_end(&c);
	if (value)
		secret_value_unref(value);
	g_hash_table_unref(attrs);
	return rc;
}

static s2s_err ss_del(void *state, const char *profile, const char *kind,
                      struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *attrs = attrs_new(profile, kind);
	struct call c;
	GError *e = NULL;
	gboolean any;
	s2s_err rc = S2S_OK;

	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	secret_service_clear(st->service, &schema, attrs, c.cancel, on_done,
	                     &c);
	any = secret_service_clear_finish(st->service, call_wait(&c), &e);
	if (e || c.fired)
		rc = fail(&c, e, "delete", err);
	else if (!any)
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "nothing stored for profile '%s'", profile);
	call_end(&c);
	g_hash_table_unref(attrs);
	return rc;
}

static char *attr_dup(GVariant *a, const char *name, bool *ok)
{
	const gchar *v = NULL;

	if (!g_variant_lookup(a, name, "&s", &v))
		return NULL;
	return s2s__strdup_or_null(v, ok);
}

/* The item at path as a list entry; false when it is not one of ours. */
static bool list_item(struct s2s_store_item *it, GVariant *a, bool *ok)
{
	const gchar *exp = NULL;

	it->profile = attr_dup(a, "profile", ok);
	it->kind = attr_dup(a, "kind", ok);
	it->account = attr_dup(a, "account", ok);
	it->role_arn = attr_dup(a, "role_arn", ok);
	if (!g_variant_lookup(a, "expires", "&s", &exp) ||
	    !s2s_time_parse(&it->expires, exp))
		it->expires = 0;
	if (it->profile && it->kind)
		return true;
	free(it->profile);
	free(it->kind);
	free(it->account);
	free(it->role_arn);
	memset(it, 0, sizeof(*it));
	return false;
}

/* Attributes only: no secret is read, nothing is unlocked, and no
 * session is opened. */
static s2s_err ss_list(void *state, struct s2s_store_item **out, size_t *n,
                       struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *attrs = attrs_new(NULL, NULL);
	struct s2s_store_item *items = NULL;
	gchar **found[2] = { NULL, NULL };
	struct call c;
	GError *e = NULL;
	size_t total, count_ok = 0;
	bool ok = true;
	s2s_err rc;

	call_begin(&c, st->ctx, st->timeout_ms, st->cancel);
	rc = search(st, &c, attrs, &found[0], &found[1], err);
	if (rc)
		goto out;
	total = count(found[0]) + count(found[1]);
	items = calloc(total + 1, sizeof(*items));
	if (!items) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t l = 0; l < 2 && !rc; l++) {
		for (size_t i = 0; i < count(found[l]); i++) {
			GVariant *a = item_attributes(st, &c, found[l][i], &e);

			if (!a && c.fired) {
				rc = fail(&c, e, "list", err);
				break;
			}
			if (!a) { /* deleted under the search: a replace */
				g_clear_error(&e);
				continue;
			}
			if (list_item(&items[count_ok], a, &ok))
				count_ok++;
			g_variant_unref(a);
		}
	}
	if (!rc && !ok)
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (rc)
		goto out;
	*out = items;
	*n = count_ok;
	items = NULL;
	count_ok = 0;
out:
	call_end(&c);
	s2s_store_items_free(items, count_ok);
	g_strfreev(found[0]);
	g_strfreev(found[1]);
	g_hash_table_unref(attrs);
	return rc;
}

const struct s2s_store_backend s2s__store_secret_service = {
	.name = "secret-service",
	.probe = ss_probe,
	.open = ss_open,
	.close = ss_close,
	.ready = ss_ready,
	.locked = ss_locked,
	.put = ss_put,
	.get = ss_get,
	.del = ss_del,
	.list = ss_list,
};
