// Reads the guest-script declarations (types/) with the TypeScript compiler API and
// lists, per object, the public members they declare, in the same terms as
// members.ts lists the runtime: names beyond a base class, `[Symbol.x]` for
// well-known symbols.
import ts from "typescript";
import { dirname, join } from "node:path";
import { GUEST_OPTIONS, GUEST_TYPES, ROOT } from "./tsc.ts";

export interface DeclaredSurface {
  /** value exports of module "net", without "default" */
  net: string[];
  /** instance members of net.Socket not declared on stream.Duplex */
  socket: string[];
  /** instance members of net.Server not declared on events.EventEmitter */
  server: string[];
  /** own static members of net.Socket / net.Server (beyond `prototype`) */
  socketStatic: string[];
  serverStatic: string[];
  /** every instance member declared on stream.Duplex / events.EventEmitter (incl. inherited) */
  duplexAll: string[];
  emitterAll: string[];
  /** global values declared for the sandbox (timers, console, process, Buffer, ...) */
  globals: string[];
  /** value exports (incl. "default") of each declared built-in module, by bare name */
  modules: Record<string, string[]>;
  /** the literal members of net's SystemErrorCode and NodeErrorCode unions */
  systemCodes: string[];
  nodeCodes: string[];
}

function memberName(sym: ts.Symbol): string {
  const m = /^__@(\w+)@\d+$/.exec(sym.escapedName as string);
  return m ? `[Symbol.${m[1]}]` : sym.name;
}

export function declaredSurface(): DeclaredSurface {
  const program = ts.createProgram({ rootNames: [GUEST_TYPES], options: GUEST_OPTIONS });
  const checker = program.getTypeChecker();
  const moduleSym = (name: string): ts.Symbol => {
    const sym = checker.getAmbientModules().find((m) => m.name === `"${name}"`);
    if (!sym) throw new Error(`types/ declares no module "${name}"`);
    return sym;
  };
  const exportOf = (mod: string, name: string): ts.Symbol => {
    let sym = checker.getExportsOfModule(moduleSym(mod)).find((s) => s.name === name);
    if (!sym) throw new Error(`module "${mod}" does not export ${name}`);
    if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    return sym;
  };
  // `_x` members are Node's protected hooks (_read, _write, ...), not public API.
  const isPublic = (n: string): boolean => !n.startsWith("_");
  const instanceMembers = (sym: ts.Symbol): Set<string> =>
    new Set(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym)).map(memberName).filter(isPublic));
  const staticMembers = (sym: ts.Symbol): Set<string> => {
    const type = checker.getTypeOfSymbol(sym);
    return new Set(checker.getPropertiesOfType(type).map(memberName).filter((n) => isPublic(n) && n !== "prototype"));
  };
  const minus = (a: Set<string>, b: Set<string>): string[] => [...a].filter((n) => !b.has(n)).sort();

  const socket = exportOf("net", "Socket");
  const server = exportOf("net", "Server");
  const duplex = exportOf("stream", "Duplex");
  const emitter = exportOf("events", "EventEmitter");

  const net = checker
    .getExportsOfModule(moduleSym("net"))
    .filter((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return (target.flags & ts.SymbolFlags.Value) !== 0 && s.name !== "default";
    })
    .map((s) => s.name)
    .filter(isPublic)
    .sort();

  const globals: string[] = [];
  for (const file of program.getSourceFiles()) {
    if (dirname(file.fileName) !== join(ROOT, "types")) continue;
    for (const st of file.statements) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) globals.push(d.name.text);
      } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
        globals.push(st.name.text);
      }
    }
  }
  const modules: Record<string, string[]> = {};
  for (const m of checker.getAmbientModules()) {
    const name = m.name.replace(/^"|"$/g, "");
    if (name.startsWith("node:")) continue;
    modules[name] = checker
      .getExportsOfModule(m)
      .filter((s) => ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0)
      .map((s) => s.name)
      .sort();
  }

  const literals = (name: string): string[] => {
    const type = checker.getDeclaredTypeOfSymbol(exportOf("net", name));
    return (type.isUnion() ? type.types : [type]).map((t) => (t as ts.StringLiteralType).value).sort();
  };

  return {
    systemCodes: literals("SystemErrorCode"),
    nodeCodes: literals("NodeErrorCode"),
    globals: [...new Set(globals)].sort(),
    modules,
    net,
    socket: minus(instanceMembers(socket), instanceMembers(duplex)),
    server: minus(instanceMembers(server), instanceMembers(emitter)),
    socketStatic: minus(staticMembers(socket), staticMembers(duplex)),
    serverStatic: minus(staticMembers(server), staticMembers(emitter)),
    duplexAll: [...instanceMembers(duplex)].sort(),
    emitterAll: [...instanceMembers(emitter)].sort(),
  };
}
