#!/usr/bin/env bash
# GPU check for the CuPy backend: run on a machine with a CUDA GPU and cupy installed.
#   tests/gpu/run.sh [--n 1e7] [--order 8]
# Runs the gpu-marked tests (and the nvcc kernel checks when nvcc exists), then the short GPU
# benchmark (tests/gpu/bench.py), which prints a table at the end. Works from a source checkout
# without installing anything: PYTHONPATH points at the tree.
set -u
cd "$(dirname "$0")/../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-python}"

if ! err=$("$PY" -c "import cupy, sys; sys.exit(cupy.cuda.runtime.getDeviceCount() == 0)" 2>&1); then
  echo "tests/gpu/run.sh: cupy with a CUDA device is required (pip install 'taylorad[cuda]'):" >&2
  echo "  ${err##*$'\n'}" >&2
  exit 2
fi
"$PY" -c "import cupy; d = cupy.cuda.runtime.getDeviceProperties(0); \
print('device:', d['name'].decode(), '| cupy', cupy.__version__, \
'| CUDA runtime', cupy.cuda.runtime.runtimeGetVersion())"

status=0
if "$PY" -c "import pytest" 2>/dev/null; then
  echo "== GPU tests (pytest -m gpu) =="
  "$PY" -m pytest -q -rs -p no:cacheprovider --durations=8 -m gpu tests/test_cupy.py tests/test_cupy_backend.py tests/test_facade_tensor.py || status=1
  echo "== kernel compile / host checks =="
  "$PY" -m pytest -q -rs -p no:cacheprovider tests/test_kernels_compile.py || status=1
else
  echo "pytest is not installed: skipping the tests, running the benchmark only" >&2
  status=1
fi

echo "== benchmark =="
"$PY" tests/gpu/bench.py "$@" || status=1
exit $status
