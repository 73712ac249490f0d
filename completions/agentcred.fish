# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_agentcred_global_optspecs
    string join \n profile= json store= sandbox no-input reveal v/verbose q/quiet color= h/help V/version
end

function __fish_agentcred_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_agentcred_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_agentcred_using_subcommand
    set -l cmd (__fish_agentcred_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c agentcred -n "__fish_agentcred_needs_command" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_needs_command" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_needs_command" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_needs_command" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_needs_command" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_needs_command" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_needs_command" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_needs_command" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentcred -n "__fish_agentcred_needs_command" -s V -l version -d 'Print version'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "register" -d 'Register a new agent with a service and store its credentials'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "login" -d 'Store a service\'s operator (organization) key, from stdin or a prompt'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "logout" -d 'Remove stored operator credentials (does not revoke them on the service)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "refresh" -d 'Get a new short-lived credential (JWT or access token) for the profile'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "token" -d 'Print a bearer credential valid for at least --min-valid, refreshing first if needed'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "status" -d 'Show the agent\'s state at the service and the profile\'s local credential facts'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "exec" -d 'Run a command with the profile\'s short-lived credential and endpoints in its environment (or, with --gateway, with no credential at all)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "gateway" -d 'Run the credential gateway in the foreground: a loopback server that attaches the profile\'s credential to requests sent with its token'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "freeze" -d 'Stop every use of a profile\'s credentials at once (token, refresh, exec, gateways, mcp)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "unfreeze" -d 'Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "leaks" -d 'Find stored secret values in files, and rotate what leaked'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "mcp" -d 'Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check, request, refresh), never returning a stored secret'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "keys" -d 'Manage Fluxra API keys'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "verifiers" -d 'Manage AuthPI agent verifiers'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "tokens" -d 'Manage Proxy agent tokens'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "cards" -d 'Manage Proxy cards'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "profiles" -d 'List, show, select and remove profiles'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "policy" -d 'What an agent may do through the gateway and MCP: rules, rate, spending caps'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "approvals" -d 'Requests the policy holds for a person: list, approve or deny them'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "audit" -d 'Show the audit log of credential releases and uses (or verify its hash chain)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "sandbox" -d 'Run the built-in emulator of the services'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "import" -d 'Store the secrets of a rescue file in the profile\'s store, record the profile, and delete the file'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "doctor" -d 'Check what the credential stores need, and say how to fix what is wrong'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "schema" -d 'Print the machine contract as JSON: commands, arguments, exit and error codes, and the JSON Schema of every command\'s --json output'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "agent" -d 'The operator\'s lifecycle of the profile\'s agent (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "limits" -d 'Show or set the agent\'s spending limits (FluxA and Proxy)'
complete -c agentcred -n "__fish_agentcred_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -f -a "fluxa" -d 'Register a FluxA agent (agent id, refresh token, JWT)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -f -a "fluxra" -d 'Register a Fluxra agent (recovery key, API key, JWT)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -f -a "authpi" -d 'Create an AuthPI agent with a secret verifier (operator credentials needed)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -f -a "proxy" -d 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and not __fish_seen_subcommand_from fluxa fluxra authpi proxy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l name -d 'The agent\'s display name' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l email -d 'Contact email for the agent (optional)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l client-info -d 'A short identifier of the client software' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxa" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l name -d 'Agent name: 3-50 letters, digits or \'-\'' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l email -d 'Contact email for the agent (optional)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l description -d 'What the agent does, as the service shows it (optional)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l key-name -d 'Name of the first API key' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l scope -d 'Scopes of the first API key (repeatable; default: the service\'s defaults)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l key-expires-in-days -d 'Expiry of the first API key in days (default: no expiry)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from fluxra" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l account -d 'AuthPI account id (acc_...)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l issuer -d 'AuthPI issuer id (i_...)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l name -d 'The agent\'s display name' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l description -d 'What the agent does, as the service shows it (optional)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l model -d 'AI model identifier (e.g. claude-sonnet-4-5)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l provider -d 'Model provider (e.g. anthropic)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l agent-version -d 'Agent version string' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l scope -d 'Scope ceiling for the agent\'s tokens (repeatable)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l metadata -d 'Metadata entry (repeatable)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l no-secret -d 'Do not add a secret verifier (no client secret, no token)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from authpi" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l external-id -d 'Your identifier for the agent, unique in your organization' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l user -d 'The user who funds the agent (user_...)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l name -d 'The agent\'s display name' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l description -d 'What the agent does, as the service shows it (optional)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l spending-limit -d 'Spending limit in dollars (e.g. 500 or 12.50)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l frequency -d 'The period over which spending counts against --spending-limit' -r -f -a "perTransaction\t''
per24HourPeriod\t''
perWeek\t''
perMonth\t''
perYear\t''
allTime\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l on-limit-exceeded -d 'What the service does when the agent reaches its limit' -r -f -a "suspend\t''
notify\t''
none\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l max-cards -d 'Maximum number of concurrent cards' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from proxy" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from help" -f -a "fluxa" -d 'Register a FluxA agent (agent id, refresh token, JWT)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from help" -f -a "fluxra" -d 'Register a Fluxra agent (recovery key, API key, JWT)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from help" -f -a "authpi" -d 'Create an AuthPI agent with a secret verifier (operator credentials needed)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from help" -f -a "proxy" -d 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)'
complete -c agentcred -n "__fish_agentcred_using_subcommand register; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l no-verify -d 'Store the key without checking it with the service first (login only)'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand login" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l no-verify -d 'Store the key without checking it with the service first (login only)'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand logout" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l if-expiring-within -d 'Refresh only if the current credential expires within this duration (e.g. 5m)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand refresh" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l min-valid -d 'Minimum remaining validity of the printed credential' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l reason -d 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand token" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l min-valid -d 'With --check: a credential must stay valid this long' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l min-remaining -d 'With --check: at least this much budget must remain (in the budget\'s currency)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l network -d 'Network of the wallet balance, for services with a wallet (default base)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l tx-limit -d 'Number of recent wallet transactions (1-100, default 20)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l all -d 'Every profile: local facts only (no network), or with --check, checked concurrently'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l check -d 'Judge whether the profile can act now and exit with one code (0 ok, 4 invalid, 6 unknown, 7 store unavailable, 8 may not act)'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand status" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l min-valid -d 'Minimum remaining validity of the credential the command gets (raised to what the service\'s own tools need; not used with --gateway, which keeps it fresh)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l reason -d 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l isolate -d 'Run the command where it cannot reach any stored credential (Linux): agentcred\'s directories, the keyring, the session bus, vault tokens and agentcred\'s own process are out of its reach. Without every protection the command is not started, unless `=best-effort`' -r -f -a "required\t'Every protection, or the command is not started (exit 2, `isolation_unavailable`)'
best-effort\t'Start the command with the protections available, and say which were applied'"
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l gateway -d 'Give the command no credential at all: start the credential gateway on 127.0.0.1 and point the command\'s base URLs at it'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l ephemeral -d 'With --gateway: mint a credential for this run only (named agentcred-run-ID at the service) and revoke it when the run ends'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l port -d 'Port on 127.0.0.1 (0 picks a free one)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l reason -d 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l ephemeral -d 'Mint a credential for this gateway only (named agentcred-run-ID at the service) and revoke it when the gateway stops'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand gateway" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l reason -d 'Why (recorded with the freeze and shown by every refusal)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l all -d 'Freeze every profile'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l upstream -d 'Also act at the service: suspend the agent where the service has a suspension, and revoke spare and run credentials'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand freeze" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l all -d 'Unfreeze every profile'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand unfreeze" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -f -a "scan" -d 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and not __fish_seen_subcommand_from scan help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l rotate -d 'Replace each leaked credential the service lets agentcred replace, then scan again'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from scan" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from help" -f -a "scan" -d 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files'
complete -c agentcred -n "__fish_agentcred_using_subcommand leaks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l reason -d 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l allow-writes -d 'Let the `request` tool send methods other than GET (POST, PATCH, PUT, DELETE)'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand mcp" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -f -a "list" -d 'List the agent\'s API keys'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -f -a "create" -d 'Create an API key'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -f -a "revoke" -d 'Revoke an API key'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -f -a "rotate" -d 'Create a new key, switch the profile to it, prove it, then revoke the old one'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and not __fish_seen_subcommand_from list create revoke rotate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l name -d 'A name for the key, to tell it apart in `keys list`' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l scope -d 'Scopes of the new key (repeatable; default: the service\'s defaults)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l expires-in-days -d 'Expiry of the new key in days (default: no expiry)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l use -d 'Make the new key the profile\'s key'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l force -d 'Allow revoking the key the profile uses'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the agent\'s API keys'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an API key'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke an API key'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Create a new key, switch the profile to it, prove it, then revoke the old one'
complete -c agentcred -n "__fish_agentcred_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -f -a "list" -d 'List the agent\'s verifiers'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -f -a "add" -d 'Add a verifier'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -f -a "remove" -d 'Remove a verifier'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and not __fish_seen_subcommand_from list add remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -f -a "secret" -d 'A server-generated client secret, shown once and stored'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -f -a "wallet" -d 'A wallet address on a CAIP-2 network'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from add" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l force -d 'Allow removing the verifier whose secret the profile uses'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the agent\'s verifiers'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a verifier'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a verifier'
complete -c agentcred -n "__fish_agentcred_using_subcommand verifiers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -f -a "list" -d 'List the agent\'s tokens (never the secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -f -a "create" -d 'Create an agent token, stored as a spare (or as the profile\'s token with --use)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -f -a "revoke" -d 'Revoke an agent token'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and not __fish_seen_subcommand_from list create revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l name -d 'A name for the token, to tell it apart in `tokens list`' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l use -d 'Make the new token the profile\'s token (the previous one stays stored as a spare)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l force -d 'Allow revoking the token the profile uses'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the agent\'s tokens (never the secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an agent token, stored as a spare (or as the profile\'s token with --use)'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke an agent token'
complete -c agentcred -n "__fish_agentcred_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -f -a "list" -d 'List the agent\'s cards'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -f -a "create" -d 'Create a card'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -f -a "show" -d 'Show one card (never its PAN or CVV)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and not __fish_seen_subcommand_from list create show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l purpose -d 'What the card is for (the service records it with the card)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l type -d 'Single-use (closes after one charge) or multi-use' -r -f -a "single\t''
multi\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l max-amount -d 'Maximum amount in dollars' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the agent\'s cards'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a card'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one card (never its PAN or CVV)'
complete -c agentcred -n "__fish_agentcred_using_subcommand cards; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -f -a "list" -d 'List profiles'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -f -a "show" -d 'Show one profile (default: the selected one)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -f -a "use" -d 'Make a profile the current one'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -f -a "remove" -d 'Delete a profile\'s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -f -a "move" -d 'Move a profile\'s secrets to another store (copy, verify, then delete the old copies)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and not __fish_seen_subcommand_from list show use remove move help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l names -d 'Print only the names, one per line (for scripts and shell completion; --json prints the full list as usual)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l purge -d 'Also destroy the profile\'s shared document in the vault, every version of it, for every host (asks for confirmation; --yes otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l to-store -d 'The store to move the profile\'s secrets to' -r -f -a "keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from move" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "list" -d 'List profiles'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one profile (default: the selected one)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "use" -d 'Make a profile the current one'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a profile\'s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "move" -d 'Move a profile\'s secrets to another store (copy, verify, then delete the old copies)'
complete -c agentcred -n "__fish_agentcred_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -f -a "set" -d 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -f -a "show" -d 'Show a profile\'s policy (default: the selected profile)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -f -a "clear" -d 'Remove a profile\'s policy: the gateway then forwards every request again'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -f -a "check" -d 'Dry-run a request against the selected profile\'s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and not __fish_seen_subcommand_from set show clear check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l body -d 'The request body (JSON), for money requests and approvals' -r -F
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "set" -d 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a profile\'s policy (default: the selected profile)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Remove a profile\'s policy: the gateway then forwards every request again'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "check" -d 'Dry-run a request against the selected profile\'s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)'
complete -c agentcred -n "__fish_agentcred_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -f -a "list" -d 'Requests held for approval (with --all, also those decided, used or expired)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -f -a "approve" -d 'Let one held request through once (run it outside the agent\'s own terminal)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -f -a "deny" -d 'Refuse a held request'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and not __fish_seen_subcommand_from list approve deny help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l all -d 'Also show approvals that were decided, used or expired'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from deny" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "list" -d 'Requests held for approval (with --all, also those decided, used or expired)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Let one held request through once (run it outside the agent\'s own terminal)'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "deny" -d 'Refuse a held request'
complete -c agentcred -n "__fish_agentcred_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l since -d 'Only entries younger than this (e.g. 1h, 2d)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l follow -d 'Keep printing entries as they are appended, until interrupted'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the log\'s hash chain; exit 8 (audit_broken) naming the first bad line'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the log\'s hash chain; exit 8 (audit_broken) naming the first bad line'
complete -c agentcred -n "__fish_agentcred_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -f -a "serve" -d 'Run the emulator in the foreground and print each service\'s base URL'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -f -a "approve" -d 'Play the owner of a sandbox profile\'s agent: approve it (which funds its wallet), or take the approval back with --revoke'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and not __fish_seen_subcommand_from serve approve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l port -d 'Port on 127.0.0.1 (0 picks a free one)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l state -d 'State file (default: the one `--sandbox` uses)' -r -F
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l revoke -d 'Take the owner\'s approval back instead (the wallet refuses the agent again)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Run the emulator in the foreground and print each service\'s base URL'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Play the owner of a sandbox profile\'s agent: approve it (which funds its wallet), or take the approval back with --revoke'
complete -c agentcred -n "__fish_agentcred_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand import" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand completions" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand schema" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "show" -d 'Show the agent as the operator sees it (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "suspend" -d 'Suspend the agent: no new tokens (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "activate" -d 'Reactivate a suspended agent (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "block" -d 'Block the agent for good (AuthPI)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "deregister" -d 'Deregister the agent: tokens revoked, cards frozen (Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "delete" -d 'Delete the agent and all its verifiers (AuthPI)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and not __fish_seen_subcommand_from show suspend activate block deregister delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l reason -d 'Why, recorded by the service with the change (optional)' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from suspend" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from activate" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l reason -d 'Why, recorded by the service with the block' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -s y -l yes -d 'Do not ask for confirmation'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from block" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -s y -l yes -d 'Do not ask for confirmation'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from deregister" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the agent as the operator sees it (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "suspend" -d 'Suspend the agent: no new tokens (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "activate" -d 'Reactivate a suspended agent (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "block" -d 'Block the agent for good (AuthPI)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "deregister" -d 'Deregister the agent: tokens revoked, cards frozen (Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete the agent and all its verifiers (AuthPI)'
complete -c agentcred -n "__fish_agentcred_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -f -a "show" -d 'Show the spending limit, current spend and what remains'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -f -a "set" -d 'Change the spending limit (Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and not __fish_seen_subcommand_from show set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l spending-limit -d 'Spending limit in dollars' -r
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l frequency -d 'The period over which spending counts against --spending-limit' -r -f -a "perTransaction\t''
per24HourPeriod\t''
perWeek\t''
perMonth\t''
perYear\t''
allTime\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l on-limit-exceeded -d 'What the service does when the agent reaches its limit' -r -f -a "suspend\t''
notify\t''
none\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l profile -d 'Profile to use (default: the current profile; for `register`, the provider\'s name); `mcp` takes it several times to serve several profiles' -r -f -a "(agentcred profiles list --names 2>/dev/null)"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l store -d 'Where secrets are kept for new profiles and logins' -r -f -a "auto\t''
keychain\t''
file\t''
vault\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l json -d 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l sandbox -d 'Use the built-in emulator of the services (offline, fake secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l no-input -d 'Never wait for input; fail with exit 2 where input would be needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -l reveal -d 'Print secrets in the output (they are hidden otherwise)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Trace HTTP requests on stderr (secrets redacted)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only data and errors, no status lines'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the spending limit, current spend and what remains'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change the spending limit (Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand limits; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "register" -d 'Register a new agent with a service and store its credentials'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "login" -d 'Store a service\'s operator (organization) key, from stdin or a prompt'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "logout" -d 'Remove stored operator credentials (does not revoke them on the service)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "refresh" -d 'Get a new short-lived credential (JWT or access token) for the profile'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "token" -d 'Print a bearer credential valid for at least --min-valid, refreshing first if needed'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "status" -d 'Show the agent\'s state at the service and the profile\'s local credential facts'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "exec" -d 'Run a command with the profile\'s short-lived credential and endpoints in its environment (or, with --gateway, with no credential at all)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "gateway" -d 'Run the credential gateway in the foreground: a loopback server that attaches the profile\'s credential to requests sent with its token'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "freeze" -d 'Stop every use of a profile\'s credentials at once (token, refresh, exec, gateways, mcp)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "unfreeze" -d 'Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "leaks" -d 'Find stored secret values in files, and rotate what leaked'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "mcp" -d 'Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check, request, refresh), never returning a stored secret'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "keys" -d 'Manage Fluxra API keys'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "verifiers" -d 'Manage AuthPI agent verifiers'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "tokens" -d 'Manage Proxy agent tokens'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "cards" -d 'Manage Proxy cards'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "profiles" -d 'List, show, select and remove profiles'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "policy" -d 'What an agent may do through the gateway and MCP: rules, rate, spending caps'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "approvals" -d 'Requests the policy holds for a person: list, approve or deny them'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "audit" -d 'Show the audit log of credential releases and uses (or verify its hash chain)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "sandbox" -d 'Run the built-in emulator of the services'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "import" -d 'Store the secrets of a rescue file in the profile\'s store, record the profile, and delete the file'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "doctor" -d 'Check what the credential stores need, and say how to fix what is wrong'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "completions" -d 'Print a shell completion script'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "schema" -d 'Print the machine contract as JSON: commands, arguments, exit and error codes, and the JSON Schema of every command\'s --json output'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "agent" -d 'The operator\'s lifecycle of the profile\'s agent (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "limits" -d 'Show or set the agent\'s spending limits (FluxA and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and not __fish_seen_subcommand_from register login logout refresh token status exec gateway freeze unfreeze leaks mcp keys verifiers tokens cards profiles policy approvals audit sandbox import doctor completions schema agent limits help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from register" -f -a "fluxa" -d 'Register a FluxA agent (agent id, refresh token, JWT)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from register" -f -a "fluxra" -d 'Register a Fluxra agent (recovery key, API key, JWT)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from register" -f -a "authpi" -d 'Create an AuthPI agent with a secret verifier (operator credentials needed)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from register" -f -a "proxy" -d 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from leaks" -f -a "scan" -d 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "list" -d 'List the agent\'s API keys'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "create" -d 'Create an API key'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "revoke" -d 'Revoke an API key'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "rotate" -d 'Create a new key, switch the profile to it, prove it, then revoke the old one'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from verifiers" -f -a "list" -d 'List the agent\'s verifiers'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from verifiers" -f -a "add" -d 'Add a verifier'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from verifiers" -f -a "remove" -d 'Remove a verifier'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "list" -d 'List the agent\'s tokens (never the secrets)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "create" -d 'Create an agent token, stored as a spare (or as the profile\'s token with --use)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "revoke" -d 'Revoke an agent token'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from cards" -f -a "list" -d 'List the agent\'s cards'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from cards" -f -a "create" -d 'Create a card'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from cards" -f -a "show" -d 'Show one card (never its PAN or CVV)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "list" -d 'List profiles'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "show" -d 'Show one profile (default: the selected one)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "use" -d 'Make a profile the current one'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "remove" -d 'Delete a profile\'s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "move" -d 'Move a profile\'s secrets to another store (copy, verify, then delete the old copies)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "set" -d 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Show a profile\'s policy (default: the selected profile)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "clear" -d 'Remove a profile\'s policy: the gateway then forwards every request again'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "check" -d 'Dry-run a request against the selected profile\'s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "list" -d 'Requests held for approval (with --all, also those decided, used or expired)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "approve" -d 'Let one held request through once (run it outside the agent\'s own terminal)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "deny" -d 'Refuse a held request'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the log\'s hash chain; exit 8 (audit_broken) naming the first bad line'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "serve" -d 'Run the emulator in the foreground and print each service\'s base URL'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "approve" -d 'Play the owner of a sandbox profile\'s agent: approve it (which funds its wallet), or take the approval back with --revoke'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "show" -d 'Show the agent as the operator sees it (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "suspend" -d 'Suspend the agent: no new tokens (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "activate" -d 'Reactivate a suspended agent (AuthPI and Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "block" -d 'Block the agent for good (AuthPI)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "deregister" -d 'Deregister the agent: tokens revoked, cards frozen (Proxy)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "delete" -d 'Delete the agent and all its verifiers (AuthPI)'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from limits" -f -a "show" -d 'Show the spending limit, current spend and what remains'
complete -c agentcred -n "__fish_agentcred_using_subcommand help; and __fish_seen_subcommand_from limits" -f -a "set" -d 'Change the spending limit (Proxy)'
function __fish_agentcred_after_profile
    test (count (commandline -opc)) -gt 1; and test (commandline -opc)[-1] = --profile
end
complete -c agentcred -n "__fish_agentcred_after_profile" -f -a "(agentcred profiles list --names 2>/dev/null)"
