
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'agentcred' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'agentcred'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'agentcred' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a new agent with a service and store its credentials')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store a service''s operator (organization) key, from stdin or a prompt')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove stored operator credentials (does not revoke them on the service)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Get a new short-lived credential (JWT or access token) for the profile')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a bearer credential valid for at least --min-valid, refreshing first if needed')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the agent''s state at the service and the profile''s local credential facts')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with the profile''s short-lived credential and endpoints in its environment (or, with --gateway, with no credential at all)')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Run the credential gateway in the foreground: a loopback server that attaches the profile''s credential to requests sent with its token')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'Stop every use of a profile''s credentials at once (token, refresh, exec, gateways, mcp)')
            [CompletionResult]::new('unfreeze', 'unfreeze', [CompletionResultType]::ParameterValue, 'Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)')
            [CompletionResult]::new('leaks', 'leaks', [CompletionResultType]::ParameterValue, 'Find stored secret values in files, and rotate what leaked')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check, request, refresh), never returning a stored secret')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage Fluxra API keys')
            [CompletionResult]::new('verifiers', 'verifiers', [CompletionResultType]::ParameterValue, 'Manage AuthPI agent verifiers')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'Manage Proxy agent tokens')
            [CompletionResult]::new('cards', 'cards', [CompletionResultType]::ParameterValue, 'Manage Proxy cards')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List, show, select and remove profiles')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'What an agent may do through the gateway and MCP: rules, rate, spending caps')
            [CompletionResult]::new('approvals', 'approvals', [CompletionResultType]::ParameterValue, 'Requests the policy holds for a person: list, approve or deny them')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log of credential releases and uses (or verify its hash chain)')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run the built-in emulator of the services')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Store the secrets of a rescue file in the profile''s store, record the profile, and delete the file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what the credential stores need, and say how to fix what is wrong')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the machine contract as JSON: commands, arguments, exit and error codes, and the JSON Schema of every command''s --json output')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'The operator''s lifecycle of the profile''s agent (AuthPI and Proxy)')
            [CompletionResult]::new('limits', 'limits', [CompletionResultType]::ParameterValue, 'Show or set the agent''s spending limits (FluxA and Proxy)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;register' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('fluxa', 'fluxa', [CompletionResultType]::ParameterValue, 'Register a FluxA agent (agent id, refresh token, JWT)')
            [CompletionResult]::new('fluxra', 'fluxra', [CompletionResultType]::ParameterValue, 'Register a Fluxra agent (recovery key, API key, JWT)')
            [CompletionResult]::new('authpi', 'authpi', [CompletionResultType]::ParameterValue, 'Create an AuthPI agent with a secret verifier (operator credentials needed)')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;register;fluxa' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The agent''s display name')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Contact email for the agent (optional)')
            [CompletionResult]::new('--client-info', '--client-info', [CompletionResultType]::ParameterName, 'A short identifier of the client software')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;register;fluxra' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Agent name: 3-50 letters, digits or ''-''')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Contact email for the agent (optional)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the agent does, as the service shows it (optional)')
            [CompletionResult]::new('--key-name', '--key-name', [CompletionResultType]::ParameterName, 'Name of the first API key')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes of the first API key (repeatable; default: the service''s defaults)')
            [CompletionResult]::new('--key-expires-in-days', '--key-expires-in-days', [CompletionResultType]::ParameterName, 'Expiry of the first API key in days (default: no expiry)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;register;authpi' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'AuthPI account id (acc_...)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'AuthPI issuer id (i_...)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The agent''s display name')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the agent does, as the service shows it (optional)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'AI model identifier (e.g. claude-sonnet-4-5)')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Model provider (e.g. anthropic)')
            [CompletionResult]::new('--agent-version', '--agent-version', [CompletionResultType]::ParameterName, 'Agent version string')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scope ceiling for the agent''s tokens (repeatable)')
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'Metadata entry (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-secret', '--no-secret', [CompletionResultType]::ParameterName, 'Do not add a secret verifier (no client secret, no token)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;register;proxy' {
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'Your identifier for the agent, unique in your organization')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user who funds the agent (user_...)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The agent''s display name')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the agent does, as the service shows it (optional)')
            [CompletionResult]::new('--spending-limit', '--spending-limit', [CompletionResultType]::ParameterName, 'Spending limit in dollars (e.g. 500 or 12.50)')
            [CompletionResult]::new('--frequency', '--frequency', [CompletionResultType]::ParameterName, 'The period over which spending counts against --spending-limit')
            [CompletionResult]::new('--on-limit-exceeded', '--on-limit-exceeded', [CompletionResultType]::ParameterName, 'What the service does when the agent reaches its limit')
            [CompletionResult]::new('--max-cards', '--max-cards', [CompletionResultType]::ParameterName, 'Maximum number of concurrent cards')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;register;help' {
            [CompletionResult]::new('fluxa', 'fluxa', [CompletionResultType]::ParameterValue, 'Register a FluxA agent (agent id, refresh token, JWT)')
            [CompletionResult]::new('fluxra', 'fluxra', [CompletionResultType]::ParameterValue, 'Register a Fluxra agent (recovery key, API key, JWT)')
            [CompletionResult]::new('authpi', 'authpi', [CompletionResultType]::ParameterValue, 'Create an AuthPI agent with a secret verifier (operator credentials needed)')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;register;help;fluxa' {
            break
        }
        'agentcred;register;help;fluxra' {
            break
        }
        'agentcred;register;help;authpi' {
            break
        }
        'agentcred;register;help;proxy' {
            break
        }
        'agentcred;register;help;help' {
            break
        }
        'agentcred;login' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Store the key without checking it with the service first (login only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;logout' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Store the key without checking it with the service first (login only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;refresh' {
            [CompletionResult]::new('--if-expiring-within', '--if-expiring-within', [CompletionResultType]::ParameterName, 'Refresh only if the current credential expires within this duration (e.g. 5m)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;token' {
            [CompletionResult]::new('--min-valid', '--min-valid', [CompletionResultType]::ParameterName, 'Minimum remaining validity of the printed credential')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;status' {
            [CompletionResult]::new('--min-valid', '--min-valid', [CompletionResultType]::ParameterName, 'With --check: a credential must stay valid this long')
            [CompletionResult]::new('--min-remaining', '--min-remaining', [CompletionResultType]::ParameterName, 'With --check: at least this much budget must remain (in the budget''s currency)')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'Network of the wallet balance, for services with a wallet (default base)')
            [CompletionResult]::new('--tx-limit', '--tx-limit', [CompletionResultType]::ParameterName, 'Number of recent wallet transactions (1-100, default 20)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every profile: local facts only (no network), or with --check, checked concurrently')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Judge whether the profile can act now and exit with one code (0 ok, 4 invalid, 6 unknown, 7 store unavailable, 8 may not act)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;exec' {
            [CompletionResult]::new('--min-valid', '--min-valid', [CompletionResultType]::ParameterName, 'Minimum remaining validity of the credential the command gets (raised to what the service''s own tools need; not used with --gateway, which keeps it fresh)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'Run the command where it cannot reach any stored credential (Linux): agentcred''s directories, the keyring, the session bus, vault tokens and agentcred''s own process are out of its reach. Without every protection the command is not started, unless `=best-effort`')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Give the command no credential at all: start the credential gateway on 127.0.0.1 and point the command''s base URLs at it')
            [CompletionResult]::new('--ephemeral', '--ephemeral', [CompletionResultType]::ParameterName, 'With --gateway: mint a credential for this run only (named agentcred-run-ID at the service) and revoke it when the run ends')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'agentcred;gateway' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (0 picks a free one)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--ephemeral', '--ephemeral', [CompletionResultType]::ParameterName, 'Mint a credential for this gateway only (named agentcred-run-ID at the service) and revoke it when the gateway stops')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;freeze' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (recorded with the freeze and shown by every refusal)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Freeze every profile')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'Also act at the service: suspend the agent where the service has a suspension, and revoke spare and run credentials')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;unfreeze' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Unfreeze every profile')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;leaks' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;leaks;scan' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--rotate', '--rotate', [CompletionResultType]::ParameterName, 'Replace each leaked credential the service lets agentcred replace, then scan again')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;leaks;help' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;leaks;help;scan' {
            break
        }
        'agentcred;leaks;help;help' {
            break
        }
        'agentcred;mcp' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: recorded in the audit log with what this run does (also AGENTCRED_REASON)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--allow-writes', '--allow-writes', [CompletionResultType]::ParameterName, 'Let the `request` tool send methods other than GET (POST, PATCH, PUT, DELETE)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;keys' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s API keys')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API key')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an API key')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Create a new key, switch the profile to it, prove it, then revoke the old one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;keys;list' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;keys;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the key, to tell it apart in `keys list`')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes of the new key (repeatable; default: the service''s defaults)')
            [CompletionResult]::new('--expires-in-days', '--expires-in-days', [CompletionResultType]::ParameterName, 'Expiry of the new key in days (default: no expiry)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'Make the new key the profile''s key')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;keys;revoke' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow revoking the key the profile uses')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;keys;rotate' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;keys;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s API keys')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API key')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an API key')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Create a new key, switch the profile to it, prove it, then revoke the old one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;keys;help;list' {
            break
        }
        'agentcred;keys;help;create' {
            break
        }
        'agentcred;keys;help;revoke' {
            break
        }
        'agentcred;keys;help;rotate' {
            break
        }
        'agentcred;keys;help;help' {
            break
        }
        'agentcred;verifiers' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s verifiers')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a verifier')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a verifier')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;verifiers;list' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;verifiers;add' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'A server-generated client secret, shown once and stored')
            [CompletionResult]::new('wallet', 'wallet', [CompletionResultType]::ParameterValue, 'A wallet address on a CAIP-2 network')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;verifiers;add;secret' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the verifier, to tell it apart in `verifiers list`')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'Make the new secret the profile''s client secret')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;verifiers;add;wallet' {
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'The wallet''s address on --network (e.g. 0x...)')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'CAIP-2 network id, e.g. eip155:8453')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the verifier, to tell it apart in `verifiers list`')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;verifiers;add;help' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'A server-generated client secret, shown once and stored')
            [CompletionResult]::new('wallet', 'wallet', [CompletionResultType]::ParameterValue, 'A wallet address on a CAIP-2 network')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;verifiers;add;help;secret' {
            break
        }
        'agentcred;verifiers;add;help;wallet' {
            break
        }
        'agentcred;verifiers;add;help;help' {
            break
        }
        'agentcred;verifiers;remove' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow removing the verifier whose secret the profile uses')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;verifiers;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s verifiers')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a verifier')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a verifier')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;verifiers;help;list' {
            break
        }
        'agentcred;verifiers;help;add' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'A server-generated client secret, shown once and stored')
            [CompletionResult]::new('wallet', 'wallet', [CompletionResultType]::ParameterValue, 'A wallet address on a CAIP-2 network')
            break
        }
        'agentcred;verifiers;help;add;secret' {
            break
        }
        'agentcred;verifiers;help;add;wallet' {
            break
        }
        'agentcred;verifiers;help;remove' {
            break
        }
        'agentcred;verifiers;help;help' {
            break
        }
        'agentcred;tokens' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s tokens (never the secrets)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an agent token, stored as a spare (or as the profile''s token with --use)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an agent token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;tokens;list' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;tokens;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the token, to tell it apart in `tokens list`')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'Make the new token the profile''s token (the previous one stays stored as a spare)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;tokens;revoke' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow revoking the token the profile uses')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;tokens;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s tokens (never the secrets)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an agent token, stored as a spare (or as the profile''s token with --use)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an agent token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;tokens;help;list' {
            break
        }
        'agentcred;tokens;help;create' {
            break
        }
        'agentcred;tokens;help;revoke' {
            break
        }
        'agentcred;tokens;help;help' {
            break
        }
        'agentcred;cards' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s cards')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a card')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one card (never its PAN or CVV)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;cards;list' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;cards;create' {
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'What the card is for (the service records it with the card)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Single-use (closes after one charge) or multi-use')
            [CompletionResult]::new('--max-amount', '--max-amount', [CompletionResultType]::ParameterName, 'Maximum amount in dollars')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;cards;show' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;cards;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s cards')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a card')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one card (never its PAN or CVV)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;cards;help;list' {
            break
        }
        'agentcred;cards;help;create' {
            break
        }
        'agentcred;cards;help;show' {
            break
        }
        'agentcred;cards;help;help' {
            break
        }
        'agentcred;profiles' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile (default: the selected one)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the current one')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given')
            [CompletionResult]::new('move', 'move', [CompletionResultType]::ParameterValue, 'Move a profile''s secrets to another store (copy, verify, then delete the old copies)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;profiles;list' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print only the names, one per line (for scripts and shell completion; --json prints the full list as usual)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;profiles;show' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;profiles;use' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;profiles;remove' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--purge', '--purge', [CompletionResultType]::ParameterName, 'Also destroy the profile''s shared document in the vault, every version of it, for every host (asks for confirmation; --yes otherwise)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;profiles;move' {
            [CompletionResult]::new('--to-store', '--to-store', [CompletionResultType]::ParameterName, 'The store to move the profile''s secrets to')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;profiles;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile (default: the selected one)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the current one')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given')
            [CompletionResult]::new('move', 'move', [CompletionResultType]::ParameterValue, 'Move a profile''s secrets to another store (copy, verify, then delete the old copies)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;profiles;help;list' {
            break
        }
        'agentcred;profiles;help;show' {
            break
        }
        'agentcred;profiles;help;use' {
            break
        }
        'agentcred;profiles;help;remove' {
            break
        }
        'agentcred;profiles;help;move' {
            break
        }
        'agentcred;profiles;help;help' {
            break
        }
        'agentcred;policy' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a profile''s policy (default: the selected profile)')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove a profile''s policy: the gateway then forwards every request again')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Dry-run a request against the selected profile''s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;policy;set' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;policy;show' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;policy;clear' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;policy;check' {
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'The request body (JSON), for money requests and approvals')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;policy;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a profile''s policy (default: the selected profile)')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove a profile''s policy: the gateway then forwards every request again')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Dry-run a request against the selected profile''s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;policy;help;set' {
            break
        }
        'agentcred;policy;help;show' {
            break
        }
        'agentcred;policy;help;clear' {
            break
        }
        'agentcred;policy;help;check' {
            break
        }
        'agentcred;policy;help;help' {
            break
        }
        'agentcred;approvals' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Requests held for approval (with --all, also those decided, used or expired)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Let one held request through once (run it outside the agent''s own terminal)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Refuse a held request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;approvals;list' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also show approvals that were decided, used or expired')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;approvals;approve' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;approvals;deny' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;approvals;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Requests held for approval (with --all, also those decided, used or expired)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Let one held request through once (run it outside the agent''s own terminal)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Refuse a held request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;approvals;help;list' {
            break
        }
        'agentcred;approvals;help;approve' {
            break
        }
        'agentcred;approvals;help;deny' {
            break
        }
        'agentcred;approvals;help;help' {
            break
        }
        'agentcred;audit' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries younger than this (e.g. 1h, 2d)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing entries as they are appended, until interrupted')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the log''s hash chain; exit 8 (audit_broken) naming the first bad line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;audit;verify' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;audit;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the log''s hash chain; exit 8 (audit_broken) naming the first bad line')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;audit;help;verify' {
            break
        }
        'agentcred;audit;help;help' {
            break
        }
        'agentcred;sandbox' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the emulator in the foreground and print each service''s base URL')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Play the owner of a sandbox profile''s agent: approve it (which funds its wallet), or take the approval back with --revoke')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;sandbox;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (0 picks a free one)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'State file (default: the one `--sandbox` uses)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;sandbox;approve' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Take the owner''s approval back instead (the wallet refuses the agent again)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;sandbox;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the emulator in the foreground and print each service''s base URL')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Play the owner of a sandbox profile''s agent: approve it (which funds its wallet), or take the approval back with --revoke')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;sandbox;help;serve' {
            break
        }
        'agentcred;sandbox;help;approve' {
            break
        }
        'agentcred;sandbox;help;help' {
            break
        }
        'agentcred;import' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;doctor' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;completions' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;schema' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the agent as the operator sees it (AuthPI and Proxy)')
            [CompletionResult]::new('suspend', 'suspend', [CompletionResultType]::ParameterValue, 'Suspend the agent: no new tokens (AuthPI and Proxy)')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Reactivate a suspended agent (AuthPI and Proxy)')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'Block the agent for good (AuthPI)')
            [CompletionResult]::new('deregister', 'deregister', [CompletionResultType]::ParameterValue, 'Deregister the agent: tokens revoked, cards frozen (Proxy)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the agent and all its verifiers (AuthPI)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;agent;show' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent;suspend' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, recorded by the service with the change (optional)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent;activate' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent;block' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, recorded by the service with the block')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent;deregister' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent;delete' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;agent;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the agent as the operator sees it (AuthPI and Proxy)')
            [CompletionResult]::new('suspend', 'suspend', [CompletionResultType]::ParameterValue, 'Suspend the agent: no new tokens (AuthPI and Proxy)')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Reactivate a suspended agent (AuthPI and Proxy)')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'Block the agent for good (AuthPI)')
            [CompletionResult]::new('deregister', 'deregister', [CompletionResultType]::ParameterValue, 'Deregister the agent: tokens revoked, cards frozen (Proxy)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the agent and all its verifiers (AuthPI)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;agent;help;show' {
            break
        }
        'agentcred;agent;help;suspend' {
            break
        }
        'agentcred;agent;help;activate' {
            break
        }
        'agentcred;agent;help;block' {
            break
        }
        'agentcred;agent;help;deregister' {
            break
        }
        'agentcred;agent;help;delete' {
            break
        }
        'agentcred;agent;help;help' {
            break
        }
        'agentcred;limits' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the spending limit, current spend and what remains')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change the spending limit (Proxy)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;limits;show' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;limits;set' {
            [CompletionResult]::new('--spending-limit', '--spending-limit', [CompletionResultType]::ParameterName, 'Spending limit in dollars')
            [CompletionResult]::new('--frequency', '--frequency', [CompletionResultType]::ParameterName, 'The period over which spending counts against --spending-limit')
            [CompletionResult]::new('--on-limit-exceeded', '--on-limit-exceeded', [CompletionResultType]::ParameterName, 'What the service does when the agent reaches its limit')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (default: the current profile; for `register`, the provider''s name); `mcp` takes it several times to serve several profiles')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept for new profiles and logins')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Use the built-in emulator of the services (offline, fake secrets)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never wait for input; fail with exit 2 where input would be needed')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print secrets in the output (they are hidden otherwise)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace HTTP requests on stderr (secrets redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no status lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'agentcred;limits;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the spending limit, current spend and what remains')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change the spending limit (Proxy)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;limits;help;show' {
            break
        }
        'agentcred;limits;help;set' {
            break
        }
        'agentcred;limits;help;help' {
            break
        }
        'agentcred;help' {
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a new agent with a service and store its credentials')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store a service''s operator (organization) key, from stdin or a prompt')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove stored operator credentials (does not revoke them on the service)')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Get a new short-lived credential (JWT or access token) for the profile')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a bearer credential valid for at least --min-valid, refreshing first if needed')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the agent''s state at the service and the profile''s local credential facts')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with the profile''s short-lived credential and endpoints in its environment (or, with --gateway, with no credential at all)')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Run the credential gateway in the foreground: a loopback server that attaches the profile''s credential to requests sent with its token')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'Stop every use of a profile''s credentials at once (token, refresh, exec, gateways, mcp)')
            [CompletionResult]::new('unfreeze', 'unfreeze', [CompletionResultType]::ParameterValue, 'Lift a freeze (an agent suspended with --upstream is reactivated with `agent activate`)')
            [CompletionResult]::new('leaks', 'leaks', [CompletionResultType]::ParameterValue, 'Find stored secret values in files, and rotate what leaked')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check, request, refresh), never returning a stored secret')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage Fluxra API keys')
            [CompletionResult]::new('verifiers', 'verifiers', [CompletionResultType]::ParameterValue, 'Manage AuthPI agent verifiers')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'Manage Proxy agent tokens')
            [CompletionResult]::new('cards', 'cards', [CompletionResultType]::ParameterValue, 'Manage Proxy cards')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List, show, select and remove profiles')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'What an agent may do through the gateway and MCP: rules, rate, spending caps')
            [CompletionResult]::new('approvals', 'approvals', [CompletionResultType]::ParameterValue, 'Requests the policy holds for a person: list, approve or deny them')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log of credential releases and uses (or verify its hash chain)')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run the built-in emulator of the services')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Store the secrets of a rescue file in the profile''s store, record the profile, and delete the file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what the credential stores need, and say how to fix what is wrong')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the machine contract as JSON: commands, arguments, exit and error codes, and the JSON Schema of every command''s --json output')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'The operator''s lifecycle of the profile''s agent (AuthPI and Proxy)')
            [CompletionResult]::new('limits', 'limits', [CompletionResultType]::ParameterValue, 'Show or set the agent''s spending limits (FluxA and Proxy)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentcred;help;register' {
            [CompletionResult]::new('fluxa', 'fluxa', [CompletionResultType]::ParameterValue, 'Register a FluxA agent (agent id, refresh token, JWT)')
            [CompletionResult]::new('fluxra', 'fluxra', [CompletionResultType]::ParameterValue, 'Register a Fluxra agent (recovery key, API key, JWT)')
            [CompletionResult]::new('authpi', 'authpi', [CompletionResultType]::ParameterValue, 'Create an AuthPI agent with a secret verifier (operator credentials needed)')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Register a Proxy agent, idempotent by external id (operator Api-Key needed)')
            break
        }
        'agentcred;help;register;fluxa' {
            break
        }
        'agentcred;help;register;fluxra' {
            break
        }
        'agentcred;help;register;authpi' {
            break
        }
        'agentcred;help;register;proxy' {
            break
        }
        'agentcred;help;login' {
            break
        }
        'agentcred;help;logout' {
            break
        }
        'agentcred;help;refresh' {
            break
        }
        'agentcred;help;token' {
            break
        }
        'agentcred;help;status' {
            break
        }
        'agentcred;help;exec' {
            break
        }
        'agentcred;help;gateway' {
            break
        }
        'agentcred;help;freeze' {
            break
        }
        'agentcred;help;unfreeze' {
            break
        }
        'agentcred;help;leaks' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Look for every stored secret value (and its JSON, percent and base64 encodings) in files')
            break
        }
        'agentcred;help;leaks;scan' {
            break
        }
        'agentcred;help;mcp' {
            break
        }
        'agentcred;help;keys' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s API keys')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an API key')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an API key')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Create a new key, switch the profile to it, prove it, then revoke the old one')
            break
        }
        'agentcred;help;keys;list' {
            break
        }
        'agentcred;help;keys;create' {
            break
        }
        'agentcred;help;keys;revoke' {
            break
        }
        'agentcred;help;keys;rotate' {
            break
        }
        'agentcred;help;verifiers' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s verifiers')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a verifier')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a verifier')
            break
        }
        'agentcred;help;verifiers;list' {
            break
        }
        'agentcred;help;verifiers;add' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'A server-generated client secret, shown once and stored')
            [CompletionResult]::new('wallet', 'wallet', [CompletionResultType]::ParameterValue, 'A wallet address on a CAIP-2 network')
            break
        }
        'agentcred;help;verifiers;add;secret' {
            break
        }
        'agentcred;help;verifiers;add;wallet' {
            break
        }
        'agentcred;help;verifiers;remove' {
            break
        }
        'agentcred;help;tokens' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s tokens (never the secrets)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an agent token, stored as a spare (or as the profile''s token with --use)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an agent token')
            break
        }
        'agentcred;help;tokens;list' {
            break
        }
        'agentcred;help;tokens;create' {
            break
        }
        'agentcred;help;tokens;revoke' {
            break
        }
        'agentcred;help;cards' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the agent''s cards')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a card')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one card (never its PAN or CVV)')
            break
        }
        'agentcred;help;cards;list' {
            break
        }
        'agentcred;help;cards;create' {
            break
        }
        'agentcred;help;cards;show' {
            break
        }
        'agentcred;help;profiles' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile (default: the selected one)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the current one')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s local secrets and config (nothing is revoked on the service); a profile kept in the vault is only forgotten on this host unless --purge is given')
            [CompletionResult]::new('move', 'move', [CompletionResultType]::ParameterValue, 'Move a profile''s secrets to another store (copy, verify, then delete the old copies)')
            break
        }
        'agentcred;help;profiles;list' {
            break
        }
        'agentcred;help;profiles;show' {
            break
        }
        'agentcred;help;profiles;use' {
            break
        }
        'agentcred;help;profiles;remove' {
            break
        }
        'agentcred;help;profiles;move' {
            break
        }
        'agentcred;help;policy' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Give a profile a policy from a TOML file (`-` reads stdin); a file that does not parse or names an unknown endpoint is refused with its line, and nothing changes')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a profile''s policy (default: the selected profile)')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Remove a profile''s policy: the gateway then forwards every request again')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Dry-run a request against the selected profile''s policy: the decision, the rule that decided and the amount it would reserve (exit 0 whatever the decision)')
            break
        }
        'agentcred;help;policy;set' {
            break
        }
        'agentcred;help;policy;show' {
            break
        }
        'agentcred;help;policy;clear' {
            break
        }
        'agentcred;help;policy;check' {
            break
        }
        'agentcred;help;approvals' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Requests held for approval (with --all, also those decided, used or expired)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Let one held request through once (run it outside the agent''s own terminal)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Refuse a held request')
            break
        }
        'agentcred;help;approvals;list' {
            break
        }
        'agentcred;help;approvals;approve' {
            break
        }
        'agentcred;help;approvals;deny' {
            break
        }
        'agentcred;help;audit' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the log''s hash chain; exit 8 (audit_broken) naming the first bad line')
            break
        }
        'agentcred;help;audit;verify' {
            break
        }
        'agentcred;help;sandbox' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the emulator in the foreground and print each service''s base URL')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Play the owner of a sandbox profile''s agent: approve it (which funds its wallet), or take the approval back with --revoke')
            break
        }
        'agentcred;help;sandbox;serve' {
            break
        }
        'agentcred;help;sandbox;approve' {
            break
        }
        'agentcred;help;import' {
            break
        }
        'agentcred;help;doctor' {
            break
        }
        'agentcred;help;completions' {
            break
        }
        'agentcred;help;schema' {
            break
        }
        'agentcred;help;agent' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the agent as the operator sees it (AuthPI and Proxy)')
            [CompletionResult]::new('suspend', 'suspend', [CompletionResultType]::ParameterValue, 'Suspend the agent: no new tokens (AuthPI and Proxy)')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Reactivate a suspended agent (AuthPI and Proxy)')
            [CompletionResult]::new('block', 'block', [CompletionResultType]::ParameterValue, 'Block the agent for good (AuthPI)')
            [CompletionResult]::new('deregister', 'deregister', [CompletionResultType]::ParameterValue, 'Deregister the agent: tokens revoked, cards frozen (Proxy)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the agent and all its verifiers (AuthPI)')
            break
        }
        'agentcred;help;agent;show' {
            break
        }
        'agentcred;help;agent;suspend' {
            break
        }
        'agentcred;help;agent;activate' {
            break
        }
        'agentcred;help;agent;block' {
            break
        }
        'agentcred;help;agent;deregister' {
            break
        }
        'agentcred;help;agent;delete' {
            break
        }
        'agentcred;help;limits' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the spending limit, current spend and what remains')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change the spending limit (Proxy)')
            break
        }
        'agentcred;help;limits;show' {
            break
        }
        'agentcred;help;limits;set' {
            break
        }
        'agentcred;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
