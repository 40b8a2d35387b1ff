/* SPDX-License-Identifier: MIT */
/*
 * The role picker: a full-screen list on /dev/tty (the alternate screen,
 * plain VT100/ECMA-48 sequences, no curses), roles grouped by account
 * with the alias beside the uid, recently used accounts and roles first.
 *
 *   up/down, Ctrl-P/Ctrl-N, j/k (before any filter is typed)  move
 *   PgUp/PgDn, Home/End                                       move more
 *   any other character (or / then anything)                  filter
 *   Backspace, Ctrl-U                                         edit filter
 *   space                                                     mark / unmark
 *   Enter                                                     choose
 *   Esc (empty filter), Ctrl-C, Ctrl-D                        cancel
 *
 * The filter is a case-insensitive substring of the alias, the uid or the
 * role name; with a slash, A/R, A of the alias or uid and R of the role
 * name ("stag/bil" finds staging/billing).  The terminal is restored on
 * every exit path and on SIGINT, SIGTERM and SIGHUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "picker.h"

#define HEADER_ROW ((size_t)1 << (sizeof(size_t) * 8 - 1))
#define FILTER_MAX 128

#define ENTER_SCREEN "\033[?1049h\033[?25l"
#define LEAVE_SCREEN "\033[?25h\033[?1049l"

struct item {
	const struct s2s_role *role;
	size_t index;      /* in saml->roles */
	const char *alias; /* NULL when the account has none */
	long rank, account_rank;
	bool marked;
};

struct picker {
	const struct s2s_pick *req;
	int fd;
	struct item *items;
	size_t nitems;
	size_t *rows; /* item index, or HEADER_ROW | first item of account */
	size_t nrows, nroles_shown;
	size_t cur, top; /* row indexes */
	char filter[FILTER_MAX];
	size_t flen;
	bool typing; /* j/k are filter characters once typing */
	size_t nmarked;
	bool color;
};

/* The terminal state the signal handler restores. */
static int sig_fd = -1;
static struct termios sig_saved;
static volatile sig_atomic_t sig_active, winch;

