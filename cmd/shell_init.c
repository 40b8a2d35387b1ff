/* SPDX-License-Identifier: MIT */
/*
 * saml2sts shell-init bash|zsh|fish: print the shell functions of the
 * one-word switch, s2s (`s2s prod-admin`, `s2s --unset`), and of the
 * prompt segment, s2s_prompt.  s2s runs `saml2sts export` by the path
 * the user started us with and evaluates its output in the shell; the
 * segment reads SAML2STS_PROFILE and SAML2STS_EXPIRATION with builtins
 * only, so a prompt starts no process.  Nothing here is secret.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saml2sts/buf.h>

#include "command.h"
#include "json_out.h"

/* The texts below are tested by tests/integration/test_shell_init.py in
 * bash, zsh and fish.  bash and zsh share all but how they tell the time
 * and set a variable by name; zsh's segment doubles '%' for prompts. */

static const char sh_main[] =
        "s2s() {\n"
        "\tlocal __s2s_out\n"
        "\tcase ${1-} in\n"
        "\t-h | --help)\n"
        "\t\tprintf '%s\\n' \\\n"
        "\t\t    'usage: s2s [use] PROFILE [OPTIONS]  the credentials of "
        "PROFILE in this shell' \\\n"
        "\t\t    '       s2s --unset                  remove them, and all "
        "saml2sts exec clears' \\\n"
        "\t\t    '       s2s                          the profile of this "
        "shell, minutes left' \\\n"
        "\t\t    '       s2s_prompt [-v VAR]          prompt segment "
        "\"[PROFILE 42m] \"' \\\n"
        "\t\t    'OPTIONS are saml2sts export options (-a ACCOUNT, --config "
        "FILE); see saml2sts(1).'\n"
        "\t\treturn 0 ;;\n"
        "\t--unset | unset)\n"
        "\t\t__s2s_out=$(__s2s_bin export --unset --format env) || return\n"
        "\t\teval \"$__s2s_out\"\n"
        "\t\treturn 0 ;;\n"
        "\t'')\n"
        "\t\tif [ -z \"${SAML2STS_PROFILE-}\" ]; then\n"
        "\t\t\tprintf '%s\\n' 's2s: no profile in this shell: s2s PROFILE' "
        ">&2\n"
        "\t\t\treturn 1\n"
        "\t\tfi\n"
        "\t\t__s2s_show\n"
        "\t\treturn 0 ;;\n"
        "\tuse)\n"
        "\t\tshift\n"
        "\t\tif [ $# -eq 0 ]; then\n"
        "\t\t\tprintf '%s\\n' 's2s: use which profile? s2s use PROFILE' >&2\n"
        "\t\t\treturn 2\n"
        "\t\tfi ;;\n"
        "\tesac\n"
        "\t__s2s_out=$(__s2s_bin export --format env --profile \"$@\") || "
        "return\n"
        "\teval \"$__s2s_out\"\n"
        "\t__s2s_show >&2\n"
        "}\n"
        "__s2s_show() {\n"
        "\tif ! __s2s_left; then\n"
        "\t\tprintf '%s\\n' \"$SAML2STS_PROFILE\"\n"
        "\telif [ \"$__s2s_min\" -lt 0 ]; then\n"
        "\t\tprintf '%s: expired\\n' \"$SAML2STS_PROFILE\"\n"
        "\telse\n"
        "\t\tprintf '%s: %s min left\\n' \"$SAML2STS_PROFILE\" \"$__s2s_min\"\n"
        "\tfi\n"
        "}\n"
        "# Minutes left of SAML2STS_EXPIRATION into __s2s_min (-1: expired) "
        "by\n"
        "# shell arithmetic alone (days from the civil date), so a prompt "
        "costs\n"
        "# no process; false when there is no expiry.\n"
        "__s2s_left() {\n"
        "\tlocal __s2s_t=${SAML2STS_EXPIRATION-} __s2s_y __s2s_m __s2s_d "
        "__s2s_now\n"
        "\t__s2s_min=\n"
        "\tcase $__s2s_t in\n"
        "\t[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-"
        "9][0-9]Z) ;;\n"
        "\t*) return 1 ;;\n"
        "\tesac\n"
        "\tif [ \"$__s2s_t\" != \"${__s2s_exp_iso-}\" ]; then\n"
        "\t\t__s2s_y=$((10#${__s2s_t:0:4}))\n"
        "\t\t__s2s_m=$((10#${__s2s_t:5:2}))\n"
        "\t\t__s2s_d=$((10#${__s2s_t:8:2}))\n"
        "\t\tif [ \"$__s2s_m\" -le 2 ]; then\n"
        "\t\t\t__s2s_y=$((__s2s_y - 1))\n"
        "\t\t\t__s2s_m=$((__s2s_m + 9))\n"
        "\t\telse\n"
        "\t\t\t__s2s_m=$((__s2s_m - 3))\n"
        "\t\tfi\n"
        "\t\t__s2s_exp=$(((365 * __s2s_y + __s2s_y / 4 - __s2s_y / 100 + \\\n"
        "\t\t    __s2s_y / 400 + (153 * __s2s_m + 2) / 5 + __s2s_d - 719469) * "
        "\\\n"
        "\t\t    86400 + 10#${__s2s_t:11:2} * 3600 + 10#${__s2s_t:14:2} * 60 + "
        "\\\n"
        "\t\t    10#${__s2s_t:17:2}))\n"
        "\t\t__s2s_exp_iso=$__s2s_t\n"
        "\tfi\n";

