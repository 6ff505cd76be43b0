/**
 * Guest errors as host errors: an uncaught guest error becomes a `GuestError`
 * on the host with the guest's name, message, stack and Node error properties
 * (code, errno, syscall, address, port, hostname, path).
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";

const PROPS = ["code", "errno", "syscall", "address", "port", "hostname", "path", "dest", "permission", "resource", "quota", "limit", "info"] as const;

export class GuestError extends Error {
  code?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  path?: string;
  /** the guest's stack frames (the host's `stack` starts with `name: message`) */
  guestStack: string;

  constructor(name: string, message: string, guestStack: string) {
    super(message);
    this.name = name;
    this.guestStack = guestStack;
    this.stack = guestStack ? `${name}: ${message}\n${guestStack.replace(/\n$/, "")}` : `${name}: ${message}`;
  }
}

function prop(ctx: QuickJSContext, h: QuickJSHandle, key: string): unknown {
  const v = ctx.getProp(h, key);
  try {
    const t = ctx.typeof(v);
    if (t === "string") return ctx.getString(v);
    if (t === "number") return ctx.getNumber(v);
    if (t === "boolean") return ctx.dump(v) as boolean;
    if (t === "object" && key === "info") return ctx.dump(v);
    return undefined;
  } finally {
    v.dispose();
  }
}

/** Read a thrown guest value. Never throws: an OOM'd guest may fail every read. */
export function readGuestError(ctx: QuickJSContext, h: QuickJSHandle): GuestError {
  try {
    if (ctx.typeof(h) !== "object") {
      const v = ctx.dump(h);
      return new GuestError("Error", `Uncaught ${typeof v === "string" ? JSON.stringify(v) : String(v)}`, "");
    }
    const name = prop(ctx, h, "name");
    const message = prop(ctx, h, "message");
    const stack = prop(ctx, h, "stack");
    const err = new GuestError(typeof name === "string" ? name : "Error", typeof message === "string" ? message : String(ctx.dump(h)), typeof stack === "string" ? stack : "");
    for (const k of PROPS) {
      const v = prop(ctx, h, k);
      if (v !== undefined) (err as unknown as Record<string, unknown>)[k] = v;
    }
    return err;
  } catch (e) {
    return new GuestError("InternalError", `the guest failed and its error could not be read (${(e as Error).message})`, "");
  }
}
