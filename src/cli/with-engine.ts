export { withEngine } from "../engine/with-engine.js";