static const char bash_now[] = "\tprintf -v __s2s_now '%(%s)T' -1\n";

static const char zsh_now[] = "\t__s2s_now=$EPOCHSECONDS\n";

static const char sh_mid[] =
        "\tif [ \"$__s2s_exp\" -gt \"$__s2s_now\" ]; then\n"
        "\t\t__s2s_min=$(((__s2s_exp - __s2s_now) / 60))\n"
        "\telse\n"
        "\t\t__s2s_min=-1\n"
        "\tfi\n"
        "}\n"
        "# The prompt segment \"[PROFILE 42m] \" (nothing without a profile), "
        "on\n"
        "# stdout or, with -v VAR, into VAR: PS1 then needs no $(...) "
        "subshell.\n"
        "s2s_prompt() {\n"
        "\tlocal __s2s_seg=\n"
        "\tif [ -z \"${SAML2STS_PROFILE-}\" ]; then\n"
        "\t\t:\n"
        "\telif ! __s2s_left; then\n"
        "\t\t__s2s_seg=\"[$SAML2STS_PROFILE] \"\n"
        "\telif [ \"$__s2s_min\" -lt 0 ]; then\n"
        "\t\t__s2s_seg=\"[$SAML2STS_PROFILE expired] \"\n"
        "\telse\n"
        "\t\t__s2s_seg=\"[$SAML2STS_PROFILE ${__s2s_min}m] \"\n"
        "\tfi\n";

static const char bash_out[] =
        "\tif [ \"${1-}\" = -v ] && [ -n \"${2-}\" ]; then\n"
        "\t\tprintf -v \"$2\" '%s' \"$__s2s_seg\"\n"
        "\telse\n"
        "\t\tprintf '%s' \"$__s2s_seg\"\n"
        "\tfi\n"
        "}\n";

static const char zsh_out[] =
        "\t__s2s_seg=${__s2s_seg//\\%/%%}\n"
        "\tif [ \"${1-}\" = -v ] && [ -n \"${2-}\" ]; then\n"
        "\t\ttypeset -g -- \"$2=$__s2s_seg\"\n"
        "\telse\n"
        "\t\tprintf '%s' \"$__s2s_seg\"\n"
        "\tfi\n"
        "}\n";

