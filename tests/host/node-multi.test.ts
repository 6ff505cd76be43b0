/**
 * autoSelectFamily when the host resolves (ConnectTcp.multi, BEv.Resolved): the
 * machine here resolves no name to two addresses, so a scripted backend plays
 * the host. ts-api must run Node's lookupAndConnectMultiple over the answer:
 * 'lookup' per address, attempts in alternating-family order, each connect
 * carrying the name for the policy.
 */
import { describe, expect, it } from "vitest";
import { BEv } from "../../host/backend.ts";
import type { Backend, ConnectTcp, Dispatch } from "../../host/backend.ts";
import { createNetModule } from "../../ts-api/net.ts";

function scriptedBackend() {
  let dispatch: Dispatch = () => {};
  const connects: ConnectTcp[] = [];
  const destroyed: number[] = [];
  let next = 1;
  const backend = {
    setDispatch(d: Dispatch) { dispatch = d; },
    connectTcp(req: ConnectTcp) { connects.push({ ...req }); return next++; },
    destroy(h: number) { destroyed.push(h); },
    ref() {},
    setTimeout() {},
    counters() { return { bytesRead: 0, bytesWritten: 0, bufferSize: 0 }; },
    socketInfo() { return {}; },
  } as unknown as Backend;
  return { backend, connects, destroyed, fire: (h: number, ev: BEv, a?: unknown, b?: unknown) => dispatch(h, ev, a, b) };
}

describe("autoSelectFamily through BEv.Resolved", () => {
  it("a name with two addresses: 'lookup' for each, ::1 refused, then 127.0.0.1 connects", async () => {
    const be = scriptedBackend();
    const net = createNetModule(be.backend);
    const c = net.connect({ port: 80, host: "dual.test" });
    const events: unknown[][] = [];
    for (const ev of ["lookup", "connectionAttempt", "connectionAttemptFailed", "connect", "error"]) {
      c.on(ev, (...args: unknown[]) => events.push([ev, ...args.map((x) => (x instanceof Error ? (x as { code?: string }).code : x))]));
    }
    expect(be.connects).toHaveLength(1);
    expect(be.connects[0]).toMatchObject({ host: "dual.test", port: 80, multi: true });

    be.fire(1, BEv.Resolved, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }], "dual.test");
    expect(be.connects[1]).toMatchObject({ host: "::1", family: 6, resolved: true, name: "dual.test", multi: false });
    be.fire(1, BEv.Close, false); // the resolved handle's Close goes nowhere
    be.fire(2, BEv.Error, { code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "::1", port: 80 });
    expect(be.connects[2]).toMatchObject({ host: "127.0.0.1", family: 4, resolved: true, name: "dual.test" });
    be.fire(3, BEv.Connect, { local: { address: "127.0.0.1", family: "IPv4", port: 5000 }, remote: { address: "127.0.0.1", family: "IPv4", port: 80 } });

    expect(events).toEqual([
      ["lookup", null, "::1", 6, "dual.test"],
      ["lookup", null, "127.0.0.1", 4, "dual.test"],
      ["connectionAttempt", "::1", 80, 6],
      ["connectionAttemptFailed", "::1", 80, 6, "ECONNREFUSED"],
      ["connectionAttempt", "127.0.0.1", 80, 4],
      ["connect"],
    ]);
    expect(c.autoSelectFamilyAttemptedAddresses).toEqual(["::1:80", "127.0.0.1:80"]);
    expect(c.connecting).toBe(false);
    c.destroy();
  });

  it("no multi with a family, a localAddress or autoSelectFamily: false", () => {
    const be = scriptedBackend();
    const net = createNetModule(be.backend);
    for (const o of [{ family: 4 }, { localAddress: "127.0.0.1" }, { autoSelectFamily: false }]) {
      net.connect({ port: 80, host: "dual.test", ...o }).destroy();
    }
    net.connect({ port: 80, host: "127.0.0.1" }).destroy();
    expect(be.connects.map((r) => r.multi ?? false)).toEqual([false, false, false, false]);
  });
});
