# SPDX-License-Identifier: MIT
# bash completion for saml2sts(1)

# Stored profiles, config accounts and the account's roles, from saml2sts
# itself (hidden command __complete: never prompts, nothing on stderr);
# --config and -a of the line being completed are passed on.
_saml2sts_words()
{
	command saml2sts "${_saml2sts_opts[@]}" __complete "$1" 2>/dev/null
}

_saml2sts_profiles()
{
	_saml2sts_words profiles
}

_saml2sts_accounts()
{
	_saml2sts_words accounts
}

_saml2sts_roles()
{
	_saml2sts_words roles
}

_saml2sts()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local global="--config --account -a --verbose --debug --quiet --help -h --version"
	local commands="adapters configure console credential-process doctor exec export list-roles login logout serve shell-init status use version whoami"
	local cmd="" i
	_saml2sts_opts=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--config | --account | -a)
			_saml2sts_opts+=("${words[i]}" "${words[i + 1]}")
			((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	case $prev in
	--config | --idp-cert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--account | -a | --delete) COMPREPLY=($(compgen -W "$(_saml2sts_accounts)" -- "$cur")); return ;;
	--profile | -p) COMPREPLY=($(compgen -W "$(_saml2sts_profiles)" -- "$cur")); return ;;
	--role) [ "$cmd" = login ] && COMPREPLY=($(compgen -W "$(_saml2sts_roles)" -- "$cur")); return ;;
	--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--site) COMPREPLY=($(compgen -W "cn intl" -- "$cur")); return ;;
	--provider) COMPREPLY=($(compgen -W "$(_saml2sts_words providers)" -- "$cur")); return ;;
	--format)
		case $cmd in
		export) COMPREPLY=($(compgen -W "env fish powershell json dotenv" -- "$cur")) ;;
		credential-process) COMPREPLY=($(compgen -W "aliyun aws json" -- "$cur")) ;;
		esac
		return ;;
	--url | --username | --region | --duration | --session-duration | --mfa | --sts-endpoint | --idp-cert-fingerprint | --set | --destination) return ;;
	esac

	local opts=""
	case $cmd in
	"") COMPREPLY=($(compgen -W "$commands help $global" -- "$cur")); return ;;
	help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	configure) opts="--provider --url --username --site --region --profile --role --session-duration --mfa --sts-endpoint --idp-cert --idp-cert-fingerprint --yes --set --import-saml2alibabacloud --totp-secret-stdin --client-secret-stdin --remember-session --save-password --list --delete" ;;
	login) opts="--profile --role --all-roles --duration --sts-endpoint --username --password-stdin --skip-prompt --force --browser --headless --no-browser" ;;
	list-roles) opts="--output --username --password-stdin --skip-prompt" ;;
	credential-process) opts="--profile --format" ;;
	exec)
		for ((i = i + 1; i < cword; i++)); do
			if [ "${words[i]}" = "--" ]; then
				COMPREPLY=($(compgen -c -- "$cur"))
				return
			fi
		done
		opts="--profile --server --" ;;
	serve) opts="--profile" ;;
	console) opts="--profile --print-url --destination" ;;
	export) opts="--profile --format --unset" ;;
	shell-init) opts="bash zsh fish" ;;
	status) opts="--output --wide" ;;
	adapters) opts="--output" ;;
	use) opts="--profile --unset $(_saml2sts_profiles)" ;;
	whoami) opts="--profile --output" ;;
	doctor) opts="--profile --output" ;;
	logout) opts="--profile --all --session" ;;
	version) opts="" ;;
	esac
	COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
}
complete -F _saml2sts saml2sts
