// A small RESP2 client over net.Socket: commands in, replies out, in order.
// Used by examples/redis.mjs and by the real-server tests.
import net from "node:net";

const CRLF = "\r\n";

const ASCII = /^[\x00-\x7f]*$/;

export function encode(args) {
  let out = `*${args.length}${CRLF}`;
  for (const a of args) {
    const s = String(a);
    out += `$${ASCII.test(s) ? s.length : Buffer.byteLength(s)}${CRLF}${s}${CRLF}`;
  }
  return out;
}

export class ReplyError extends Error {
  constructor(message) {
    super(message);
    this.name = "ReplyError";
  }
}

/** Parses replies out of a growing buffer; returns [reply, nextOffset] or null when incomplete. */
export function parse(buf, at = 0) {
  if (at >= buf.length) return null;
  const eol = buf.indexOf(13, at); // CR of the CRLF; a number needle is a native search
  if (eol < 0 || eol + 1 >= buf.length) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString("utf8", at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case "+":
      return [line, next];
    case "-":
      return [new ReplyError(line), next];
    case ":":
      return [Number(line), next];
    case "$": {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.toString("utf8", next, next + n), next + n + 2];
    }
    case "*": {
      const n = Number(line);
      if (n < 0) return [null, next];
      const items = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (r === null) return null;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
    default:
      throw new Error(`RESP: unexpected type byte ${JSON.stringify(type)}`);
  }
}

export class RespClient {
  #socket;
  #buf = Buffer.alloc(0);
  /** pending replies, oldest first: an array with a moving head (shift() is O(n)) */
  #waiting = [];
  #head = 0;
  /** pub/sub messages: (channel, message) */
  onMessage = null;

  constructor(socket) {
    this.#socket = socket;
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("error", (err) => this.#failAll(err));
    socket.on("close", () => this.#failAll(new Error("connection closed")));
  }

  static connect(port, host = "127.0.0.1") {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RespClient(socket));
      });
    });
  }

  /** one command; resolves with its reply (rejects on an error reply) */
  call(...args) {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write(encode(args));
    });
  }

  /** many commands in one write; resolves with every reply in order */
  pipeline(commands) {
    const replies = commands.map(
      () => new Promise((resolve, reject) => this.#waiting.push({ resolve, reject: (e) => (e instanceof ReplyError ? resolve(e) : reject(e)) })),
    );
    this.#socket.write(commands.map(encode).join(""));
    return Promise.all(replies);
  }

  quit() {
    return this.call("QUIT").finally(() => this.#socket.end());
  }

  #onData(chunk) {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    let at = 0;
    for (;;) {
      const r = parse(this.#buf, at);
      if (r === null) break;
      at = r[1];
      this.#deliver(r[0]);
    }
    this.#buf = at === this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(at);
  }

  #deliver(reply) {
    if (Array.isArray(reply) && reply[0] === "message" && this.onMessage && this.#head === this.#waiting.length) {
      this.onMessage(reply[1], reply[2]);
      return;
    }
    const w = this.#waiting[this.#head];
    if (w !== undefined) {
      this.#waiting[this.#head++] = undefined;
      if (this.#head === this.#waiting.length) {
        this.#waiting = [];
        this.#head = 0;
      }
    }
    if (w === undefined) {
      if (Array.isArray(reply) && reply[0] === "message" && this.onMessage) this.onMessage(reply[1], reply[2]);
      return;
    }
    if (reply instanceof ReplyError) w.reject(reply);
    else w.resolve(reply);
  }

  #failAll(err) {
    const waiting = this.#waiting.slice(this.#head);
    this.#waiting = [];
    this.#head = 0;
    for (const w of waiting) w.reject(err);
  }
}
