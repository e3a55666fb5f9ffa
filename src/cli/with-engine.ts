export { withEngine } from "../engine/index.js";
