// tasks-vision's Emscripten loader (CommonJS, no types of its own).
declare module '@mediapipe/tasks-vision/vision_wasm_internal.js' {
  const factory: (module?: object) => Promise<unknown>;
  export default factory;
}
