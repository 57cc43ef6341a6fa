import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Which property names the bundles may shorten (esbuild `mangleProps`): an explicit allow-list,
 * generated from the source, of names that are ONLY ever TypeScript `private` class members.
 *
 * A name is a candidate when src/** or components/** declare it as a `private` member (field,
 * method, accessor or constructor parameter property). It is dropped again when it appears anywhere
 * as a name we do not own, or that something other than our own code might read by name:
 *  - any other use of it in our code that the type checker does not resolve to a private member
 *    (an interface or object-literal key, a public member, an access on `any`, a destructuring…);
 *  - any identifier of the public declarations (the bundled .d.ts of each entry, private members aside);
 *  - any identifier of src/vendor/mqtt.d.ts and of the vendored mqtt.min.js itself (objects we hand
 *    to mqtt.js or get from it: options, stores, packets, the client's own fields);
 *  - any identifier of src/platform/wx.ts and src/platform/adapters/** (wx/my/tt/swan/uni/Taro, SocketTask);
 *  - any identifier of miniprogram-api-typings and of TypeScript's ES libraries (then, toJSON, name…);
 *  - any identifier in the components' WXML/WXS (data rendered by name);
 *  - any identifier-like word inside a string or template literal of our code (string-keyed access,
 *    `'x' in o`, defineProperty…);
 *  - the private names of a class whose instances our code serialises or enumerates (JSON.stringify,
 *    Object.keys/values/entries/assign, spread, for…in, setData/triggerEvent): their keys are data.
 * The same list (and one shared mangle cache) is used for every bundle, so an object crossing from
 * the runtime into a component has the same short names on both sides.
 */
export interface MangleScan {
  /** Names to mangle, sorted. */
  names: string[];
  /** Private names that were left out, with the first reason found. */
  excluded: Record<string, string>;
}

const IDENT = /[A-Za-z_$][\w$]*/g;

/** Names that must never change whatever the scan says (protocols the engine or libraries read by name). */
export const ALWAYS_RESERVED = ['then', 'catch', 'finally', 'toJSON', 'toString', 'valueOf', 'constructor', 'prototype', '__proto__', 'handleEvent', 'length', 'name', 'message', 'stack', 'cause', 'next', 'done', 'value'];

function identifiersOf(text: string): Set<string> {
  return new Set(text.match(IDENT) ?? []);
}

function isPrivateMember(declaration: ts.Declaration): boolean {
  const modifiers = ts.canHaveModifiers(declaration) ? ts.getModifiers(declaration) : undefined;
  const isPrivate = modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ?? false;
  if (!isPrivate) return false;
  return (
    ts.isPropertyDeclaration(declaration) ||
    ts.isMethodDeclaration(declaration) ||
    ts.isGetAccessorDeclaration(declaration) ||
    ts.isSetAccessorDeclaration(declaration) ||
    (ts.isParameter(declaration) && ts.isConstructorDeclaration(declaration.parent))
  );
}

/** Identifiers of a declaration file, except the names of its private members (`private x;` in a class). */
export function declarationIdentifiers(code: string, file = 'bundle.d.ts'): Set<string> {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (isPrivateMember(node as ts.Declaration)) return;
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.add(node.text);
    if (ts.isStringLiteralLike(node)) for (const word of identifiersOf(node.text)) names.add(word);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

function filesIn(dir: string, test: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesIn(full, test) : test.test(entry.name) ? [full] : [];
  });
}

/** Every identifier of the files that name things we do not own (see MangleScan), by source. */
export function externalNames(root: string, publicDeclarations: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  const add = (names: Iterable<string>, why: string) => {
    for (const name of names) if (!found.has(name)) found.set(name, why);
  };
  add(ALWAYS_RESERVED, 'always reserved');
  publicDeclarations.forEach((code, i) => add(declarationIdentifiers(code, `public-${i}.d.ts`), 'public .d.ts'));
  add(identifiersOf(fs.readFileSync(path.join(root, 'src/vendor/mqtt.d.ts'), 'utf8')), 'src/vendor/mqtt.d.ts');
  const vendored = [path.join(root, 'src/vendor/mqtt.js'), path.join(root, 'node_modules/mqtt/dist/mqtt.min.js')].find((f) => fs.existsSync(f));
  if (vendored) add(identifiersOf(fs.readFileSync(vendored, 'utf8')), 'vendored mqtt.js');
  for (const file of [path.join(root, 'src/platform/wx.ts'), ...filesIn(path.join(root, 'src/platform/adapters'), /\.ts$/)]) {
    add(identifiersOf(fs.readFileSync(file, 'utf8')), path.relative(root, file).split(path.sep).join('/'));
  }
  for (const file of filesIn(path.join(root, 'node_modules/miniprogram-api-typings'), /\.d\.ts$/)) add(identifiersOf(fs.readFileSync(file, 'utf8')), 'miniprogram-api-typings');
  for (const file of filesIn(path.join(root, 'node_modules/typescript/lib'), /^lib\.es[\w.]*\.d\.ts$/)) add(identifiersOf(fs.readFileSync(file, 'utf8')), 'TypeScript ES libs');
  for (const file of filesIn(path.join(root, 'components'), /\.(wxml|wxs)$/)) add(identifiersOf(fs.readFileSync(file, 'utf8')), 'WXML/WXS');
  return found;
}

/** Our own TypeScript (src/** and components/**, no .d.ts), type-checked with the build's settings. */
function sourceProgram(root: string): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.build.json: unreadable');
  return ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
}