static const char fish_main[] =
        "function s2s --description 'saml2sts: the credentials of a profile in "
        "this shell'\n"
        "    switch \"$argv[1]\"\n"
        "        case -h --help\n"
        "            printf '%s\\n' \\\n"
        "                'usage: s2s [use] PROFILE [OPTIONS]  the credentials "
        "of PROFILE in this shell' \\\n"
        "                '       s2s --unset                  remove them, and "
        "all saml2sts exec clears' \\\n"
        "                '       s2s                          the profile of "
        "this shell, minutes left' \\\n"
        "                '       s2s_prompt                   prompt segment "
        "\"[PROFILE 42m] \"' \\\n"
        "                'OPTIONS are saml2sts export options (-a ACCOUNT, "
        "--config FILE); see saml2sts(1).'\n"
        "            return 0\n"
        "        case --unset unset\n"
        "            set -l out (__s2s_bin export --unset --format fish); or "
        "return\n"
        "            printf '%s\\n' $out | source\n"
        "            return 0\n"
        "        case ''\n"
        "            if test -z \"$SAML2STS_PROFILE\"\n"
        "                echo 's2s: no profile in this shell: s2s PROFILE' "
        ">&2\n"
        "                return 1\n"
        "            end\n"
        "            __s2s_show\n"
        "            return 0\n"
        "        case use\n"
        "            set -e argv[1]\n"
        "            if test (count $argv) -eq 0\n"
        "                echo 's2s: use which profile? s2s use PROFILE' >&2\n"
        "                return 2\n"
        "            end\n"
        "    end\n"
        "    set -l out (__s2s_bin export --format fish --profile $argv); or "
        "return\n"
        "    printf '%s\\n' $out | source\n"
        "    __s2s_show >&2\n"
        "end\n"
        "\n"
        "function __s2s_show\n"
        "    if not __s2s_left\n"
        "        printf '%s\\n' \"$SAML2STS_PROFILE\"\n"
        "    else if test \"$__s2s_min\" = expired\n"
        "        printf '%s: expired\\n' \"$SAML2STS_PROFILE\"\n"
        "    else\n"
        "        printf '%s: %s min left\\n' \"$SAML2STS_PROFILE\" $__s2s_min\n"
        "    end\n"
        "end\n"
        "\n"
        "# Minutes left of SAML2STS_EXPIRATION into __s2s_min (or \"expired\") "
        "with\n"
        "# builtins alone (days from the civil date; now = boot time + uptime "
        "from\n"
        "# /proc, rounded up), so a prompt costs no process; false when there "
        "is\n"
        "# no expiry.\n"
        "function __s2s_left\n"
        "    set -g __s2s_min\n"
        "    set -l t \"$SAML2STS_EXPIRATION\"\n"
        "    string match -qr '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$' "
        "-- $t; or return 1\n"
        "    if test \"$t\" != \"$__s2s_exp_iso\"\n"
        "        set -l y (math (string sub -s 1 -l 4 -- $t))\n"
        "        set -l m (math (string sub -s 6 -l 2 -- $t))\n"
        "        set -l d (math (string sub -s 9 -l 2 -- $t))\n"
        "        if test $m -le 2\n"
        "            set y (math $y - 1)\n"
        "            set m (math $m + 9)\n"
        "        else\n"
        "            set m (math $m - 3)\n"
        "        end\n"
        "        set -g __s2s_exp (math \"(365 * $y + floor($y / 4) - floor($y "
        "/ 100) + floor($y / 400) + floor((153 * $m + 2) / 5) + $d - 719469) * "
        "86400 + \"(string sub -s 12 -l 2 -- $t)\" * 3600 + \"(string sub -s "
        "15 -l 2 -- $t)\" * 60 + \"(string sub -s 18 -l 2 -- $t))\n"
        "        set -g __s2s_exp_iso $t\n"
        "    end\n"
        "    if not set -q __s2s_btime[1]\n"
        "        set -g __s2s_btime (string replace -rf '^btime (\\d+)$' '$1' "
        "< /proc/stat)\n"
        "    end\n"
        "    read -l up idle < /proc/uptime; or return 1\n"
        "    set -l now (math \"ceil($__s2s_btime[1] + $up)\")\n"
        "    if test $__s2s_exp -gt $now\n"
        "        set -g __s2s_min (math \"floor(($__s2s_exp - $now) / 60)\")\n"
        "    else\n"
        "        set -g __s2s_min expired\n"
        "    end\n"
        "    return 0\n"
        "end\n"
        "\n"
        "# The prompt segment \"[PROFILE 42m] \" (nothing without a profile), "
        "for\n"
        "# fish_prompt: fish runs functions in its own process.\n"
        "function s2s_prompt --description 'saml2sts prompt segment'\n"
        "    test -n \"$SAML2STS_PROFILE\"; or return 0\n"
        "    if not __s2s_left\n"
        "        printf '[%s] ' \"$SAML2STS_PROFILE\"\n"
        "    else if test \"$__s2s_min\" = expired\n"
        "        printf '[%s expired] ' \"$SAML2STS_PROFILE\"\n"
        "    else\n"
        "        printf '[%s %sm] ' \"$SAML2STS_PROFILE\" $__s2s_min\n"
        "    end\n"
        "end\n";

/* Completion of s2s: the stored profiles, from the hidden __complete
 * command (spawned at TAB only). */
static const char bash_complete[] =
        "_s2s_complete() {\n"
        "\tCOMPREPLY=($(compgen -W \"use --unset $(__s2s_bin __complete "
        "profiles \\\n"
        "\t    2>/dev/null)\" -- \"${COMP_WORDS[COMP_CWORD]}\"))\n"
        "}\n"
        "complete -F _s2s_complete s2s\n";
static const char zsh_complete[] = "_s2s_complete() {\n"
                                   "\tlocal -a w\n"
                                   "\tw=(use --unset ${(f)\"$(__s2s_bin "
                                   "__complete profiles 2>/dev/null)\"})\n"
                                   "\tcompadd -a w\n"
                                   "}\n"
                                   "if (( $+functions[compdef] )); then\n"
                                   "\tcompdef _s2s_complete s2s\n"
                                   "fi\n";
