export * from "./viz/mod.ts";
