// Guest-script types for `net` / `node:net` in a wasock sandbox.
//
// Declares exactly what wasock's `net` implements (ts-api/net.ts, socket.ts, server.ts),
// following Node v20's documented net module. tests/types/drift.test.ts checks these
// declarations against the runtime on Node and inside QuickJS, both ways.
//
// Host limits, in one place:
// - wasock/node: real TCP and Unix-domain sockets through node:net, under the policy
//   given to `createNet()` (the default export allows everything).
// - wasock/quickjs: the same, but the embedder's policy denies everything unless
//   `allowNet` permits it. A refused connect or listen fails with ERR_ACCESS_DENIED;
//   going over a quota (sockets, buffered bytes) fails with ERR_QUOTA_EXCEEDED.
// - Neither host accepts file descriptors or native handles (`fd`, `listen(handle)`):
//   those throw ERR_NOT_SUPPORTED.

declare module "net" {
  import { Duplex } from "stream";
  import { EventEmitter } from "events";

  // ---------------------------------------------------------------- errors

  /**
   * System error codes that wasock's sockets report, as Node names them. A system
   * error has `code`, `errno` (negative, Linux numbering), `syscall` and, for
   * connect/listen, `address` and `port`; its message reads like
   * `connect ECONNREFUSED 127.0.0.1:1`.
   */
  type SystemErrorCode =
    | "EACCES"
    | "EADDRINUSE"
    | "EADDRNOTAVAIL"
    | "EAFNOSUPPORT"
    | "EAGAIN"
    | "EAI_AGAIN"
    | "EAI_FAIL"
    | "EAI_NONAME"
    | "EBADF"
    | "ECONNABORTED"
    | "ECONNREFUSED"
    | "ECONNRESET"
    | "EHOSTUNREACH"
    | "EINVAL"
    | "EIO"
    | "EMFILE"
    | "ENAMETOOLONG"
    | "ENETDOWN"
    | "ENETUNREACH"
    | "ENFILE"
    | "ENOBUFS"
    | "ENOENT"
    | "ENOMEM"
    | "ENOTCONN"
    | "ENOTFOUND"
    | "ENOTSOCK"
    | "ENOTSUP"
    | "EPERM"
    | "EPIPE"
    | "ETIMEDOUT";

  /**
   * Codes of the errors wasock throws or emits for misuse, as in Node, plus wasock's
   * two policy codes:
   * - `ERR_ACCESS_DENIED`: the embedder's policy refused the address (the message
   *   names it); nothing was sent.
   * - `ERR_QUOTA_EXCEEDED`: a quota of the sandbox or `createNet()` was reached
   *   (open sockets, buffered bytes, bytes per socket).
   * - `ERR_NOT_SUPPORTED`: a Node feature wasock does not provide.
   */
  type NodeErrorCode =
    | "ABORT_ERR"
    | "ERR_ACCESS_DENIED"
    | "ERR_QUOTA_EXCEEDED"
    | "ERR_NOT_SUPPORTED"
    | "ERR_INVALID_ARG_TYPE"
    | "ERR_INVALID_ARG_VALUE"
    | "ERR_INVALID_ADDRESS"
    | "ERR_INVALID_ADDRESS_FAMILY"
    | "ERR_INVALID_HANDLE_TYPE"
    | "ERR_INVALID_IP_ADDRESS"
    | "ERR_MISSING_ARGS"
    | "ERR_MULTIPLE_CALLBACK"
    | "ERR_OUT_OF_RANGE"
    | "ERR_SERVER_ALREADY_LISTEN"
    | "ERR_SERVER_NOT_RUNNING"
    | "ERR_SOCKET_BAD_PORT"
    | "ERR_SOCKET_CLOSED"
    | "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"
    | "ERR_SOCKET_CONNECTION_TIMEOUT"
    | "ERR_STREAM_DESTROYED"
    | "ERR_STREAM_PREMATURE_CLOSE"
    | "ERR_STREAM_WRITE_AFTER_END";

