// The core's own host import. A fatal error (a broken invariant) goes here and the
// host throws a JS Error; it never reaches the WASI shim's proc_exit.

@external("wasock", "fatal")
declare function hostFatal(msgPtr: usize, msgBytes: i32, filePtr: usize, fileBytes: i32, line: u32, col: u32): void;

/** Replaces `abort` (see asconfig.json `use`). Strings are passed as UTF-16 bytes. */
export function wasockAbort(
  message: string | null = null,
  fileName: string | null = null,
  lineNumber: u32 = 0,
  columnNumber: u32 = 0,
): void {
  const m = changetype<usize>(message);
  const f = changetype<usize>(fileName);
  hostFatal(
    m, m ? message!.length << 1 : 0,
    f, f ? fileName!.length << 1 : 0,
    lineNumber, columnNumber,
  );
  unreachable();
}
