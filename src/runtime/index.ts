export { Runtime, type ContainerState, type ExecOptions, type ProcessResult } from "./runtime.js";
export type { ContainerProcessSpec, VolumeMount } from "./container-spec.js";
export {
  buildOciConfig,
  mergeEnv,
  capabilitySet,
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  HOST_ROOT_DIRS,
  INIT_PATH,
  type OciConfig,
  type OciMount,
} from "./oci-config.js";
export { writeBundle } from "./bundle.js";
export { decodeK8sLog } from "./k8s-log.js";
export { findRuntimeBinary } from "./runtime-binary.js";
export { conmonArgs, parseSyncMessage, type ConmonOptions } from "./conmon-args.js";