  /** Every code a wasock `net` error can carry. */
  type ErrorCode = SystemErrorCode | NodeErrorCode;

  /**
   * The shape of the errors wasock throws and emits. An Error you pass to
   * `socket.destroy(err)` is re-emitted as it is.
   */
  interface NetError extends Error {
    /** What went wrong, as Node names it (see `ErrorCode`). */
    code?: ErrorCode;
    /** System errors: Linux's negative errno, as Node's `err.errno`. */
    errno?: number;
    /** System errors: 'connect', 'listen', 'getaddrinfo', 'read', 'write', ... */
    syscall?: string;
    /** connect/listen errors: the address involved (the refused one for ERR_ACCESS_DENIED). */
    address?: string;
    /** connect/listen errors: the port involved. */
    port?: number;
    /** DNS errors: the name that was looked up. */
    hostname?: string;
  }

  // ---------------------------------------------------------------- addresses

  /** An address as `socket.address()` and `server.address()` report it. */
  interface AddressInfo {
    /** The IP address, e.g. '127.0.0.1' or '::1'. */
    address: string;
    /** The family name (not a number). */
    family: "IPv4" | "IPv6";
    /** The port number (the assigned one after listening on port 0). */
    port: number;
  }

  /** `socket.readyState`: derived from `connecting` and the two stream sides. */
  type SocketReadyState = "opening" | "open" | "readOnly" | "writeOnly" | "closed";

  /** Options of `new net.SocketAddress()`. */
  interface SocketAddressInitOptions {
    /** Default '127.0.0.1' (or '::' for ipv6). */
    address?: string;
    /** Default 'ipv4'. */
    family?: "ipv4" | "ipv6";
    /** IPv6 flow label (default 0). */
    flowlabel?: number;
    /** Default 0. */
    port?: number;
  }

  /** A validated, immutable network address + port (pure JS in wasock). */
  class SocketAddress {
    /** Throws ERR_INVALID_ARG_VALUE / ERR_INVALID_ARG_TYPE / ERR_SOCKET_BAD_PORT as Node. */
    constructor(options?: SocketAddressInitOptions);
    /** The address, normalised. */
    readonly address: string;
    /** 'ipv4' or 'ipv6' (lower case, unlike `AddressInfo.family`). */
    readonly family: "ipv4" | "ipv6";
    /** The port number. */
    readonly port: number;
    /** The IPv6 flow label (0 for IPv4). */
    readonly flowlabel: number;
  }

  /**
   * A list of IPv4/IPv6 addresses, ranges and subnets to test addresses against (pure
   * JS in wasock). It does not restrict sockets by itself: the embedder's policy does.
   */
  class BlockList {
    constructor();
    /** Adds one address (type defaults to 'ipv4'). */
    addAddress(address: string | SocketAddress, type?: "ipv4" | "ipv6"): void;
    /** Adds every address from `start` to `end` inclusive. */
    addRange(start: string | SocketAddress, end: string | SocketAddress, type?: "ipv4" | "ipv6"): void;
    /** Adds the subnet `net/prefix` (prefix 0-32 for IPv4, 0-128 for IPv6). */
    addSubnet(net: string | SocketAddress, prefix: number, type?: "ipv4" | "ipv6"): void;
    /** True if `address` matches a rule. An IPv4-mapped IPv6 address matches IPv4 rules. */
    check(address: string | SocketAddress, type?: "ipv4" | "ipv6"): boolean;
    /** The rules, as Node prints them (`Address: IPv4 10.0.0.1`, ...), newest first. */
    readonly rules: string[];
  }

  // ---------------------------------------------------------------- options

  /** One address handed to a custom `lookup` callback when `all` is set. */
  interface LookupAddress {
    /** The IP address. */
    address: string;
    /** 4 or 6. */
    family: 4 | 6;
  }

  /** The options wasock passes to a custom `lookup` function. */
  interface LookupOptions {
    /** 0, 4 or 6: the `family` connect option. */
    family?: number;
    /** The `hints` connect option. */
    hints?: number;
    /** True with `autoSelectFamily`: answer with every address (`LookupAddress[]`). */
    all?: boolean;
  }

