#!/usr/bin/env node
// ort-run.js - run an ONNX model with ONNX Runtime (the test-only peer).
//
//   node scripts/ort-run.js model.onnx --input name=file.npy ... \
//        [--output-dir D] [--threads N] [--bench N]
//
// Writes every output as D/<name>.npy; with --bench N prints the median
// latency of N runs after a warm-up. Reads/writes .npy float32/int64/int32/
// uint8/int8/bool (C order), enough for reference outputs and timings.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', 'third_party', 'ort',
                              'node_modules', 'onnxruntime-node'));

const DTYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array],
  '|u1': ['uint8', Uint8Array], '|i1': ['int8', Int8Array],
  '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12);
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
      .split(',').map(s => s.trim()).filter(s => s).map(Number);
  const [type, Ctor] = DTYPES[descr] || [];
  if (!type) throw new Error(`${file}: unsupported dtype ${descr}`);
  const bytes = buf.subarray(start + headerLen);
  const data = new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data) : data, shape);
}

function writeNpy(file, tensor) {
  const descr = Object.keys(DTYPES).find(k => DTYPES[k][0] === tensor.type);
  if (!descr) throw new Error(`cannot write dtype ${tensor.type}`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'),
      Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main() {
  const args = process.argv.slice(2);
  if (!args.length) throw new Error('usage: ort-run.js model.onnx --input name=file.npy ...');
  const model = args.shift();
  const inputs = {}; let outDir = null, threads = 2, bench = 0;
  while (args.length) {
    const a = args.shift();
    if (a === '--input') { const [n, f] = args.shift().split('='); inputs[n] = readNpy(f); }
    else if (a === '--output-dir') outDir = args.shift();
    else if (a === '--threads') threads = Number(args.shift());
    else if (a === '--bench') bench = Number(args.shift());
    else throw new Error(`unknown argument ${a}`);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential'});
  let results = await session.run(inputs);
  if (outDir) {
    fs.mkdirSync(outDir, {recursive: true});
    for (const [name, t] of Object.entries(results)) writeNpy(path.join(outDir, `${name}.npy`), t);
  }
  if (bench > 0) {
    const times = [];
    for (let i = 0; i < bench; ++i) {
      const t0 = process.hrtime.bigint();
      results = await session.run(inputs);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`ort median ${times[Math.floor(times.length / 2)].toFixed(3)} ms ` +
                `min ${times[0].toFixed(3)} ms over ${bench} runs, ${threads} threads`);
  }
}
main().catch(e => { console.error(`ort-run: error: ${e.message}`); process.exit(1); });
