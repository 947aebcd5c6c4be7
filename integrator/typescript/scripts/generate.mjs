// Generates src/gen/ from ../../protos (and the vendored google/rpc protos) with the pinned buf and
// protoc-gen-es from node_modules: no network, no globally installed tools.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const buf = join(root, "node_modules", ".bin", "buf");
execFileSync(buf, ["generate", "--template", "buf.gen.yaml"], { cwd: root, stdio: "inherit" });
console.log("generated src/gen/ from protos/");
