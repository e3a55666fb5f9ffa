import { createRequire } from "node:module";
import type koffiModule from "koffi";

type Koffi = typeof koffiModule;
const require = createRequire(import.meta.url);

/**
 * koffi, loaded for a short-lived process. The package's own entry reads the
 * ELF header of the node binary to tell glibc from musl, probes several
 * directories for its addon and wraps it with deprecated aliases: 20-40 ms
 * of every Podman or CNI call on a 2-core VM. On glibc Linux (what Berth
 * supports) the addon is at a fixed path in the platform package, so load it
 * directly and fall back to the package entry anywhere else.
 */
function loadKoffi(): Koffi {
  const { platform, arch } = process;
  try {
    const native = require(`@koromix/koffi-${platform}-${arch}/${platform}_${arch}/koffi.node`) as Koffi;
    if (typeof native.load === "function" && typeof native.struct === "function") return native;
  } catch {
    // not the glibc layout: let the package find its addon
  }
  return (require("koffi") as { default: Koffi }).default;
}

export const koffi: Koffi = loadKoffi();
