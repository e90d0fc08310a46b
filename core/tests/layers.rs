//! The shape of core, checked over its source: the modules form floors with no import
//! circles (between modules, and between the files of one module), and `store/` is storage
//! only, importing no domain module. A reference is any `crate::x` path or, inside a
//! module, `super::y` to a sibling file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first path segments that follow `prefix` in `text` (`crate::` -> `schedule`), in
/// plain paths and in groups (`super::{outbox, record::Side}` -> `outbox`, `record`).
fn after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    let word = |rest: &'a str| {
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        &rest[..end]
    };
    let mut out = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(word(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(word(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(word(rest));
        }
    }
    out.retain(|w| !w.is_empty() && *w != "self");
    out
}

/// The source without comments (a `crate::x` in a doc comment is no dependency) and without
/// its tests (a `#[cfg(test)]` module, by this codebase's habit at the end of its file).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(module, file)` of a source path: `share/outbox.rs` is (`share`, `outbox`), a top-level
/// file its own module.
fn place(src: &Path, path: &Path) -> (String, String) {
    let relative = path.strip_prefix(src).unwrap();
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.as_slice() {
        [file] => (file.clone(), "mod".into()),
        [module, file, ..] => (module.clone(), file.clone()),
        [] => unreachable!(),
    }
}

/// A circle in `graph`, if any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(
                path[at..]
                    .iter()
                    .cloned()
                    .chain([node.to_owned()])
                    .collect(),
            );
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn core_has_no_import_circles_and_the_store_imports_no_domain_module() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    // A module's test files (`store/tests.rs`) may use anything.
    all.retain(|p| p.file_name().is_some_and(|n| n != "tests.rs"));
    let modules: BTreeSet<String> = all.iter().map(|p| place(&src, p).0).collect();
    let mut between: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut within: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for path in &all {
        let (module, file) = place(&src, path);
        let code = code_of(&std::fs::read_to_string(path).unwrap());
        for used in after(&code, "crate::") {
            if modules.contains(used) && used != module && module != "lib" {
                between
                    .entry(module.clone())
                    .or_default()
                    .insert(used.to_owned());
            }
        }
        let siblings = within.entry(module.clone()).or_default();
        let mut inside: Vec<&str> = after(&code, "super::");
        if file == "mod" {
            // `mod.rs` reaches its files as `self::x` or by their names in `use x::...`.
            inside.clear();
        }
        inside.extend(after(&code, &format!("crate::{module}::")));
        for used in inside {
            if used != file && !used.is_empty() {
                siblings
                    .entry(file.clone())
                    .or_default()
                    .insert(used.to_owned());
            }
        }
    }
    if let Some(found) = circle(&between) {
        panic!("modules import each other: {}", found.join(" -> "));
    }
    for (module, graph) in &within {
        // Only files of this module count (`super::` from a module's own file may name an
        // item of mod.rs).
        let files: BTreeSet<&String> = graph.keys().collect();
        let graph: BTreeMap<String, BTreeSet<String>> = graph
            .iter()
            .map(|(f, used)| {
                (
                    f.clone(),
                    used.iter().filter(|u| files.contains(u)).cloned().collect(),
                )
            })
            .collect();
        if let Some(found) = circle(&graph) {
            panic!(
                "files of {module} import each other: {}",
                found.join(" -> ")
            );
        }
    }
    let store_uses = between.get("store").cloned().unwrap_or_default();
    assert!(
        store_uses.iter().all(|m| m == "error"),
        "store imports domain modules: {store_uses:?}"
    );
    // The check sees real imports: the planner uses the schedules, warnings the knowledge.
    assert!(between["reminder"].contains("dose"));
    assert!(between["warning"].contains("knowledge"));
}
