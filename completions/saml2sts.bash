# SPDX-License-Identifier: MIT
# bash completion for saml2sts(1)

_saml2sts_profiles()
{
	local cfg=${SAML2STS_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/saml2sts/config}
	[ -r "$cfg" ] && sed -n 's/^[[:space:]]*profile[[:space:]]*=[[:space:]]*//p' "$cfg" 2>/dev/null
}

_saml2sts_accounts()
{
	local cfg=${SAML2STS_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/saml2sts/config}
	[ -r "$cfg" ] && sed -n 's/^\[\(.*\)\][[:space:]]*$/\1/p' "$cfg" 2>/dev/null
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
	local commands="adapters configure console credential-process exec export list-roles login logout serve status version whoami"
	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--config | --account | -a) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done

	case $prev in
	--config | --idp-cert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--account | -a) COMPREPLY=($(compgen -W "$(_saml2sts_accounts)" -- "$cur")); return ;;
	--profile) COMPREPLY=($(compgen -W "$(_saml2sts_profiles)" -- "$cur")); return ;;
	--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--site) COMPREPLY=($(compgen -W "cn intl" -- "$cur")); return ;;
	--provider) COMPREPLY=($(compgen -W "$(saml2sts adapters 2>/dev/null | awk 'NR > 1 && $1 ~ /^[a-z]/ {print $1}') cloudsso" -- "$cur")); return ;;
	--format)
		case $cmd in
		export) COMPREPLY=($(compgen -W "env fish powershell json dotenv" -- "$cur")) ;;
		credential-process) COMPREPLY=($(compgen -W "aliyun aws json" -- "$cur")) ;;
		esac
		return ;;
	--role | --url | --username | --region | --duration | --session-duration | --mfa | --sts-endpoint | --idp-cert-fingerprint | --set | --destination) return ;;
	esac

	local opts=""
	case $cmd in
	"") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return ;;
	configure) opts="--provider --url --username --site --region --profile --role --session-duration --mfa --sts-endpoint --idp-cert --idp-cert-fingerprint --yes --set --import-saml2alibabacloud --totp-secret-stdin --remember-session --save-password" ;;
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
	export) opts="--profile --format" ;;
	status | adapters) opts="--output" ;;
	whoami) opts="--profile --output" ;;
	logout) opts="--profile --all" ;;
	version) opts="" ;;
	esac
	COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
}
complete -F _saml2sts saml2sts
