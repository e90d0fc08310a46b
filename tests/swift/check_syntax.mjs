// Syntax-checks Swift files (uniffi-generated bindings) without a Swift toolchain, using
// tree-sitter-swift. Usage: node tests/swift/check_syntax.mjs FILE.swift...
// Prints `file:line:col: syntax error near ...` per error and one summary line; exits 1 if
// any file has an error. The parser comes from $TREE_SITTER_NODE_MODULES (exported by
// ensure_tree_sitter_swift in tests/lib/tools.sh), else from .cache/tools/node/node_modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const modules = process.env.TREE_SITTER_NODE_MODULES
  ?? fileURLToPath(new URL('../../.cache/tools/node/node_modules', import.meta.url));
const require = createRequire(import.meta.url);
const Parser = require(path.join(modules, 'tree-sitter'));
const Swift = require(path.join(modules, 'tree-sitter-swift'));

// tree-sitter-swift 0.7.1 rejects three valid constructs that uniffi emits. They are blanked
// with spaces (newlines kept), so the lines and columns of real errors stay exact.
const blank = (text) => text.replace(/[^\n]/g, ' ');
const FALSE_POSITIVES = [
  // #if swift(>=5.8) / @_documentation(visibility: private) / #endif
  [/^[ \t]*#if swift\(>=5\.8\)\n[ \t]*@_documentation\([^)\n]*\)\n[ \t]*#endif[ \t]*$/gm, blank],
  // the `nonisolated(unsafe)` declaration modifier
  [/\bnonisolated\(unsafe\)/g, blank],
  // the empty-tuple body of `let x = { () }`
  [/(\blet\s+\w+\s*=\s*\{\s*)\(\)(?=\s*\})/g, (_, head) => head + '  '],
];

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check_syntax.mjs FILE.swift...');
  process.exit(2);
}

const MAX_REPORTED_PER_FILE = 10;
const parser = new Parser();
parser.setLanguage(Swift);
let errors = 0;

for (const file of files) {
  const original = readFileSync(file, 'utf8');
  const lines = original.split('\n');
  const source = FALSE_POSITIVES.reduce(
    (text, [pattern, replacement]) => text.replace(pattern, replacement),
    original,
  );

  // Collect the innermost nodes that carry an error. A missing token can be a hidden child,
  // in which case the innermost visible node with hasError stands for it.
  const found = [];
  const visit = (node) => {
    const bad = node.children.filter((child) => child.hasError);
    if (node.type === 'ERROR' || node.isMissing || bad.length === 0) found.push(node);
    else bad.forEach(visit);
  };
  const root = parser.parse(source).rootNode;
  if (root.hasError) visit(root);

  // One real error usually cascades; the first few lines are the useful ones.
  for (const node of found.slice(0, MAX_REPORTED_PER_FILE)) {
    const { row, column } = node.startPosition;
    const near = (node.text.trim() || lines[row].trim()).split('\n')[0].slice(0, 60);
    const missing = node.isMissing ? ` (missing "${node.type}")` : '';
    console.log(`${file}:${row + 1}:${column + 1}: syntax error near "${near}"${missing}`);
  }
  if (found.length > MAX_REPORTED_PER_FILE) {
    console.log(`${file}: ${found.length - MAX_REPORTED_PER_FILE} more syntax error(s) not shown`);
  }
  errors += found.length;
}

console.log(`swift syntax: ${files.length} file(s) checked, ${errors} error(s)`);
process.exit(errors > 0 ? 1 : 0);