const SERIALISERS = /^(JSON\.stringify|Object\.(keys|values|entries|assign|getOwnPropertyNames|freeze)|.*\.setData|.*\.triggerEvent|.*\.setStorageSync|.*\.setStorage)$/;

/** Scans the source: private names, every non-private use of a name, and classes whose keys are data. */
export function scanSource(root: string): { privates: Map<string, string>; publicUses: Map<string, string>; strings: Set<string>; serialised: Map<string, string> } {
  const program = sourceProgram(root);
  const checker = program.getTypeChecker();
  const privates = new Map<string, string>();
  const publicUses = new Map<string, string>();
  const strings = new Set<string>();
  const serialised = new Map<string, string>();
  const own = program.getSourceFiles().filter((f) => !f.isDeclarationFile && /^(src|components)\//.test(path.relative(root, f.fileName).split(path.sep).join('/')));
  const where = (node: ts.Node) => {
    const file = node.getSourceFile();
    return `${path.relative(root, file.fileName).split(path.sep).join('/')}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };
  const usePublic = (name: string, node: ts.Node) => {
    if (!publicUses.has(name)) publicUses.set(name, where(node));
  };
  const allPrivate = (symbol: ts.Symbol | undefined): boolean => {
    if (!symbol) return false;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const all = checker.getRootSymbols(target).flatMap((p) => p.declarations ?? []);
    return all.length > 0 && all.every((d) => isPrivateMember(d));
  };
  /** The private member names of a class type (and of its bases) that a value of this type carries. */
  const privateNamesOfType = (type: ts.Type, seen = new Set<ts.Type>()): string[] => {
    if (seen.has(type)) return [];
    seen.add(type);
    if (type.isUnionOrIntersection()) return type.types.flatMap((t) => privateNamesOfType(t, seen));
    const names: string[] = [];
    for (const property of checker.getPropertiesOfType(type)) {
      if ((property.declarations ?? []).some((d) => isPrivateMember(d))) names.push(property.name);
    }
    return names;
  };
  const markSerialised = (expression: ts.Expression, why: string) => {
    for (const name of privateNamesOfType(checker.getTypeAtLocation(expression))) if (!serialised.has(name)) serialised.set(name, `${why} at ${where(expression)}`);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const word of identifiersOf(node.text)) strings.add(word);
    }
    // declarations of members
    if ((ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && node.name) {
      if (ts.isIdentifier(node.name)) {
        if (isPrivateMember(node)) {
          if (!privates.has(node.name.text)) privates.set(node.name.text, where(node));
        } else usePublic(node.name.text, node);
      }
    } else if (ts.isParameter(node) && ts.isConstructorDeclaration(node.parent) && ts.isIdentifier(node.name)) {
      const modifiers = ts.getModifiers(node) ?? [];
      if (isPrivateMember(node)) {
        if (!privates.has(node.name.text)) privates.set(node.name.text, where(node));
      } else if (modifiers.some((m) => [ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.ReadonlyKeyword].includes(m.kind))) usePublic(node.name.text, node);
    } else if ((ts.isPropertySignature(node) || ts.isMethodSignature(node) || ts.isPropertyAssignment(node) || ts.isEnumMember(node)) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      usePublic(node.name.text, node);
    } else if (ts.isShorthandPropertyAssignment(node)) {
      usePublic(node.name.text, node);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key)) usePublic(key.text, node);
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
      if (!allPrivate(checker.getSymbolAtLocation(node.name))) usePublic(node.name.text, node);
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      usePublic(node.argumentExpression.text, node);
    } else if (ts.isQualifiedName(node)) {
      usePublic(node.right.text, node);
    }
    // values whose keys are data
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText();
      if (SERIALISERS.test(callee)) for (const argument of node.arguments) markSerialised(argument, callee);
    } else if (ts.isSpreadAssignment(node) || ts.isSpreadElement(node)) {
      markSerialised(node.expression, 'spread');
    } else if (ts.isForInStatement(node)) {
      markSerialised(node.expression, 'for…in');
    }
    ts.forEachChild(node, visit);
  };
  for (const file of own) visit(file);
  return { privates, publicUses, strings, serialised };
}

/** The allow-list: private names minus everything external or public (see MangleScan). */
export function mangleScan(root: string, publicDeclarations: readonly string[]): MangleScan {
  const { privates, publicUses, strings, serialised } = scanSource(root);
  const external = externalNames(root, publicDeclarations);
  const names: string[] = [];
  const excluded: Record<string, string> = {};
  for (const name of [...privates.keys()].sort()) {
    const why =
      (publicUses.has(name) && `also a non-private name at ${publicUses.get(name)}`) ||
      (external.has(name) && `named in ${external.get(name)}`) ||
      (strings.has(name) && 'appears in a string literal') ||
      (serialised.has(name) && `its class is serialised/enumerated (${serialised.get(name)})`) ||
      (name.length <= 2 && 'already short') ||
      '';
    if (why) excluded[name] = why;
    else names.push(name);
  }
  return { names, excluded };
}

/** esbuild's mangleProps for exactly these names (never matches anything else). */
export function manglePattern(names: readonly string[]): RegExp {
  if (names.length === 0) return /^\b$/; // matches no property name
  return new RegExp(`^(?:${names.map((n) => n.replace(/[$]/g, '\\$')).join('|')})$`);
}
