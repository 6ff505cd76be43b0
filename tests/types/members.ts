// Lists the public members of a `net` implementation at run time. LIST_MEMBERS is
// plain JavaScript source so that the same code runs on Node and inside a QuickJS
// sandbox: `(net, Duplex, EventEmitter) => RuntimeSurface`.
//
// A member of Socket is a string key on a fresh `new net.Socket()` or its prototype
// chain that a fresh `new Duplex()` does not have; likewise Server over
// EventEmitter. Keys starting with `_` are private by Node's convention and skipped;
// symbols count only when they are well-known (Symbol.asyncDispose, ...) or Node's
// registered `nodejs.asyncDispose` / `nodejs.dispose`.

export interface RuntimeSurface {
  net: string[];
  socket: string[];
  server: string[];
  socketStatic: string[];
  serverStatic: string[];
  /** every public key of a fresh Duplex / EventEmitter (incl. inherited) */
  duplexAll: string[];
  emitterAll: string[];
}

export const LIST_MEMBERS = `(function listMembers(net, Duplex, EventEmitter) {
  var WELL_KNOWN = ["asyncDispose", "dispose", "asyncIterator", "iterator"];
  function symbolName(s) {
    for (var i = 0; i < WELL_KNOWN.length; i++) {
      var w = WELL_KNOWN[i];
      if (Symbol[w] !== undefined && s === Symbol[w]) return "[Symbol." + w + "]";
      if (s === Symbol.for("nodejs." + w)) return "[Symbol." + w + "]";
    }
    return null;
  }
  function keyName(k) {
    if (typeof k === "symbol") return symbolName(k);
    if (k === "constructor" || k.charAt(0) === "_") return null;
    return k;
  }
  function keysOf(obj) {
    var out = new Set();
    for (var p = obj; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      var ks = Reflect.ownKeys(p);
      for (var i = 0; i < ks.length; i++) {
        var n = keyName(ks[i]);
        if (n !== null) out.add(n);
      }
    }
    return out;
  }
  function staticsOf(C) {
    var out = new Set();
    var ks = Reflect.ownKeys(C);
    for (var i = 0; i < ks.length; i++) {
      var n = keyName(ks[i]);
      if (n !== null && n !== "length" && n !== "name" && n !== "prototype") out.add(n);
    }
    return out;
  }
  function minus(a, b) {
    return Array.from(a).filter(function (n) { return !b.has(n); }).sort();
  }
  var socket = new net.Socket();
  var server = new net.Server();
  var duplex = new Duplex();
  var emitter = new EventEmitter();
  var result = {
    net: Object.keys(net).filter(function (k) { return k !== "default"; }).sort(),
    socket: minus(keysOf(socket), keysOf(duplex)),
    server: minus(keysOf(server), keysOf(emitter)),
    socketStatic: minus(staticsOf(net.Socket), staticsOf(Duplex)),
    serverStatic: minus(staticsOf(net.Server), staticsOf(EventEmitter)),
    duplexAll: Array.from(keysOf(duplex)).sort(),
    emitterAll: Array.from(keysOf(emitter)).sort(),
  };
  socket.destroy();
  duplex.destroy();
  return result;
})`;
