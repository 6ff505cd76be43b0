// Declarations of scripts/build-types.mjs, for the tests that import it.
import type { CompilerOptions } from "typescript";

export interface TypeEntry {
  /** the package.json "exports" keys whose types this entry provides */
  exports: string[];
  /** the TypeScript source, relative to the repository root */
  source: string;
}
export declare const TYPE_ENTRIES: TypeEntry[];
export declare const TYPES_OUT: string;
export declare function declarationOptions(): CompilerOptions;
export declare function presentEntries(): TypeEntry[];
export default function build(): Promise<void>;
