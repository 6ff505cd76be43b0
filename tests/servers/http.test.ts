// An HTTP/1.1 GET (examples/http-get.mjs) inside a sandbox against Node's own
// HTTP server running in a child process.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectOk } from "../quickjs/helpers.ts";
import { startHttp, type Running } from "./servers.ts";

const examples = join(import.meta.dirname, "..", "..", "examples");
let http: Running;

beforeAll(async () => {
  http = await startHttp();
}, 30_000);
afterAll(async () => {
  await http.stop();
});

function get(path: string) {
  return expectOk(join(examples, "http-get.mjs"), { root: examples, allowNet: [`127.0.0.1:${http.port}`], args: ["127.0.0.1", String(http.port), path] });
}

describe("HTTP/1.1 GET", () => {
  test("status line, headers and body", async () => {
    const r = await get("/hello");
    expect(r.lines[0]).toBe("HTTP/1.1 200 OK");
    expect(r.lines).toContain("content-type: text/plain");
    expect(r.lines).toContain("connection: close");
    expect(r.lines.at(-1)).toBe("hello GET /hello from wasock");
    expect(r.lines).toContain(`body: ${"hello GET /hello from wasock".length} bytes`);
  });

  test("a chunked response", async () => {
    const r = await get("/chunked");
    expect(r.lines).toContain("transfer-encoding: chunked");
    expect(r.lines.at(-1)).toBe("part one, part two");
  });

  test("a 1 MiB body arrives whole", async () => {
    const r = await get("/big");
    expect(r.lines).toContain("content-length: 1048576");
    expect(r.lines).toContain("body: 1048576 bytes");
  });

  test("another port on the same host is denied", async () => {
    const r = await expectOk(join(examples, "http-get.mjs"), { root: examples, allowNet: [`127.0.0.1:${http.port === 1 ? 2 : http.port - 1}`], args: ["127.0.0.1", String(http.port), "/"] }).catch((e: Error) => e);
    expect(String(r)).toMatch(/ERR_ACCESS_DENIED|denied by the network policy/);
  });
});
