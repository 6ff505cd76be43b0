/**
 * A backend that closes a socket in the same turn as the peer's End (the
 * component's poll delivers both at once): the stream's automatic end() then
 * reaches _final after the handle is gone. It must finish and close, not wait
 * for a 'connect' that can never come.
 */
import { describe, expect, it } from "vitest";
import { BEv } from "../../host/backend.ts";
import type { Backend, Dispatch } from "../../host/backend.ts";
import { createNetModule } from "../../ts-api/net.ts";

function scriptedBackend() {
  let dispatch: Dispatch = () => {};
  const ended: number[] = [];
  const backend = {
    setDispatch(d: Dispatch) { dispatch = d; },
    connectTcp() { return 1; },
    end(h: number) { ended.push(h); },
    destroy() {},
    ref() {},
    setTimeout() {},
    resume() {},
    pause() {},
    counters() { return { bytesRead: 0, bytesWritten: 0, bufferSize: 0 }; },
    socketInfo() { return {}; },
  } as unknown as Backend;
  return { backend, ended, fire: (h: number, ev: BEv, a?: unknown) => dispatch(h, ev, a) };
}

describe("backend closes right after the peer's End", () => {
  it("'end', 'finish' and 'close' all arrive, and backend.end is not called on a dead handle", async () => {
    const be = scriptedBackend();
    const net = createNetModule(be.backend);
    const s = net.connect({ port: 80, host: "127.0.0.1" });
    const events: string[] = [];
    for (const ev of ["connect", "end", "finish", "close"]) s.on(ev, () => events.push(ev));
    s.resume();
    be.fire(1, BEv.Connect, { local: { address: "127.0.0.1", family: "IPv4", port: 5000 }, remote: { address: "127.0.0.1", family: "IPv4", port: 80 } });
    be.fire(1, BEv.End);
    be.fire(1, BEv.Close, false);
    const closed = await Promise.race([
      new Promise((r) => s.once("close", () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    expect(closed).toBe(true);
    expect(events).toEqual(["connect", "end", "finish", "close"]);
    expect(be.ended).toEqual([]);
    expect(s.destroyed).toBe(true);
  });
});
