"""A lit test format yielding one test per `pass` row of node-tests.txt.

Each test runs `quant-run --onnx-test <data dir>/<test>`, which compiles the
model and checks every data set's outputs against the ONNX references.
"""

import os
import shutil
import tempfile

import lit.formats
import lit.Test
import lit.util

from node_test_table import read_table


class ONNXNodeTestFormat(lit.formats.base.TestFormat):
    def __init__(self, table_path, data_dir, quant_run, timeout):
        self.table_path = table_path
        self.data_dir = data_dir
        self.quant_run = quant_run
        self.timeout = timeout

    def getTestsInDirectory(self, testSuite, path_in_suite, litConfig, localConfig):
        for row in read_table(self.table_path):
            if row.is_pass:
                yield lit.Test.Test(testSuite, path_in_suite + (row.name,), localConfig)

    def execute(self, test, litConfig):
        test_dir = os.path.join(self.data_dir, test.path_in_suite[-1])
        if not os.path.isdir(test_dir):
            return lit.Test.UNSUPPORTED, "%s is missing (install libonnx-testdata)" % test_dir
        command = [self.quant_run, "--onnx-test", test_dir]
        # quant-run removes its temporary artifact itself; a private TMPDIR
        # also cleans up after a run killed by the timeout.
        temp_dir = tempfile.mkdtemp(prefix="onnx-node-test-")
        env = dict(test.config.environment, TMPDIR=temp_dir)
        try:
            out, err, exit_code = lit.util.executeCommand(
                command, env=env, timeout=self.timeout
            )
        except lit.util.ExecuteCommandTimeoutException as e:
            return lit.Test.TIMEOUT, "%s\ntimed out after %ds\n%s%s" % (
                " ".join(command), self.timeout, e.out, e.err)
        finally:
            shutil.rmtree(temp_dir, ignore_errors=True)
        output = "%s\n%s%s" % (" ".join(command), out, err)
        if exit_code == 0:
            return lit.Test.PASS, output
        return lit.Test.FAIL, output + "exit status %d\n" % exit_code
