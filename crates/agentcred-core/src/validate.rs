//! Input rules shared by the client and the emulator: the CLI checks what a user typed before
//! anything is sent, and the sandbox refuses the same malformed values the real services do.
//! One copy, so the two can never disagree.

/// CAIP-2: `namespace:reference`, namespace `[-a-z0-9]{3,8}`, reference `[-_a-zA-Z0-9]{1,32}`.
pub fn caip2(network: &str) -> Option<(&str, &str)> {
    let (namespace, reference) = network.split_once(':')?;
    let ns_ok = (3..=8).contains(&namespace.len())
        && namespace
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ref_ok = (1..=32).contains(&reference.len())
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (ns_ok && ref_ok).then_some((namespace, reference))
}

/// `0x` followed by 40 hex digits.
pub fn is_evm_address(address: &str) -> bool {
    address
        .strip_prefix("0x")
        .is_some_and(|hex| hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A plausible email address (`local@domain.tld`, no whitespace): what the services that take
/// an optional email check before accepting one.
pub fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caip2_and_evm_addresses() {
        assert_eq!(caip2("eip155:8453"), Some(("eip155", "8453")));
        assert!(caip2("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp").is_some());
        for bad in [
            "eip155",
            "ab:1",
            "EIP155:1",
            "eip155:",
            "toolongns:1",
            "eip155:a b",
        ] {
            assert!(caip2(bad).is_none(), "{bad}");
        }
        assert!(is_evm_address(&format!("0x{}", "aB".repeat(20))));
        assert!(!is_evm_address("0x123"));
        assert!(!is_evm_address(&format!("0x{}", "g".repeat(40))));
    }

    #[test]
    fn emails() {
        assert!(looks_like_email("a@b.co"));
        for bad in [
            "", "a", "@b.co", "a@b", "a@.b", "a@b.", "a b@c.d", "a@b.c\t",
        ] {
            assert!(!looks_like_email(bad), "{bad:?}");
        }
    }
}
