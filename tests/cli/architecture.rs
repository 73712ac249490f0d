//! The layout rules of CONTRIBUTING.md, checked on the parsed source tree (`syn`), so that
//! they cannot be met by writing a path in code instead of a `use` line:
//!
//! - every path the product names is read: `use` trees (groups, `super::`, `self::`), paths
//!   in expressions, types, patterns and attributes, and `crate::`/`super::` paths inside macro
//!   calls; `#[cfg(test)]` items are left out, and nothing else is;
//! - the top-level modules of `src/` form layers, written down below as data; a module may
//!   name only modules of its own layer or lower ones, and every module must be in the table;
//! - `services` never names `cli`; generic code (every file that is not a service, the
//!   registry, a command, the command line or the entry points: found, not listed) never
//!   names `services`;
//! - a service is named (as a word, in code, strings or comments) by few files outside its own
//!   modules, counting every non-test Rust file of the product and the sandbox; service
//!   modules do not name each other; commands do not use each other; wire clients know the
//!   wire only; one module talks to the emulator.
//!
//! There are no exceptions: every rule holds for every file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use agentcred::spec::ServiceSpec;
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Files outside a service's own modules that may name it: the CLI's registry, the sandbox's
/// registry, and the test binary's `mod` list, with one to spare.
const MAX_FILES_NAMING_A_SERVICE: usize = 4;

/// The top-level modules of `src/`, from the top layer down. A module may name modules of its
/// own layer and of the layers below it, never one above.
const LAYERS: &[&[&str]] = &[
    &["main"],
    &["lib"],
    &["app"],
    &["commands", "generate"],
    &["cli"],
    &["services"],
    &["gateway", "relay", "guard"],
    &["checkup"],
    &[
        "service",
        "enroll",
        "operator",
        "health",
        "status_view",
        "spare",
        "ephemeral",
    ],
    &["local", "context", "broker", "child", "freeze"],
    &[
        "session",
        "childenv",
        "isolate",
        "leaks",
        "listen",
        "ledger",
        "approvals",
    ],
    &["profile"],
    &["sandbox_host"],
    &["store"],
    &["spec", "http", "policy", "view"],
    &[
        "output",
        "paths",
        "homecheck",
        "duration",
        "amount",
        "input",
        "redact",
        "audit",
    ],
    &["jwt", "timefmt", "error", "secret"],
];

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

/// One parsed file of the product: its path from the repository root, its module path in its
/// crate (`src/services/fluxa/status.rs` is `services::fluxa::status`), every path it names
/// (resolved to the crate's module tree where it starts with `crate`, `super` or `self`), and
/// its text without its `#[cfg(test)]` items.
struct Source {
    path: String,
    module: Vec<String>,
    names: Vec<Vec<String>>,
    /// Every path as written, unresolved (to find other crates' names).
    raw: Vec<Vec<String>>,
    text: String,
}

/// Whether an item is compiled only for tests.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().split_whitespace().any(|t| t == "test"))
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Collects every path, skipping test-only items.
#[derive(Default)]
struct Paths {
    found: Vec<Vec<String>>,
}

impl Paths {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.found.push(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.found.push(full);
            }
            syn::UseTree::Glob(_) => self.found.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    /// `crate::a::b`, `super::x` and `self::y` sequences in a macro's tokens (`json!`,
    /// `format!` and the like are not parsed as Rust).
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            if let TokenTree::Group(g) = &trees[i] {
                self.tokens(g.stream());
                i += 1;
                continue;
            }
            let is_root = matches!(&trees[i], TokenTree::Ident(id) if id == "crate" || id == "super" || id == "self");
            if !is_root {
                i += 1;
                continue;
            }
            let mut path = vec![trees[i].to_string()];
            let mut j = i + 1;
            while j + 2 < trees.len() + 1 {
                let colons = matches!((&trees.get(j), &trees.get(j + 1)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':');
                match (colons, trees.get(j + 2)) {
                    (true, Some(TokenTree::Ident(id))) => {
                        path.push(id.to_string());
                        j += 3;
                    }
                    _ => break,
                }
            }
            if path.len() > 1 {
                self.found.push(path);
            }
            i = j.max(i + 1);
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }
    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Const(c) => &c.attrs,
            _ => return syn::visit::visit_impl_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_impl_item(self, item);
        }
    }
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.found
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