static const char fish_complete[] =
        "\n"
        "complete -c s2s -f -a '(__s2s_bin __complete profiles 2>/dev/null)' "
        "-d profile\n"
        "complete -c s2s -f -a use -d 'switch to a profile'\n"
        "complete -c s2s -f -l unset -d 'remove the credentials from this "
        "shell'\n";

static const struct cli_opt opts[] = {
	{ NULL },
};

/* The shell named by the operand, else by $SHELL; NULL when neither is
 * one we know. */
static const char *pick_shell(const struct cli_args *args)
{
	static const char *const known[] = { "bash", "zsh", "fish" };
	const char *name =
	        args->noperands > 0 ? args->operands[0] : getenv("SHELL");
	const char *slash;

	if (!name)
		return NULL;
	slash = strrchr(name, '/');
	if (args->noperands == 0 && slash)
		name = slash + 1;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i]) == 0)
			return known[i];
	return NULL;
}

/* The saml2sts the functions run: as the user started it, else this
 * binary, else whatever PATH finds at the time. */
static const char *self(const struct cli *cli, char *buf, size_t size)
{
	const char *p = cli_self_path(cli->argv0);
	ssize_t n;

	if (p)
		return p;
	n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0)
		return "saml2sts";
	buf[n] = '\0';
	return buf;
}

static int script(struct s2s_buf *b, const char *shell, const char *bin)
{
	bool fish = strcmp(shell, "fish") == 0;
	bool zsh = strcmp(shell, "zsh") == 0;

	if (s2s_buf_printf(b,
	                   "# saml2sts shell integration for %s: s2s PROFILE, "
	                   "s2s --unset, s2s_prompt\n"
	                   "# (saml2sts(1): shell-init)\n",
	                   shell))
		return EXIT_FAIL;
	if (fish)
		return s2s_buf_puts(b, "function __s2s_bin\n    command ") ||
		       cli_format_quote(b, bin, "fish") ||
		       s2s_buf_puts(b, " $argv\nend\n\n") ||
		       s2s_buf_puts(b, fish_main) ||
		       s2s_buf_puts(b, fish_complete);
	return (zsh &&
	        s2s_buf_puts(b, "zmodload zsh/datetime 2>/dev/null\n")) ||
	       s2s_buf_puts(b, "__s2s_bin() {\n\tcommand ") ||
	       cli_format_quote(b, bin, "env") ||
	       s2s_buf_puts(b, " \"$@\"\n}\n") || s2s_buf_puts(b, sh_main) ||
	       s2s_buf_puts(b, zsh ? zsh_now : bash_now) ||
	       s2s_buf_puts(b, sh_mid) ||
	       s2s_buf_puts(b, zsh ? zsh_out : bash_out) ||
	       s2s_buf_puts(b, zsh ? zsh_complete : bash_complete);
}

static int run(struct cli *cli, const struct cli_args *args)
{
	struct s2s_buf out = S2S_BUF_INIT;
	const char *shell = pick_shell(args);
	char buf[PATH_MAX];
	int status = EXIT_OK;

	if (args->noperands > 1)
		return cli_usage("shell-init", "one shell at a time");
	if (!shell)
		return cli_usage("shell-init", "name the shell: bash, zsh or "
		                               "fish");
	if (script(&out, shell, self(cli, buf, sizeof(buf))))
		status = cli_error(EXIT_FAIL, "out of memory");
	else if (fwrite(out.ptr, 1, out.len, stdout) != out.len)
		status = cli_error(EXIT_FAIL, "write error on stdout");
	s2s_buf_release(&out);
	return status;
}

const struct cli_command cli_cmd_shell_init = {
	.name = "shell-init",
	.summary = "print the shell functions s2s and s2s_prompt",
	.synopsis = "[bash|zsh|fish]",
	.epilog = "Default: the shell of $SHELL.  Load them at start-up:\n"
	          "  bash  ~/.bashrc:  eval \"$(saml2sts shell-init bash)\"\n"
	          "  zsh   ~/.zshrc:   eval \"$(saml2sts shell-init zsh)\"\n"
	          "  fish  config.fish: saml2sts shell-init fish | source\n"
	          "Then: s2s [use] PROFILE, s2s --unset, s2s, s2s_prompt "
	          "[-v VAR].",
	.opts = opts,
	.flags = CLI_OPERANDS,
	.run = run,
};
