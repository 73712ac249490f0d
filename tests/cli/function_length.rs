//! No function of the product is longer than [`MAX_LINES`] lines, counted from its signature
//! to its closing brace (doc comments and attributes left out, blank lines and comments inside
//! counted). "The product" is every Rust file under `src/` and `crates/*/src/`, without the
//! items compiled only for tests (`#[cfg(test)]` modules and functions, and the `tests.rs` and
//! `testkit.rs` files they load). Free functions, methods, trait methods with a body and
//! functions nested in a body are each measured.
//!
//! A function that truly reads better whole goes into [`ALLOWED`] with its reason; the test
//! fails when a listed one is gone or back within the limit, so the list only shrinks.

use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

const MAX_LINES: usize = 80;

/// Functions allowed over [`MAX_LINES`], as `(file, name, reason)`: `name` is `f` for a free
/// function and `Type::f` for a method.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// One function over the limit.
#[derive(Debug, PartialEq, Eq)]
struct Long {
    file: String,
    name: String,
    line: usize,
    lines: usize,
}

impl std::fmt::Display for Long {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {} ({} lines)",
            self.file, self.line, self.name, self.lines
        )
    }
}

/// Whether an item is compiled only for tests: a `#[test]` function, or a `cfg` that holds
/// only under `test` (`test`, `all(test, ..)`, `any` of such); `not(test)` is product code.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg") && a.parse_args().is_ok_and(|p| needs_test(&p)))
    })
}

/// Whether the `cfg` predicate `p` holds only when compiling tests.
fn needs_test(p: &syn::Meta) -> bool {
    let nested = |list: &syn::MetaList| {
        list.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        )
        .map(|items| items.into_iter().collect::<Vec<_>>())
        .unwrap_or_default()
    };
    match p {
        syn::Meta::Path(path) => path.is_ident("test"),
        syn::Meta::List(list) if list.path.is_ident("all") => nested(list).iter().any(needs_test),
        syn::Meta::List(list) if list.path.is_ident("any") => {
            let items = nested(list);
            !items.is_empty() && items.iter().all(needs_test)
        }
        _ => false,
    }
}

/// Walks one file, measuring every function that is not test-only.
struct Measure<'a> {
    file: &'a str,
    /// The type of the `impl` or `trait` being walked, to name its methods.
    owner: Vec<String>,
    long: Vec<Long>,
}

impl Measure<'_> {
    fn measure(&mut self, name: &str, sig: &syn::Signature, block: &syn::Block) {
        let line = sig.span().start().line;
        let lines = block.span().end().line - line + 1;
        if lines > MAX_LINES {
            let name = match self.owner.last() {
                Some(owner) => format!("{owner}::{name}"),
                None => name.to_owned(),
            };
            self.long.push(Long {
                file: self.file.to_owned(),
                name,
                line,
                lines,
            });
        }
    }
}

/// The last segment of a type's path (`Store` for `impl Trait for crate::store::Store<T>`,
/// also behind a reference); `_` for a type that is not a path.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map_or_else(|| "_".to_owned(), |s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        _ => "_".to_owned(),
    }
}

impl<'ast> Visit<'ast> for Measure<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if is_test_only(&item.attrs) {
            return;
        }
        self.measure(&item.sig.ident.to_string(), &item.sig, &item.block);
        // A function nested in the body is named on its own.
        let owner = std::mem::take(&mut self.owner);
        syn::visit::visit_item_fn(self, item);
        self.owner = owner;
    }
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if is_test_only(&item.attrs) {
            return;
        }
        self.owner.push(type_name(&item.self_ty));
        syn::visit::visit_item_impl(self, item);
        self.owner.pop();
    }
    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        if is_test_only(&item.attrs) {
            return;
        }
        self.owner.push(item.ident.to_string());
        syn::visit::visit_item_trait(self, item);
        self.owner.pop();
    }
    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        if is_test_only(&item.attrs) {
            return;
        }
        self.measure(&item.sig.ident.to_string(), &item.sig, &item.block);
        syn::visit::visit_impl_item_fn(self, item);
    }
    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if is_test_only(&item.attrs) {
            return;
        }
        if let Some(block) = &item.default {
            self.measure(&item.sig.ident.to_string(), &item.sig, block);
        }
        syn::visit::visit_trait_item_fn(self, item);
    }
}

