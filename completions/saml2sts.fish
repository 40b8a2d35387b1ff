# SPDX-License-Identifier: MIT
# fish completion for saml2sts(1)

# Stored profiles, config accounts and the account's roles, from saml2sts
# itself (hidden command __complete: never prompts, nothing on stderr);
# --config and -a of the line being completed are passed on.
function __saml2sts_words
    set -l o
    set -l w (commandline -opc)
    for i in (seq 2 (math (count $w) - 1))
        switch $w[$i]
            case --config --account -a
                set -a o $w[$i] $w[(math $i + 1)]
        end
    end
    command saml2sts $o __complete $argv[1] 2>/dev/null
end

function __saml2sts_profiles
    __saml2sts_words profiles
end

function __saml2sts_accounts
    __saml2sts_words accounts
end

function __saml2sts_roles
    __saml2sts_words roles
end

function __saml2sts_providers
    __saml2sts_words providers
end

set -l cmds adapters configure console credential-process doctor exec export list-roles login logout serve shell-init status use version whoami
complete -c saml2sts -f
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a adapters -d 'list IdP adapters and their MFA factors'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a configure -d 'create or update an IdP account'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a console -d 'open the Alibaba Cloud console signed in'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a credential-process -d 'print credentials for the aliyun CLI'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a doctor -d 'check config, store, IdP, clock, browser and aliyun CLI'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a exec -d 'run a command with credentials in its environment'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a export -d 'print credentials for a shell'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a shell-init -d 'print the shell functions s2s and s2s_prompt'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds help" -a help -d 'show the usage of saml2sts or of a command'
complete -c saml2sts -n "__fish_seen_subcommand_from help" -x -a "$cmds"
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a list-roles -d 'log in to the IdP and list the roles granted'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a login -d 'log in and store STS credentials'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a logout -d 'delete stored credentials'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a serve -d 'serve credentials on a loopback credentials URI'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a status -d 'list stored profiles and their expiry'
complete -c saml2sts -n "not __fish_seen_subcommand_from $cmds" -a use -d 'make a stored profile the current one'
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
complete -c saml2sts -n "__fish_seen_subcommand_from configure login credential-process exec serve console export logout whoami use doctor" -s p -l profile -x -a '(__saml2sts_profiles)' -d 'profile'

# configure
set -l c "__fish_seen_subcommand_from configure"
complete -c saml2sts -n $c -l provider -x -a '(__saml2sts_providers)' -d 'IdP adapter'
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
complete -c saml2sts -n $c -l client-secret-stdin -d 'read an IdP API client secret from stdin'
complete -c saml2sts -n $c -l remember-session -d 'keep the IdP session for silent logins'
complete -c saml2sts -n $c -l save-password -d 'keep the IdP password in the store'
complete -c saml2sts -n $c -l list -d 'list the IdP accounts'
complete -c saml2sts -n $c -l delete -x -a '(__saml2sts_accounts)' -d 'remove an account from the config'

# login
set -l c "__fish_seen_subcommand_from login"
complete -c saml2sts -n $c -l role -x -a '(__saml2sts_roles)' -d 'ARN, ACCOUNT/ROLE or role name'
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
complete -c saml2sts -n "__fish_seen_subcommand_from list-roles status adapters whoami doctor" -l output -x -a 'text json' -d 'output format'
complete -c saml2sts -n "__fish_seen_subcommand_from export" -l format -x -a 'env fish powershell json dotenv' -d 'shell'
complete -c saml2sts -n "__fish_seen_subcommand_from export" -l unset -d 'print the lines undoing export and exec'
complete -c saml2sts -n "__fish_seen_subcommand_from shell-init" -a 'bash zsh fish' -d 'shell'
complete -c saml2sts -n "__fish_seen_subcommand_from credential-process" -l format -x -a 'aliyun aws json' -d 'format'

# exec, console, logout
complete -c saml2sts -n "__fish_seen_subcommand_from exec" -l server -d 'serve a credentials URI'
complete -c saml2sts -n "__fish_seen_subcommand_from console" -l print-url -d 'print the URL only'
complete -c saml2sts -n "__fish_seen_subcommand_from console" -l destination -x -d 'console page'
complete -c saml2sts -n "__fish_seen_subcommand_from logout" -l all -d 'everything stored'
complete -c saml2sts -n "__fish_seen_subcommand_from logout" -l session -d 'also the kept IdP session'

# status, use
complete -c saml2sts -n "__fish_seen_subcommand_from status" -l wide -d 'every column in full'
complete -c saml2sts -n "__fish_seen_subcommand_from use" -l unset -d 'forget the current profile'
complete -c saml2sts -n "__fish_seen_subcommand_from use" -x -a '(__saml2sts_profiles)' -d 'profile'
