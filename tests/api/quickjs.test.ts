/**
 * The pure ts-api modules run inside QuickJS (quickjs-emscripten, sync
 * build) and give the same answers as on Node: same messages, codes,
 * classes, inspect output, IP checks, BlockList and SocketAddress results.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { getQuickJS } from "quickjs-emscripten";
import { describe, expect, it } from "vitest";
import { probe } from "./fixtures/probe.ts";

const probeFile = fileURLToPath(new URL("./fixtures/probe.ts", import.meta.url));

describe("pure ts-api modules inside QuickJS", () => {
  it("give the same record as on Node", async () => {
    const bundle = await build({
      entryPoints: [probeFile],
      bundle: true,
      format: "iife",
      globalName: "wasockProbe",
      target: "es2022",
      platform: "neutral",
      write: false,
      logLevel: "silent",
    });
    const code = `${bundle.outputFiles[0].text}\nJSON.stringify(wasockProbe.probe());`;
    const QuickJS = await getQuickJS();
    const vm = QuickJS.newContext();
    let text: string;
    try {
      const result = vm.evalCode(code, "probe.js");
      if (result.error) {
        const err = vm.dump(result.error);
        result.error.dispose();
        throw new Error(`QuickJS threw: ${JSON.stringify(err)}`);
      }
      text = vm.getString(result.value);
      result.value.dispose();
    } finally {
      vm.dispose();
    }
    const inQuickJS = JSON.parse(text);
    const onNode = JSON.parse(JSON.stringify(probe()));
    expect(inQuickJS).toEqual(onNode);
    // the record is not trivially empty
    expect((onNode as { errors: unknown[] }).errors.length).toBeGreaterThan(100);
  });
});
