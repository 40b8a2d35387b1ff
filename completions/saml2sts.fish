# SPDX-License-Identifier: MIT
# fish completion for saml2sts(1)

function __saml2sts_cfg
    set -q SAML2STS_CONFIG; and echo $SAML2STS_CONFIG; and return
    set -q XDG_CONFIG_HOME; and echo $XDG_CONFIG_HOME/saml2sts/config; and return
    echo $HOME/.config/saml2sts/config
end

function __saml2sts_profiles
    sed -n 's/^[[:space:]]*profile[[:space:]]*=[[:space:]]*//p' (__saml2sts_cfg) 2>/dev/null
end

function __saml2sts_accounts
    sed -n 's/^\[\(.*\)\][[:space:]]*$/\1/p' (__saml2sts_cfg) 2>/dev/null
end

set -l cmds adapters configure console credential-process exec export list-roles login logout serve status version whoami
complete -c saml2sts -f
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a adapters -d 'list IdP adapters and their MFA factors'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a configure -d 'create or update an IdP account'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a console -d 'open the Alibaba Cloud console signed in'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a credential-process -d 'print credentials for the aliyun CLI'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a exec -d 'run a command with credentials in its environment'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a export -d 'print credentials for a shell'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a list-roles -d 'log in to the IdP and list the roles granted'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a login -d 'log in and store STS credentials'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a logout -d 'delete stored credentials'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a serve -d 'serve credentials on a loopback credentials URI'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a status -d 'list stored profiles and their expiry'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a version -d 'show versions, adapters and stores'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a whoami -d 'show who a profile is (GetCallerIdentity)'

# global options
complete -c saml2sts -l config -r -F -d 'config file'
complete -c saml2sts -s a -l account -x -a '(__saml2sts_accounts)' -d 'IdP account'
complete -c saml2sts -l verbose -d 'say more on stderr'
complete -c saml2sts -l debug -d 'redacted HTTP trace on stderr'
complete -c saml2sts -l quiet -d 'no informational output'
complete -c saml2sts -s h -l help -d 'help'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -l version -d 'print the version'

# --profile
complete -c saml2sts -n "__fish_seen_subcommand_from configure login credential-process exec serve console export logout whoami" -l profile -x -a '(__saml2sts_profiles)' -d 'profile'

# configure
set -l c "__fish_seen_subcommand_from configure"
complete -c saml2sts -n $c -l provider -x -a 'form adfs shibboleth shibboleth-ecp cloudsso' -d 'IdP adapter'
complete -c saml2sts -n $c -l url -x -d 'IdP login URL'
complete -c saml2sts -n $c -l username -x -d 'IdP username'
complete -c saml2sts -n $c -l site -x -a 'cn intl' -d 'Alibaba Cloud site'
complete -c saml2sts -n $c -l region -x -d 'region'
complete -c saml2sts -n $c -l role -x -d 'role ARN'
complete -c saml2sts -n $c -l session-duration -x -d 'STS seconds'
complete -c saml2sts -n $c -l mfa -x -d 'MFA factor'
complete -c saml2sts -n $c -l sts-endpoint -x -d 'STS endpoint'
complete -c saml2sts -n $c -l idp-cert -r -F -d 'IdP signing certificate'
complete -c saml2sts -n $c -l idp-cert-fingerprint -r -d 'SHA-256 the --idp-cert URL must show'
complete -c saml2sts -n $c -l yes -d 'pin what --idp-cert URL shows'
complete -c saml2sts -n $c -l set -x -d 'KEY=VALUE'
complete -c saml2sts -n $c -l import-saml2alibabacloud -r -F -d 'import ~/.saml2alibabacloud'
complete -c saml2sts -n $c -l totp-secret-stdin -d 'read a TOTP seed from stdin'
complete -c saml2sts -n $c -l remember-session -d 'keep the IdP session for silent logins'
complete -c saml2sts -n $c -l save-password -d 'keep the IdP password in the store'

# login
set -l c "__fish_seen_subcommand_from login"
complete -c saml2sts -n $c -l role -x -d 'ARN, ACCOUNT/ROLE or role name'
complete -c saml2sts -n $c -l all-roles -d 'every granted role'
complete -c saml2sts -n $c -l duration -x -d 'STS seconds'
complete -c saml2sts -n $c -l sts-endpoint -x -d 'STS endpoint'
complete -c saml2sts -n $c -l force -d 'log in even if still valid'
complete -c saml2sts -n $c -l browser -d 'log in through a browser'
complete -c saml2sts -n $c -l headless -d 'browser without a window'
complete -c saml2sts -n $c -l no-browser -d 'CloudSSO: open no browser'

# login and list-roles
set -l c "__fish_seen_subcommand_from login list-roles"
complete -c saml2sts -n $c -l username -x -d 'IdP username'
complete -c saml2sts -n $c -l password-stdin -d 'read the password from stdin'
complete -c saml2sts -n $c -l skip-prompt -d 'never prompt'

# output and formats
complete -c saml2sts -n "__fish_seen_subcommand_from list-roles status adapters whoami" -l output -x -a 'text json' -d 'output format'
complete -c saml2sts -n "__fish_seen_subcommand_from export" -l format -x -a 'env fish powershell json dotenv' -d 'shell'
complete -c saml2sts -n "__fish_seen_subcommand_from credential-process" -l format -x -a 'aliyun aws json' -d 'format'

# exec, console, logout
complete -c saml2sts -n "__fish_seen_subcommand_from exec" -l server -d 'serve a credentials URI'
complete -c saml2sts -n "__fish_seen_subcommand_from console" -l print-url -d 'print the URL only'
complete -c saml2sts -n "__fish_seen_subcommand_from console" -l destination -x -d 'console page'
complete -c saml2sts -n "__fish_seen_subcommand_from logout" -l all -d 'every profile'
