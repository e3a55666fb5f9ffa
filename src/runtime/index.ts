export { Runtime, findRuntimeBinary, type ContainerState, type ProcessResult } from "./runtime.js";
export { buildOciConfig, DEFAULT_CAPABILITIES, type ContainerProcessSpec } from "./oci-config.js";
export { writeBundle } from "./bundle.js";
export { decodeK8sLog } from "./k8s-log.js";
