
use builtin;
use str;

set edit:completion:arg-completer[agentcred] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'agentcred'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'agentcred'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand register 'Register a new agent with a service and store its credentials'
            cand login 'Store a service''s operator (organization) key, from stdin or a prompt'
            cand logout 'Remove stored operator credentials (does not revoke them on the service)'
            cand refresh 'Get a new short-lived credential (JWT or access token) for the profile'
            cand token 'Print a bearer credential valid for at least --min-valid, refreshing first if needed'
            cand status 'Show the agent''s state at the service and the profile''s local credential facts'
            cand exec 'Run a command with the profile''s short-lived credential and endpoints in its environment (or, with --gateway, with no credential at all)'
            cand gateway 'Run the credential gateway in the foreground: a loopback server that attaches the profile''s credential to requests sent with its token'
            cand freeze 'Stop every use of a profile''s credentials at once (token, refresh, exec, gateways, mcp)'
            cand unfreeze 'Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)'
            cand leaks 'Find stored secret values in files, and rotate what leaked'
            cand mcp 'Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check, request, refresh), never returning a stored secret'
            cand keys 'Manage Fluxra API keys'
            cand verifiers 'Manage AuthPI agent verifiers'
            cand tokens 'Manage Proxy agent tokens'
            cand cards 'Manage Proxy cards'
            cand profiles 'List, show, select and remove profiles'
            cand policy 'What an agent may do through the gateway and MCP: rules, rate, spending caps'
            cand approvals 'Requests the policy holds for a person: list, approve or deny them'
            cand audit 'Show the audit log of credential releases and uses (or verify its hash chain)'
            cand sandbox 'Run the built-in emulator of the services'
            cand import 'Store the secrets of a rescue file in the profile''s store, record the profile, and delete the file'
            cand doctor 'Check what the credential stores need, and say how to fix what is wrong'
            cand completions 'Print a shell completion script'
            cand schema 'Print the machine contract as JSON: commands, arguments, exit and error codes, and the JSON Schema of every command''s --json output'
            cand agent 'The operator''s lifecycle of the profile''s agent (AuthPI and Proxy)'
            cand limits 'Show or set the agent''s spending limits (FluxA and Proxy)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;register'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand fluxa 'Register a FluxA agent (agent id, refresh token, JWT)'
            cand fluxra 'Register a Fluxra agent (recovery key, API key, JWT)'
            cand authpi 'Create an AuthPI agent with a secret verifier (operator credentials needed)'
            cand proxy 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;register;fluxa'= {
            cand --name 'The agent''s display name'
            cand --email 'Contact email for the agent (optional)'
            cand --client-info 'A short identifier of the client software'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;register;fluxra'= {
            cand --name 'Agent name: 3-50 letters, digits or ''-'''
            cand --email 'Contact email for the agent (optional)'
            cand --description 'What the agent does, as the service shows it (optional)'
            cand --key-name 'Name of the first API key'
            cand --scope 'Scopes of the first API key (repeatable; default: the service''s defaults)'
            cand --key-expires-in-days 'Expiry of the first API key in days (default: no expiry)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;register;authpi'= {
            cand --account 'AuthPI account id (acc_...)'
            cand --issuer 'AuthPI issuer id (i_...)'
            cand --name 'The agent''s display name'
            cand --description 'What the agent does, as the service shows it (optional)'
            cand --model 'AI model identifier (e.g. claude-sonnet-4-5)'
            cand --provider 'Model provider (e.g. anthropic)'
            cand --agent-version 'Agent version string'
            cand --scope 'Scope ceiling for the agent''s tokens (repeatable)'
            cand --metadata 'Metadata entry (repeatable)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --no-secret 'Do not add a secret verifier (no client secret, no token)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;register;proxy'= {
            cand --external-id 'Your identifier for the agent, unique in your organization'
            cand --user 'The user who funds the agent (user_...)'
            cand --name 'The agent''s display name'
            cand --description 'What the agent does, as the service shows it (optional)'
            cand --spending-limit 'Spending limit in dollars (e.g. 500 or 12.50)'
            cand --frequency 'The period over which spending counts against --spending-limit'
            cand --on-limit-exceeded 'What the service does when the agent reaches its limit'
            cand --max-cards 'Maximum number of concurrent cards'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;register;help'= {
            cand fluxa 'Register a FluxA agent (agent id, refresh token, JWT)'
            cand fluxra 'Register a Fluxra agent (recovery key, API key, JWT)'
            cand authpi 'Create an AuthPI agent with a secret verifier (operator credentials needed)'
            cand proxy 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;register;help;fluxa'= {
        }
        &'agentcred;register;help;fluxra'= {
        }
        &'agentcred;register;help;authpi'= {
        }
        &'agentcred;register;help;proxy'= {
        }
        &'agentcred;register;help;help'= {
        }
        &'agentcred;login'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --no-verify 'Store the key without checking it with the service first (login only)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;logout'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --no-verify 'Store the key without checking it with the service first (login only)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;refresh'= {
            cand --if-expiring-within 'Refresh only if the current credential expires within this duration (e.g. 5m)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;token'= {
            cand --min-valid 'Minimum remaining validity of the printed credential'
            cand --reason 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;status'= {
            cand --min-valid 'With --check: a credential must stay valid this long'
            cand --min-remaining 'With --check: at least this much budget must remain (in the budget''s currency)'
            cand --network 'Network of the wallet balance, for services with a wallet (default base)'
            cand --tx-limit 'Number of recent wallet transactions (1-100, default 20)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --all 'Every profile: local facts only (no network), or with --check, checked concurrently'
            cand --check 'Judge whether the profile can act now and exit with one code (0 ok, 4 invalid, 6 unknown, 7 store unavailable, 8 may not act)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;exec'= {
            cand --min-valid 'Minimum remaining validity of the credential the command gets (raised to what the service''s own tools need; not used with --gateway, which keeps it fresh)'
            cand --reason 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)'
            cand --isolate 'Run the command where it cannot reach any stored credential (Linux): agentcred''s directories, the keyring, the session bus, vault tokens and agentcred''s own process are out of its reach. Without every protection the command is not started, unless `=best-effort`'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --gateway 'Give the command no credential at all: start the credential gateway on 127.0.0.1 and point the command''s base URLs at it'
            cand --ephemeral 'With --gateway: mint a credential for this run only (named agentcred-run-ID at the service) and revoke it when the run ends'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'agentcred;gateway'= {
            cand --port 'Port on 127.0.0.1 (0 picks a free one)'
            cand --reason 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --ephemeral 'Mint a credential for this gateway only (named agentcred-run-ID at the service) and revoke it when the gateway stops'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;freeze'= {
            cand --reason 'Why (recorded with the freeze and shown by every refusal)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --all 'Freeze every profile'
            cand --upstream 'Also act at the service: suspend the agent where the service has a suspension, and revoke spare and run credentials'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;unfreeze'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --all 'Unfreeze every profile'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;leaks'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand scan 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;leaks;scan'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --rotate 'Replace each leaked credential the service lets agentcred replace, then scan again'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;leaks;help'= {
            cand scan 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;leaks;help;scan'= {
        }
        &'agentcred;leaks;help;help'= {
        }
        &'agentcred;mcp'= {
            cand --reason 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --allow-writes 'Let the `request` tool send methods other than GET (POST, PATCH, PUT, DELETE)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;keys'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the agent''s API keys'
            cand create 'Create an API key'
            cand revoke 'Revoke an API key'
            cand rotate 'Create a new key, switch the profile to it, prove it, then revoke the old one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;keys;list'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;keys;create'= {
            cand --name 'A name for the key, to tell it apart in `keys list`'
            cand --scope 'Scopes of the new key (repeatable; default: the service''s defaults)'
            cand --expires-in-days 'Expiry of the new key in days (default: no expiry)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --use 'Make the new key the profile''s key'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;keys;revoke'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --force 'Allow revoking the key the profile uses'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;keys;rotate'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;keys;help'= {
            cand list 'List the agent''s API keys'
            cand create 'Create an API key'
            cand revoke 'Revoke an API key'
            cand rotate 'Create a new key, switch the profile to it, prove it, then revoke the old one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;keys;help;list'= {
        }
        &'agentcred;keys;help;create'= {
        }
        &'agentcred;keys;help;revoke'= {
        }
        &'agentcred;keys;help;rotate'= {
        }
        &'agentcred;keys;help;help'= {
        }
        &'agentcred;verifiers'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the agent''s verifiers'
            cand add 'Add a verifier'
            cand remove 'Remove a verifier'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;verifiers;list'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;verifiers;add'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand secret 'A server-generated client secret, shown once and stored'
            cand wallet 'A wallet address on a CAIP-2 network'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;verifiers;add;secret'= {
            cand --name 'A name for the verifier, to tell it apart in `verifiers list`'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --use 'Make the new secret the profile''s client secret'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;verifiers;add;wallet'= {
            cand --address 'The wallet''s address on --network (e.g. 0x...)'
            cand --network 'CAIP-2 network id, e.g. eip155:8453'
            cand --name 'A name for the verifier, to tell it apart in `verifiers list`'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;verifiers;add;help'= {
            cand secret 'A server-generated client secret, shown once and stored'
            cand wallet 'A wallet address on a CAIP-2 network'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;verifiers;add;help;secret'= {
        }
        &'agentcred;verifiers;add;help;wallet'= {
        }
        &'agentcred;verifiers;add;help;help'= {
        }
        &'agentcred;verifiers;remove'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --force 'Allow removing the verifier whose secret the profile uses'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;verifiers;help'= {
            cand list 'List the agent''s verifiers'
            cand add 'Add a verifier'
            cand remove 'Remove a verifier'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;verifiers;help;list'= {
        }
        &'agentcred;verifiers;help;add'= {
            cand secret 'A server-generated client secret, shown once and stored'
            cand wallet 'A wallet address on a CAIP-2 network'
        }
        &'agentcred;verifiers;help;add;secret'= {
        }
        &'agentcred;verifiers;help;add;wallet'= {
        }
        &'agentcred;verifiers;help;remove'= {
        }
        &'agentcred;verifiers;help;help'= {
        }
        &'agentcred;tokens'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the agent''s tokens (never the secrets)'
            cand create 'Create an agent token, stored as a spare (or as the profile''s token with --use)'
            cand revoke 'Revoke an agent token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;tokens;list'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;tokens;create'= {
            cand --name 'A name for the token, to tell it apart in `tokens list`'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --use 'Make the new token the profile''s token (the previous one stays stored as a spare)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;tokens;revoke'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --force 'Allow revoking the token the profile uses'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;tokens;help'= {
            cand list 'List the agent''s tokens (never the secrets)'
            cand create 'Create an agent token, stored as a spare (or as the profile''s token with --use)'
            cand revoke 'Revoke an agent token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;tokens;help;list'= {
        }
        &'agentcred;tokens;help;create'= {
        }
        &'agentcred;tokens;help;revoke'= {
        }
        &'agentcred;tokens;help;help'= {
        }
        &'agentcred;cards'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the agent''s cards'
            cand create 'Create a card'
            cand show 'Show one card (never its PAN or CVV)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;cards;list'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;cards;create'= {
            cand --purpose 'What the card is for (the service records it with the card)'
            cand --type 'Single-use (closes after one charge) or multi-use'
            cand --max-amount 'Maximum amount in dollars'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;cards;show'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;cards;help'= {
            cand list 'List the agent''s cards'
            cand create 'Create a card'
            cand show 'Show one card (never its PAN or CVV)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;cards;help;list'= {
        }
        &'agentcred;cards;help;create'= {
        }
        &'agentcred;cards;help;show'= {
        }
        &'agentcred;cards;help;help'= {
        }
        &'agentcred;profiles'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List profiles'
            cand show 'Show one profile (default: the selected one)'
            cand use 'Make a profile the current one'
            cand remove 'Delete a profile''s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given'
            cand move 'Move a profile''s secrets to another store (copy, verify, then delete the old copies)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;profiles;list'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --names 'Print only the names, one per line (for scripts and shell completion; --json prints the full list as usual)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;profiles;show'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;profiles;use'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;profiles;remove'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --purge 'Also destroy the profile''s shared document in the vault, every version of it, for every host (asks for confirmation; --yes otherwise)'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;profiles;move'= {
            cand --to-store 'The store to move the profile''s secrets to'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;profiles;help'= {
            cand list 'List profiles'
            cand show 'Show one profile (default: the selected one)'
            cand use 'Make a profile the current one'
            cand remove 'Delete a profile''s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given'
            cand move 'Move a profile''s secrets to another store (copy, verify, then delete the old copies)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;profiles;help;list'= {
        }
        &'agentcred;profiles;help;show'= {
        }
        &'agentcred;profiles;help;use'= {
        }
        &'agentcred;profiles;help;remove'= {
        }
        &'agentcred;profiles;help;move'= {
        }
        &'agentcred;profiles;help;help'= {
        }
        &'agentcred;policy'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes'
            cand show 'Show a profile''s policy (default: the selected profile)'
            cand clear 'Remove a profile''s policy: the gateway then forwards every request again'
            cand check 'Dry-run a request against the selected profile''s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;policy;set'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;policy;show'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;policy;clear'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;policy;check'= {
            cand --body 'The request body (JSON), for money requests and approvals'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;policy;help'= {
            cand set 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes'
            cand show 'Show a profile''s policy (default: the selected profile)'
            cand clear 'Remove a profile''s policy: the gateway then forwards every request again'
            cand check 'Dry-run a request against the selected profile''s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;policy;help;set'= {
        }
        &'agentcred;policy;help;show'= {
        }
        &'agentcred;policy;help;clear'= {
        }
        &'agentcred;policy;help;check'= {
        }
        &'agentcred;policy;help;help'= {
        }
        &'agentcred;approvals'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Requests held for approval (with --all, also those decided, used or expired)'
            cand approve 'Let one held request through once (run it outside the agent''s own terminal)'
            cand deny 'Refuse a held request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;approvals;list'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --all 'Also show approvals that were decided, used or expired'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;approvals;approve'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;approvals;deny'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;approvals;help'= {
            cand list 'Requests held for approval (with --all, also those decided, used or expired)'
            cand approve 'Let one held request through once (run it outside the agent''s own terminal)'
            cand deny 'Refuse a held request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;approvals;help;list'= {
        }
        &'agentcred;approvals;help;approve'= {
        }
        &'agentcred;approvals;help;deny'= {
        }
        &'agentcred;approvals;help;help'= {
        }
        &'agentcred;audit'= {
            cand --since 'Only entries younger than this (e.g. 1h, 2d)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --follow 'Keep printing entries as they are appended, until interrupted'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand verify 'Check the log''s hash chain; exit 8 (audit_broken) naming the first bad line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;audit;verify'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;audit;help'= {
            cand verify 'Check the log''s hash chain; exit 8 (audit_broken) naming the first bad line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;audit;help;verify'= {
        }
        &'agentcred;audit;help;help'= {
        }
        &'agentcred;sandbox'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand serve 'Run the emulator in the foreground and print each service''s base URL'
            cand approve 'Play the owner of a sandbox profile''s agent: approve it (which funds its wallet), or take the approval back with --revoke'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;sandbox;serve'= {
            cand --port 'Port on 127.0.0.1 (0 picks a free one)'
            cand --state 'State file (default: the one `--sandbox` uses)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;sandbox;approve'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --revoke 'Take the owner''s approval back instead (the wallet refuses the agent again)'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;sandbox;help'= {
            cand serve 'Run the emulator in the foreground and print each service''s base URL'
            cand approve 'Play the owner of a sandbox profile''s agent: approve it (which funds its wallet), or take the approval back with --revoke'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;sandbox;help;serve'= {
        }
        &'agentcred;sandbox;help;approve'= {
        }
        &'agentcred;sandbox;help;help'= {
        }
        &'agentcred;import'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;doctor'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;completions'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;schema'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Show the agent as the operator sees it (AuthPI and Proxy)'
            cand suspend 'Suspend the agent: no new tokens (AuthPI and Proxy)'
            cand activate 'Reactivate a suspended agent (AuthPI and Proxy)'
            cand block 'Block the agent for good (AuthPI)'
            cand deregister 'Deregister the agent: tokens revoked, cards frozen (Proxy)'
            cand delete 'Delete the agent and all its verifiers (AuthPI)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;agent;show'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent;suspend'= {
            cand --reason 'Why, recorded by the service with the change (optional)'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent;activate'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent;block'= {
            cand --reason 'Why, recorded by the service with the block'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent;deregister'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent;delete'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;agent;help'= {
            cand show 'Show the agent as the operator sees it (AuthPI and Proxy)'
            cand suspend 'Suspend the agent: no new tokens (AuthPI and Proxy)'
            cand activate 'Reactivate a suspended agent (AuthPI and Proxy)'
            cand block 'Block the agent for good (AuthPI)'
            cand deregister 'Deregister the agent: tokens revoked, cards frozen (Proxy)'
            cand delete 'Delete the agent and all its verifiers (AuthPI)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;agent;help;show'= {
        }
        &'agentcred;agent;help;suspend'= {
        }
        &'agentcred;agent;help;activate'= {
        }
        &'agentcred;agent;help;block'= {
        }
        &'agentcred;agent;help;deregister'= {
        }
        &'agentcred;agent;help;delete'= {
        }
        &'agentcred;agent;help;help'= {
        }
        &'agentcred;limits'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Show the spending limit, current spend and what remains'
            cand set 'Change the spending limit (Proxy)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;limits;show'= {
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;limits;set'= {
            cand --spending-limit 'Spending limit in dollars'
            cand --frequency 'The period over which spending counts against --spending-limit'
            cand --on-limit-exceeded 'What the service does when the agent reaches its limit'
            cand --profile 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles'
            cand --store 'Where secrets are kept for new profiles and logins'
            cand --color 'When to use colour'
            cand --json 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)'
            cand --sandbox 'Use the built-in emulator of the services (offline, fake secrets)'
            cand --no-input 'Never wait for input; fail with exit 2 where input would be needed'
            cand --reveal 'Print secrets in the output (they are hidden otherwise)'
            cand -v 'Trace HTTP requests on stderr (secrets redacted)'
            cand --verbose 'Trace HTTP requests on stderr (secrets redacted)'
            cand -q 'Print only data and errors, no status lines'
            cand --quiet 'Print only data and errors, no status lines'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'agentcred;limits;help'= {
            cand show 'Show the spending limit, current spend and what remains'
            cand set 'Change the spending limit (Proxy)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;limits;help;show'= {
        }
        &'agentcred;limits;help;set'= {
        }
        &'agentcred;limits;help;help'= {
        }
        &'agentcred;help'= {
            cand register 'Register a new agent with a service and store its credentials'
            cand login 'Store a service''s operator (organization) key, from stdin or a prompt'
            cand logout 'Remove stored operator credentials (does not revoke them on the service)'
            cand refresh 'Get a new short-lived credential (JWT or access token) for the profile'
            cand token 'Print a bearer credential valid for at least --min-valid, refreshing first if needed'
            cand status 'Show the agent''s state at the service and the profile''s local credential facts'
            cand exec 'Run a command with the profile''s short-lived credential and endpoints in its environment (or, with --gateway, with no credential at all)'
            cand gateway 'Run the credential gateway in the foreground: a loopback server that attaches the profile''s credential to requests sent with its token'
            cand freeze 'Stop every use of a profile''s credentials at once (token, refresh, exec, gateways, mcp)'
            cand unfreeze 'Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)'
            cand leaks 'Find stored secret values in files, and rotate what leaked'
            cand mcp 'Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check, request, refresh), never returning a stored secret'
            cand keys 'Manage Fluxra API keys'
            cand verifiers 'Manage AuthPI agent verifiers'
            cand tokens 'Manage Proxy agent tokens'
            cand cards 'Manage Proxy cards'
            cand profiles 'List, show, select and remove profiles'
            cand policy 'What an agent may do through the gateway and MCP: rules, rate, spending caps'
            cand approvals 'Requests the policy holds for a person: list, approve or deny them'
            cand audit 'Show the audit log of credential releases and uses (or verify its hash chain)'
            cand sandbox 'Run the built-in emulator of the services'
            cand import 'Store the secrets of a rescue file in the profile''s store, record the profile, and delete the file'
            cand doctor 'Check what the credential stores need, and say how to fix what is wrong'
            cand completions 'Print a shell completion script'
            cand schema 'Print the machine contract as JSON: commands, arguments, exit and error codes, and the JSON Schema of every command''s --json output'
            cand agent 'The operator''s lifecycle of the profile''s agent (AuthPI and Proxy)'
            cand limits 'Show or set the agent''s spending limits (FluxA and Proxy)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentcred;help;register'= {
            cand fluxa 'Register a FluxA agent (agent id, refresh token, JWT)'
            cand fluxra 'Register a Fluxra agent (recovery key, API key, JWT)'
            cand authpi 'Create an AuthPI agent with a secret verifier (operator credentials needed)'
            cand proxy 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)'
        }
        &'agentcred;help;register;fluxa'= {
        }
        &'agentcred;help;register;fluxra'= {
        }
        &'agentcred;help;register;authpi'= {
        }
        &'agentcred;help;register;proxy'= {
        }
        &'agentcred;help;login'= {
        }
        &'agentcred;help;logout'= {
        }
        &'agentcred;help;refresh'= {
        }
        &'agentcred;help;token'= {
        }
        &'agentcred;help;status'= {
        }
        &'agentcred;help;exec'= {
        }
        &'agentcred;help;gateway'= {
        }
        &'agentcred;help;freeze'= {
        }
        &'agentcred;help;unfreeze'= {
        }
        &'agentcred;help;leaks'= {
            cand scan 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files'
        }
        &'agentcred;help;leaks;scan'= {
        }
        &'agentcred;help;mcp'= {
        }
        &'agentcred;help;keys'= {
            cand list 'List the agent''s API keys'
            cand create 'Create an API key'
            cand revoke 'Revoke an API key'
            cand rotate 'Create a new key, switch the profile to it, prove it, then revoke the old one'
        }
        &'agentcred;help;keys;list'= {
        }
        &'agentcred;help;keys;create'= {
        }
        &'agentcred;help;keys;revoke'= {
        }
        &'agentcred;help;keys;rotate'= {
        }
        &'agentcred;help;verifiers'= {
            cand list 'List the agent''s verifiers'
            cand add 'Add a verifier'
            cand remove 'Remove a verifier'
        }
        &'agentcred;help;verifiers;list'= {
        }
        &'agentcred;help;verifiers;add'= {
            cand secret 'A server-generated client secret, shown once and stored'
            cand wallet 'A wallet address on a CAIP-2 network'
        }
        &'agentcred;help;verifiers;add;secret'= {
        }
        &'agentcred;help;verifiers;add;wallet'= {
        }
        &'agentcred;help;verifiers;remove'= {
        }
        &'agentcred;help;tokens'= {
            cand list 'List the agent''s tokens (never the secrets)'
            cand create 'Create an agent token, stored as a spare (or as the profile''s token with --use)'
            cand revoke 'Revoke an agent token'
        }
        &'agentcred;help;tokens;list'= {
        }
        &'agentcred;help;tokens;create'= {
        }
        &'agentcred;help;tokens;revoke'= {
        }
        &'agentcred;help;cards'= {
            cand list 'List the agent''s cards'
            cand create 'Create a card'
            cand show 'Show one card (never its PAN or CVV)'
        }
        &'agentcred;help;cards;list'= {
        }
        &'agentcred;help;cards;create'= {
        }
        &'agentcred;help;cards;show'= {
        }
        &'agentcred;help;profiles'= {
            cand list 'List profiles'
            cand show 'Show one profile (default: the selected one)'
            cand use 'Make a profile the current one'
            cand remove 'Delete a profile''s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given'
            cand move 'Move a profile''s secrets to another store (copy, verify, then delete the old copies)'
        }
        &'agentcred;help;profiles;list'= {
        }
        &'agentcred;help;profiles;show'= {
        }
        &'agentcred;help;profiles;use'= {
        }
        &'agentcred;help;profiles;remove'= {
        }
        &'agentcred;help;profiles;move'= {
        }
        &'agentcred;help;policy'= {
            cand set 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes'
            cand show 'Show a profile''s policy (default: the selected profile)'
            cand clear 'Remove a profile''s policy: the gateway then forwards every request again'
            cand check 'Dry-run a request against the selected profile''s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)'
        }
        &'agentcred;help;policy;set'= {
        }
        &'agentcred;help;policy;show'= {
        }
        &'agentcred;help;policy;clear'= {
        }
        &'agentcred;help;policy;check'= {
        }
        &'agentcred;help;approvals'= {
            cand list 'Requests held for approval (with --all, also those decided, used or expired)'
            cand approve 'Let one held request through once (run it outside the agent''s own terminal)'
            cand deny 'Refuse a held request'
        }
        &'agentcred;help;approvals;list'= {
        }
        &'agentcred;help;approvals;approve'= {
        }
        &'agentcred;help;approvals;deny'= {
        }
        &'agentcred;help;audit'= {
            cand verify 'Check the log''s hash chain; exit 8 (audit_broken) naming the first bad line'
        }
        &'agentcred;help;audit;verify'= {
        }
        &'agentcred;help;sandbox'= {
            cand serve 'Run the emulator in the foreground and print each service''s base URL'
            cand approve 'Play the owner of a sandbox profile''s agent: approve it (which funds its wallet), or take the approval back with --revoke'
        }
        &'agentcred;help;sandbox;serve'= {
        }
        &'agentcred;help;sandbox;approve'= {
        }
        &'agentcred;help;import'= {
        }
        &'agentcred;help;doctor'= {
        }
        &'agentcred;help;completions'= {
        }
        &'agentcred;help;schema'= {
        }
        &'agentcred;help;agent'= {
            cand show 'Show the agent as the operator sees it (AuthPI and Proxy)'
            cand suspend 'Suspend the agent: no new tokens (AuthPI and Proxy)'
            cand activate 'Reactivate a suspended agent (AuthPI and Proxy)'
            cand block 'Block the agent for good (AuthPI)'
            cand deregister 'Deregister the agent: tokens revoked, cards frozen (Proxy)'
            cand delete 'Delete the agent and all its verifiers (AuthPI)'
        }
        &'agentcred;help;agent;show'= {
        }
        &'agentcred;help;agent;suspend'= {
        }
        &'agentcred;help;agent;activate'= {
        }
        &'agentcred;help;agent;block'= {
        }
        &'agentcred;help;agent;deregister'= {
        }
        &'agentcred;help;agent;delete'= {
        }
        &'agentcred;help;limits'= {
            cand show 'Show the spending limit, current spend and what remains'
            cand set 'Change the spending limit (Proxy)'
        }
        &'agentcred;help;limits;show'= {
        }
        &'agentcred;help;limits;set'= {
        }
        &'agentcred;help;help'= {
        }
    ]
    $completions[$command]
}
