/* SPDX-License-Identifier: MIT */
/*
 * PingFederate's HTML sign-on with PingID: /idp/startSSO.ping?PartnerSpId=
 * <SP entity id>, the login form (pf.username, pf.pass; legacy USER,
 * PASSWORD), the WebAuthn probe (answered "not supported"), PingID's
 * ppm_request hand-off, its device list, the OTP form and the swipe
 * (push) page whose status is polled, then PingID's post-back forms and
 * the SAMLResponse form, which is taken and never posted.  See README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/json.h>
#include <saml2sts/pageloop.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>
#include <saml2sts/url.h>

#define PF_MAX_DEVICES 16

static const char *const pf_keys[] = { "partner_sp_id", "device",
	                               "poll_interval", "push_timeout", NULL };

struct pf_state {
	long poll_ms;
	long push_timeout_s;
	bool sent_password;
	bool sent_otp;
	bool sent_device;
	bool sent_webauthn;
	bool pushed;
	bool bad_acs; /* the SAMLResponse taken is not for Alibaba Cloud */
};

static s2s_err read_settings(struct pf_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	const char *sp = s2s_account_get(acct, "pingfed.partner_sp_id");

	if (sp && (!*sp || strpbrk(sp, " \t\"'<>")))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "pingfed.partner_sp_id must be an SP "
		                     "entity id (no spaces or quotes)");
	return s2s_adapter_wait_settings(acct, "pingfed", 120, 3000,
	                                 &st->push_timeout_s, &st->poll_ms,
	                                 err);
}

static s2s_err pf_validate(const struct s2s_account *acct,
                           struct s2s_error *err)
{
	struct pf_state st = { 0 };

	return read_settings(&st, acct, err);
}

static s2s_err nomem(struct s2s_adapter_ctx *ctx)
{
	return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
}

/* The text of the first element whose attr ("class" or "id") is
 * value; caller frees, NULL when none or empty. */
static char *page_text(const struct s2s_http_response *resp, const char *attr,
                       const char *value)
{
	struct s2s_error e = S2S_ERROR_INIT;
	char *t = NULL;

	if (!resp->body.ptr ||
	    s2s_html_find_text(&t, resp->body.ptr, resp->body.len, attr, value,
	                       &e))
		return NULL;
	if (t && !*t) {
		free(t);
		t = NULL;
	}
	return t;
}

/* PingFederate's and PingID's error lines, in the order they are
 * looked for. */
static char *error_text(const struct s2s_http_response *resp)
{
	static const char *const where[][2] = {
		{ "class", "ping-error" },    { "id", "errorMessage" },
		{ "class", "error-message" }, { "class", "otp-error" },
		{ "id", "error-msg" },        { "class", "ping-messagebox" },
	};
	char *t = NULL;

	for (size_t i = 0; !t && i < sizeof(where) / sizeof(where[0]); i++)
		t = page_text(resp, where[i][0], where[i][1]);
	return t;
}

/* ---- start ----------------------------------------------------------- */

/* GET <url>/idp/startSSO.ping?PartnerSpId=<entity>, or url itself when
 * it is already a startSSO URL. */
static s2s_err pf_start(struct s2s_pageloop *loop,
                        struct s2s_http_response *resp)
{
	struct s2s_adapter_ctx *ctx = loop->ctx;
	const char *base = s2s_account_get(ctx->acct, "url");
	const char *sp = s2s_account_get(ctx->acct, "pingfed.partner_sp_id");
	struct s2s_buf url = S2S_BUF_INIT;
	size_t n;
	s2s_err rc = S2S_OK;

