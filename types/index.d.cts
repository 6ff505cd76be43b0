// wasock guest-script types, for a `require`-mode (CommonJS) resolution of
// "wasock/guest": the same declarations as index.d.ts.

/// <reference path="./index.d.ts" />
