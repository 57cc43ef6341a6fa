import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import * as ts from 'typescript';

/**
 * One self-contained .d.ts for an entry: the declarations TypeScript emitted for it and for every
 * module it reaches, inlined (rollup + rollup-plugin-dts). No import of another declaration file
 * is left, so the dist ships declarations only for modules that exist at runtime.
 */
export async function bundleDeclarations(entry: string): Promise<string> {
  const warnings: string[] = [];
  const bundle = await rollup({ input: entry, plugins: [dts()], onwarn: (warning) => void warnings.push(warning.message) });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    if (warnings.length > 0) throw new Error(`declarations of ${entry}:\n${warnings.join('\n')}`);
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/** Names a declaration file exports as values (not `export type`, not interfaces or type aliases). */
function valueExportsOf(source: ts.SourceFile): { name: string; element?: ts.ExportSpecifier }[] {
  const found: { name: string; element?: ts.ExportSpecifier }[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) if (!element.isTypeOnly) found.push({ name: element.name.text, element });
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      throw new Error(`unexpected re-export in bundled declarations: ${statement.getText(source)}`);
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) found.push({ name: declaration.name.text });
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) {
        found.push({ name: statement.name.text });
      }
    }
  }
  return found;
}

/** The names a declaration file exports as values: what a consumer may use at runtime. */
export function declaredValueExports(code: string): string[] {
  return valueExportsOf(ts.createSourceFile('bundle.d.ts', code, ts.ScriptTarget.Latest, true)).map((d) => d.name);
}

/**
 * Makes the declared value exports equal to what the JS module really exports. rollup-plugin-dts
 * flattens `export type * from …` into plain `export { … }` (rollup-plugin-dts issue #354), which
 * would declare values such as PANEL_EVENTS that the component's JS does not have: those become
 * `type` exports again, as the source said. A runtime export the declarations lack is an error.
 */
export function alignValueExports(code: string, runtimeExports: readonly string[], label: string): string {
  const source = ts.createSourceFile('bundle.d.ts', code, ts.ScriptTarget.Latest, true);
  const declared = valueExportsOf(source);
  const runtime = new Set(runtimeExports);
  const missing = runtimeExports.filter((name) => !declared.some((d) => d.name === name));
  if (missing.length > 0) throw new Error(`${label}: the JS exports ${missing.join(', ')} but the bundled declarations do not`);
  const demote = declared.filter((d) => !runtime.has(d.name));
  const unfixable = demote.filter((d) => !d.element);
  if (unfixable.length > 0) throw new Error(`${label}: declarations export ${unfixable.map((d) => d.name).join(', ')}, which the JS does not`);
  const starts = demote.flatMap((d) => (d.element ? [d.element.getStart(source)] : [])).sort((a, b) => b - a);
  return starts.reduce((out, at) => `${out.slice(0, at)}type ${out.slice(at)}`, code);
}