  /**
   * A `dns.lookup`-compatible resolver for the `lookup` connect option. wasock resolves
   * names on the host by default; a custom function lets the script choose the IP
   * (the policy still checks the result).
   */
  type LookupFunction = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NetError | null, address: string | LookupAddress[], family?: number) => void,
  ) => void;

  /**
   * The `onread` option: incoming bytes go into one buffer of the script's and to
   * `callback`, instead of `'data'` events. `'end'`, `'error'` and `'close'` come as usual.
   */
  interface OnReadOpts {
    /**
     * The buffer every read goes into, or a function that returns one: it is called
     * when the connect starts and again after every callback.
     */
    buffer: Uint8Array | (() => Uint8Array);
    /**
     * Called for every read of at most `buffer.length` bytes, with how many were
     * written into `buffer`. Returning `false` stops reading until `resume()` or
     * `read()`; the stream itself is not paused.
     */
    callback(bytesWritten: number, buffer: Uint8Array): boolean | void;
  }

  /** Options of `new net.Socket()`. Passing `fd` throws ERR_NOT_SUPPORTED. */
  interface SocketConstructorOpts {
    /** Keep the writable side open after the peer ended (default false). */
    allowHalfOpen?: boolean;
    /** Only meaningful with `fd`, which wasock does not support. */
    readable?: boolean;
    /** Only meaningful with `fd`, which wasock does not support. */
    writable?: boolean;
    /** Destroys the socket with an AbortError when aborted. */
    signal?: AbortSignal;
    /** Read into a buffer of the script's instead of emitting `'data'` (see `OnReadOpts`). */
    onread?: OnReadOpts;
  }

  /** Connect options shared by TCP and IPC. */
  interface ConnectOpts {
    /** Arm `socket.setTimeout(timeout)` before connecting. */
    timeout?: number;
  }

  /** Connect options for TCP. `port` is required. */
  interface TcpSocketConnectOpts extends ConnectOpts {
    /** The port to connect to (required). */
    port: number;
    /** Default 'localhost'. The policy checks the address it resolves to. */
    host?: string;
    /** The local address to bind before connecting. */
    localAddress?: string;
    /** The local port to bind before connecting. */
    localPort?: number;
    /** `dns.lookup` hints. */
    hints?: number;
    /** 0, 4 or 6 (default 0: both). */
    family?: number;
    /** A custom resolver instead of the host's (see `LookupFunction`). */
    lookup?: LookupFunction;
    /** Disable Nagle's algorithm once connected (default false). */
    noDelay?: boolean;
    /** Enable TCP keep-alive once connected (default false). */
    keepAlive?: boolean;
    /** Delay before the first keep-alive probe, in ms (default 0). */
    keepAliveInitialDelay?: number;
    /** Happy Eyeballs (default: `net.getDefaultAutoSelectFamily()`). */
    autoSelectFamily?: boolean;
    /** Time per attempt with `autoSelectFamily`, in ms (at least 10). */
    autoSelectFamilyAttemptTimeout?: number;
  }

  /** Connect options for a Unix-domain socket. `path` is required; the policy checks it. */
  interface IpcSocketConnectOpts extends ConnectOpts {
    /** The socket file to connect to (required). */
    path: string;
  }

  /** Options of `socket.connect()`: TCP or IPC. */
  type SocketConnectOpts = TcpSocketConnectOpts | IpcSocketConnectOpts;

  /** TCP options of `net.connect()` / `net.createConnection()`: constructor and connect options. */
  type TcpNetConnectOpts = TcpSocketConnectOpts & SocketConstructorOpts;
  /** IPC options of `net.connect()` / `net.createConnection()`. */
  type IpcNetConnectOpts = IpcSocketConnectOpts & SocketConstructorOpts;
  /** Options of `net.connect()` / `net.createConnection()`: a port or a path is required. */
  type NetConnectOpts = TcpNetConnectOpts | IpcNetConnectOpts;

  /** Options of `net.createServer()` / `new net.Server()`. */
  interface ServerOpts {
    /** Accepted sockets keep their writable side open after the peer ended (default false). */
    allowHalfOpen?: boolean;
    /** Accepted sockets start paused (call `resume()`); default false. */
    pauseOnConnect?: boolean;
    /** Disable Nagle on accepted sockets (default false). */
    noDelay?: boolean;
    /** Enable keep-alive on accepted sockets (default false). */
    keepAlive?: boolean;
    /** Delay before the first keep-alive probe on accepted sockets, in ms. */
    keepAliveInitialDelay?: number;
    /** `readableHighWaterMark` and `writableHighWaterMark` of accepted sockets. */
    highWaterMark?: number;
  }

  /** Listen options shared by TCP and IPC. */
  interface ListenOptionsBase {
    /** Queue length for pending connections (passed to the host's listen). */
    backlog?: number;
    /** Accepted for compatibility; wasock has no cluster, so it changes nothing. */
    exclusive?: boolean;
    /** Closes the server when aborted. */
    signal?: AbortSignal;
  }

  /** Listen on TCP. The `port` key is required; `port: 0` or `undefined` picks a free port. */
  interface TcpListenOptions extends ListenOptionsBase {
    /** The port; 0 or undefined lets the system pick one (see `server.address()`). */
    port: number | undefined;
    /** Default: '::' if IPv6 is available, else '0.0.0.0'. The policy checks it. */
    host?: string;
    /** Listen on IPv6 only when `host` is '::'. */
    ipv6Only?: boolean;
  }

  /** Listen on a Unix-domain socket at `path`; the policy checks the path. */
  interface IpcListenOptions extends ListenOptionsBase {
    /** The socket file to create; `server.close()` removes it. */
    path: string;
    /** Make the socket file readable by all users. */
    readableAll?: boolean;
    /** Make the socket file writable by all users. */
    writableAll?: boolean;
  }

  /** `server.listen(options)`: a port or a path is required, as in Node. */
  type ListenOptions = TcpListenOptions | IpcListenOptions;

  /** The argument of a server's 'drop' event (a connection refused by `maxConnections`). */
  interface DropArgument {
    /** The server's address. */
    localAddress?: string;
    /** The server's port. */
    localPort?: number;
    /** 'IPv4' or 'IPv6'. */
    localFamily?: string;
    /** The peer's address. */
    remoteAddress?: string;
    /** The peer's port. */
    remotePort?: number;
    /** 'IPv4' or 'IPv6'. */
    remoteFamily?: string;
  }

  // ---------------------------------------------------------------- Socket

  /** Events of a `net.Socket` and the listener arguments of each, in Node's order. */
  interface SocketEvents {
    /** The socket is fully closed; `hadError` if it closed because of an error. */
    close: [hadError: boolean];
    /** The connection is established. */
    connect: [];
    /** Received bytes: a Buffer, or a string after `setEncoding()`. */
    data: [data: Buffer | string];
    /** The write buffer emptied after `write()` returned false. */
    drain: [];
    /** The peer ended its side (FIN). */
    end: [];
    /** A socket error; 'close' follows. */
    error: [err: NetError];
    /** The host name was resolved (before connecting). */
    lookup: [err: NetError | null, address: string, family: number | string | null, host: string];
    /** Emitted right after 'connect'. */
    ready: [];
    /** Idle for the `setTimeout()` delay; the socket stays open. */
    timeout: [];
    /** The write side finished (after `end()`, once everything is flushed). */
    finish: [];
    /** `pause()` was called. */
    pause: [];
    /** A readable was piped into this socket. */
    pipe: [src: import("stream").Readable];
    /** Data can be read with `read()`. */
    readable: [];
    /** `resume()` was called. */
    resume: [];
    /** A readable was unpiped from this socket. */
    unpipe: [src: import("stream").Readable];
  }

  /**
   * A TCP or Unix-domain socket, as Node's `net.Socket`. It is a real `stream.Duplex`
   * (on Node: node:stream; in QuickJS: readable-stream).
   */
  class Socket extends Duplex {
    /** Creates an unconnected socket; call `connect()`. */
    constructor(options?: SocketConstructorOpts);

    /**
     * Opens the connection. 'connect' follows (`connectionListener` is added as a
     * listener); a failure is emitted as 'error'. Checked against the policy first.
     */
    connect(options: SocketConnectOpts, connectionListener?: () => void): this;
    connect(port: number, host: string, connectionListener?: () => void): this;
    connect(port: number, connectionListener?: () => void): this;
    connect(path: string, connectionListener?: () => void): this;

    /**
     * Sends data; returns false when the data had to be buffered beyond the high-water
     * mark (wait for 'drain'). `cb` runs once the data is flushed (or with an error).
     */
    write(data: Uint8Array | string, cb?: (err?: Error | null) => void): boolean;
    write(data: Uint8Array | string, encoding?: BufferEncoding, cb?: (err?: Error | null) => void): boolean;

    /** Writes optional last data, then half-closes (sends FIN) once everything is flushed. */
    end(cb?: () => void): this;
    end(data: Uint8Array | string, cb?: () => void): this;
    end(data: Uint8Array | string, encoding?: BufferEncoding, cb?: () => void): this;

    /** Ends the socket and destroys it once the write side finished. */
    destroySoon(): void;
    /** Closes the connection with a TCP RST and destroys the socket (ERR_SOCKET_CLOSED if already destroyed). */
    resetAndDestroy(): this;

    /** Makes 'data' carry strings decoded with `encoding`, multibyte characters kept whole. */
    setEncoding(encoding?: BufferEncoding): this;
    /** Stops reading; the peer is held back by TCP flow control. */
    pause(): this;
    /** Resumes reading. */
    resume(): this;

    /** Emits 'timeout' after `timeout` ms of inactivity (0 disables); `callback` is added once. */
    setTimeout(timeout: number, callback?: () => void): this;
    /** Disables (default true) or enables Nagle's algorithm. */
    setNoDelay(noDelay?: boolean): this;
    /** Enables TCP keep-alive, probing after `initialDelay` ms. */
    setKeepAlive(enable?: boolean, initialDelay?: number): this;
    /** The local address, or `{}` when not connected. */
    address(): AddressInfo | {};
    /** Lets the host's event loop (sandbox `run()`) finish while this socket is open. */
    unref(): this;
    /** Undoes `unref()`. */
    ref(): this;

    /** @deprecated Use `writableLength`. Bytes queued and not yet sent. */
    readonly bufferSize: number;
    /** Bytes received. */
    readonly bytesRead: number;
    /** Bytes sent, including queued bytes. */
    readonly bytesWritten: number;
    /** True between `connect()` and 'connect'. */
    readonly connecting: boolean;
    /** True until connected (also before `connect()` is called). */
    readonly pending: boolean;
    /** The local IP address (undefined before connecting). */
    readonly localAddress?: string;
    /** The local port (undefined before connecting). */
    readonly localPort?: number;
    /** 'IPv4' or 'IPv6' (undefined before connecting). */
    readonly localFamily?: string;
    /** The peer's IP address (undefined before connecting and after destroy). */
    readonly remoteAddress?: string;
    /** 'IPv4' or 'IPv6'. */
    readonly remoteFamily?: string;
    /** The peer's port. */
    readonly remotePort?: number;
    /** The delay given to `setTimeout()`, if any. */
    readonly timeout?: number;
    /** 'opening', 'open', 'readOnly', 'writeOnly' or 'closed'. */
    readonly readyState: SocketReadyState;
    /** With `autoSelectFamily`: the `ip:port` addresses tried, in order (undefined otherwise). */
    readonly autoSelectFamilyAttemptedAddresses: string[] | undefined;
    /** The server that accepted this socket; null for a client socket (as Node, undocumented there). */
    readonly server: Server | null;

/** Adds `listener` for `event`; typed for the events of `SocketEvents`, any other name falls back to `...args: any[]`. */
addListener<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
addListener<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for `event` (alias of `addListener`). */
on<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
on<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for the next `event` only. */
once<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
once<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` before the existing listeners of `event`. */
prependListener<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
prependListener<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Adds a one-time `listener` before the existing listeners of `event`. */
prependOnceListener<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
prependOnceListener<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event`. */
removeListener<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
removeListener<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event` (alias of `removeListener`). */
off<K extends keyof SocketEvents>(event: K, listener: (...args: SocketEvents[K]) => void): this;
off<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, listener: (...args: any[]) => void): this;
/** Calls the listeners of `event` synchronously with `args`; true if there were any. */
emit<K extends keyof SocketEvents>(event: K, ...args: SocketEvents[K]): boolean;
emit<E extends string | symbol>(event: Exclude<E, keyof SocketEvents>, ...args: any[]): boolean;
  }

  /** An alias of `Socket`, as in Node. */
  const Stream: typeof Socket;
  type Stream = Socket;

  // ---------------------------------------------------------------- Server

  /** Events of a `net.Server` and the listener arguments of each. */
  interface ServerEvents {
    /** The server closed and every connection has ended. */
    close: [];
    /** A new connection was accepted. */
    connection: [socket: Socket];
    /** A listen error (EADDRINUSE, ERR_ACCESS_DENIED, ...). */
    error: [err: NetError];
    /** The server is bound; `address()` now works. */
    listening: [];
    /** A connection was dropped because `maxConnections` was reached. */
    drop: [data?: DropArgument];
  }

  /** A TCP or Unix-domain server, as Node's `net.Server`. */
  class Server extends EventEmitter {
    constructor(connectionListener?: (socket: Socket) => void);
    constructor(options?: ServerOpts, connectionListener?: (socket: Socket) => void);

    /**
     * Starts listening; 'listening' follows (`listeningListener` is added as a
     * listener). A failure (EADDRINUSE, ERR_ACCESS_DENIED) is emitted as 'error'.
     * Calling it while listening throws ERR_SERVER_ALREADY_LISTEN.
     */
    listen(listeningListener?: () => void): this;
    listen(port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this;
    listen(port?: number, hostname?: string, listeningListener?: () => void): this;
    listen(port?: number, backlog?: number, listeningListener?: () => void): this;
    listen(port?: number, listeningListener?: () => void): this;
    listen(path: string, backlog?: number, listeningListener?: () => void): this;
    listen(path: string, listeningListener?: () => void): this;
    listen(options: ListenOptions, listeningListener?: () => void): this;

    /**
     * Stops accepting; 'close' follows once every connection has ended. `callback`
     * gets ERR_SERVER_NOT_RUNNING if the server was not listening.
     */
    close(callback?: (err?: Error) => void): this;
    /** The bound address, the path for IPC, or null when not listening. */
    address(): AddressInfo | string | null;
    /** Counts the open connections asynchronously. */
    getConnections(cb: (error: Error | null, count: number) => void): this;
    /** Lets the host's event loop finish while the server is listening. */
    unref(): this;
    /** Undoes `unref()`. */
    ref(): this;
    /** Connections beyond this are dropped (and 'drop' is emitted). */
    maxConnections: number;
    /** True while listening. */
    readonly listening: boolean;
    /** The `ServerOpts` given to the constructor, as Node keeps them (undocumented there). */
    allowHalfOpen: boolean;
    /** `ServerOpts.pauseOnConnect`. */
    pauseOnConnect: boolean;
    /** `ServerOpts.noDelay`. */
    noDelay: boolean;
    /** `ServerOpts.keepAlive`. */
    keepAlive: boolean;
    /** `ServerOpts.keepAliveInitialDelay`, in seconds as Node keeps it. */
    keepAliveInitialDelay: number;
    /** `ServerOpts.highWaterMark`. */
    highWaterMark: number | undefined;
    /** Closes the server; resolves once closed. */
    [Symbol.asyncDispose](): Promise<void>;

/** Adds `listener` for `event`; typed for the events of `ServerEvents`, any other name falls back to `...args: any[]`. */
addListener<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
addListener<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for `event` (alias of `addListener`). */
on<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
on<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for the next `event` only. */
once<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
once<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` before the existing listeners of `event`. */
prependListener<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
prependListener<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Adds a one-time `listener` before the existing listeners of `event`. */
prependOnceListener<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
prependOnceListener<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event`. */
removeListener<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
removeListener<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event` (alias of `removeListener`). */
off<K extends keyof ServerEvents>(event: K, listener: (...args: ServerEvents[K]) => void): this;
off<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, listener: (...args: any[]) => void): this;
/** Calls the listeners of `event` synchronously with `args`; true if there were any. */
emit<K extends keyof ServerEvents>(event: K, ...args: ServerEvents[K]): boolean;
emit<E extends string | symbol>(event: Exclude<E, keyof ServerEvents>, ...args: any[]): boolean;
  }

  // ---------------------------------------------------------------- functions

  /** Creates a server; `connectionListener` is added as a 'connection' listener. */
  function createServer(connectionListener?: (socket: Socket) => void): Server;
  function createServer(options?: ServerOpts, connectionListener?: (socket: Socket) => void): Server;

  /** Creates a socket and connects it (see `socket.connect()`). */
  function connect(options: NetConnectOpts, connectionListener?: () => void): Socket;
  function connect(port: number, host?: string, connectionListener?: () => void): Socket;
  function connect(path: string, connectionListener?: () => void): Socket;

  /** Same as `connect()`. */
  function createConnection(options: NetConnectOpts, connectionListener?: () => void): Socket;
  function createConnection(port: number, host?: string, connectionListener?: () => void): Socket;
  function createConnection(path: string, connectionListener?: () => void): Socket;

  /** 4 for an IPv4 address, 6 for IPv6, 0 otherwise. */
  function isIP(input: string): number;
  /** True for a valid dotted-decimal IPv4 address. */
  function isIPv4(input: string): boolean;
  /** True for a valid IPv6 address (zone ids allowed). */
  function isIPv6(input: string): boolean;

  /** The default of the `autoSelectFamily` connect option (Happy Eyeballs). */
  function getDefaultAutoSelectFamily(): boolean;
  /** Sets the default of `autoSelectFamily` for this net object. */
  function setDefaultAutoSelectFamily(value: boolean): void;
  /** The default of `autoSelectFamilyAttemptTimeout`, in ms. */
  function getDefaultAutoSelectFamilyAttemptTimeout(): number;
  /** Values under 10 are taken as 10. */
  function setDefaultAutoSelectFamilyAttemptTimeout(value: number): void;

  export {
    SystemErrorCode,
    NodeErrorCode,
    ErrorCode,
    NetError,
    AddressInfo,
    SocketReadyState,
    SocketAddressInitOptions,
    SocketAddress,
    BlockList,
    LookupAddress,
    LookupOptions,
    LookupFunction,
    OnReadOpts,
    SocketConstructorOpts,
    ConnectOpts,
    TcpSocketConnectOpts,
    IpcSocketConnectOpts,
    SocketConnectOpts,
    TcpNetConnectOpts,
    IpcNetConnectOpts,
    NetConnectOpts,
    ServerOpts,
    ListenOptionsBase,
    TcpListenOptions,
    IpcListenOptions,
    ListenOptions,
    DropArgument,
    SocketEvents,
    Socket,
    Stream,
    ServerEvents,
    Server,
    createServer,
    connect,
    createConnection,
    isIP,
    isIPv4,
    isIPv6,
    getDefaultAutoSelectFamily,
    setDefaultAutoSelectFamily,
    getDefaultAutoSelectFamilyAttemptTimeout,
    setDefaultAutoSelectFamilyAttemptTimeout,
  };

  /** The module object, for `import net from "net"`. */
  const _default: typeof import("net");
  export default _default;
}

declare module "node:net" {
  export * from "net";
  export { default } from "net";
}