	if (!base)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "pingfed: url (the PingFederate base "
		                     "URL) is not set");
	if (strstr(base, "startSSO.ping"))
		return s2s_http_get(ctx->http, base, resp, ctx->err);
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	if (s2s_buf_add(&url, base, n) ||
	    s2s_buf_puts(&url, "/idp/startSSO.ping?"))
		rc = nomem(ctx);
	if (!rc)
		rc = s2s_form_append(&url, "PartnerSpId",
		                     sp ? sp : s2s_formflow_sp_entity(ctx),
		                     ctx->err);
	if (!rc)
		rc = s2s_http_get(ctx->http, url.ptr, resp, ctx->err);
	s2s_buf_release(&url);
	return rc;
}

/* ---- the .csrf cookie ------------------------------------------------ */

/* The value of PingID's ".csrf" cookie (the last one set), or "" when
 * none; secret. */
static s2s_err csrf_cookie(struct s2s_adapter_ctx *ctx, struct s2s_buf *out)
{
	struct s2s_buf jar = S2S_BUF_SECRET_INIT;
	const char *line, *end;
	s2s_err rc;

	rc = s2s_http_cookies_export(ctx->http, &jar, ctx->err);
	for (line = jar.ptr; !rc && line && *line; line = end + (*end != 0)) {
		const char *f[7];
		size_t nf = 0;
		const char *p = line;

		end = line + strcspn(line, "\n");
		while (nf < 7 && p <= end) {
			f[nf++] = p;
			p += strcspn(p, "\t\n");
			if (p >= end)
				break;
			p++;
		}
		if (nf == 7 && strncmp(f[5], ".csrf\t", 6) == 0) {
			s2s_buf_reset(out);
			if (s2s_buf_add(out, f[6], (size_t)(end - f[6])))
				rc = nomem(ctx);
		}
	}
	if (!rc && !out->ptr && s2s_buf_puts(out, ""))
		rc = nomem(ctx);
	s2s_buf_release(&jar);
	return rc;
}

/* Put the .csrf cookie into the form's csrfToken, when there is one. */
static s2s_err set_csrf(struct s2s_adapter_ctx *ctx, struct s2s_form *form)
{
	struct s2s_buf c = S2S_BUF_SECRET_INIT;
	s2s_err rc = csrf_cookie(ctx, &c);

	if (!rc && c.len)
		rc = s2s_form_set(form, "csrfToken", c.ptr, ctx->err);
	s2s_buf_release(&c);
	return rc;
}

static struct s2s_form *form_by_id(const struct s2s_html_page *page,
                                   const char *id)
{
	for (size_t i = 0; i < page->nforms; i++)
		if (page->forms[i].id && strcmp(page->forms[i].id, id) == 0)
			return &page->forms[i];
	return NULL;
}

static struct s2s_form *form_by_name(const struct s2s_html_page *page,
                                     const char *name)
{
	for (size_t i = 0; i < page->nforms; i++)
		if (page->forms[i].name &&
		    strcmp(page->forms[i].name, name) == 0)
			return &page->forms[i];
	return NULL;
}

/* ---- steps ----------------------------------------------------------- */

/* The login form: pf.pass (or legacy PASSWORD).  Shown again after the
 * password went out means refused: never sent twice. */
static s2s_err login_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct pf_state *st = loop->state;
	struct s2s_adapter_ctx *ctx = loop->ctx;
	struct s2s_form *form = s2s_html_form_with_field(page, "pf.pass");
	const char *ufield = "pf.username", *pfield = "pf.pass";
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	char *msg;
	s2s_err rc;

	if (!form) {
		form = s2s_html_form_with_field(page, "PASSWORD");
		ufield = "USER";
		pfield = "PASSWORD";
	}
	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_password) {
		msg = error_text(resp);
		rc = s2s_error_set(ctx->err, S2S_EAUTH,
		                   "pingfed: the sign-in was refused (%.160s); "
		                   "check the username and password",
		                   msg ? msg : "login page shown again");
		free(msg);
		return rc;
	}
	st->sent_password = true;
	rc = s2s_adapter_username(ctx, &user);
	if (!rc)
		rc = s2s_adapter_password(ctx, form->action, &pass);
	if (!rc)
		rc = s2s_form_set(form, ufield, user.ptr, ctx->err);
	if (!rc)
		rc = s2s_form_set(form, pfield, pass.ptr, ctx->err);
	/* the page's postOk() marks the Sign On link as clicked */
	if (!rc && s2s_form_field_find(form, "pf.ok"))
		rc = s2s_form_set(form, "pf.ok", "clicked", ctx->err);
	if (!rc)
		rc = s2s_formflow_submit(ctx, form, resp);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	return rc;
}

