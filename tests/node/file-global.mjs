// Node 18 (Debian's and Ubuntu's nodejs package) has no global File, which the openai SDK's uploads
// need ("`File` is not defined as a global"); Node 20 and newer have it, and this changes nothing there.
// mock.mjs imports it; the README example's run preloads it on Node 18 (`node --import`).
import { File } from "node:buffer";

globalThis.File ??= File;
