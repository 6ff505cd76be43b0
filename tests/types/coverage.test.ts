// Two more checks on types/:
// - every declaration of `net` (top-level, class members, option fields) has a doc
//   comment, and so does every top-level declaration of the other modules;
// - every option field that types/ declares is read somewhere in the net sources (an
//   option the runtime never looks at would be a silent no-op).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { GUEST_OPTIONS, GUEST_TYPES, ROOT } from "./tsc.ts";

let program: ts.Program;
let checker: ts.TypeChecker;
beforeAll(() => {
  program = ts.createProgram({ rootNames: [GUEST_TYPES], options: GUEST_OPTIONS });
  checker = program.getTypeChecker();
});

const hasDoc = (node: ts.Node): boolean => ts.getJSDocCommentsAndTags(node).length > 0;

function moduleBody(file: string, name: string): ts.ModuleBlock {
  const sf = program.getSourceFile(join(ROOT, "types", file))!;
  const decl = sf.statements.find((s): s is ts.ModuleDeclaration => ts.isModuleDeclaration(s) && s.name.text === name);
  if (!decl?.body || !ts.isModuleBlock(decl.body)) throw new Error(`types/${file} has no module "${name}"`);
  return decl.body;
}

function declName(node: ts.Node): string | undefined {
  const n = (node as { name?: ts.Node }).name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n)) return n.text;
  if (ts.isComputedPropertyName(n)) return `[${n.expression.getText()}]`;
  return n.getText();
}

/** Names of declarations without a doc comment; for overloads, one documented signature is enough. */
function undocumented(body: ts.ModuleBlock, members: boolean): string[] {
  const documented = new Set<string>();
  const seen = new Set<string>();
  const visit = (node: ts.Node, prefix: string): void => {
    const name = declName(node);
    if (name === undefined) return;
    const key = prefix + name;
    seen.add(key);
    if (hasDoc(node)) documented.add(key);
    if (members && (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node))) {
      for (const m of node.members) {
        const mName = declName(m);
        // the generated typed-listener methods are documented once per method group
        if (mName !== undefined) visit(m, `${key}.`);
      }
    }
  };
  for (const st of body.statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        seen.add(d.name.getText());
        if (hasDoc(st)) documented.add(d.name.getText());
      }
    } else if (!ts.isExportDeclaration(st) && !ts.isImportDeclaration(st) && !ts.isExportAssignment(st)) {
      visit(st, "");
    }
  }
  return [...seen].filter((k) => !documented.has(k)).sort();
}

describe("doc comments in types/", () => {
  it("cover every declaration of net: top level, class members and option fields", () => {
    expect(undocumented(moduleBody("net.d.ts", "net"), true)).toEqual([]);
  });

  it("cover every top-level declaration of events, buffer, stream and string_decoder", () => {
    const missing = [
      ["events.d.ts", "events"],
      ["buffer.d.ts", "buffer"],
      ["stream.d.ts", "stream"],
      ["string_decoder.d.ts", "string_decoder"],
    ].flatMap(([file, mod]) => undocumented(moduleBody(file!, mod!), false).map((n) => `${mod}.${n}`));
    expect(missing).toEqual([]);
  });
});

describe("option fields in types/ against the net sources", () => {
  it("every declared option is read by the runtime", () => {
    const src = ["ts-api/socket.ts", "ts-api/socket-connect.ts", "ts-api/socket-write.ts", "ts-api/server.ts", "ts-api/net.ts", "ts-api/validate.ts"]
      .map((f) => readFileSync(join(ROOT, f), "utf8"))
      .join("\n");
    const netModule = checker.getAmbientModules().find((m) => m.name === '"net"')!;
    const exports = checker.getExportsOfModule(netModule);
    const interfaces = ["SocketConstructorOpts", "ConnectOpts", "TcpSocketConnectOpts", "IpcSocketConnectOpts", "ServerOpts", "ListenOptionsBase", "TcpListenOptions", "IpcListenOptions"];
    const unread: string[] = [];
    let checked = 0;
    for (const name of interfaces) {
      let sym = exports.find((s) => s.name === name);
      expect(sym, name).toBeDefined();
      if (sym!.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym!);
      for (const prop of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym!))) {
        checked++;
        if (!new RegExp(`\\b${prop.name}\\b`).test(src)) unread.push(`${name}.${prop.name}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(unread).toEqual([]);
  });
});