/* PingFederate's "Sign On Error" page (div.ping-error without a login
 * form): before the password, a wrong url or PartnerSpId (5); after it,
 * a refused sign-on (3); once PingID was involved, the MFA failed (4). */
static s2s_err error_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct pf_state *st = loop->state;
	bool titled = page->title && strstr(page->title, "Sign On Error");
	bool mfa = st->sent_otp || st->pushed || st->sent_device;
	char *msg = page_text(resp, "class", "ping-error");
	s2s_err rc;

	if (!titled && !msg)
		return S2S_OK;
	*handled = true;
	rc = s2s_error_set(loop->ctx->err,
	                   mfa                 ? S2S_EMFA
	                   : st->sent_password ? S2S_EAUTH
	                                       : S2S_EIDP,
	                   "pingfed: Sign On Error%s: %.160s%s",
	                   mfa ? " after PingID" : "",
	                   msg ? msg : "no reason given",
	                   st->sent_password ? ""
	                                     : " (check url and "
	                                       "pingfed.partner_sp_id)");
	free(msg);
	return rc;
}

/* PingID's WebAuthn probe: answer that the browser has none, so that
 * PingID offers the other devices. */
static s2s_err webauthn_step(bool *handled, struct s2s_pageloop *loop,
                             struct s2s_html_page *page,
                             struct s2s_http_response *resp)
{
	struct pf_state *st = loop->state;
	struct s2s_form *form =
	        s2s_html_form_with_field(page, "isWebAuthnSupportedByBrowser");
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_webauthn)
		return s2s_error_set(loop->ctx->err, S2S_EMFA,
		                     "pingfed: PingID insists on a security "
		                     "key or passkey; use login --browser");
	st->sent_webauthn = true;
	rc = s2s_form_set(form, "isWebAuthnSupportedByBrowser", "false",
	                  loop->ctx->err);
	if (!rc)
		rc = s2s_formflow_submit(loop->ctx, form, resp);
	return rc;
}

struct pf_device {
	char *id;
	char *name;
};

/* ul.device-list > li[data-id] with span.device-name: read from the raw
 * page (the form parser sees only controls). */
static size_t list_devices(const struct s2s_http_response *resp,
                           struct pf_device *dev, size_t max)
{
	const char *body = resp->body.ptr, *p, *end;
	size_t n = 0;

	if (!body)
		return 0;
	p = strstr(body, "device-list");
	end = p ? strstr(p, "</ul>") : NULL;
	while (p && end && n < max) {
		const char *li = strstr(p, "<li");
		const char *id, *nm, *close, *next;

		if (!li || li > end)
			break;
		close = strchr(li, '>');
		id = strstr(li, "data-id=\"");
		next = strstr(li + 3, "<li");
		if (!next || next > end)
			next = end;
		p = next;
		if (!close || !id || id > close)
			continue;
		id += 9;
		dev[n].id = strndup(id, strcspn(id, "\""));
		nm = strstr(close, "device-name");
		nm = nm && nm < next ? strchr(nm, '>') : NULL;
		if (nm) {
			nm++;
			while (*nm == ' ' || *nm == '\n' || *nm == '\t')
				nm++;
			dev[n].name = strndup(nm, strcspn(nm, "<"));
			for (size_t k = dev[n].name ? strlen(dev[n].name) : 0;
			     k && strchr(" \t\r\n", dev[n].name[k - 1]); k--)
				dev[n].name[k - 1] = '\0';
		}
		if (dev[n].id)
			n++;
	}
	return n;
}

