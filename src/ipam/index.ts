export { allocateNext, checkStaticIp, poolBounds, type AllocationPool } from "./allocate.js";
export { allocateNext6, checkStaticIp6, pool6Bounds, type AllocationPool6 } from "./allocate6.js";
export { pickFreeSubnet } from "./subnet-picker.js";
export { pickFreeSubnet6 } from "./subnet-picker6.js";
