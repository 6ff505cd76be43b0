// Client halves of the benchmark workloads.
//
// This file must stay self-contained (no imports, only the global `Buffer`):
// the same text runs in a Node process against node:net or wasock/node, and
// inside a QuickJS guest against the guest's `net`. Each workload takes the
// `net` object under test, the server port, the workload's parameters and a
// millisecond clock, and resolves to `{ value, ...detail }` where `value` is the
// figure that is compared (higher is better unless the workload says otherwise).

const HOST = "127.0.0.1";

function failOn(sock, reject) {
  sock.on("error", (err) => reject(err));
}

/** bulk-sink: `total` bytes in `chunk`-sized writes honouring 'drain'; the server acks with its count. */
function bulkSink(net, port, p, now) {
  return new Promise((resolve, reject) => {
    const buf = Buffer.alloc(p.chunk, 0x61);
    const sock = net.connect(port, HOST);
    failOn(sock, reject);
    let t0 = 0;
    let sent = 0;
    let reply = "";
    const pump = () => {
      while (sent < p.total) {
        sent += buf.length;
        if (!sock.write(buf)) {
          sock.once("drain", pump);
          return;
        }
      }
      sock.end();
    };
    sock.on("connect", () => {
      t0 = now();
      pump();
    });
    sock.setEncoding("latin1");
    sock.on("data", (s) => {
      reply += s;
    });
    sock.on("end", () => {
      const ms = now() - t0;
      if (Number(reply) !== p.total) {
        reject(new Error(`bulk-sink: server counted ${reply}, sent ${p.total}`));
        return;
      }
      resolve({ value: p.total / 1e6 / (ms / 1000), ms, bytes: p.total });
    });
  });
}

/** bulk-echo: as bulk-sink, but the server echoes everything back; done when all of it returned. */
function bulkEcho(net, port, p, now) {
  return new Promise((resolve, reject) => {
    const buf = Buffer.alloc(p.chunk, 0x62);
    const sock = net.connect(port, HOST);
    failOn(sock, reject);
    let t0 = 0;
    let sent = 0;
    let received = 0;
    const pump = () => {
      while (sent < p.total) {
        sent += buf.length;
        if (!sock.write(buf)) {
          sock.once("drain", pump);
          return;
        }
      }
    };
    sock.on("connect", () => {
      t0 = now();
      pump();
    });
    sock.on("data", (d) => {
      received += d.length;
      if (received === p.total) {
        const ms = now() - t0;
        sock.end();
        resolve({ value: p.total / 1e6 / (ms / 1000), ms, bytes: p.total });
      } else if (received > p.total) {
        reject(new Error(`bulk-echo: received ${received} > sent ${p.total}`));
      }
    });
  });
}

/** pingpong: `size` bytes out, wait for all of them back, `rounds` times. */
function pingpong(net, port, p, now) {
  return new Promise((resolve, reject) => {
    const msg = Buffer.alloc(p.size, 0x70);
    const sock = net.connect(port, HOST);
    failOn(sock, reject);
    sock.setNoDelay(true);
    let t0 = 0;
    let done = 0;
    let pending = 0;
    const ping = () => {
      pending = msg.length;
      sock.write(msg);
    };
    sock.on("connect", () => {
      t0 = now();
      ping();
    });
    sock.on("data", (d) => {
      pending -= d.length;
      if (pending > 0) return;
      if (pending < 0) {
        reject(new Error("pingpong: more bytes than sent"));
        return;
      }
      done++;
      if (done < p.rounds) {
        ping();
        return;
      }
      const ms = now() - t0;
      sock.end();
      resolve({ value: p.rounds / (ms / 1000), ms, rounds: p.rounds });
    });
  });
}

/** churn: connect, 1 byte each way, close; `count` connections, `concurrency` at a time. */
function churn(net, port, p, now) {
  return new Promise((resolve, reject) => {
    const one = Buffer.from([0x63]);
    let started = 0;
    let closed = 0;
    let failed = null;
    const t0 = now();
    const next = () => {
      if (failed) return;
      if (started >= p.count) {
        if (closed === p.count) {
          const ms = now() - t0;
          resolve({ value: p.count / (ms / 1000), ms, connections: p.count });
        }
        return;
      }
      started++;
      let got = 0;
      const sock = net.connect(port, HOST);
      sock.on("error", (err) => {
        failed = err;
        reject(err);
      });
      sock.on("connect", () => sock.write(one));
      sock.on("data", (d) => {
        got += d.length;
      });
      sock.on("close", () => {
        if (got !== 1 && !failed) {
          failed = new Error(`churn: got ${got} bytes back`);
          reject(failed);
          return;
        }
        closed++;
        next();
      });
    };
    for (let i = 0; i < p.concurrency; i++) next();
  });
}

/**
 * fanout: open `first` connections, call `mark()` (the server samples its RSS),
 * open `more`, call `mark()` again, then hold them until `release` resolves.
 */
function fanout(net, port, p, now, hooks) {
  return new Promise((resolve, reject) => {
    const socks = [];
    let opened = 0;
    let inflight = 0;
    let target = 0;
    let onReached = null;
    const open = () => {
      while (inflight < p.inflight && socks.length < target) {
        inflight++;
        const sock = net.connect(port, HOST);
        socks.push(sock);
        sock.on("error", (err) => reject(err));
        sock.on("connect", () => {
          inflight--;
          opened++;
          if (opened === target) onReached();
          else open();
        });
      }
    };
    const reach = (n) =>
      new Promise((res) => {
        target = n;
        onReached = res;
        open();
      });
    const t0 = now();
    reach(p.first)
      .then(() => hooks.mark())
      .then(() => reach(p.first + p.more))
      .then(() => hooks.mark())
      .then(() => {
        for (const s of socks) s.destroy();
        resolve({ value: 0, ms: now() - t0, connections: socks.length });
      }, reject);
  });
}

export const clients = { bulkSink, bulkEcho, pingpong, churn, fanout };