/* pingfed.device (name, data-id or index from 0), else the only one,
 * else ask; without a terminal, the first listed (PingID's primary). */
static s2s_err pick_device(struct s2s_adapter_ctx *ctx,
                           const struct pf_device *dev, size_t n, size_t *pick)
{
	const char *want = s2s_account_get(ctx->acct, "pingfed.device");
	struct s2s_buf q = S2S_BUF_INIT, ans = S2S_BUF_INIT;
	bool typed = false; /* want is the prompt's answer */
	s2s_err rc = S2S_OK;

	*pick = 0;
	if (!want && n > 1 && ctx->prompter && ctx->prompter->ask) {
		s2s_buf_puts(&q, "PingID device (");
		for (size_t i = 0; i < n; i++)
			s2s_buf_printf(&q, "%s%zu=%.40s", i ? ", " : "", i,
			               dev[i].name ? dev[i].name : dev[i].id);
		if (s2s_buf_puts(&q, ")"))
			rc = nomem(ctx);
		if (!rc)
			rc = ctx->prompter->ask(ctx->prompter->payload,
			                        S2S_PROMPT_CHOICE, q.ptr, &ans,
			                        ctx->err);
		if (rc == S2S_ENEEDINPUT) {
			s2s_error_clear(ctx->err);
			rc = S2S_OK;
		} else if (!rc) {
			want = ans.ptr ? ans.ptr : "";
			typed = true;
		}
	}
	if (!rc && want) {
		size_t i;

		for (i = 0; i < n; i++) {
			char num[24];

			snprintf(num, sizeof(num), "%zu", i);
			if (strcmp(want, num) == 0 ||
			    strcmp(want, dev[i].id) == 0 ||
			    (dev[i].name && strcasecmp(want, dev[i].name) == 0))
				break;
		}
		if (i == n)
			rc = s2s_error_set(ctx->err,
			                   typed ? S2S_EMFA : S2S_ECONFIG,
			                   "pingfed: no PingID device '%.40s' "
			                   "(the page lists %zu)",
			                   want, n);
		*pick = i;
	}
	s2s_buf_release(&q);
	s2s_buf_release(&ans);
	return rc;
}

static s2s_err device_step(bool *handled, struct s2s_pageloop *loop,
                           struct s2s_html_page *page,
                           struct s2s_http_response *resp)
{
	struct pf_state *st = loop->state;
	struct s2s_adapter_ctx *ctx = loop->ctx;
	struct s2s_form *form = form_by_name(page, "device-form");
	struct pf_device dev[PF_MAX_DEVICES] = { { 0 } };
	size_t n, pick = 0;
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_device)
		return s2s_error_set(ctx->err, S2S_EMFA,
		                     "pingfed: PingID showed the device list "
		                     "again");
	n = list_devices(resp, dev, PF_MAX_DEVICES);
	if (n == 0)
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "pingfed: PingID's device list is empty");
	else
		rc = pick_device(ctx, dev, n, &pick);
	st->sent_device = true;
	if (!rc)
		rc = s2s_form_set(form, "deviceId", dev[pick].id, ctx->err);
	if (!rc)
		rc = set_csrf(ctx, form);
	if (!rc)
		rc = s2s_formflow_submit(ctx, form, resp);
	for (size_t i = 0; i < n; i++) {
		free(dev[i].id);
		free(dev[i].name);
	}
	return rc;
}

/* form#otp-form: the PingID passcode, with the .csrf cookie as
 * csrfToken. */
