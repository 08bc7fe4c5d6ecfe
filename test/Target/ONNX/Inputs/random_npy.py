#!/usr/bin/python3
"""Write a seeded Gaussian float32 array: random_npy.py OUT.npy D0,D1,...
[--seed S] [--scale K] (tests feed it to ONNX Runtime and quant-run)."""
import argparse

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("shape")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--scale", type=float, default=1.0)
args = parser.parse_args()
shape = [int(d) for d in args.shape.split(",")]
rng = np.random.RandomState(args.seed)
np.save(args.out, (rng.randn(*shape) * args.scale).astype(np.float32))