/// The functions over the limit in one file's text.
fn long_functions(file: &str, text: &str) -> Vec<Long> {
    let parsed = syn::parse_file(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut measure = Measure {
        file,
        owner: Vec::new(),
        long: Vec::new(),
    };
    measure.visit_file(&parsed);
    measure.long
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            // Loaded by a `#[cfg(test)] mod` line: test code in a file of its own.
            && !path.ends_with("tests.rs")
            && !path.ends_with("testkit.rs")
        {
            out.push(path);
        }
    }
}

/// Every function of the product over the limit, in file order.
fn product_long_functions() -> Vec<Long> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut crates: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("src"))
        .collect();
    crates.sort();
    for src in crates {
        rust_files(&src, &mut files);
    }
    files.sort();
    assert!(files.len() > 100, "too few product files: {}", files.len());
    files
        .iter()
        .flat_map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            long_functions(&name, &std::fs::read_to_string(path).unwrap())
        })
        .collect()
}

#[test]
fn no_product_function_is_longer_than_80_lines() {
    let long = product_long_functions();
    let listed = |l: &Long| ALLOWED.iter().any(|(f, n, _)| *f == l.file && *n == l.name);
    let new: Vec<String> = long
        .iter()
        .filter(|l| !listed(l))
        .map(ToString::to_string)
        .collect();
    assert!(
        new.is_empty(),
        "{} function(s) over {MAX_LINES} lines (split them into named steps, or list one that \
         reads better whole in ALLOWED with its reason):\n{}",
        new.len(),
        new.join("\n")
    );
    let stale: Vec<String> = ALLOWED
        .iter()
        .filter(|(f, n, _)| !long.iter().any(|l| l.file == *f && l.name == *n))
        .map(|(f, n, _)| format!("{f} {n}"))
        .collect();
    assert!(
        stale.is_empty(),
        "listed in ALLOWED but gone or within {MAX_LINES} lines (remove them from the list):\n{}",
        stale.join("\n")
    );
}

/// The measure itself: lines from the signature to the closing brace, methods named by their
/// type, nested functions measured on their own, test-only code skipped.
#[test]
fn the_measure_counts_signature_to_closing_brace_and_skips_tests() {
    let body = |n: usize| "    let _ = 1;\n".repeat(n);
    // 79 body lines + signature + brace = 81; 78 + 2 = 80.
    let code = format!(
        "/// doc\n#[inline]\nfn long(\n) {{\n{}}}\n\
         fn fits() {{\n{}}}\n\
         struct S;\nimpl S {{\n    pub fn method() {{\n{}    }}\n}}\n\
         trait T {{\n    fn provided() {{\n{}    }}\n}}\n\
         fn outer() {{\n    fn inner() {{\n{}    }}\n}}\n\
         #[cfg(test)]\nmod tests {{\n    fn in_tests() {{\n{}    }}\n}}\n\
         #[cfg(all(test, unix))]\nfn test_helper() {{\n{}}}\n\
         #[cfg(not(test))]\nfn product_only() {{\n{}}}\n",
        body(78),
        body(78),
        body(79),
        body(79),
        body(79),
        body(100),
        body(100),
        body(79),
    );
    let found = long_functions("x.rs", &code);
    let names: Vec<(&str, usize, usize)> = found
        .iter()
        .map(|l| (l.name.as_str(), l.line, l.lines))
        .collect();
    // `long` starts at line 3 (after its doc and attribute) and spans its two-line signature.
    assert_eq!(
        names,
        [
            ("long", 3, 81),
            ("S::method", 166, 81),
            ("T::provided", 249, 81),
            ("outer", 331, 83),
            ("inner", 332, 81),
            ("product_only", 623, 81),
        ],
        "{found:#?}"
    );
    assert_eq!(found[1].to_string(), "x.rs:166 S::method (81 lines)");
}