static s2s_err otp_step(bool *handled, struct s2s_pageloop *loop,
                        struct s2s_html_page *page,
                        struct s2s_http_response *resp)
{
	struct pf_state *st = loop->state;
	struct s2s_adapter_ctx *ctx = loop->ctx;
	struct s2s_form *form = form_by_id(page, "otp-form");
	char *msg;
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_otp) {
		msg = error_text(resp);
		rc = s2s_error_set(ctx->err, S2S_EMFA,
		                   "pingfed: PingID did not accept the "
		                   "passcode (%.120s)",
		                   msg ? msg : "passcode page shown again");
		free(msg);
		return rc;
	}
	st->sent_otp = true;
	rc = s2s_formflow_fill_code(ctx, form, "otp", "PingID passcode",
	                            "PingID passcode");
	if (!rc)
		rc = set_csrf(ctx, form);
	if (!rc)
		rc = s2s_formflow_submit(ctx, form, resp);
	return rc;
}

static void notify(struct s2s_adapter_ctx *ctx, const char *text)
{
	if (ctx->prompter && ctx->prompter->notify)
		ctx->prompter->notify(ctx->prompter->payload, text);
}

/* One GET of the status form: the JSON answer's "status" into out
 * (outsz bytes, truncated). */
static s2s_err poll_status(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                           char *out, size_t outsz)
{
	struct s2s_http_response r = S2S_HTTP_RESPONSE_INIT;
	struct json_object *o = NULL, *s = NULL;
	s2s_err rc;

	rc = set_csrf(ctx, form);
	if (!rc)
		rc = s2s_formflow_submit(ctx, form, &r);
	if (!rc) {
		o = r.body.ptr ? s2s_json_parse(r.body.ptr, r.body.len) : NULL;
		if (!o || !json_object_object_get_ex(o, "status", &s) ||
		    !json_object_is_type(s, json_type_string))
			rc = s2s_error_set(
			        ctx->err, S2S_EIDP,
			        "pingfed: PingID's swipe status "
			        "answer is not understood (HTTP %ld)",
			        r.status);
		else
			snprintf(out, outsz, "%s", json_object_get_string(s));
	}
	s2s_json_put_wiped(o);
	s2s_http_response_release(&r);
	return rc;
}

/* form#form1 (status) with form#reponseView: show the number, poll the
 * status as GET until OK, then open the response view. */
static s2s_err swipe(struct s2s_pageloop *loop, struct s2s_form *status_form,
                     struct s2s_form *view, struct s2s_http_response *resp)
{
	struct pf_state *st = loop->state;
	struct s2s_adapter_ctx *ctx = loop->ctx;
	struct s2s_poll poll;
	char *number = page_text(resp, "class", "numbermatching");
	char line[200], status[48] = "";
	s2s_err rc = S2S_OK;

	if (st->pushed) {
		free(number);
		return s2s_error_set(ctx->err, S2S_EMFA,
		                     "pingfed: PingID asked for a second "
		                     "swipe; not sending another");
	}
	st->pushed = true;
	if (number)
		snprintf(line, sizeof(line),
		         "PingID: approve the sign-in on your device and "
		         "pick number %.16s",
		         number);
	else
		snprintf(line, sizeof(line),
		         "PingID: approve the sign-in on your device");
	notify(ctx, line);
	free(number);
	free(status_form->method);
	status_form->method = strdup("GET"); /* PingID wants a GET */
	if (!status_form->method)
		return nomem(ctx);
	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0,
	              st->push_timeout_s * 1000L);
	poll.cancel = ctx->cancel;
	for (;;) {
		rc = s2s_poll_wait(&poll, "pingfed: PingID swipe", ctx->err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(ctx->err);
			rc = s2s_error_set(ctx->err, S2S_EMFA,
			                   "pingfed: the PingID swipe was not "
			                   "approved within %lds "
			                   "(pingfed.push_timeout)",
			                   st->push_timeout_s);
		}
		if (!rc)
			rc = poll_status(ctx, status_form, status,
			                 sizeof(status));
		if (rc || strcmp(status, "ASYNC_AUTH_WAIT") != 0)
			break;
	}
	if (rc)
		return rc;
	if (strcmp(status, "TIMEOUT") == 0 ||
	    strcmp(status, "DEVICE_CLAIM_TIMEOUT") == 0)
		return s2s_error_set(ctx->err, S2S_EMFA,
		                     "pingfed: the PingID swipe timed out "
		                     "(%s)",
		                     status);
	if (strcmp(status, "OK") != 0)
		return s2s_error_set(ctx->err, S2S_EIDP,
		                     "pingfed: PingID swipe status %.40s is "
		                     "not understood",
		                     status);
	rc = set_csrf(ctx, view);
	if (!rc)
		rc = s2s_formflow_submit(ctx, view, resp);
	return rc;
}

