export { Runtime, type ContainerState, type ExecOptions, type ProcessResult } from "./runtime.js";
export type { ContainerProcessSpec } from "./container-spec.js";
export { buildOciConfig, mergeEnv, DEFAULT_CAPABILITIES, HOST_ROOT_DIRS, type OciConfig, type OciMount } from "./oci-config.js";
export { writeBundle } from "./bundle.js";
export { decodeK8sLog } from "./k8s-log.js";
export { findRuntimeBinary } from "./runtime-binary.js";
export { conmonArgs, parseSyncMessage, type ConmonOptions } from "./conmon-args.js";