/// The text of the items that are not test-only, for counting names.
fn product_text(file: &syn::File, full: &str) -> String {
    let mut text = full.to_owned();
    // Blank out each test-only item, by its span in the source.
    let mut cuts: Vec<(usize, usize)> = file
        .items
        .iter()
        .filter(|i| is_test_only(item_attrs(i)))
        .map(|i| {
            use syn::spanned::Spanned;
            let span = i.span();
            (offset(full, span.start()), offset(full, span.end()))
        })
        .collect();
    cuts.sort_unstable();
    for (start, end) in cuts.into_iter().rev() {
        text.replace_range(start..end, "");
    }
    text
}

fn offset(text: &str, at: proc_macro2::LineColumn) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(at.line - 1)
        .map(str::len)
        .sum();
    let line = &text[line_start..];
    line_start
        + line
            .char_indices()
            .nth(at.column)
            .map_or(line.len(), |(i, _)| i)
}

fn module_of(crate_src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(crate_src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// `path` as an absolute module path of the crate, if it starts inside the crate.
fn resolve(
    module: &[String],
    is_dir_module: bool,
    path: &[String],
    sub: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let first = path.first()?;
    match first.as_str() {
        "crate" => Some(path[1..].to_vec()),
        "self" => {
            // In `a/mod.rs` and `a.rs` alike, `self` is `a`.
            let mut out = module.to_vec();
            out.extend_from_slice(&path[1..]);
            Some(out)
        }
        "super" => {
            let supers = path.iter().take_while(|s| *s == "super").count();
            // `super` of `a::b` is `a`, whether b is `a/b.rs` or `a/b/mod.rs`.
            let keep = module.len().checked_sub(supers)?;
            let _ = is_dir_module;
            let mut out = module[..keep].to_vec();
            out.extend_from_slice(&path[supers..]);
            Some(out)
        }
        // A child module named without `self::` (`args::GlobalArgs` in `cli/mod.rs`).
        child if sub.contains(child) => {
            let mut out = module.to_vec();
            out.extend_from_slice(path);
            Some(out)
        }
        // The root's own modules are named bare from lib.rs and main.rs.
        _ => None,
    }
}

/// Every non-test Rust file of one crate's `src/`.
fn sources_of(crate_src: &Path, repo_root: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    rust_files(crate_src, &mut files);
    files
        .into_iter()
        .filter(|p| !p.ends_with("tests.rs") && !p.ends_with("testkit.rs"))
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let parsed =
                syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let module = module_of(crate_src, &file);
            let is_dir_module = file.ends_with("mod.rs");
            // Child modules, for bare paths: `a/mod.rs` (and `a.rs`) may have `a/x.rs`.
            let dir = if is_dir_module {
                file.parent().unwrap().to_path_buf()
            } else {
                file.with_extension("")
            };
            let sub: BTreeSet<String> = std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".rs")
                        .map(str::to_owned)
                        .or(e.path().is_dir().then_some(name))
                })
                .collect();
            let mut paths = Paths::default();
            paths.visit_file(&parsed);
            let names = paths
                .found
                .iter()
                .filter_map(|p| resolve(&module, is_dir_module, p, &sub))
                .filter(|p| !p.is_empty())
                .collect();
            let path = file
                .strip_prefix(repo_root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = product_text(&parsed, &text);
            Source {
                path,
                module,
                names,
                raw: paths.found,
                text,
            }
        })
        .collect()
}

/// The CLI crate's files.
fn cli_sources() -> Vec<Source> {
    sources_of(&root().join("src"), &root())
}

/// Every product file: the CLI and the workspace's other crates.
fn all_sources() -> Vec<Source> {
    let mut all = cli_sources();
    for entry in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        all.extend(sources_of(&entry.path().join("src"), &root()));
    }
    all
}