/* The swipe page, or PingID's post-back form#form1 alone. */
static s2s_err form1_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct s2s_form *f1 = form_by_id(page, "form1");
	struct s2s_form *view = form_by_id(page, "reponseView");

	if (!f1)
		return S2S_OK;
	*handled = true;
	if (view) {
		loop->uncounted = true;
		return swipe(loop, f1, view, resp);
	}
	return s2s_formflow_submit(loop->ctx, f1, resp);
}

/* PingID's hand-off form (ppm_request) and SAML/resume hops. */
static s2s_err handoff_step(bool *handled, struct s2s_pageloop *loop,
                            struct s2s_html_page *page,
                            struct s2s_http_response *resp)
{
	static const char *const names[] = { "ppm_request", "SAMLRequest",
		                             "RelayState", NULL };
	struct s2s_form *form = NULL;

	if (!s2s_html_field_by_names(&form, page, names))
		return S2S_OK;
	*handled = true;
	return s2s_formflow_submit(loop->ctx, form, resp);
}

/* Take the SAMLResponse form bound for Alibaba Cloud; one posting back
 * to a host seen is a hop; one for another SP is taken too (never
 * posted on) and refused after the loop. */
static bool saml_final(struct s2s_pageloop *loop, const struct s2s_form *form)
{
	struct pf_state *st = loop->state;

	if (s2s_formflow_is_alibaba_acs(form->action))
		return true;
	if (s2s_pageloop_visited(loop, form->action))
		return false;
	st->bad_acs = true;
	return true;
}

static const s2s_pageloop_step_fn pf_steps[] = { login_step,    otp_step,
	                                         form1_step,    device_step,
	                                         webauthn_step, handoff_step,
	                                         error_step,    NULL };

static const struct s2s_pageloop_ops pf_loop = {
	.idp = "pingfed: PingFederate",
	.pages = "PingFederate",
	.max_steps = 24,
	.flags = S2S_PAGELOOP_AUTOPOST | S2S_PAGELOOP_REFRESH,
	.start = pf_start,
	.saml_final = saml_final,
	.steps = pf_steps,
};

static s2s_err pf_authenticate(struct s2s_adapter_ctx *ctx,
                               struct s2s_buf *saml_b64)
{
	struct pf_state *st = ctx->priv;
	s2s_err rc = read_settings(st, ctx->acct, ctx->err);

	if (!rc)
		rc = s2s_pageloop_run(ctx, &pf_loop, st, saml_b64);
	if (!rc && st->bad_acs) {
		s2s_buf_reset(saml_b64);
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "pingfed: the SAMLResponse does not post to "
		                   "an Alibaba Cloud ACS; set the SP "
		                   "connection's ACS URL (or "
		                   "pingfed.partner_sp_id) to it");
	}
	return rc;
}

static const char *const pf_aliases[] = { "ping", "pingfederate", NULL };

const struct s2s_adapter s2s_adapter_pingfed = {
	.abi = S2S_ADAPTER_ABI,
	.name = "pingfed",
	.aliases = pf_aliases,
	.summary = "PingFederate HTML sign-on with PingID: passcode, swipe "
	           "(number matching), device choice",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH,
	.priv_size = sizeof(struct pf_state),
	.config_keys = pf_keys,
	.validate = pf_validate,
	.authenticate = pf_authenticate,
};
