# -*- Python -*-
# lit configuration for the LowBit regression and end-to-end tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "LOWBIT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lowbit_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%lowbit_src", config.lowbit_src_root))
# Debian's python3 has onnx and numpy (a pyenv python3 earlier on PATH may not).
config.substitutions.append(("%python", "/usr/bin/python3"))
# Real models and the ONNX Runtime peer, fetched by scripts/install-deps.sh.
config.substitutions.append(
    ("%models", os.path.join(config.lowbit_src_root, "third_party", "models")))
config.substitutions.append(
    ("%ort_run", "node " + os.path.join(config.lowbit_src_root, "scripts", "ort-run.js")))

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

tool_dirs = [config.lowbit_tools_dir, config.llvm_tools_dir]
tools = ["quant-opt", "quant-translate", "quant-compile", "quant-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