fn top(source: &Source) -> &str {
    source.module.first().map_or("lib", String::as_str)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level modules each file names, other than its own.
fn named_tops(source: &Source) -> BTreeSet<&str> {
    source
        .names
        .iter()
        .map(|p| p[0].as_str())
        .filter(|m| *m != top(source))
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
fn every_top_level_module_has_a_layer_and_names_only_its_own_or_lower_ones() {
    let sources = cli_sources();
    let mut unplaced = BTreeSet::new();
    let mut upward = BTreeSet::new();
    for source in &sources {
        let own = top(source);
        let Some(own_layer) = layer_of(own) else {
            unplaced.insert(own.to_owned());
            continue;
        };
        for named in named_tops(source) {
            match layer_of(named) {
                None => {
                    // Not a module of this crate (an external crate named after `crate::`
                    // cannot be): a top-level module missing from LAYERS.
                    if root().join("src").join(format!("{named}.rs")).exists()
                        || root().join("src").join(named).is_dir()
                    {
                        unplaced.insert(named.to_owned());
                    }
                }
                Some(layer) if layer < own_layer => {
                    upward.insert((source.path.clone(), named.to_owned()));
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "top-level modules missing from LAYERS in tests/cli/architecture.rs: {unplaced:?}"
    );
    assert!(
        upward.is_empty(),
        "imports flow downwards only; these files name a module of a higher layer: {upward:#?}"
    );
}

#[test]
fn services_never_name_the_command_line() {
    let offenders: Vec<String> = cli_sources()
        .iter()
        .filter(|s| s.module.first().is_some_and(|m| m == "services"))
        .flat_map(|s| {
            s.names
                .iter()
                .filter(|p| p[0] == "cli")
                .map(move |p| format!("{}: {}", s.path, p.join("::")))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "services must not name `cli` (the command line imports services, never the reverse):\n{}",
        offenders.join("\n")
    );
}

/// Generic code: every file of the CLI crate but the services, the commands (which ask the
/// registry), the command line (which lists the services' commands) and the entry points.
fn is_generic(source: &Source) -> bool {
    !matches!(
        top(source),
        "services" | "commands" | "cli" | "app" | "main" | "lib"
    )
}

#[test]
fn generic_code_never_names_a_service() {
    let mut offenders = Vec::new();
    for source in cli_sources().iter().filter(|s| is_generic(s)) {
        for path in source.names.iter().filter(|p| p[0] == "services") {
            offenders.push(format!("{}: {}", source.path, path.join("::")));
        }
    }
    assert!(
        offenders.is_empty(),
        "generic modules must not name `services` (ask ServiceSpec or a Service capability):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn few_files_outside_its_own_modules_name_a_service() {
    let files = all_sources();
    // The test binary's own `mod` list names every service too.
    let main_rs = std::fs::read_to_string(root().join("tests/cli/main.rs")).unwrap();
    for spec in specs() {
        let mut naming: Vec<&str> = files
            .iter()
            .filter(|s| !is_own_module(&s.path, spec.id) && names(&s.text, spec.id))
            .map(|s| s.path.as_str())
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
    let files = all_sources();
    for spec in specs() {
        for other in specs().iter().filter(|o| o.id != spec.id) {
            for source in files.iter().filter(|s| is_own_module(&s.path, spec.id)) {
                assert!(
                    !names(&source.text, other.id),
                    "{} (a {} module) names {}",
                    source.path,
                    spec.id,
                    other.id
                );
            }
        }
    }
}

#[test]
fn the_flow_inside_the_layers_is_one_way() {
    let mut offenders = Vec::new();
    for source in cli_sources() {
        let path = source.path.as_str();
        let names_module = |prefix: &[&str]| {
            source
                .names
                .iter()
                .any(|p| p.len() >= prefix.len() && p.iter().zip(prefix).all(|(a, b)| a == b))
        };
        // Wire clients know the wire only.
        if path.starts_with("src/services/") && path.ends_with("/client.rs") {
            for layer in ["session", "context", "profile", "store"] {
                if names_module(&[layer]) {
                    offenders.push(format!("{path} (a wire client) names crate::{layer}"));
                }
            }
        }
        // Service modules use the registry's types, never the registry itself or a command.
        if source.module.len() > 1 && source.module[0] == "services" {
            let registry_items: BTreeSet<&str> = source
                .names
                .iter()
                .filter(|p| p[0] == "services" && p.len() == 2)
                .map(|p| p[1].as_str())
                .filter(|item| !specs().iter().any(|s| s.id == *item))
                .collect();
            for item in registry_items {
                offenders.push(format!(
                    "{path} names the registry: crate::services::{item}"
                ));
            }
            if names_module(&["commands"]) {
                offenders.push(format!("{path} names a command"));
            }
        }
        // Commands do not use each other as libraries.
        if source.module.len() == 2 && source.module[0] == "commands" {
            for named in source
                .names
                .iter()
                .filter(|p| p[0] == "commands" && p.len() > 2)
            {
                if named[1] != source.module[1] {
                    offenders.push(format!("{path} uses another command: {}", named.join("::")));
                }
            }
        }
        // Only the door to the emulator names it.
        if path != "src/sandbox_host.rs" && source.raw.iter().any(|p| p[0] == "agentcred_sandbox") {
            offenders.push(format!(
                "{path} names the sandbox; only src/sandbox_host.rs may"
            ));
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

/// The parser sees what a `use`-line reader missed, so that the rules above can fail.
#[test]
fn the_parser_reads_paths_in_code_groups_and_macros() {
    let code = r#"
        use super::{x::Y, z};
        use crate::a::{b, c::{D, E}};
        fn f() { let _ = crate::services::fluxa::SPEC; g::<crate::cli::args::T>(); json!({"k": crate::store::open()}); }
        #[cfg(test)]
        mod tests { use crate::hidden::X; }
    "#;
    let file = syn::parse_file(code).unwrap();
    let mut paths = Paths::default();
    paths.visit_file(&file);
    let module = vec!["m".to_owned(), "n".to_owned()];
    let resolved: BTreeSet<String> = paths
        .found
        .iter()
        .filter_map(|p| resolve(&module, false, p, &BTreeSet::new()))
        .map(|p| p.join("::"))
        .collect();
    for expected in [
        "m::x::Y",
        "m::z",
        "a::b",
        "a::c::D",
        "a::c::E",
        "services::fluxa::SPEC",
        "cli::args::T",
        "store::open",
    ] {
        assert!(
            resolved.contains(expected),
            "{expected} not in {resolved:?}"
        );
    }
    assert!(
        !resolved.iter().any(|p| p.starts_with("hidden")),
        "{resolved:?}"
    );
    // The text kept for counting names drops the test module.
    assert!(!product_text(&file, code).contains("hidden"));
}

/// Every module is in the table once.
#[test]
fn the_layer_table_names_each_module_once() {
    let mut seen = BTreeMap::new();
    for (i, layer) in LAYERS.iter().enumerate() {
        for module in *layer {
            assert!(
                seen.insert(*module, i).is_none(),
                "{module} twice in LAYERS"
            );
        }
    }
}

/// CONTRIBUTING.md's map names every top-level module and every command.
#[test]
fn the_contributing_map_lists_every_module_and_command() {
    let text = std::fs::read_to_string(root().join("CONTRIBUTING.md")).unwrap();
    let map = text
        .split("```")
        .nth(1)
        .expect("the map is the first code block");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root().join("src")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.strip_suffix(".rs").unwrap_or(&name);
        let named = [
            format!("src/{name}"),
            format!("{stem}.rs"),
            format!("src/{stem}/"),
        ]
        .iter()
        .any(|n| map.contains(n.as_str()));
        if !named {
            missing.push(format!("module {name}"));
        }
    }
    let mut root_command = agentcred::cli::command();
    root_command.build();
    for command in root_command.get_subcommands().map(|c| c.get_name()) {
        if command != "help" && !names(map, command) {
            missing.push(format!("command {command}"));
        }
    }
    assert!(
        missing.is_empty(),
        "CONTRIBUTING.md's map does not name: {missing:?}"
    );
}
