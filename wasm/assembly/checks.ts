// Debug assertions on invariants: `if (CHECKS) assert(cond); // why`.
// On in every build (noAssert is off): a broken invariant must reach the host as a
// JS Error (host.ts), never corrupt another socket.
export const CHECKS: bool = !ASC_NO_ASSERT;
