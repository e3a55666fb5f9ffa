export { allocateNext, checkStaticIp, poolBounds, type AllocationPool } from "./allocate.js";
export { pickFreeSubnet } from "./subnet-picker.js";
