//! The codes of the notices and warnings agentcred prints on stderr, each with what it means.
//! Under `--json` they are the `code` of `{"notice": {code, message}}` and
//! `{"warning": {code, message}}` lines; `agentcred schema` publishes both lists. Every notice
//! and warning names one of these: a script can act on a code, never on the wording.

/// Notices: progress and facts, silenced by `-q`.
pub const NOTICES: &[(&str, &str)] = &[
    (
        "policy_set",
        "a profile's policy was replaced; gateways and MCP servers started from now on enforce it",
    ),
    (
        "approval_given",
        "an approval was given: the agent may repeat that exact request once, before it expires",
    ),
    (
        "approval_denied",
        "an approval request was denied: the request stays refused",
    ),
    (
        "run_credential_minted",
        "--ephemeral: a credential was minted for this run (its name and id are in the message)",
    ),
    (
        "run_credential_revoked",
        "a credential minted for one run was revoked (at the run's end, or later if it was pending)",
    ),
    (
        "run_credential_not_needed",
        "--ephemeral on a service whose credentials are short-lived already: nothing was minted",
    ),
    (
        "isolation",
        "exec --isolate: every protection was applied (the list is in the message, and under --json in `applied`)",
    ),
    (
        "waiting",
        "a request has been waiting for the service's answer for a while",
    ),
    (
        "long_lived_secret",
        "token --reveal printed a credential that never expires (an agent token without expiry)",
    ),
    (
        "retrying",
        "a request failed in a way that is safe to retry; it is sent again after a pause",
    ),
    (
        "http_trace",
        "-v/-vv: a request or answer, secrets redacted",
    ),
    (
        "waiting_for_input",
        "a secret is awaited on stdin (a pipe) or at a prompt",
    ),
    (
        "registration_step",
        "one step of a registration with several requests is done; the next starts",
    ),
    (
        "recovery_key_used",
        "a request is authenticated with the stored recovery key",
    ),
    (
        "idempotent_replay",
        "the service replayed the answer to an earlier attempt whose answer was lost; nothing was created twice",
    ),
    (
        "profile_learned",
        "a profile recorded in a shared store (the vault) was added to this host's config",
    ),
    (
        "sandbox_demo_key",
        "no operator key is configured, so the sandbox's documented demo key is used",
    ),
    (
        "gateway_started",
        "the credential gateway listens; the message gives its URL",
    ),
    (
        "sandbox_listening",
        "`sandbox serve` listens; the message gives its URL and state file",
    ),
];

/// Warnings: something needs attention; never silenced.
pub const WARNINGS: &[(&str, &str)] = &[
    (
        "unstored_secrets",
        "the store and the rescue file both failed after the service answered: the line carries the one-time secrets (`secrets`), their only copy",
    ),
    (
        "owner_check_failed",
        "whether the agent's owner approved it could not be checked",
    ),
    (
        "api_key_fallback",
        "the profile's API key did not work; the recovery key was used instead",
    ),
    (
        "profile_key_missing",
        "the credential the profile uses is not among the agent's active ones",
    ),
    (
        "registration_note",
        "the agent already existed: settings were not changed, or no one-time token was returned",
    ),
    (
        "spare_not_kept",
        "the previous credential could not be kept as a spare",
    ),
    (
        "credential_in_use_removed",
        "the credential the profile used was revoked or removed; the profile needs a new one",
    ),
    (
        "first_token_not_stored",
        "a registration succeeded, but its first short-lived token was not stored or minted",
    ),
    (
        "token_after_new_secret_failed",
        "a new client secret is stored, but getting an access token with it failed",
    ),
    (
        "operator_key_missing",
        "part of the answer needs the organization's operator key, which is not configured",
    ),
    (
        "reason_not_sent",
        "the service does not record a reason; --reason was not sent",
    ),
    (
        "rescue_file_not_deleted",
        "an import stored everything but could not delete the rescue file",
    ),
    (
        "rescue_file_mode",
        "a rescue file was readable or writable by other users; its secrets may have been read",
    ),
    (
        "old_rescue_format",
        "a rescue file from an older agentcred holds less than a current one",
    ),
    (
        "isolation_partial",
        "exec --isolate=best-effort: the command runs without some protections (each named with its reason and fix)",
    ),
    (
        "run_credential_pending",
        "a credential minted for one run is not revoked yet; the next command on the profile and `doctor` retry",
    ),
    (
        "leaks_store_skipped",
        "leaks scan: the values of a store that could not be read were not looked for",
    ),
    (
        "leaks_short_values_skipped",
        "leaks scan: stored values too short to search for without matching everywhere were skipped",
    ),
    (
        "leaks_unreadable_file",
        "leaks scan: a file could not be read and was not scanned",
    ),
    (
        "leaks_rotation_failed",
        "leaks scan --rotate: rotating one leaked credential failed (the reason is in the message)",
    ),
    (
        "audit_not_written",
        "an action that happened could not be recorded in the audit log (the reason is in the message)",
    ),
    (
        "frozen_here_only",
        "freeze: the shared store could not be written, so the profile is frozen on this host only",
    ),
    (
        "revoke_answer_lost",
        "a revoke's answer was lost; the service no longer lists the credential, so it is revoked",
    ),
    (
        "credential_already_gone",
        "the service no longer has a credential the profile kept; its stored secret is deleted",
    ),
    (
        "spare_copy_not_deleted",
        "the temporary copy of a new credential stored as a spare could not be deleted",
    ),
    (
        "operator_env_wins",
        "an operator-key variable is set and wins over the key `login` just stored",
    ),
    (
        "zero_spending_limit",
        "the agent's spending limit is now 0: it can spend nothing",
    ),
    (
        "card_above_limit",
        "a card's maximum is above the agent's spending limit, which applies",
    ),
];

/// Whether `code` is a documented notice (or, with `warning`, warning) code.
pub fn is_documented(code: &str, warning: bool) -> bool {
    let list = if warning { WARNINGS } else { NOTICES };
    list.iter().any(|(c, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the sources pass to `notice(` or `warn_coded(` is documented here (a code
    /// used only on a path no test takes would otherwise slip through).
    #[test]
    fn every_code_used_in_the_sources_is_documented() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = vec![std::path::PathBuf::from(root)];
        let mut used = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("output/codes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (marker, warning) in [("notice(", false), ("warn_coded(", true)] {
                for (at, _) in text.match_indices(marker) {
                    let rest = text[at + marker.len()..].trim_start();
                    if let Some(literal) = rest.strip_prefix('"') {
                        let code = &literal[..literal.find('"').unwrap()];
                        used.push((path.display().to_string(), code.to_owned(), warning));
                    }
                }
            }
        }
        assert!(used.len() > 10, "the scan found the call sites: {used:?}");
        for (file, code, warning) in used {
            assert!(
                is_documented(&code, warning),
                "{file}: {} code {code:?} is not documented in output/codes.rs",
                if warning { "warning" } else { "notice" }
            );
            assert!(
                code != "notice" && code != "warning",
                "{file}: generic code"
            );
        }
    }
}
