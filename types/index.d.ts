// wasock guest-script types: the modules and globals a wasock QuickJS sandbox gives
// a script. Self-contained: do not load @types/node alongside (it declares the same
// names for Node itself). Use with `"types": ["wasock/guest"]` in tsconfig.json, or
// `/// <reference types="wasock/guest" />`.

/// <reference path="./globals.d.ts" />
/// <reference path="./buffer.d.ts" />
/// <reference path="./events.d.ts" />
/// <reference path="./stream.d.ts" />
/// <reference path="./string_decoder.d.ts" />
/// <reference path="./net.d.ts" />