static void on_fatal(int sig)
{
	if (sig_active) {
		ssize_t w =
		        write(sig_fd, LEAVE_SCREEN, sizeof(LEAVE_SCREEN) - 1);

		(void)w;
		tcsetattr(sig_fd, TCSAFLUSH, &sig_saved);
		sig_active = 0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

bool cli_color(FILE *f)
{
	const char *nc = s2s_config_env("NO_COLOR");
	const char *term = s2s_config_env("TERM");

	if (nc && *nc)
		return false;
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->account_rank != y->account_rank)
		return x->account_rank < y->account_rank ? -1 : 1;
	c = strcmp(x->role->account_id, y->role->account_id);
	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcasecmp(x->role->role_name, y->role->role_name);
}

static bool ci_contains(const char *hay, const char *needle, size_t n)
{
	size_t h = hay ? strlen(hay) : 0;

	for (size_t i = 0; n <= h && i <= h - n; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

static bool item_matches(const struct picker *p, const struct item *it)
{
	const char *f = p->filter, *slash = strchr(f, '/');
	size_t n = p->flen, left;

	if (!n)
		return true;
	if (slash) {
		/* ACCOUNT/ROLE: each part a substring of its side */
		left = (size_t)(slash - f);
		return (ci_contains(it->role->account_id, f, left) ||
		        ci_contains(it->alias, f, left)) &&
		       ci_contains(it->role->role_name, slash + 1,
		                   n - left - 1);
	}
	return ci_contains(it->role->role_name, f, n) ||
	       ci_contains(it->role->account_id, f, n) ||
	       ci_contains(it->alias, f, n);
}

static bool is_header(const struct picker *p, size_t row)
{
	return (p->rows[row] & HEADER_ROW) != 0;
}

/* Rows for the current filter; the cursor stays on keep when it is
 * still shown, else goes to the first role shown. */
static void rebuild(struct picker *p, size_t keep)
{
	const char *last = NULL;
	bool placed = false;

	p->nrows = 0;
	p->nroles_shown = 0;
	p->cur = 0;
	for (size_t i = 0; i < p->nitems; i++) {
		const struct item *it = &p->items[i];

		if (!item_matches(p, it))
			continue;
		if (!last || strcmp(last, it->role->account_id) != 0) {
			p->rows[p->nrows++] = HEADER_ROW | i;
			last = it->role->account_id;
		}
		if (i == keep || (!placed && keep == SIZE_MAX)) {
			p->cur = p->nrows;
			placed = true;
		}
		p->rows[p->nrows++] = i;
		p->nroles_shown++;
	}
	if (!placed && p->nrows > 1)
		p->cur = 1;
	p->top = 0;
}

static void move(struct picker *p, long delta)
{
	size_t c = p->cur;

	if (!p->nroles_shown)
		return;
	while (delta) {
		if (delta > 0) {
			do {
				c = c + 1 < p->nrows ? c + 1 : c;
			} while (is_header(p, c) && c + 1 < p->nrows);
			delta--;
		} else {
			size_t before = c;

			while (c > 0) {
				c--;
				if (!is_header(p, c))
					break;
			}
			if (is_header(p, c))
				c = before;
			delta++;
		}
	}
	if (!is_header(p, c))
		p->cur = c;
}

static void screen_size(int fd, size_t *rows, size_t *cols)
{
	struct winsize ws = { 0 };

	*rows = 24;
	*cols = 80;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Append s to b, at most *room bytes of it (one column each for ASCII
 * names), made printable. */
static void put_clip(struct s2s_buf *b, const char *s, size_t *room)
{
	size_t n = strlen(s);
	char *shown;

	if (n > *room)
		n = *room;
	shown = strndup(s, n);
	if (shown) { /* names from the IdP, the portal or the config */
		s2s_printable(shown);
		s2s_buf_puts(b, shown);
		free(shown);
	}
	*room -= n;
}

static void put_line_end(struct s2s_buf *b)
{
	s2s_buf_puts(b, "\033[K\r\n");
}

static void draw_header(struct picker *p, struct s2s_buf *b,
                        const struct item *it, size_t cols)
{
	size_t room = cols - 1, count = 0;
	char tail[64];

	for (size_t i = 0; i < p->nrows; i++)
		if (!is_header(p, i) &&
		    strcmp(p->items[p->rows[i]].role->account_id,
		           it->role->account_id) == 0)
			count++;
	s2s_buf_puts(b, p->color ? "\033[1;36m" : "\033[1m");
	if (it->alias) {
		put_clip(b, it->alias, &room);
		put_clip(b, "  ", &room);
	}
	put_clip(b, it->role->account_id, &room);
	s2s_buf_puts(b, "\033[0m");
	snprintf(tail, sizeof(tail), "  (%zu role%s)", count,
	         count == 1 ? "" : "s");
	put_clip(b, tail, &room);
	put_line_end(b);
}

static void draw_role(struct picker *p, struct s2s_buf *b,
                      const struct item *it, bool cursor, size_t cols)
{
	size_t room = cols - 1;
	char name[64];

	if (cursor)
		s2s_buf_puts(b, "\033[7m");
	put_clip(b, cursor ? "> " : "  ", &room);
	put_clip(b, it->marked ? "[x] " : "[ ] ", &room);
	snprintf(name, sizeof(name), "%-22s ", it->role->role_name);
	put_clip(b, name, &room);
	if (p->color && !cursor)
		s2s_buf_puts(b, "\033[2m");
	put_clip(b, it->role->role_arn, &room);
	s2s_buf_puts(b, "\033[0m");
	put_line_end(b);
}

static void draw(struct picker *p)
{
	struct s2s_buf b = S2S_BUF_INIT;
	size_t rows, cols, height, room;
	char line[256];
	ssize_t w;

	screen_size(p->fd, &rows, &cols);
	if (cols < 20)
		cols = 20;
	height = rows > 4 ? rows - 3 : 1;
	/* keep the cursor (and its account header) visible */
	if (p->cur < p->top)
		p->top = p->cur;
	if (p->top && p->top == p->cur && is_header(p, p->top - 1))
		p->top--;
	if (p->cur >= p->top + height)
		p->top = p->cur - height + 1;
	if (p->top && p->nrows - p->top < height)
		p->top = p->nrows > height ? p->nrows - height : 0;

	s2s_buf_puts(&b, "\033[H");
	room = cols - 1;
	snprintf(line, sizeof(line), "Choose a role for IdP account '%s'",
	         p->req->account);
	s2s_buf_puts(&b, "\033[1m");
	put_clip(&b, line, &room);
	s2s_buf_puts(&b, "\033[0m");
	put_line_end(&b);

	room = cols - 1;
	snprintf(line, sizeof(line), "Filter: %.*s_", (int)p->flen, p->filter);
	put_clip(&b, line, &room);
	snprintf(line, sizeof(line), "   %zu/%zu roles", p->nroles_shown,
	         p->nitems);
	put_clip(&b, line, &room);
	if (p->nmarked) {
		snprintf(line, sizeof(line), ", %zu marked", p->nmarked);
		put_clip(&b, line, &room);
	}
	put_line_end(&b);

	for (size_t i = 0; i < height; i++) {
		size_t r = p->top + i;

		if (r >= p->nrows) {
			if (r == 0) {
				room = cols - 1;
				snprintf(line, sizeof(line),
				         "  no role matches '%.*s'",
				         (int)p->flen, p->filter);
				put_clip(&b, line, &room);
			}
			put_line_end(&b);
			continue;
		}
		if (is_header(p, r))
			draw_header(p, &b, &p->items[p->rows[r] & ~HEADER_ROW],
			            cols);
		else
			draw_role(p, &b, &p->items[p->rows[r]], r == p->cur,
			          cols);
	}
	room = cols - 1;
	s2s_buf_puts(&b, "\033[2m");
	put_clip(&b,
	         p->nrows > height
	                 ? "up/down j/k PgUp/PgDn: move  type: filter  "
	                   "space: mark  enter: choose  esc: cancel"
	                 : "up/down j/k: move  type: filter  space: mark  "
	                   "enter: choose  esc: cancel",
	         &room);
	s2s_buf_puts(&b, "\033[0m\033[K\033[J");
	if (b.ptr)
		w = write(p->fd, b.ptr, b.len);
	(void)w;
	s2s_buf_release(&b);
}

enum key {
	K_NONE,
	K_UP,
	K_DOWN,
	K_PGUP,
	K_PGDN,
	K_HOME,
	K_END,
	K_ESC,
};

/* One byte, or -1 on EOF/error; 0 (and *again) when a signal such as
 * SIGWINCH interrupted the read. */
static int read_byte(int fd, long wait_ms, bool *again)
{
	unsigned char c;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	*again = false;
	if (wait_ms >= 0 && poll(&pfd, 1, (int)wait_ms) <= 0)
		return -2; /* nothing more: a lone Esc */
	n = read(fd, &c, 1);
	if (n < 0 && errno == EINTR) {
		*again = true;
		return 0;
	}
	return n == 1 ? c : -1;
}

/* The rest of an escape sequence after ESC. */
static enum key read_escape(int fd)
{
	bool again;
	int c = read_byte(fd, 50, &again), d;

	if (c != '[' && c != 'O')
		return K_ESC;
	d = read_byte(fd, 50, &again);
	switch (d) {
	case 'A':
		return K_UP;
	case 'B':
		return K_DOWN;
	case 'H':
		return K_HOME;
	case 'F':
		return K_END;
	case '1':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
		if (read_byte(fd, 50, &again) != '~')
			return K_NONE;
		if (d == '5')
			return K_PGUP;
		if (d == '6')
			return K_PGDN;
		return d == '1' || d == '7' ? K_HOME : K_END;
	default:
		return K_NONE;
	}
}

static size_t page(int fd)
{
	size_t rows, cols;

	screen_size(fd, &rows, &cols);
	return rows > 6 ? rows - 5 : 1;
}

static void set_filter(struct picker *p, size_t len)
{
	p->flen = len;
	p->filter[len] = '\0';
	rebuild(p, len ? SIZE_MAX : (p->nrows ? p->rows[p->cur] : SIZE_MAX));
}

/* Run the key loop: EXIT_OK with the choice made, EXIT_CANCELLED. */
static int loop(struct picker *p)
{
	bool again;
	int c;

	for (;;) {
		if (winch) {
			winch = 0;
			draw(p);
		}
		c = read_byte(p->fd, -1, &again);
		if (again)
			continue;
		if (c < 0 || c == 3 || c == 4)
			return EXIT_CANCELLED;
		if (c == 27) {
			switch (read_escape(p->fd)) {
			case K_UP:
				move(p, -1);
				break;
			case K_DOWN:
				move(p, 1);
				break;
			case K_PGUP:
				move(p, -(long)page(p->fd));
				break;
			case K_PGDN:
				move(p, (long)page(p->fd));
				break;
			case K_HOME:
				move(p, -(long)p->nrows);
				break;
			case K_END:
				move(p, (long)p->nrows);
				break;
			case K_ESC:
				if (!p->flen)
					return EXIT_CANCELLED;
				p->typing = false;
				set_filter(p, 0);
				break;
			case K_NONE:
				break;
			}
		} else if (c == '\r' || c == '\n') {
			if (p->nmarked || p->nroles_shown)
				return EXIT_OK;
		} else if (c == 16 || (!p->typing && c == 'k')) {
			move(p, -1);
		} else if (c == 14 || (!p->typing && c == 'j')) {
			move(p, 1);
		} else if (c == ' ') {
			if (p->nroles_shown) {
				struct item *it = &p->items[p->rows[p->cur]];

				it->marked = !it->marked;
				p->nmarked += it->marked ? 1 : (size_t)-1;
				move(p, 1);
			}
		} else if (c == 127 || c == 8) {
			if (p->flen)
				set_filter(p, p->flen - 1);
			else
				p->typing = false;
		} else if (c == 21) {
			set_filter(p, 0);
		} else if (c == '/' && !p->typing) {
			p->typing = true;
		} else if (c > ' ' && c != 127 && p->flen + 1 < FILTER_MAX) {
			p->typing = true;
			p->filter[p->flen] = (char)c;
			set_filter(p, p->flen + 1);
		}
		draw(p);
	}
}

static int build_items(struct picker *p, const long *rank)
{
	const struct s2s_pick *req = p->req;

	p->items = calloc(req->nroles, sizeof(*p->items));
	p->rows = calloc(2 * req->nroles + 1, sizeof(*p->rows));
	if (!p->items || !p->rows)
		return EXIT_FAIL;
	p->nitems = req->nroles;
	for (size_t i = 0; i < req->nroles; i++) {
		struct item *it = &p->items[i];

		it->role = &req->roles[i];
		it->index = i;
		it->alias = it->role->account_name;
		it->rank = rank ? rank[i] : LONG_MAX;
	}
	for (size_t i = 0; i < p->nitems; i++) {
		p->items[i].account_rank = LONG_MAX;
		for (size_t j = 0; j < p->nitems; j++)
			if (p->items[j].rank < p->items[i].account_rank &&
			    strcmp(p->items[j].role->account_id,
			           p->items[i].role->account_id) == 0)
				p->items[i].account_rank = p->items[j].rank;
	}
	qsort(p->items, p->nitems, sizeof(*p->items), item_cmp);
	return EXIT_OK;
}

int cli_pick(const struct s2s_pick *req, const long *rank, size_t pre,
             size_t *idx, size_t max, size_t *n)
{
	const char *term = s2s_config_env("TERM"), *nc;
	struct sigaction sa = { 0 }, old_int, old_term, old_hup, old_winch;
	struct picker p = { .req = req, .fd = -1 };
	struct termios raw;
	size_t keep = SIZE_MAX;
	int status;
	ssize_t w;

	*n = 0;
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return CLI_PICK_UNAVAILABLE;
	p.fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p.fd < 0)
		return CLI_PICK_UNAVAILABLE;
	if (tcgetattr(p.fd, &sig_saved)) {
		close(p.fd);
		return CLI_PICK_UNAVAILABLE;
	}
	nc = s2s_config_env("NO_COLOR");
	p.color = !(nc && *nc);
	status = build_items(&p, rank);
	if (status)
		goto out;
	for (size_t i = 0; i < p.nitems; i++)
		if (p.items[i].index == pre)
			keep = i;
	rebuild(&p, keep);

	sig_fd = p.fd;
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = on_winch; /* no SA_RESTART: read() returns EINTR */
	sigaction(SIGWINCH, &sa, &old_winch);
	raw = sig_saved;
	raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= (tcflag_t) ~(IXON | ICRNL);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	sig_active = 1;
	tcsetattr(p.fd, TCSAFLUSH, &raw);
	w = write(p.fd, ENTER_SCREEN, sizeof(ENTER_SCREEN) - 1);
	draw(&p);
	status = loop(&p);
	w = write(p.fd, LEAVE_SCREEN, sizeof(LEAVE_SCREEN) - 1);
	(void)w;
	tcsetattr(p.fd, TCSAFLUSH, &sig_saved);
	sig_active = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGWINCH, &old_winch, NULL);

	if (status == EXIT_OK && p.nmarked) {
		for (size_t i = 0; i < p.nitems && *n < max; i++)
			if (p.items[i].marked)
				idx[(*n)++] = p.items[i].index;
	} else if (status == EXIT_OK) {
		idx[(*n)++] = p.items[p.rows[p.cur]].index;
	} else {
		status = EXIT_CANCELLED;
	}
out:
	free(p.items);
	free(p.rows);
	close(p.fd);
	return status;
}
