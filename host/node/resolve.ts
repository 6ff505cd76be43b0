/**
 * Name resolution for connect, as node:net does it (dns.lookup with Node's
 * family and hints defaults, every address asked for).
 */
import * as dns from "node:dns";
import type { ConnectTcp } from "../backend.ts";

export type LookupDone = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void;

/** Looks `req.host` up; `done` always runs asynchronously, with an error or at least one address. */
export function lookupAll(req: ConnectTcp, done: LookupDone): void {
  const family = req.family === 4 || req.family === 6 ? req.family : 0;
  let hints = req.hints || 0;
  if (family === 0 && hints === 0) hints = dns.ADDRCONFIG;
  const host = req.host;
  const answer: LookupDone = (err, addresses) => {
    if (!err && addresses.length === 0) {
      err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
        code: "ENOTFOUND", errno: -3008, syscall: "getaddrinfo", hostname: host,
      });
    }
    done(err, addresses);
  };
  try {
    dns.lookup(host, { family, hints, all: true }, answer);
  } catch (e) {
    // ts-api validated the options as node:net does; anything left fails the connect.
    process.nextTick(answer, e as NodeJS.ErrnoException, []);
  }
}
