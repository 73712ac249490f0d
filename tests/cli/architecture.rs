//! The layout rules of `src/services/mod.rs` ("Adding a service"), checked on the source tree:
//! a service is named only by its own modules and a few registries, generic code does not
//! reach into services, commands do not use each other, and only one module talks to the
//! emulator.

use std::path::{Path, PathBuf};

use agentcred::spec::ServiceSpec;

/// Files outside a service's own modules that may name it: the CLI's registry, the sandbox's
/// registry, and the test binary's `mod` list, with one to spare.
const MAX_FILES_NAMING_A_SERVICE: usize = 4;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every Rust file of the product and the sandbox, relative to the repository root, without
/// its tests: unit-test modules (`tests.rs`, `testkit.rs`, a trailing `#[cfg(test)]` module)
/// may exercise every service at once, and adding a service never requires editing them.
fn product_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("crates"), &mut files);
    files
        .into_iter()
        .filter(|p| !p.ends_with("tests.rs") && !p.ends_with("testkit.rs"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            let rel = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, text)
        })
        .collect()
}

/// `word` as a whole word (letters, digits and `_` around it do not count), any case.
fn names(text: &str, word: &str) -> bool {
    let text = text.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(&word).any(|(at, _)| {
        !is_word(text[..at].chars().next_back()) && !is_word(text[at + word.len()..].chars().next())
    })
}

/// A service's own modules: its folder in the CLI and its module in the sandbox.
fn is_own_module(path: &str, id: &str) -> bool {
    path.starts_with(&format!("src/services/{id}/"))
        || path.ends_with(&format!("/sandbox/{id}.rs"))
        || path.ends_with(&format!("sandbox/src/{id}.rs"))
        || path.contains(&format!("sandbox/src/{id}/"))
}

fn specs() -> Vec<&'static ServiceSpec> {
    agentcred::services::SERVICES
        .iter()
        .map(|s| s.spec())
        .collect()
}

#[test]
fn few_files_outside_its_own_modules_name_a_service() {
    let files = product_files();
    // The test binary's own `mod` list names every service too.
    let main_rs = std::fs::read_to_string(root().join("tests/cli/main.rs")).unwrap();
    for spec in specs() {
        let mut naming: Vec<&str> = files
            .iter()
            .filter(|(path, text)| !is_own_module(path, spec.id) && names(text, spec.id))
            .map(|(path, _)| path.as_str())
            .collect();
        if names(&main_rs, spec.id) {
            naming.push("tests/cli/main.rs");
        }
        assert!(
            naming.len() <= MAX_FILES_NAMING_A_SERVICE,
            "{} is named by {} files outside its own modules (at most {MAX_FILES_NAMING_A_SERVICE}): {naming:#?}",
            spec.id,
            naming.len()
        );
    }
}

#[test]
fn service_modules_do_not_name_each_other() {
    let files = product_files();
    for spec in specs() {
        for other in specs().iter().filter(|o| o.id != spec.id) {
            for (path, text) in files.iter().filter(|(p, _)| is_own_module(p, spec.id)) {
                assert!(
                    !names(text, other.id),
                    "{path} (a {} module) names {}",
                    spec.id,
                    other.id
                );
            }
        }
    }
}

#[test]
fn the_flow_is_one_way() {
    for (path, text) in product_files() {
        let imports: Vec<&str> = text
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("use ") || l.starts_with("pub use "))
            .collect();
        let imports_from = |module: &str| imports.iter().any(|l| l.contains(module));
        // Wire clients know the wire only.
        if path.starts_with("src/services/") && path.ends_with("/client.rs") {
            for layer in [
                "crate::session",
                "crate::context",
                "crate::profile",
                "crate::store",
            ] {
                assert!(!imports_from(layer), "{path} imports {layer}");
            }
        }
        // Generic layers never reach into a service or the registry.
        let generic = [
            "src/session.rs",
            "src/spec.rs",
            "src/profile.rs",
            "src/context.rs",
            "src/enroll.rs",
            "src/operator.rs",
            "src/local.rs",
            "src/service.rs",
            "src/http.rs",
            "src/broker.rs",
            "src/child.rs",
            "src/childenv.rs",
            "src/gateway.rs",
            "src/redact.rs",
        ];
        if generic.contains(&path.as_str()) {
            assert!(
                !imports_from("crate::services"),
                "{path} imports crate::services"
            );
        }
        // Service modules use the registry's types, never the registry itself.
        if path.starts_with("src/services/") && path != "src/services/mod.rs" {
            assert!(
                !imports_from("crate::services"),
                "{path} imports the registry (crate::services)"
            );
            assert!(!imports_from("crate::commands"), "{path} imports a command");
        }
        // Commands do not use each other as libraries.
        if path.starts_with("src/commands/") && path != "src/commands/mod.rs" {
            let uses_sibling = |code: &str| {
                code.contains("crate::commands::")
                    || code.match_indices("super::").any(|(at, _)| {
                        // `super::module::` is a sibling; `super::Item` is the dispatcher's own.
                        let rest = &code[at + "super::".len()..];
                        let word: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        word.starts_with(|c: char| c.is_ascii_lowercase())
                            && rest[word.len()..].starts_with("::")
                    })
            };
            let product = text.split("#[cfg(test)]").next().unwrap_or_default();
            for line in product.lines() {
                assert!(!uses_sibling(line), "{path} uses another command: {line}");
            }
        }
        // Only the door to the emulator names it.
        if path.starts_with("src/")
            && path != "src/sandbox_host.rs"
            && !path.starts_with("src/sandbox/")
        {
            assert!(
                !imports_from("crate::sandbox::") && !imports_from("agentcred_sandbox"),
                "{path} imports the sandbox; only src/sandbox_host.rs may"
            );
        }
    }
}
