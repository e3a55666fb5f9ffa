export { allocateNext, checkStaticIp, poolBounds, type AllocationPool } from "./allocate.js";
export { pickFreeSubnet, firstOverlap } from "./subnet-picker.js";
